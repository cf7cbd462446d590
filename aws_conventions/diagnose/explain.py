"""Explain a failed program: map its exception, and the program's frame that raised it, to a known
cause and its fix. An error with no known cause gets no explanation (the traceback stays the answer).

The traceback is the text the runner shows (``program_failure.py``); the explanation reads it rather than the
exception object because the program runs in its own process, under its own interpreter.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..findings import Diagnosis, Location
from . import arguments
from .checks import level_of
from .project import REQUIREMENTS_FIX, program_sources

_FRAME = re.compile(r'^  File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<function>.+)$', re.M)
_ERROR = re.compile(r"^(?P<type>[A-Za-z_][\w.]*(?:Error|Exception|Warning)): (?P<message>.*)$", re.M)
_NO_CLASS = re.compile(r"module 'pulumi_aws\.(?P<module>\w+)' has no attribute '(?P<name>[A-Z]\w*)'")
_MISSING_KEYWORD = re.compile(r"^(?P<cls>[A-Z]\w*)\.__init__\(\) missing \d+ required keyword-only arguments?: "
                              r"'(?P<arg>\w+)'")
_MISSING_PROPERTY = re.compile(r"^Missing required property '(?P<arg>\w+)'$")
_INVOKE_OPTION = re.compile(r"^InvokeOptions\.__init__\(\) got an unexpected keyword argument '(?P<arg>\w+)'$")
_SETTING = re.compile(r"^property '(?P<setting>\w+)' of '_ExportableConfig' object has no setter$")
_NAMELESS = re.compile(r"^(?P<cls>[A-Z]\w*)\.__init__\(\) missing 1 required positional argument: 'resource_name'$")
_NO_ATTRIBUTE = re.compile(r"^'(?P<cls>[A-Z]\w*)' object has no attribute '(?P<attribute>\w+)'$")
_NO_MODULE = re.compile(r"^(?:cannot import name '(?P<imported>\w+)' from 'pulumi_aws'|"
                        r"module 'pulumi_aws' has no attribute '(?P<attribute>[a-z]\w*)')")
_INPUT_ARGS = re.compile(r"While processing input: '\w+', type <class '\w+'>, value <pulumi_aws\.(?P<module>\w+)\."
                         r"_inputs\.(?P<cls>\w+Args) object")
_RESULT_VALUE = re.compile(r"While processing input: '(?P<key>\w+)', type <class '\w+'>, value <pulumi_aws\."
                           r"(?P<module>\w+)\.\w+\.(?P<cls>(?:Awaitable)?Get\w+Result) object")
_INPUT_DICT = re.compile(r"While processing resource: '[^']*', type 'aws:(?P<module>[\w-]+)/\w+:(?P<resource>\w+)'\n"
                         r"\w+ has risen: While processing input: '(?P<input>\w+)', type <class '\w+'>, value \{")
"""A dict given for a resource's input whose type is an Args class: the class is the resource's name and the
input's, as pulumi-aws names them (RestApi's endpoint_configuration: RestApiEndpointConfigurationArgs)."""
_NOT_DEFINED = re.compile(r"^name '(?P<name>\w+)' is not defined$")
_ARGUMENTS_MISSING = re.compile(r"^(?P<callee>\w+)(?:\.__init__)?\(\) missing \d+ required (?:positional|keyword-only) "
                                r"arguments?: (?P<names>.+)$")
_CANNOT_IMPORT = re.compile(r"^cannot import name '(?P<name>\w+)' from '(?P<module>[\w.]+)' \((?P<path>[^()]+)\)$")
_IMPORT_ALIASES = {"aws": "pulumi_aws", "pulumi": "pulumi"}
"""Names programs use for modules by convention (``import pulumi_aws as aws``)."""
_RESULT_INPUT = re.compile(r"unexpected input of type (?P<cls>(?:Awaitable)?Get\w+Result) for (?P<key>\w+)")
"""The same, once an Output has awaited the result (it was given as a resource's argument)."""
_VALUE_ATTRIBUTE = re.compile(r"^'(?P<type>str|int|float|bool|list|dict|NoneType)' object has no attribute "
                              r"'(?P<attribute>\w+)'$")
"""An attribute read through an Output (``name.arn``) from the plain value it resolved to."""
_FIELD_SUFFIXES = ("address", "arn", "id", "name", "url", "value", "string", "endpoint")
"""Suffixes of a result's fields that hold the value a program passes on (an endpoint's address)."""
_LIST_GIVEN = re.compile(r"Unexpected type\. Expected 'list' got '<class '[\w.]+'>'")
"""The SDK's message for a list given where the declared type is not one (it names the declared type)."""
_UNEXPECTED_CALL = re.compile(r"^(?P<fn>get_\w+)\(\) got an unexpected keyword argument '(?P<arg>\w+)'")
_UNEXPECTED = re.compile(r"(?P<cls>\w+)\.(?:__init__|_internal_init)\(\) got an unexpected keyword argument "
                         r"'(?P<arg>\w+)'")


@dataclass(frozen=True)
class Failure:
    """A failed program, as its traceback tells: the error and where in the program it was raised."""

    error_type: str
    message: str
    location: Location | None
    source: str
    """The program's line at ``location``, stripped."""
    site_file: str | None
    """The innermost frame outside the program (a pulumi_aws or json module file), if any."""
    root: Path
    text: str = ""
    """The whole traceback, with the lines the SDK adds after the error (``AssertionError has risen: ...``)."""
    function: str = ""
    """The function of the frame at ``location`` (``<module>`` for a module's top level)."""
    importer: Location | None = None
    """The program's frame that called the one at ``location`` (what imported a module), if any."""

    @property
    def cause(self) -> str:
        return f"{self.error_type}: {self.message}"


def parse(text: str, root: Path) -> Failure | None:
    """The last exception in ``text`` and the innermost frame of it inside ``root``."""
    errors = list(_ERROR.finditer(text))
    if not errors:
        return None
    error = errors[-1]
    frames = [m for m in _FRAME.finditer(text, 0, error.start())]
    start = text.rfind("Traceback (most recent call last):", 0, error.start())
    frames = [m for m in frames if m.start() > start]
    location, source, site, function, importer = None, "", None, "", None
    for frame in reversed(frames):
        relative = _inside(frame.group("file"), root)
        if relative is None:
            site = site or frame.group("file")
            continue
        if location is not None:
            importer = Location(relative, int(frame.group("line")))
            break
        location = Location(relative, int(frame.group("line")))
        source = _line(root / relative, location.line)
        function = frame.group("function").strip()
    return Failure(error.group("type").rsplit(".", 1)[-1], error.group("message").strip(), location, source,
                   site, root, text, function, importer)


def _inside(path: str, root: Path) -> str | None:
    if path.startswith("<") or "site-packages" in path:
        return None
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError):
        return None


def _line(path: Path, number: int) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    return lines[number - 1].strip() if 0 < number <= len(lines) else ""


def explain(text: str, root: Path) -> list[Diagnosis]:
    """What a senior reviewer would say about the failure in ``text``, or nothing when the cause is unknown."""
    failure = parse(text, root)
    if failure is None:
        return []
    for rule in RULES:
        found = rule(failure)
        if found is not None:
            return [found]
    return []


def workaround(text: str, root: Path) -> dict[str, str] | None:
    """The runner's fix for the failure in ``text`` as ``workarounds.py`` applies it, when it has one that
    lets the program run on: an argument a pulumi-aws class does not take (renamed to the one the fix
    names, moved into ``opts`` when it is a resource option, else dropped), ``json.dumps`` of an Output,
    a class that pulumi-aws names otherwise; a class it has nowhere, or in several modules, reads as
    unknown (what it would declare goes unchecked, the rest of the program is checked)."""
    failure = parse(text, root)
    if failure is not None and (module := _missing_module(failure)) is not None:
        use = arguments.module_of_classes(_classes_used(failure.root, module))
        return {"kind": "module", "name": module, "use": use} if use else None
    read = _NO_ATTRIBUTE.match(failure.message) if failure is not None else None
    if failure is not None and read is not None and failure.error_type == "AttributeError" \
            and (holders := arguments.output_modules(read.group("cls"))):
        return {"kind": "attribute", "class": read.group("cls"), "attribute": read.group("attribute"),
                "modules": ",".join(holders)}
    if failure is not None and failure.error_type == "TypeError" and (option := _INVOKE_OPTION.match(failure.message)):
        return {"kind": "invoke-option", "argument": option.group("arg")}
    if failure is not None and failure.location is not None and _fragment(failure) is not None:
        return {"kind": "fragment", "file": str((failure.root / failure.location.file).resolve())}
    if failure is not None and (absent := _absent_module(failure) or _not_installed(failure)) is not None:
        return {"kind": "absent-module", "name": absent}
    if failure is not None and (unimported := _unimported(failure)) is not None:
        return {"kind": "import", "name": unimported[0], "module": unimported[1]}
    if failure is not None and _value_attribute(failure) is not None:
        return {"kind": "value-attribute"}
    if failure is not None and failure.location is not None and _none_unpacked(failure) is not None:
        return {"kind": "none-unpacked", "file": str((failure.root / failure.location.file).resolve())}
    if failure is not None and (callback := _callback_parameter(failure)) is not None:
        return {"kind": "callback", "file": str((failure.root / callback[0].file).resolve()),
                "line": str(callback[0].line)}
    if failure is not None and _result_value(failure) is not None:
        return {"kind": "result-value"}
    if failure is not None and failure.error_type == "AttributeError" and _SETTING.match(failure.message):
        return {"kind": "provider-setting"}
    if failure is not None and (project_call := _project_arguments(failure)) is not None:
        callee, defined, names = project_call
        return {"kind": "project-arguments", "file": str((failure.root / defined.file).resolve()), "name": callee,
                "arguments": ",".join(names)}
    if failure is not None and (imported := _missing_name(failure)) is not None:
        name, _, path, defines = imported
        return {"kind": "missing-name", "file": str(Path(path).resolve()), "name": name,
                **({"from": _dotted_module(defines.file)} if defines is not None else {})}
    if failure is not None and (required := _missing(failure)) is not None:
        return {"kind": "required", "module": required[0].module, "class": required[0].name, "argument": required[1]}
    if failure is not None and (nameless := _nameless(failure)) is not None:
        return {"kind": "nameless", "module": nameless.module, "class": nameless.name}
    if failure is not None and failure.error_type == "AttributeError":
        missing = _NO_CLASS.search(failure.message)
        if missing is None:
            return None
        module, name = missing.group("module"), missing.group("name")
        if module == "config" and (cfg := arguments.aws_config_class(name)):
            return {"kind": "class", "module": module, "class": name, "use": cfg, "in": "cfg"}
        use = arguments.closest_class(module, name)
        if use:
            return {"kind": "class", "module": module, "class": name, "use": use}
        elsewhere = _elsewhere(failure, module, name)
        if elsewhere:
            return {"kind": "class", "module": module, "class": name, "use": name, "in": elsewhere}
        return {"kind": "absent", "module": module, "class": name}
    if failure is not None and (one := _list_for_one_value(failure)) is not None:
        module, name, single = one
        return {"kind": "unlist", "module": module, "class": name, "arguments": ",".join(single)}
    if failure is None or failure.error_type != "TypeError":
        return None
    if output_json(failure) is not None:
        return {"kind": "output-json"}
    if nested_depends_on(failure) is not None:
        return {"kind": "flatten-depends-on"}
    if (called := _function_argument(failure)) is not None:
        module, function, argument, best = called
        return {"kind": "function-argument", "module": module, "function": function, "argument": argument,
                **({"rename": best} if best else {})}
    match = _UNEXPECTED.search(failure.message)
    found = match and arguments.find_class(match.group("cls"), _module_hint(failure.source, match.group("cls")),
                                          failure.site_file)
    if not match or not found:
        return None
    argument = match.group("arg")
    fix = {"module": found.module, "class": found.name, "argument": argument}
    if found.resource and argument in arguments.option_names():
        return {"kind": "option", **fix}
    if (found.module, found.name, argument) in arguments.REMOVED:
        return {"kind": "argument", **fix}
    rename = arguments.closest(argument, found.arguments, found.name)
    if rename is None:
        return {"kind": "argument", **fix}
    to_list = arguments.takes_list(found, rename)
    shape = {"asList": "yes"} if to_list and not arguments.takes_list(found, argument) else \
        {"single": "yes"} if not to_list and _only_item(failure, argument) else {}
    return {"kind": "argument", **fix, "rename": rename, **shape}


def _diagnosis(check: str, failure: Failure, message: str, fix: str, location: Location | None = None,
               ) -> Diagnosis:
    return Diagnosis(check, level_of(check), message, fix, location or failure.location, failure.cause)


# -- the rules -----------------------------------------------------------------------------------------


def output_json(failure: Failure) -> Diagnosis | None:
    """``json.dumps`` meets an Output: it holds a value that is not known yet, so it has no JSON."""
    if failure.error_type != "TypeError" or "Object of type Output is not JSON serializable" not in failure.message:
        return None
    fixed = failure.source.replace("json.dumps(", "pulumi.Output.json_dumps(", 1)
    fix = fixed if fixed != failure.source else "pulumi.Output.json_dumps({...})"
    return _diagnosis(
        "program-output-json", failure,
        "json.dumps is given a document that holds a pulumi Output (an ARN, a name or an id known only once "
        "the resource exists), which json cannot serialize.",
        f"{fix}\npulumi.Output.json_dumps waits for the Outputs and returns an Output[str], which resource "
        "arguments accept; or build the document inside pulumi.Output.all(a, b).apply(lambda v: json.dumps(...)).")


def unexpected_argument(failure: Failure) -> Diagnosis | None:
    """An argument a pulumi-aws class does not take: a resource option, a removed argument, or a misspelling."""
    match = _UNEXPECTED.search(failure.message) if failure.error_type == "TypeError" else None
    if match is None:
        return None
    name, argument = match.group("cls"), match.group("arg")
    found = arguments.find_class(name, _module_hint(failure.source, name), failure.site_file)
    if found is None:
        return None
    if found.resource and argument in arguments.option_names():
        return _resource_option(failure, found, argument)
    replacement = arguments.REMOVED.get((found.module, found.name, argument))
    if replacement is not None:
        return _diagnosis(
            "program-removed-argument", failure,
            f"{found.python} no longer takes {argument}=: pulumi-aws 7 removed it.", f"use {replacement}")
    best = arguments.closest(argument, found.arguments, found.name)
    value = _argument_source(failure, argument) or "..."
    item = _only_item(failure, argument) if best and not arguments.takes_list(found, best) else None
    fix = f"{best}={item or value}" if best else f"remove {argument}="
    return _diagnosis(
        "program-unknown-argument", failure,
        f"{found.python} has no argument {argument}" + (f"; the closest it takes is {best}" + (
            ", which takes one value, not a list." if item else ".") if best else "."),
        fix + (f"\n(the arguments of {found.python}: {', '.join(found.arguments)})" if len(found.arguments) <= 12
               else ""))


def unexpected_function_argument(failure: Failure) -> Diagnosis | None:
    """An argument a pulumi-aws data-source function does not take (``get_random_password(length=32)``
    for ``password_length``)."""
    found = _function_argument(failure)
    if found is None:
        return None
    module, function, argument, best = found
    value = _argument_source(failure, argument) or "..."
    return _diagnosis(
        "program-unknown-argument", failure,
        f"aws.{module}.{function} has no argument {argument}" + (f"; the closest it takes is {best}." if best else "."),
        f"{best}={value}" if best else f"remove {argument}=")


def _function_argument(failure: Failure) -> tuple[str, str, str, str | None] | None:
    """(module, function, argument, the closest argument it takes) of a pulumi-aws function called with
    an argument it does not take."""
    match = _UNEXPECTED_CALL.match(failure.message) if failure.error_type == "TypeError" else None
    if match is None:
        return None
    function, argument = match.group("fn"), match.group("arg")
    module = _module_hint(failure.source, function) or arguments.function_module(function)
    taken = arguments.function_arguments(module, function) if module else None
    if module is None or taken is None:
        return None
    return module, function, argument, arguments.closest(argument, taken, function)


def _resource_option(failure: Failure, found: arguments.AwsClass, option: str) -> Diagnosis:
    value = _argument_source(failure, option) or "[...]"
    has_opts = _call_has_opts(failure, option)
    fix = f"opts=pulumi.ResourceOptions({option}={value})"
    if has_opts:
        fix += f"\n(the call already passes opts=: move {option}= into that ResourceOptions, or merge with " \
               f"pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions({option}={value})))"
    return _diagnosis(
        "program-resource-option", failure,
        f"{option} is a resource option, not an argument of {found.python}: Pulumi takes options such as "
        "depends_on, parent, provider and protect in opts=, unlike Terraform's top-level depends_on.", fix)


def nested_depends_on(failure: Failure) -> Diagnosis | None:
    """``depends_on=[methods, integration]`` where ``methods`` is a list: a list inside the list."""
    if failure.error_type != "TypeError" or not failure.message.startswith("'depends_on' was passed a value ["):
        return None
    return _diagnosis(
        "program-depends-on", failure,
        "depends_on holds a list where a resource belongs: it takes a flat list of resources, and a list "
        "inside that list (depends_on=[methods, integration] with methods a list) is not one.",
        "spread the inner list: depends_on=[*methods, integration] (or depends_on=methods + [integration])")


def list_for_one_value(failure: Failure) -> Diagnosis | None:
    """``RestApiEndpointConfigurationArgs(types=["REGIONAL"])``: a list where pulumi-aws takes one value (pulumi-aws
    7 made several list arguments single), which the SDK rejects while it serializes the resource, away from
    the program's line."""
    one = _list_for_one_value(failure)
    if one is None:
        return None
    module, name, single = one
    call = _args_call(failure.root, name, single)
    where, argument = call if call else (None, "")
    given = _INPUT_DICT.search(failure.text) if not _INPUT_ARGS.search(failure.text) else None
    if given is not None:  # a dict in the Args class's place
        where, argument = _dict_entry(failure.root, single) or (where, argument)
        key = f'"{argument}": ' if argument else ""
        return _diagnosis(
            "program-argument-type", failure,
            f"{given.group('input')}={{{key}[...]}} (an aws.{module}.{name}) is given a list where pulumi-aws "
            "takes one value; the SDK stops on it while it sends the resource to the engine.",
            f'pass the value itself: {key}"..." instead of {key}["..."]' if argument
            else f"pass one value, not a list, to the entry of the dict that takes one (aws.{module}.{name})", where)
    return _diagnosis(
        "program-argument-type", failure,
        f"aws.{module}.{name}" + (f"({argument}=[...])" if argument else "") + " is given a list where "
        "pulumi-aws takes one value; the SDK stops on it while it sends the resource to the engine.",
        f"pass the value itself: {argument}=\"...\" instead of {argument}=[\"...\"]" if argument
        else f"pass one value, not a list, to the argument of aws.{module}.{name} that takes one", where)


def _list_for_one_value(failure: Failure) -> tuple[str, str, list[str]] | None:
    """(module, Args class, its single-valued arguments) when the SDK rejected a list for a single value
    inside an Args object of pulumi-aws (its message: "Expected 'list' got '<the declared type>'")."""
    if failure.error_type != "AssertionError" or not _LIST_GIVEN.search(failure.text):
        return None
    inputs = list(_INPUT_ARGS.finditer(failure.text))
    if inputs:
        module, name = inputs[-1].group("module"), inputs[-1].group("cls")
    elif (given := _INPUT_DICT.search(failure.text)) is not None:
        module = given.group("module")
        name = given.group("resource") + "".join(w.title() for w in given.group("input").split("_")) + "Args"
    else:
        return None
    found = arguments.find_class(name, module, None)
    module = found.module if found else module
    single = [a for a in found.arguments if not arguments.takes_list(found, a)] if found else []
    return (module, name, single) if single else None


def _args_call(root: Path, name: str, single: list[str]) -> tuple[Location, str] | None:
    """Where the program calls ``name(...)`` with a list for one of ``single``, and that argument."""
    for path, tree in _trees(root):
        for node in ast.walk(tree):
            called = getattr(node, "func", None)
            if isinstance(node, ast.Call) and (getattr(called, "attr", None) or getattr(called, "id", None)) == name:
                for keyword in node.keywords:
                    if keyword.arg in single and isinstance(keyword.value, (ast.List, ast.Tuple)):
                        return Location(path.relative_to(root).as_posix(), keyword.value.lineno), keyword.arg
    return None


def _trees(root: Path) -> Iterator[tuple[Path, ast.AST]]:
    """The syntax tree of each Python file of the program that parses."""
    for path, text in program_sources(root, (".py",)):
        try:
            yield path, ast.parse(text)
        except (SyntaxError, ValueError):
            continue


def _dict_entry(root: Path, single: list[str]) -> tuple[Location, str] | None:
    """Where the program writes a dict entry with a list for one of ``single`` (``{"types": [...]}``)."""
    for path, tree in _trees(root):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict):
                continue
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in single and isinstance(value, (ast.List, ast.Tuple)):
                    return Location(path.relative_to(root).as_posix(), value.lineno), str(key.value)
    return None


def _elsewhere(failure: Failure, module: str, name: str) -> str | None:
    """The one other pulumi_aws module with a resource class ``name`` that takes every argument the
    program passes it (``aws.ec2.LogGroup`` is ``aws.cloudwatch.LogGroup``; an IoT security profile,
    given ``behaviors``, is not ``aws.connect.SecurityProfile``, which has the same name)."""
    found = arguments.resource_modules(name)
    if len(found) != 1 or found[0] == module:
        return None
    other = arguments.find_class(name, found[0], None)
    passed = _call_keywords(failure, name)
    if other is None or (passed and not passed <= set(other.arguments) | {"opts"}):
        return None
    return found[0]


def _call_keywords(failure: Failure, name: str) -> set[str]:
    """The keyword arguments of the call of ``<...>.name(...)`` on the failing line."""
    tree = _failing_file(failure)
    if tree is None or failure.location is None:
        return set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name \
                and node.func.lineno <= failure.location.line <= (node.func.end_lineno or node.func.lineno):
            return {k.arg for k in node.keywords if k.arg}
    return set()


def unknown_class(failure: Failure) -> Diagnosis | None:
    """A class that the installed pulumi-aws does not have: renamed (``lambda_.EventInvokeConfig`` is
    ``FunctionEventInvokeConfig``), moved to another module, or misspelt."""
    match = _NO_CLASS.search(failure.message) if failure.error_type == "AttributeError" else None
    if match is None:
        return None
    module, name = match.group("module"), match.group("name")
    if module == "config" and (cfg := arguments.aws_config_class(name)):
        return _diagnosis(
            "program-unknown-class", failure,
            f"pulumi_aws.config has no class {name}: it holds the provider's settings; AWS Config's resources "
            f"are in pulumi_aws.cfg, where this one is {cfg}.", f"aws.cfg.{cfg}(...)")
    use = arguments.closest_class(module, name)
    elsewhere = _elsewhere(failure, module, name) if use is None else None
    where = f"aws.{elsewhere}.{name}" if elsewhere else None
    provider = arguments.other_provider(name) if use is None and where is None else None
    if provider is not None:
        return _diagnosis(
            "program-unknown-class", failure,
            f"pulumi_aws.{module} has no class {name}: it is a resource of the {provider} provider "
            f"({provider.replace('_', '-')} on PyPI).", f"import {provider}; {provider}.{name}(...)")
    fix = f"aws.{module}.{use}(...)" if use else where and f"{where}(...)"
    return _diagnosis(
        "program-unknown-class", failure,
        f"pulumi_aws.{module} has no class {name} in the installed pulumi-aws"
        + (f"; the closest it has is {use}." if use else f"; it is {where}." if where else "."),
        fix or f"look the resource up in the pulumi-aws {module} module's API documentation")


def unknown_attribute(failure: Failure) -> Diagnosis | None:
    """An output a pulumi-aws resource does not have: misspelt (``master_user_secret`` for
    ``master_user_secrets``) or one another class of the module has (``Secret.secret_string``, which is
    ``SecretVersion``'s)."""
    read = _NO_ATTRIBUTE.match(failure.message) if failure.error_type == "AttributeError" else None
    if read is not None and (results := arguments.result_modules(read.group("cls"))):
        return _unknown_result_attribute(failure, read.group("cls"), read.group("attribute"), results)
    modules = arguments.resource_modules(read.group("cls")) if read else ()
    if read is None or not modules:
        return None
    name, attribute = read.group("cls"), read.group("attribute")
    close = [(m, c) for m in modules if (c := arguments.closest_attribute(m, name, attribute))]
    holders = [f"aws.{m}.{other}" for m in modules for other in arguments.classes_with(m, attribute) if other != name]
    if len(close) == 1:
        module, closest = close[0]
        message = f"aws.{module}.{name} has no output {attribute}; the closest it has is {closest}."
        fix = f".{closest}"
    elif len(modules) == 1:
        message = f"aws.{modules[0]}.{name} has no output {attribute}" + (
            f"; {' and '.join(holders[:2])} {'has' if len(holders) == 1 else 'have'} it." if holders else ".")
        fix = f"read {attribute} from {holders[0]}" if holders else f"read an output aws.{modules[0]}.{name} has"
    else:
        message = f"The {name} resource has no output {attribute} (a {name} of {', '.join(modules)})."
        fix = "read an output the class has (its API documentation lists them)"
    return _diagnosis("program-unknown-attribute", failure, message, fix)


def _unknown_result_attribute(failure: Failure, name: str, attribute: str, modules: tuple[str, ...]) -> Diagnosis:
    """What a data source returns read by a name it does not have (``get_random_password(...).result``,
    which is ``random_password``)."""
    function = arguments.result_function(name)
    close = [(m, c) for m in modules if (c := arguments.closest_attribute(m, name, attribute))]
    where = f"aws.{modules[0]}.{function}()" if len(modules) == 1 else f"{function}() (of {', '.join(modules)})"
    if len(close) == 1:
        return _diagnosis("program-unknown-attribute", failure,
                          f"What {where} returns has no {attribute}; the closest it has is {close[0][1]}.",
                          f".{close[0][1]}")
    outputs = arguments.result_outputs(modules[0], name) if len(modules) == 1 else []
    if outputs:
        return _diagnosis("program-unknown-attribute", failure,
                          f"What {where} returns has no {attribute}; besides the arguments it was given, it holds "
                          f"{' and '.join(outputs) if len(outputs) < 3 else ', '.join(outputs)}.",
                          f".{outputs[0]}" if len(outputs) == 1 else f"read one of {', '.join(outputs)}")
    return _diagnosis("program-unknown-attribute", failure, f"What {where} returns has no {attribute}.",
                      f"read a field the result has (the {function} API documentation lists them)")


def missing_import(failure: Failure) -> Diagnosis | None:
    """A module the file uses and never imports (``json.dumps`` without ``import json``)."""
    found = _unimported(failure)
    if found is None:
        return None
    name, module = found
    where = f"{failure.location.file} uses" if failure.location else "The program uses"
    statement = (f"import {module}" if module == name else f"from pulumi_aws import {name}"
                 if module == f"pulumi_aws.{name}" else f"import {module} as {name}")
    return _diagnosis("program-missing-import", failure,
                      f"{where} {name} without importing it; a module is a name only in the files that import it.",
                      f"{statement} (at the top of {failure.location.file if failure.location else 'the file'})")


def _unimported(failure: Failure) -> tuple[str, str] | None:
    """(name, module) of a standard-library module, pulumi or pulumi_aws by its usual name, or a module
    of pulumi_aws (``lambda_``), that the program used without an import."""
    match = _NOT_DEFINED.match(failure.message) if failure.error_type == "NameError" else None
    if match is None:
        return None
    name = match.group("name")
    module = _IMPORT_ALIASES.get(name) or (
        name if name in sys.stdlib_module_names and not name.startswith("_")
        else f"pulumi_aws.{name}" if arguments.is_module(name) else None)
    return (name, module) if module else None


def undefined_name(failure: Failure) -> Diagnosis | None:
    """A name a module reads at its top level and never defines: a module written as a fragment (a
    policy document using ``bucket`` and ``tenant`` that only a function would have)."""
    name = _fragment(failure)
    if name is None or failure.location is None:
        return None
    return _diagnosis(
        "program-undefined-name", failure,
        f"{failure.location.file} reads {name} at its top level, which runs when {failure.importer} imports "
        f"the module, and nothing there defines {name}.",
        f"define {name} above line {failure.location.line}, or move this code into the function that has "
        f"{name} (and call it with {name})")


def _fragment(failure: Failure) -> str | None:
    """The undefined name, when a module the program imports fails on it at its top level."""
    match = _NOT_DEFINED.match(failure.message) if failure.error_type == "NameError" else None
    if match is None or failure.function != "<module>" or failure.importer is None or _unimported(failure):
        return None
    return match.group("name")


def output_value_attribute(failure: Failure) -> Diagnosis | None:
    """``.arn`` read from an Output whose value is a plain string (a name or an ARN the program holds
    for the resource): Pulumi reads attributes through Outputs once their values arrive, so the
    failure surfaces in the SDK, away from the program's line."""
    found = _value_attribute(failure)
    if found is None:
        return None
    kind, attribute = found
    shown = "None" if kind == "NoneType" else f"a {kind}"
    return _diagnosis(
        "program-output-attribute", failure,
        f"The program reads .{attribute} from an Output whose value is {shown}, which has no {attribute}: "
        f"it holds a name, an ID or an ARN where the resource was meant. Pulumi reads an Output's attributes "
        f"once its value arrives, so this fails inside the SDK, not on the program's line.",
        f"read {attribute} from the resource itself (bucket.{attribute}, not bucket_name.{attribute}), or "
        f"pass the {kind if kind != 'NoneType' else 'value'} as it is where a name or an ARN goes")


def _value_attribute(failure: Failure) -> tuple[str, str] | None:
    """(the value's type, the attribute) when the SDK's lift of an Output's attribute failed."""
    match = _VALUE_ATTRIBUTE.match(failure.message) if failure.error_type == "AttributeError" else None
    # No frame of the program: the read ran in the SDK's own task, once the value arrived.
    if match is None or failure.location is not None or "pulumi" not in (failure.site_file or ""):
        return None
    return match.group("type"), match.group("attribute")


def data_source_result(failure: Failure) -> Diagnosis | None:
    """What a data source returns passed on as one value (``register_outputs({"endpoint":
    aws.iot.get_endpoint()})``): an object of several fields, which the SDK cannot send."""
    passing = _result_value(failure)
    if passing is None:
        return None
    key, module, name = passing
    function = arguments.result_function(name)
    fields = arguments.result_outputs(module, name)
    field = _meant_field(key, fields)
    found = _keyed_line(failure.root, key, f"{function}(")
    message = (f"What aws.{module}.{function}() returns is given as the value of {key}: it is a "
               f"{name.removeprefix('Awaitable')}, an object of fields, which Pulumi cannot send as one value"
               + (f"; it holds {', '.join(fields)}." if fields and len(fields) <= 6 else "."))
    line = found[1] if found else ""
    passed = re.match(rf"""^(.*['"]{key}['"]\s*,\s*)(.+?)\)$""", line)
    given = re.match(rf"""^(?:[\w.]*\b{key}\s*=(?!=)|['"]{key}['"]\s*:)\s*(.+?)(,?)$""", line)
    if field and passed is not None:  # pulumi.export("key", value)
        fix = f"{passed.group(1)}{passed.group(2)}.{field})"
    elif field and given is not None:  # key = value, "key": value,
        fix = f"{line.removesuffix(given.group(2))}.{field}{given.group(2)}"
    elif field:
        fix = f"read its field: aws.{module}.{function}(...).{field}"
    else:
        fix = f"pass one of its fields: {', '.join(fields)}" if fields else "pass one of its fields"
    return _diagnosis("program-data-source-result", failure, message, fix, found[0] if found else None)


def _result_value(failure: Failure) -> tuple[str, str, str] | None:
    """(key, module, result class) of a data source's result the SDK could not send."""
    if failure.error_type not in ("ValueError", "AssertionError"):
        return None
    found = list(_RESULT_VALUE.finditer(failure.text))
    if found:
        return found[-1].group("key"), found[-1].group("module"), found[-1].group("cls")
    awaited = list(_RESULT_INPUT.finditer(failure.text))
    if not awaited:
        return None
    name = awaited[-1].group("cls")
    modules = arguments.result_modules(name)
    if len(modules) > 1:  # get_endpoint is iot's and dms's: the one the program calls
        called = f"{arguments.result_function(name)}("
        sources = [text for _, text in program_sources(failure.root, (".py",))]
        modules = tuple(m for m in modules if any(f"{m}.{called}" in text for text in sources))
    return (awaited[-1].group("key"), modules[0], name) if len(modules) == 1 else None


def _meant_field(key: str, fields: list[str]) -> str | None:
    """The field of a data source's result that the program's ``key`` names (``iot_endpoint``:
    ``endpoint_address``): one that shares a word with it, preferring an address, ARN, id or name."""
    if len(fields) == 1:
        return fields[0]
    words = set(key.split("_"))
    sharing = [f for f in fields if words & set(f.split("_"))]
    valued = [f for f in sharing if f.rsplit("_", 1)[-1] in _FIELD_SUFFIXES]
    candidates = valued or sharing
    return candidates[0] if len(candidates) == 1 or valued else None


def _keyed_line(root: Path, key: str, preferred: str) -> tuple[Location, str] | None:
    """The line of the program that gives ``key`` a value (``"key": ...``, ``export("key", ...)`` or
    ``key = ...``), and its text: the first one that holds ``preferred`` (the data source's call), else
    the first."""
    pattern = re.compile(rf"""(?:['"]{re.escape(key)}['"]\s*[:,]|\b{re.escape(key)}\s*=(?!=))""")
    first = None
    for path, text in program_sources(root, (".py",)):
        for number, line in enumerate(text.splitlines(), 1):
            if pattern.search(line):
                found = Location(path.relative_to(root).as_posix(), number), line.strip()
                if preferred in line:
                    return found
                first = first or found
    return first


def invoke_option(failure: Failure) -> Diagnosis | None:
    """``pulumi.InvokeOptions(ignore_changes=...)``: a data-source call is read, never managed, and takes
    none of the resource options."""
    match = _INVOKE_OPTION.match(failure.message) if failure.error_type == "TypeError" else None
    if match is None:
        return None
    argument = match.group("arg")
    kind = "a resource option" if argument in arguments.option_names() else "not an option"
    return _diagnosis(
        "program-invoke-option", failure,
        f"pulumi.InvokeOptions takes no {argument}: it is {kind}, and a data-source call reads what exists "
        f"without managing it.", f"remove {argument}= from pulumi.InvokeOptions(...)")


def provider_setting(failure: Failure) -> Diagnosis | None:
    """``aws.config.region = "us-west-2"``: pulumi_aws.config reads the stack's configuration; it is not
    where a program sets it."""
    match = _SETTING.match(failure.message) if failure.error_type == "AttributeError" else None
    if match is None:
        return None
    setting = match.group("setting")
    key = re.sub(r"_(\w)", lambda m: m.group(1).upper(), setting)
    value = failure.source.split("=", 1)[1].strip() if "=" in failure.source else "<value>"
    return _diagnosis(
        "program-provider-setting", failure,
        f"aws.config.{setting} cannot be set: pulumi_aws.config reads the stack's aws:{key} configuration, and "
        f"the provider takes its settings from there (or from an explicit provider), not from the program.",
        f"pulumi config set aws:{key} {value.strip(chr(34) + chr(39))}; or, for resources that must differ "
        f"from the stack's setting, provider = aws.Provider(\"{setting}\", {setting}={value}) and "
        f"opts=pulumi.ResourceOptions(provider=provider) on each")


def missing_argument(failure: Failure) -> Diagnosis | None:
    """A pulumi-aws class called without an argument it requires: an input type's keyword-only argument
    (``BucketPublicAccessBlockArgs`` without ``bucket``), or a resource's required property."""
    found = _missing(failure)
    if found is None:
        return None
    cls, argument = found
    return _diagnosis(
        "program-missing-argument", failure, f"{cls.python} requires {argument}, which the call does not give.",
        f"{argument}=..." + (f"\n(the arguments of {cls.python}: {', '.join(cls.arguments)})"
                             if len(cls.arguments) <= 12 else ""))


def _missing(failure: Failure) -> tuple[arguments.AwsClass, str] | None:
    """The class called without a required argument, and that argument."""
    if failure.error_type != "TypeError":
        return None
    keyword = _MISSING_KEYWORD.match(failure.message)
    if keyword is not None:
        name = keyword.group("cls")
    else:
        keyword = _MISSING_PROPERTY.match(failure.message)
        called = re.findall(r"\.([A-Z]\w*)\s*\(", failure.source)
        if keyword is None or not called:
            return None
        name = called[-1]
    found = arguments.find_class(name, _module_hint(failure.source, name), failure.site_file)
    if found is None or keyword.group("arg") not in found.arguments:
        return None
    return found, keyword.group("arg")


def project_arguments(failure: Failure) -> Diagnosis | None:
    """A class or function of the project called without arguments it requires (a draft's
    ``TapStackArgs`` that takes more than the entry file passes)."""
    found = _project_arguments(failure)
    if found is None:
        return None
    callee, defined, names = found
    listed = _listing(names)
    return _diagnosis(
        "program-missing-argument", failure,
        f"{callee} ({defined}) requires {listed}, which the call does not give.",
        f"pass {', '.join(f'{n}=...' for n in names)} in the call, or give {'it' if len(names) == 1 else 'them'} "
        f"a default where {callee} is defined")


def _project_arguments(failure: Failure) -> tuple[str, Location, list[str]] | None:
    """(the callee, where the project defines it, the arguments the call leaves out)."""
    match = _ARGUMENTS_MISSING.match(failure.message) if failure.error_type == "TypeError" else None
    if match is None:
        return None
    names = re.findall(r"'(\w+)'", match.group("names"))
    if not names or {"self", "name", "resource_name"} & set(names):
        return None  # a resource's logical name cannot be unknown
    defined = _defined(failure.root, match.group("callee"))
    return (match.group("callee"), defined, names) if defined is not None else None


def callback_parameter(failure: Failure) -> Diagnosis | None:
    """``Output.all(args.log_group).apply(lambda args: ... args.environment_suffix)``: the callback's
    parameter has the name of a variable of the function around it, which it hides; the callback reads
    the attribute from the Output's values (a list) where the program meant its own variable."""
    found = _callback_parameter(failure)
    if found is None:
        return None
    callback, name, attribute, enclosing = found
    kind = _VALUE_ATTRIBUTE.match(failure.message)
    shown = f"a {kind.group('type')}" if kind is not None and kind.group("type") != "NoneType" else "None"
    return _diagnosis(
        "program-callback-parameter", failure,
        f"The callback given to .apply (line {callback.line}) names its parameter {name}, which hides the {name} of "
        f"{enclosing}: {name}.{attribute} reads the Output's value ({shown}) where the program meant "
        f"{enclosing}'s {name}. A preview runs the callback once its input is known, and fails so.",
        f"rename the callback's parameter (lambda values: ...) and read the Output's values through it "
        f"({name}[0] becomes values[0]); {name}.{attribute} is then {enclosing}'s {name}",
        callback)


def _callback_parameter(failure: Failure) -> tuple[Location, str, str, str] | None:
    """(the callback, its parameter, the attribute read from it, the enclosing function) when the failing
    line reads an attribute from a callback's parameter that a variable of the enclosing function shares
    the name of."""
    kind = _VALUE_ATTRIBUTE.match(failure.message) if failure.error_type == "AttributeError" else None
    tree = _failing_file(failure) if kind is not None and failure.location is not None else None
    if tree is None or failure.location is None or kind is None:
        return None
    line, attribute = failure.location.line, kind.group("attribute")
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        outer = {a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)} | {
            t.id for n in ast.walk(function) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        for call in ast.walk(function):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "apply"
                    and call.args and isinstance(call.args[0], ast.Lambda)):
                continue
            callback = call.args[0]
            if not callback.lineno <= line <= (callback.end_lineno or callback.lineno):
                continue
            for parameter in callback.args.args:
                reads = any(isinstance(n, ast.Attribute) and n.attr == attribute and isinstance(n.value, ast.Name)
                            and n.value.id == parameter.arg and n.lineno == line for n in ast.walk(callback.body))
                if reads and parameter.arg in outer:
                    return (Location(failure.location.file, callback.lineno), parameter.arg, attribute,
                            f"{function.name}()")
    return None


def none_unpacked(failure: Failure) -> Diagnosis | None:
    """``{**self.tags, "Name": ...}`` where ``self.tags`` is None (a ``TapStackArgs`` whose tags default
    to None, and an entry file that passes none): ``**`` unpacks only a mapping."""
    unpacked = _none_unpacked(failure)
    if unpacked is None:
        return None
    return _diagnosis(
        "program-none-unpacked", failure,
        f"{unpacked} is None here, and ** unpacks only a mapping: an optional argument left at its default "
        f"of None (tags=None) is unpacked as if it were a dict.",
        f"**({unpacked} or {{}}) where it is unpacked, or give it a dict where it is set "
        f"({unpacked} = value or {{}})")


def _none_unpacked(failure: Failure) -> str | None:
    """The expression the failing line unpacks with ``**`` when it was None (the first, if several)."""
    if failure.error_type != "TypeError" or not (
            failure.message == "'NoneType' object is not a mapping"
            or failure.message.endswith("argument after ** must be a mapping, not NoneType")):
        return None
    tree = _failing_file(failure)
    if tree is None or failure.location is None:
        return None
    line = failure.location.line
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            unpacked = [v for k, v in zip(node.keys, node.values, strict=True) if k is None]
        elif isinstance(node, ast.Call):
            unpacked = [k.value for k in node.keywords if k.arg is None]
        else:
            continue
        for value in unpacked:
            if value.lineno <= line <= (value.end_lineno or value.lineno) \
                    and not isinstance(value, (ast.Dict, ast.DictComp)):
                return ast.unparse(value)
    return None


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _defined(root: Path, name: str, *, anywhere: bool = False) -> Location | None:
    """Where the project's one top-level class or function ``name`` is (a module-level assignment too,
    with ``anywhere``); None when none or several define it."""
    found = []
    for path, text in program_sources(root, (".py",)):
        if name not in text:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            defines = (isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name) \
                or (anywhere and isinstance(node, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == name for t in node.targets))
            if defines:
                found.append(Location(path.relative_to(root).as_posix(), node.lineno))
    return found[0] if len(found) == 1 else None


def missing_name(failure: Failure) -> Diagnosis | None:
    """``from modules.iam import create_role`` where the project's modules/iam.py defines no
    create_role: the name is in another module of the project, or nowhere."""
    found = _missing_name(failure)
    if found is None:
        return None
    name, module, _, elsewhere = found
    importer = failure.location.file if failure.location else "the program"
    if elsewhere is not None:
        home = _dotted_module(elsewhere.file)
        return _diagnosis(
            "program-missing-name", failure,
            f"{importer} imports {name} from {module}, which does not define it: {elsewhere} does.",
            f"from {home} import {name}")
    return _diagnosis(
        "program-missing-name", failure,
        f"{importer} imports {name} from {module}, which does not define it, and no other module of the "
        f"project does.",
        f"define {name} in {module.replace('.', '/')}.py, or import it from the module that has it")


def _missing_name(failure: Failure) -> tuple[str, str, str, Location | None] | None:
    """(the name, the project module it is imported from, that module's file, where the project defines
    the name instead)."""
    match = _CANNOT_IMPORT.match(failure.message) if failure.error_type == "ImportError" else None
    if match is None or _inside(match.group("path"), failure.root) is None:
        return None
    name = match.group("name")
    return name, match.group("module"), match.group("path"), _defined(failure.root, name, anywhere=True)


def _dotted_module(relative: str) -> str:
    """``lib.api`` for lib/api.py, ``lib`` for lib/__init__.py."""
    return relative.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


def nameless_resource(failure: Failure) -> Diagnosis | None:
    """A resource created without its logical name, usually inline as another resource's argument
    (``Method(integration=aws.apigateway.Integration(...))``)."""
    found = _nameless(failure)
    if found is None:
        return None
    inline = _passed_as(failure, found.name)
    where = f", here as {inline[0]}'s argument {inline[1]}=" if inline else ""
    return _diagnosis(
        "program-nameless-resource", failure,
        f"{found.python} is a resource: it takes its logical name first{where}. A resource is declared on its "
        f"own, with a name, and other resources refer to it through its outputs.",
        f"{_snake(found.name)} = {found.python}(f\"{inline[1] if inline else _snake(found.name)}-"
        f"{{environment_suffix}}\", ...) on its own line"
        + (f", and drop {inline[1]}= from {inline[0]}" if inline else ""))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _nameless(failure: Failure) -> arguments.AwsClass | None:
    match = _NAMELESS.match(failure.message) if failure.error_type == "TypeError" else None
    if match is None:
        return None
    name = match.group("cls")
    found = arguments.find_class(name, _module_hint(failure.source, name), failure.site_file)
    return found if found is not None and found.resource else None


def _passed_as(failure: Failure, name: str) -> tuple[str, str] | None:
    """``(outer call, keyword)`` when the nameless call of ``name`` on the failing line is a keyword argument."""
    tree = _failing_file(failure)
    if tree is None or failure.location is None:
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            inner = keyword.value
            if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Attribute) and inner.func.attr == name \
                    and keyword.arg and inner.lineno <= failure.location.line <= (inner.end_lineno or inner.lineno):
                outer = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                return outer, keyword.arg
    return None


def unknown_module(failure: Failure) -> Diagnosis | None:
    """A pulumi_aws module that does not exist: ``from pulumi_aws import logs`` (CloudWatch Logs resources
    are in ``cloudwatch``)."""
    module = _missing_module(failure)
    if module is None:
        return None
    used = _classes_used(failure.root, module)
    use = arguments.module_of_classes(used)
    where = f"; the classes the program uses from it ({', '.join(used[:4])}) are in aws.{use}" if use else ""
    return _diagnosis(
        "program-unknown-module", failure, f"pulumi_aws has no module {module}{where}.",
        f"from pulumi_aws import {use} (and {use}.{used[0]}(...))" if use and used
        else "look the resource up in the pulumi-aws API documentation: its module is the AWS service's")


def _missing_module(failure: Failure) -> str | None:
    match = _NO_MODULE.match(failure.message) if failure.error_type in ("ImportError", "AttributeError") else None
    return (match.group("imported") or match.group("attribute")) if match else None


def _classes_used(root: Path, module: str) -> list[str]:
    """The classes the program's files read from ``module`` (``logs.LogGroup``), in order of first use."""
    found: dict[str, None] = {}
    pattern = re.compile(rf"\b{re.escape(module)}\.([A-Z]\w*)")
    for _, text in program_sources(root, (".py",)):
        found.update(dict.fromkeys(pattern.findall(text)))
    return list(found)


def missing_module(failure: Failure) -> Diagnosis | None:
    """pulumi, a provider package or another package the program imports is not installed where the
    program runs."""
    missing = _no_module(failure)
    if missing is not None and not _is_pulumi(missing[0]) and (other := _not_installed(failure)):
        return _diagnosis(
            "program-missing-module", failure,
            f"The interpreter that runs the program has no {other}: requirements.txt does not list the package "
            "that provides it, or the virtualenv Pulumi.yaml names was created without it.",
            f"add the package that provides {other} to requirements.txt (its name on PyPI may differ: "
            "python-dotenv provides dotenv), then `pulumi install` (or venv/bin/pip install -r requirements.txt)",
            failure.location or Location("requirements.txt", 1))
    if missing is None or not _is_pulumi(missing[0]):
        return None
    module = missing[0]
    distribution = module.replace("_", "-")
    return _diagnosis(
        "program-missing-module", failure,
        f"The interpreter that runs the program has no {module}: requirements.txt does not list {distribution}, "
        "or the virtualenv Pulumi.yaml names was created without it.",
        f"{REQUIREMENTS_FIX}\nthen `pulumi install` (or venv/bin/pip install -r requirements.txt)",
        failure.location or Location("requirements.txt", 1))


def _not_installed(failure: Failure) -> str | None:
    """The top-level module of a ``No module named`` failure when it is neither pulumi nor pulumi_aws
    (which nothing stands for) nor anywhere in the project."""
    missing = _no_module(failure)
    if missing is None:
        return None
    name = missing[0]
    if name in ("pulumi", "pulumi_aws") or (failure.root / name).exists() or (failure.root / f"{name}.py").exists() \
            or _project_package(failure.root, name) is not None:
        return None
    return name


def local_module(failure: Failure) -> Diagnosis | None:
    """A package of the project imported by a path that does not reach it: ``from components.vpc import``
    in a program whose ``components`` lives under ``lib/``."""
    missing = _no_module(failure)
    if missing is None or missing[0].startswith("pulumi"):
        return None
    name = missing[0]
    found = _project_package(failure.root, name)
    if found is None:
        return None
    importer = failure.location.file if failure.location else "the program"
    dotted = ".".join(found.with_suffix("").parts) if found.suffix else ".".join(found.parts)
    parent = ".".join(found.parts[:-1])
    return _diagnosis(
        "program-local-module", failure,
        f"{importer} imports {name}, which is the project's {found.as_posix()}: Python finds top-level "
        f"packages in the directories on sys.path (the program's directory), not inside "
        f"{found.parent.as_posix()}/.",
        f"import it by its full path from the program's directory: `from {dotted} import ...`"
        + (f" (inside the {parent} package, relative: `from .{found.with_suffix('').name} import ...`)"
           if parent else ""))


def absent_module(failure: Failure) -> Diagnosis | None:
    """A module of the project that the project does not have: ``from components.compute import ...``
    where ``components/`` holds no ``compute.py`` (a change, or a draft, that leaves the file out)."""
    dotted = _absent_module(failure)
    if dotted is None:
        return None
    importer = failure.location.file if failure.location else "the program"
    imported = re.match(rf"^from\s+{re.escape(dotted)}\s+import\s+(.+)$", failure.source)
    names = imported.group(1).strip("() ") if imported else ""
    path = dotted.replace(".", "/")
    return _diagnosis(
        "program-absent-module", failure,
        f"{importer} imports {dotted}, which the project does not have: there is no {path}.py or "
        f"{path}/__init__.py.",
        f"add {path}.py" + (f", which defines {names}" if names else "") + ", or import from the module that does")


def _absent_module(failure: Failure) -> str | None:
    """The dotted name of a module missing from a package the project has."""
    missing = _no_module(failure)
    if missing is None or not missing[1] or missing[0].startswith("pulumi"):
        return None
    return missing[0] + missing[1] if (failure.root / missing[0]).is_dir() else None


_NO_MODULE_NAMED = re.compile(r"No module named '(?P<top>[A-Za-z_]\w*)(?P<rest>(?:\.\w+)*)'")


def _no_module(failure: Failure) -> tuple[str, str] | None:
    """(top-level module, the rest of the dotted name: ``.compute`` or "") of a ``ModuleNotFoundError``."""
    match = _NO_MODULE_NAMED.fullmatch(failure.message) if failure.error_type == "ModuleNotFoundError" else None
    return (match.group("top"), match.group("rest")) if match else None


def _is_pulumi(name: str) -> bool:
    """``pulumi`` or a ``pulumi_<provider>`` package."""
    return re.fullmatch(r"pulumi(?:_\w+)?", name) is not None


def _project_package(root: Path, name: str) -> Path | None:
    """Where under ``root`` a package or module ``name`` is (relative), if not at the top: the shallowest,
    outside virtualenvs and hidden folders."""
    if (root / name).is_dir() or (root / f"{name}.py").is_file():
        return None
    for depth in range(1, 4):
        for candidate in sorted(root.glob("/".join(["*"] * depth))):
            relative = candidate.relative_to(root)
            if any(part.startswith(".") or part in ("venv", ".venv", "node_modules", "__pycache__")
                   for part in relative.parts):
                continue
            if (candidate.is_dir() and candidate.name == name and (candidate / "__init__.py").is_file()) \
                    or (candidate.is_file() and candidate.name == f"{name}.py"):
                return relative
    return None


RULES: tuple[Callable[[Failure], Diagnosis | None], ...] = (
    output_json, unexpected_argument, unexpected_function_argument, nested_depends_on, unknown_class,
    unknown_module, unknown_attribute, nameless_resource, missing_argument, provider_setting, invoke_option,
    data_source_result, missing_import, undefined_name, output_value_attribute, list_for_one_value, missing_module,
    local_module, absent_module, project_arguments, missing_name, callback_parameter, none_unpacked)


# -- reading the program's call ------------------------------------------------------------------------


def _module_hint(source: str, name: str) -> str | None:
    """``cfg`` for ``aws.cfg.RuleSourceArgs(`` in the program's line."""
    match = re.search(rf"\b\w+\.(\w+)\.{re.escape(name)}\s*\(", source)
    return match.group(1) if match else None


def _failing_file(failure: Failure) -> ast.AST | None:
    """The syntax tree of the program file the failure was raised in."""
    if failure.location is None:
        return None
    try:
        return ast.parse((failure.root / failure.location.file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
        return None


def _call(failure: Failure, keyword: str) -> ast.Call | None:
    """The call on the failing line that passes ``keyword``."""
    tree = _failing_file(failure)
    if tree is None or failure.location is None:
        return None
    line = failure.location.line
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and n.lineno <= line <= (n.end_lineno or n.lineno) and any(k.arg == keyword for k in n.keywords)]
    return min(calls, key=lambda n: (n.end_lineno or n.lineno) - n.lineno, default=None)


def _argument_source(failure: Failure, keyword: str) -> str | None:
    call = _call(failure, keyword)
    if call is None or failure.location is None:
        return None
    text = (failure.root / failure.location.file).read_text(encoding="utf-8")
    value = next(k.value for k in call.keywords if k.arg == keyword)
    segment = ast.get_source_segment(text, value)
    return " ".join(segment.split()) if segment and len(segment) <= 120 else None


def _only_item(failure: Failure, keyword: str) -> str | None:
    """The source of the one item of the list literal given for ``keyword`` (``rules=[X(...)]``)."""
    call = _call(failure, keyword)
    if call is None or failure.location is None:
        return None
    value = next(k.value for k in call.keywords if k.arg == keyword)
    if not isinstance(value, (ast.List, ast.Tuple)) or len(value.elts) != 1:
        return None
    text = (failure.root / failure.location.file).read_text(encoding="utf-8")
    segment = ast.get_source_segment(text, value.elts[0])
    return " ".join(segment.split()) if segment and len(segment) <= 120 else f"{_callee(value.elts[0])}(...)"


def _callee(node: ast.expr) -> str:
    """``aws.s3.XArgs`` for a call ``aws.s3.XArgs(...)``; ``...`` for anything else."""
    if isinstance(node, ast.Call):
        try:
            return ast.unparse(node.func)
        except (ValueError, AttributeError):
            pass
    return "..."


def _call_has_opts(failure: Failure, keyword: str) -> bool:
    call = _call(failure, keyword)
    return call is not None and any(k.arg == "opts" for k in call.keywords)
