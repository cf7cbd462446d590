"""The runner's own fixes, applied to a program that failed so that it can run on (``--keep-going``).

A program stops at its first mistake, and so does ``pulumi preview``: a reviewer then sees one cause and
none of the policies' findings. When the runner knows the cause and its fix (``diagnose/explain.py``),
``check --keep-going`` runs the program again with that fix applied here, in the program's process, and
repeats until the program runs or fails for a reason it cannot fix. Each fix is one JSON object:

* ``{"kind": "argument", "module": "s3", "class": "BucketArgs", "argument": "acls", "rename": "acl"}``:
  the class is called without ``argument`` (given as ``rename`` when the fix names the argument the
  program meant; dropped when it names none);
* ``{"kind": "option", "module": "lambda_", "class": "Function", "argument": "depends_on"}``: a resource
  option passed as an argument is moved into ``opts``;
  ``"asList": "yes"`` when the argument it meant takes a list and the program gave one value;
  ``"single": "yes"`` when it takes one value and the program gave a one-item list, which stands for its item;
* ``{"kind": "class", "module": "lambda_", "class": "EventInvokeConfig", "use": "FunctionEventInvokeConfig"}``:
  a class the installed pulumi-aws does not have stands for the one the fix names (``"in": "cfg"``: that
  class of another module, ``aws.config.ConfigurationRecorder`` standing for ``aws.cfg.Recorder``);
* ``{"kind": "absent", "module": "sns", "class": "TopicSubscriptionFilterPolicy"}``: a class the installed
  pulumi-aws has nowhere (or in several modules, so that no one of them is the fix) is a stand-in whose
  every instance is an unknown Output: nothing is declared for it, and what the program reads of it, or
  passes on as an argument, is unknown as a preview gives it;
* ``{"kind": "required", "module": "s3", "class": "BucketPublicAccessBlockArgs", "argument": "bucket"}``: the
  class called without an argument it requires is given an unknown Output for it (a resource given its
  arguments as keywords, not as an Args object);
* ``{"kind": "nameless", "module": "apigateway", "class": "Integration"}``: the resource created without a
  logical name (inline, as another resource's argument) is an unknown Output, as an absent class is; a
  call with a name declares it as before;
* ``{"kind": "module", "name": "logs", "use": "cloudwatch"}``: a pulumi_aws module that does not exist
  stands for the one that holds the classes the program uses from it;
* ``{"kind": "attribute", "class": "Instance", "attribute": "master_user_secret", "modules": "ec2,rds"}``:
  an output that the resource classes of that name do not have reads as unknown;
* ``{"kind": "unlist", "module": "apigateway", "class": "RestApiEndpointConfigurationArgs", "arguments":
  "types,ip_address_type"}``: a one-item list given for one of those single-valued arguments stands for its item,
  in the Args class and in a dict given in its place;
* ``{"kind": "function-argument", "module": "secretsmanager", "function": "get_random_password", "argument":
  "length", "rename": "password_length"}``: the function is called without ``argument`` (renamed, or dropped
  when the fix names none);
* ``{"kind": "invoke-option", "argument": "ignore_changes"}``: ``pulumi.InvokeOptions`` is called without it;
* ``{"kind": "provider-setting"}``: writing a setting of ``pulumi_aws.config`` (``aws.config.region = ...``)
  does nothing, as it would change nothing the provider reads;
* ``{"kind": "absent-module", "name": "components.compute"}``: a module the program imports and does not
  have (of its own package, or a package not installed: ``dotenv``, ``pulumi_kubernetes``) is, with its
  submodules, a stand-in whose every name is unknown, as an absent class is;
* ``{"kind": "fragment", "file": "/abs/lib/iam.py"}``: a module of the program that fails at its top level
  on a name it never defines is imported as a stand-in module, as a module the program does not have;
* ``{"kind": "project-arguments", "file": "/abs/lib/tap_stack.py", "name": "TapStackArgs", "arguments":
  "vpc_id,subnet_ids"}``: the project's class (or function) of that name, in that file, is given an unknown
  Output for each of those arguments a call leaves out;
* ``{"kind": "missing-name", "file": "/abs/modules/iam.py", "name": "create_role", "from": "modules.roles"}``:
  the module of that file gives the name it does not define: the one the module ``from`` defines, or
  without ``from``, an unknown (a stand-in, as for a module the program does not have);
* ``{"kind": "import", "name": "json", "module": "json"}``: a module the program uses without importing it
  is a builtin name, as if every file imported it;
* ``{"kind": "value-attribute"}``: an attribute read through an Output from a value that does not have it
  (``bucket_name.arn``) is unknown;
* ``{"kind": "result-value"}``: what a data source returns (an object of fields), given where one value
  goes, is sent as an unknown value;
* ``{"kind": "flatten-depends-on"}``: a list inside ``depends_on``'s list is spread into it;
* ``{"kind": "output-json"}``: ``json.dumps`` of a document that holds an Output becomes
  ``pulumi.Output.json_dumps`` of it;
* ``{"kind": "none-unpacked", "file": "/abs/lib/tap_stack.py"}``: in the module of that file (one the program
  imports), ``**value`` unpacks ``value or {}``, so that None unpacks as nothing;
* ``{"kind": "callback", "file": "/abs/lib/ecs.py", "line": "137"}``: the callback defined on that line
  and given to ``Output.apply`` gives an unknown value where it raises.

Runs in the program's interpreter (``capture.py``): imports only the standard library and the pulumi SDK.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.abc
import importlib.machinery
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

_MISSING = object()
Undo = tuple[Any, str, Any]
"""(owner, attribute, original value or ``_MISSING`` when the attribute was added); or
(``sys.meta_path``, "", the finder added to it)."""


@contextlib.contextmanager
def applied(fixes: Sequence[Mapping[str, Any]]) -> Iterator[None]:
    """Apply ``fixes`` for the duration of the block, then put every patched attribute back."""
    undo: list[Undo] = []
    try:
        for fix in fixes:
            undo.extend(_patch(fix))
        yield
    finally:
        for owner, attribute, original in reversed(undo):
            if isinstance(owner, list):  # sys.meta_path, and the finder added to it
                owner.remove(original)
                original.forget()
            elif original is _MISSING:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, original)


def _set(owner: Any, attribute: str, value: Any) -> Undo:
    original = vars(owner).get(attribute, _MISSING)
    setattr(owner, attribute, value)
    return owner, attribute, original


def _patch(fix: Mapping[str, Any]) -> list[Undo]:
    """Patch what ``fix`` names (nothing when it names nothing that exists here); returns how to undo it."""
    kind = fix.get("kind")
    if kind == "output-json":
        return [_set(json, "dumps", _tolerant_dumps(json.dumps))]
    if kind == "invoke-option":
        import pulumi

        init = vars(pulumi.InvokeOptions)["__init__"]
        return [_set(pulumi.InvokeOptions, "__init__", _without(init, str(fix["argument"]), None, False, False))]
    if kind == "provider-setting":
        config = importlib.import_module("pulumi_aws.config")
        getattr(config, "region", None)  # loads the lazy module, whose class is then the settings' own
        settings = type(config)
        return [_set(settings, "__setattr__", _setting_ignored)] if settings.__name__ == "_ExportableConfig" else []
    if kind in ("absent-module", "fragment"):
        import sys

        finder: _StandInLoader = _ModuleStandIn(str(fix["name"])) if kind == "absent-module" \
            else _FileStandIn(str(fix["file"]))
        sys.meta_path.insert(0, finder)
        return [(sys.meta_path, "", finder)]
    if kind == "none-unpacked":
        import sys

        rewriting = _Rewriting(str(fix["file"]))
        sys.meta_path.insert(0, rewriting)
        return [(sys.meta_path, "", rewriting)]
    if kind in ("project-arguments", "missing-name"):
        import sys

        after = _AfterImport(str(fix["file"]), functools.partial(_changed, dict(fix)))
        sys.meta_path.insert(0, after)
        return [(sys.meta_path, "", after)]
    if kind == "import":
        import builtins

        name = str(fix["name"])
        try:
            module = importlib.import_module(str(fix["module"]))
        except ImportError:
            return []
        return [] if hasattr(builtins, name) else [_set(builtins, name, module)]
    if kind == "value-attribute":
        import pulumi

        return [_set(pulumi.Output, "__getattr__", _tolerant_lift)]
    if kind == "result-value":
        from pulumi.runtime import rpc

        return [_set(rpc, "serialize_property", _results_unknown(rpc.serialize_property))]
    if kind == "callback":
        import pulumi

        apply = vars(pulumi.Output)["apply"]
        return [_set(pulumi.Output, "apply", _guarding(apply, str(fix["file"]), int(fix["line"])))]
    if kind == "flatten-depends-on":
        import pulumi

        return [_set(pulumi.ResourceOptions, "__init__", _flattening(vars(pulumi.ResourceOptions)["__init__"]))]
    if kind == "module":
        import pulumi_aws

        try:
            use = importlib.import_module(f"pulumi_aws.{fix['use']}")
        except ImportError:
            return []
        return [] if str(fix["name"]) in vars(pulumi_aws) else [_set(pulumi_aws, str(fix["name"]), use)]
    if kind == "attribute":
        return [_set(cls, str(fix["attribute"]), property(_unknown)) for cls in _classes(fix)
                if not hasattr(cls, str(fix["attribute"]))]
    if kind == "function-argument":
        try:
            module = importlib.import_module(f"pulumi_aws.{fix['module']}")
        except ImportError:
            return []
        function = getattr(module, str(fix["function"]), None)
        if not callable(function):
            return []
        return [_set(module, str(fix["function"]), _without_keyword(function, str(fix["argument"]), fix.get("rename")))]
    if kind not in ("argument", "option", "class", "unlist", "absent", "nameless", "required"):
        return []
    try:
        module = importlib.import_module(f"pulumi_aws.{fix['module']}")
    except ImportError:
        return []
    name = str(fix["class"])
    if kind == "absent":
        return [] if hasattr(module, name) else [_set(module, name, _stand_in(name))]  # (loads a lazy one)
    if kind == "class":
        try:
            holder = importlib.import_module(f"pulumi_aws.{fix['in']}") if fix.get("in") else module
        except ImportError:
            return []
        stand_in = getattr(holder, str(fix["use"]), None)
        return [_set(module, name, stand_in)] if isinstance(stand_in, type) and not hasattr(module, name) else []
    cls = getattr(module, name, None)
    if not isinstance(cls, type) or "__init__" not in vars(cls):
        return []
    if kind == "required":
        return [_set(cls, "__init__", _supplying(vars(cls)["__init__"], str(fix["argument"])))]
    if kind == "nameless":
        return [] if "__new__" in vars(cls) else [_set(cls, "__new__", _nameless_unknown)]
    if kind == "unlist":
        from pulumi.runtime import rpc

        single = str(fix["arguments"]).split(",")
        return [_set(cls, "__init__", _unlisting(vars(cls)["__init__"], single)),
                _set(rpc, "serialize_property", _dicts_unlisted(rpc.serialize_property, cls, single))]
    argument = str(fix["argument"])
    undo = [_set(cls, "__init__", _without(vars(cls)["__init__"], argument, fix.get("rename"), kind == "option",
                                           bool(fix.get("asList")), bool(fix.get("single"))))]
    if kind == "argument" and not fix.get("rename") and hasattr(cls, "_internal_init") and not hasattr(cls, argument):
        undo.append(_set(cls, argument, property(_unknown)))  # what the program reads back of what it set
    return undo


def _classes(fix: Mapping[str, Any]) -> list[type]:
    """The classes named ``fix["class"]`` in each of the pulumi_aws modules ``fix["modules"]`` lists."""
    found = []
    for module in str(fix.get("modules") or "").split(","):
        try:
            cls = getattr(importlib.import_module(f"pulumi_aws.{module}"), str(fix["class"]), None)
        except ImportError:
            continue
        if isinstance(cls, type):
            found.append(cls)
    return found


def _unknown(_: Any) -> Any:
    """An Output whose value is not known, as a preview gives for a value the provider computes."""
    import asyncio

    import pulumi

    loop = asyncio.get_event_loop()
    value, known = loop.create_future(), loop.create_future()
    value.set_result(None)
    known.set_result(False)
    return pulumi.Output(set(), value, known)


def _callable_unknown() -> Any:
    """An unknown Output that can also be called (a function of a stand-in module), giving another; so
    do its attributes, and iterating it visits nothing."""
    unknown = _unknown(None)
    unknown.__class__ = _callable_output_class()
    return unknown


@functools.cache
def _callable_output_class() -> type:
    import pulumi

    class CallableUnknown(pulumi.Output):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return _callable_unknown()

        def __getattr__(self, item: str) -> Any:  # k8s.core.v1.Namespace(...): every step unknown
            if item.startswith("_"):
                raise AttributeError(item)
            return _callable_unknown()

        def __iter__(self) -> Any:
            # Unpacked into names (a, b, c = create_cluster(...)): one unknown each. Iterated otherwise, a
            # list a stand-in gives: nothing in it is known, so nothing to visit.
            import sys

            return iter([_callable_unknown() for _ in range(_unpacked_into(sys._getframe(1)))])

    return CallableUnknown


def _unpacked_into(frame: Any) -> int:
    """How many names the instruction ``frame`` runs unpacks a value into (``a, b, c = ...``: 3; ``a,
    *rest = ...``: 1), or 0 when it does not unpack one."""
    import dis

    for instruction in dis.get_instructions(frame.f_code):
        if instruction.offset == frame.f_lasti:
            if instruction.opname == "UNPACK_SEQUENCE":
                return int(instruction.arg or 0)
            if instruction.opname == "UNPACK_EX":  # before the starred name, and after it
                return int(instruction.arg or 0) % 256 + int(instruction.arg or 0) // 256
            return 0
    return 0


def _setting_ignored(self: Any, name: str, value: Any) -> None:
    """``pulumi_aws.config``'s ``__setattr__``: a write to one of its read-only settings is dropped."""
    import types

    if not isinstance(getattr(type(self), name, None), property):
        types.ModuleType.__setattr__(self, name, value)


def _nameless_unknown(cls: type, *args: Any, **kwargs: Any) -> Any:
    """A resource class's ``__new__``: an unknown Output for a call without the logical name (which the
    class's ``__init__`` then never sees), the resource itself otherwise."""
    if not args and "resource_name" not in kwargs:
        return _unknown(None)
    return object.__new__(cls)


def _stand_in(name: str) -> type:
    """A class named ``name`` whose instances are unknown Outputs (``Output.__getattr__`` makes every
    attribute of one unknown too)."""

    def __new__(cls: type, *args: Any, **kwargs: Any) -> Any:
        return _unknown(None)

    return type(name, (), {"__new__": __new__, "__doc__": "Not in the installed pulumi-aws: read as unknown."})


def _stand_in_module(name: str) -> Any:
    """A module named ``name`` whose every public name is unknown (PEP 562's ``__getattr__``): a class
    name (``ComputeComponent``) a stand-in class, any other (a function, a document, a constant) an
    unknown Output that calling gives another."""
    import types

    module = types.ModuleType(name, "Not in the program: every name read from it is read as unknown.")
    module.__path__ = []  # a package, so that its submodules import (as stand-ins too)

    def __getattr__(attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        if attribute[:1].isupper() and not attribute.isupper():
            return _stand_in(attribute)
        return _callable_unknown()

    module.__dict__["__getattr__"] = __getattr__
    return module


class _Loading:
    """A ``sys.meta_path`` finder of the runner's: the modules it loaded, dropped from ``sys.modules``
    when its fix is undone."""

    def __init__(self) -> None:
        self.loaded: list[str] = []

    def forget(self) -> None:
        import sys

        for name in self.loaded:
            sys.modules.pop(name, None)


class _StandInLoader(_Loading, importlib.abc.Loader, importlib.abc.MetaPathFinder):
    """A ``sys.meta_path`` finder and its loader: what it finds imports as a stand-in module."""

    def create_module(self, spec: Any) -> Any:
        self.loaded.append(spec.name)
        return _stand_in_module(spec.name)

    def exec_module(self, module: Any) -> None:
        pass


class _ModuleStandIn(_StandInLoader):
    """Finds the module ``name`` (and its submodules) that the program does not have."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        import importlib.util

        if fullname != self.name and not fullname.startswith(f"{self.name}."):
            return None
        return importlib.util.spec_from_loader(fullname, self)


class _FileStandIn(_StandInLoader):
    """Finds the module of one file of the program (a fragment that cannot run)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        import importlib.util

        if _spec_of_file(fullname, path, self.path) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)


def _spec_of_file(fullname: str, path: Any, file: str) -> Any:
    """The spec the path finder gives module ``fullname`` when it is the module of ``file``, else None.
    A module whose last name is not the file's (or, for a package, its folder's) is not looked for: the
    finders that call this see every import of the program, pulumi_aws's hundreds included."""
    import importlib.machinery
    import os

    stem, _ = os.path.splitext(os.path.basename(file))
    own = os.path.basename(os.path.dirname(file)) if stem == "__init__" else stem
    if fullname.rpartition(".")[2] != own:
        return None
    spec = importlib.machinery.PathFinder.find_spec(fullname, path)
    if spec is None or spec.loader is None or not spec.origin or os.path.realpath(spec.origin) != file:
        return None
    return spec


class _FileFinder(_Loading, importlib.abc.MetaPathFinder):
    """Finds the module of one file of the program, to load it otherwise."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path


class _AfterImport(_FileFinder):
    """Once the module of the file has run, changes it as the fixes for that file say (every such
    finder's, whichever finds the module first)."""

    def __init__(self, path: str, change: Any) -> None:
        super().__init__(path)
        self.change = change

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        import sys

        spec = _spec_of_file(fullname, path, self.path)
        if spec is None:
            return None
        changes = [f.change for f in sys.meta_path if isinstance(f, _AfterImport) and f.path == self.path]
        spec.loader = _ThenChange(spec.loader, changes)
        self.loaded.append(fullname)
        return spec


class _Rewriting(_FileFinder):
    """Compiles the module of the file with ``**value`` as ``**(value or {})``."""

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        spec = _spec_of_file(fullname, path, self.path)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None
        spec.loader = _NoneUnpackedLoader(fullname, self.path)
        self.loaded.append(fullname)
        return spec


def _none_as_empty(tree: Any) -> Any:
    """``tree`` with every ``**value`` of a dict display or a call made ``**(value or {})``."""
    import ast

    def empty_if_none(value: ast.expr) -> ast.expr:
        return ast.copy_location(ast.BoolOp(op=ast.Or(), values=[value, ast.Dict(keys=[], values=[])]), value)

    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            pairs = zip(node.keys, node.values)  # noqa: B905 - the program's Python may predate 3.10's strict=
            node.values = [empty_if_none(v) if k is None else v for k, v in pairs]
        elif isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg is None:
                    keyword.value = empty_if_none(keyword.value)
    return ast.fix_missing_locations(tree)


class _NoneUnpackedLoader(importlib.machinery.SourceFileLoader):
    """Compiles the file with :func:`_none_as_empty`, never from or into its bytecode cache (a run without
    the fix must not load the changed code)."""

    def get_code(self, fullname: str) -> Any:
        import ast

        path = self.get_filename(fullname)
        return compile(_none_as_empty(ast.parse(self.get_data(path), path)), path, "exec", dont_inherit=True)


class _ThenChange(importlib.abc.Loader):
    """A module's own loader, followed by changes to the module it ran."""

    def __init__(self, loader: Any, changes: list[Any]) -> None:
        self.loader, self.changes = loader, changes

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.loader.exec_module(module)
        for change in self.changes:
            change(module)

    def __getattr__(self, name: str) -> Any:  # get_source and the rest, for tracebacks
        return getattr(self.loader, name)


def _changed(fix: Mapping[str, Any], module: Any) -> None:
    """``module`` (just run) as ``fix`` changes it."""
    name = str(fix["name"])
    if fix["kind"] == "project-arguments":
        found = vars(module).get(name)
        missing = str(fix["arguments"]).split(",")
        if isinstance(found, type):  # its own __init__ or the one it inherits, on this class alone
            setattr(found, "__init__", _given_unknown(getattr(found, "__init__"), missing))  # noqa: B009, B010
        elif callable(found):
            setattr(module, name, _given_unknown(found, missing))
        return
    before = vars(module).get("__getattr__")
    home = fix.get("from")

    def __getattr__(attribute: str) -> Any:
        if attribute == name:
            if home:
                return getattr(importlib.import_module(str(home)), name)
            return _stand_in(name) if name[:1].isupper() and not name.isupper() else _callable_unknown()
        if before is not None:
            return before(attribute)
        raise AttributeError(f"module {module.__name__!r} has no attribute {attribute!r}")

    module.__getattr__ = __getattr__


def _given_unknown(function: Any, missing: list[str]) -> Any:
    """``function`` given an unknown Output for each of ``missing`` that a call leaves out."""
    import inspect

    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # a builtin without one: nothing to give
        return function

    @functools.wraps(function)
    def patched(*args: Any, **kwargs: Any) -> Any:
        try:
            given = signature.bind_partial(*args, **kwargs).arguments
        except TypeError:
            return function(*args, **kwargs)
        return function(*args, **kwargs, **{n: _callable_unknown() for n in missing if n not in given})

    return patched


def _without(init: Any, argument: str, rename: str | None, option: bool, as_list: bool, single: bool = False,
             ) -> Any:
    """``init`` called without the keyword ``argument``: renamed (a value given for a list argument
    wrapped in one, a one-item list given for a single-valued argument unwrapped), moved into
    ``opts`` or dropped."""

    @functools.wraps(init)
    def patched(self: Any, *args: Any, **kwargs: Any) -> None:
        value = kwargs.pop(argument, _MISSING)
        if value is not _MISSING:
            if option:
                import pulumi

                kwargs["opts"] = pulumi.ResourceOptions.merge(kwargs.get("opts"),
                                                              pulumi.ResourceOptions(**{argument: value}))
            elif rename and rename not in kwargs:
                if as_list and not isinstance(value, (list, tuple)):
                    value = [value]
                elif single and isinstance(value, (list, tuple)) and len(value) == 1:
                    value = value[0]
                kwargs[rename] = value
        init(self, *args, **kwargs)

    return patched


def _supplying(init: Any, argument: str) -> Any:
    """``init`` given an unknown ``argument`` when the call leaves it out (and passes no Args object)."""

    @functools.wraps(init)
    def patched(self: Any, *args: Any, **kwargs: Any) -> None:
        given_as_object = len(args) > 1 or "args" in kwargs  # a resource's (name, XxxArgs(...)) form
        if argument not in kwargs and not given_as_object:
            kwargs[argument] = _unknown(None)
        init(self, *args, **kwargs)

    return patched


def _without_keyword(function: Any, argument: str, rename: str | None) -> Any:
    """``function`` called without the keyword ``argument``: renamed to ``rename``, or dropped."""

    @functools.wraps(function)
    def patched(*args: Any, **kwargs: Any) -> Any:
        value = kwargs.pop(argument, _MISSING)
        if value is not _MISSING and rename and rename not in kwargs:
            kwargs[rename] = value
        return function(*args, **kwargs)

    return patched


def _unlisting(init: Any, arguments: list[str]) -> Any:
    """``init`` that takes the item of a one-item list given for one of ``arguments`` (single-valued)."""

    @functools.wraps(init)
    def patched(self: Any, *args: Any, **kwargs: Any) -> None:
        for argument in arguments:
            value = kwargs.get(argument)
            if isinstance(value, (list, tuple)) and len(value) == 1:
                kwargs[argument] = value[0]
        init(self, *args, **kwargs)

    return patched


def _dicts_unlisted(serialize: Any, cls: type, arguments: list[str]) -> Any:
    """The SDK's ``serialize_property`` that gives a dict sent as ``cls`` (``endpoint_configuration={"types":
    ["REGIONAL"]}``) the item of a one-item list for those single-valued ``arguments``."""

    @functools.wraps(serialize)
    async def patched(value: Any, *args: Any, **kwargs: Any) -> Any:
        typ = kwargs.get("typ", args[4] if len(args) > 4 else None)  # (deps, key, resource, transformer, typ)
        if isinstance(value, dict) and typ is cls:
            value = {k: v[0] if k in arguments and isinstance(v, (list, tuple)) and len(v) == 1 else v
                     for k, v in value.items()}
        return await serialize(value, *args, **kwargs)

    return patched


def _tolerant_lift(self: Any, item: str) -> Any:
    """``Output.__getattr__`` whose attribute is unknown where the value does not have it (the SDK's
    raises when the value arrives)."""
    from pulumi.output import UNKNOWN, Unknown

    if item.startswith("__"):
        raise AttributeError(f"'Output' object has no attribute '{item}'")

    def lift(value: Any) -> Any:
        return UNKNOWN if isinstance(value, Unknown) else getattr(value, item, UNKNOWN)

    return self.apply(lift, True)


def _results_unknown(serialize: Any) -> Any:
    """The SDK's ``serialize_property`` that sends a pulumi-aws data source's result as an unknown value
    (it calls itself through the module, so nested values pass here too)."""

    @functools.wraps(serialize)
    async def patched(value: Any, *args: Any, **kwargs: Any) -> Any:
        cls = type(value)
        if cls.__module__.startswith("pulumi_aws.") and cls.__name__.endswith("Result") \
                and cls.__name__.removeprefix("Awaitable").startswith("Get"):
            value = _unknown(None)
        return await serialize(value, *args, **kwargs)

    return patched


def _guarding(apply: Any, file: str, line: int) -> Any:
    """``Output.apply`` whose callback defined at ``file``:``line`` gives an unknown value where it raises."""
    import os

    @functools.wraps(apply)
    def patched(self: Any, func: Any, run_with_unknowns: bool = False) -> Any:
        code = getattr(func, "__code__", None)
        if code is None or code.co_firstlineno != line or os.path.realpath(code.co_filename) != file:
            return apply(self, func, run_with_unknowns)

        def guarded(value: Any) -> Any:
            try:
                return func(value)
            except Exception:  # noqa: BLE001 - the failure the runner explained; the value is unknown
                return _unknown(None)

        return apply(self, guarded, run_with_unknowns)

    return patched


def _flattening(init: Any) -> Any:
    """``ResourceOptions.__init__`` that spreads lists inside a ``depends_on`` list."""

    @functools.wraps(init)
    def patched(self: Any, *args: Any, **kwargs: Any) -> None:
        depends_on = kwargs.get("depends_on")
        if isinstance(depends_on, list) and any(isinstance(d, (list, tuple)) for d in depends_on):
            kwargs["depends_on"] = [r for d in depends_on for r in (d if isinstance(d, (list, tuple)) else [d])]
        init(self, *args, **kwargs)

    return patched


def _tolerant_dumps(dumps: Any) -> Any:
    """``json.dumps`` that gives ``pulumi.Output.json_dumps`` the documents it cannot serialize because
    they hold an Output (the fix the runner's explanation gives)."""

    @functools.wraps(dumps)
    def patched(obj: Any, **kwargs: Any) -> Any:
        try:
            return dumps(obj, **kwargs)
        except TypeError as e:
            if "Output" not in str(e):
                raise
            import pulumi

            return pulumi.Output.json_dumps(obj, **kwargs)

    return patched
