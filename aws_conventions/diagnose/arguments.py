"""The arguments pulumi-aws classes take, read from the installed ``pulumi_aws``, and the closest to a
name a program got wrong."""

from __future__ import annotations

import collections.abc
import difflib
import functools
import importlib
import importlib.util
import inspect
import re
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

_SKIP = frozenset({"self", "__self__", "resource_name", "opts", "__props__", "args", "kwargs"})

REMOVED = {
    ("ec2", "Eip", "vpc"): 'domain="vpc"',
    ("apigateway", "Deployment", "stage_name"):
        "a separate aws.apigateway.Stage(stage_name=..., rest_api=rest_api.id, deployment=deployment.id)",
}
"""Arguments pulumi-aws 7 removed, by (module, class, argument), and what replaces them. A test checks
each against the installed package: the argument is gone and the replacement exists."""


@dataclass(frozen=True)
class AwsClass:
    module: str
    """The module under ``pulumi_aws``: ``ec2``, ``cfg``, ``lambda_``."""
    name: str
    arguments: tuple[str, ...]
    resource: bool

    @property
    def python(self) -> str:
        return f"aws.{self.module}.{self.name}"


@functools.cache
def option_names() -> frozenset[str]:
    """The keyword arguments of ``pulumi.ResourceOptions``."""
    import pulumi

    return frozenset(inspect.signature(pulumi.ResourceOptions.__init__).parameters) - {"self"}


def find_class(name: str, module_hint: str | None, site_file: str | None) -> AwsClass | None:
    """The pulumi_aws class ``name``: from the pulumi_aws file in the traceback, else the module the
    program wrote (``aws.cfg.RuleSourceArgs``), else a search of the installed package's sources."""
    for module in filter(None, (_module_of_file(site_file), module_hint, _search(name))):
        found = _load(module, name)
        if found is not None:
            return found
    return None


def _module_of_file(path: str | None) -> str | None:
    match = re.search(r"pulumi_aws/([a-z0-9_]+)/[a-z0-9_]+\.py$", (path or "").replace("\\", "/"))
    return match.group(1) if match else None


@functools.cache
def _search(name: str) -> str | None:
    """The pulumi_aws module that defines ``class name``, found without importing every module."""
    base = _package_dir()
    if base is None:
        return None
    pattern = re.compile(rf"^class {re.escape(name)}\b", re.M)
    for path in sorted(base.glob("*/_inputs.py")) + sorted(base.glob(f"*/{_snake(name)}.py")):
        try:
            if pattern.search(path.read_text(encoding="utf-8")):
                return path.parent.name
        except OSError:
            continue
    return None


@functools.cache
def resource_modules(name: str) -> tuple[str, ...]:
    """Every pulumi_aws module with a resource class ``name`` (``Instance``: ec2, rds, lightsail...), found in
    the installed package's sources (each resource class lives in ``<module>/<snake name>.py``)."""
    return _modules_with(_snake(name), re.compile(rf"^class {re.escape(name)}\(pulumi\.CustomResource\)", re.M))


def _modules_with(stem: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The pulumi_aws modules whose ``<stem>.py`` matches ``pattern``, read without importing them."""
    base = _package_dir()
    if base is None:
        return ()
    found = []
    for path in sorted(base.glob(f"*/{stem}.py")):
        try:
            if pattern.search(path.read_text(encoding="utf-8")):
                found.append(path.parent.name)
        except OSError:
            continue
    return tuple(found)


_RESULT = re.compile(r"^(?:Awaitable)?(?P<base>Get\w+)Result$")


def result_modules(name: str) -> tuple[str, ...]:
    """Every pulumi_aws module whose data-source function returns the class ``name``
    (``AwaitableGetRandomPasswordResult``: secretsmanager, for ``get_random_password``)."""
    match = _RESULT.match(name)
    if match is None:
        return ()
    return _modules_with(_snake(match.group("base")), re.compile(rf"^class {match.group('base')}Result\b", re.M))


def output_modules(name: str) -> tuple[str, ...]:
    """The pulumi_aws modules whose class ``name`` has outputs: a resource's, else a data source's result."""
    return resource_modules(name) or result_modules(name)


def result_function(name: str) -> str:
    """The data-source function that returns the class ``name`` (``get_random_password``)."""
    match = _RESULT.match(name)
    return _snake(match.group("base")) if match else ""


def result_outputs(module: str, name: str) -> list[str]:
    """What the data source's result class ``name`` holds besides the arguments its function takes and
    ``id`` (``random_password`` for ``get_random_password``)."""
    try:
        namespace = importlib.import_module(f"pulumi_aws.{module}")
        cls, function = getattr(namespace, name), getattr(namespace, result_function(name))
        taken = set(inspect.signature(function).parameters)
    except (ImportError, AttributeError, TypeError, ValueError):
        return []
    properties = {n for c in cls.__mro__ for n, v in vars(c).items() if isinstance(v, property)}
    return sorted(properties - taken - {"id"})


def closest_attribute(module: str, name: str, attribute: str) -> str | None:
    """The output property of ``aws.<module>.<name>`` (a resource, or a data source's result) closest to
    ``attribute``."""
    try:
        cls = getattr(importlib.import_module(f"pulumi_aws.{module}"), name)
    except (ImportError, AttributeError):
        return None
    properties = [n for c in cls.__mro__ for n, v in vars(c).items() if isinstance(v, property)]
    found = difflib.get_close_matches(attribute, properties, n=1, cutoff=0.75)
    return found[0] if found else None


def classes_with(module: str, attribute: str) -> list[str]:
    """The resource classes of ``pulumi_aws.<module>`` with an output ``attribute``."""
    namespace = _loaded(module)
    if namespace is None:
        return []
    classes = [getattr(namespace, n) for n in dir(namespace) if n[:1].isupper()]
    return [c.__name__ for c in classes if isinstance(c, type) and hasattr(c, "_internal_init")
            and isinstance(vars(c).get(attribute), property)]


def module_of_classes(names: Iterable[str]) -> str | None:
    """The one pulumi_aws module that defines every class of ``names`` (``LogGroup`` and ``MetricFilter``:
    cloudwatch), if there is one."""
    modules = {m for name in names for m in (resource_modules(name) or filter(None, [_search(name)]))}
    return next(iter(modules)) if len(modules) == 1 else None


def is_module(name: str) -> bool:
    """Whether pulumi_aws has a module ``name`` (``lambda_``, ``s3``)."""
    return name.islower() and not name.startswith("_") and _loaded(name) is not None


def _loaded(module: str) -> ModuleType | None:
    """``pulumi_aws.<module>``, loaded so that it lists its names (a lazily imported module loads on its
    first attribute read)."""
    try:
        namespace = importlib.import_module(f"pulumi_aws.{module}")
    except ImportError:
        return None
    getattr(namespace, "_", None)
    return namespace


def _package_dir() -> Path | None:
    try:
        spec = importlib.util.find_spec("pulumi_aws")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@functools.cache
def _load(module: str, name: str) -> AwsClass | None:
    try:
        cls = getattr(importlib.import_module(f"pulumi_aws.{module}"), name, None)
    except ImportError:
        return None
    if not isinstance(cls, type):
        return None
    resource = hasattr(cls, "_internal_init")
    function = getattr(cls, "_internal_init" if resource else "__init__")
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return None
    arguments = tuple(p for p in parameters if p not in _SKIP)
    return AwsClass(module, name, arguments, resource)


def takes_list(found: AwsClass, argument: str) -> bool:
    """Whether ``argument`` of the class takes a list (``artifact_stores=[...]``), from its type hint."""
    try:
        cls = getattr(importlib.import_module(f"pulumi_aws.{found.module}"), found.name)
        hint = inspect.signature(cls._internal_init if found.resource else cls.__init__).parameters[argument].annotation
    except (ImportError, AttributeError, KeyError, TypeError, ValueError):
        return False
    first = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Union else hint
    return typing.get_origin(first) is collections.abc.Sequence


def closest_class(module: str, name: str) -> str | None:
    """The class of ``pulumi_aws.<module>`` whose name is closest to ``name`` (one pulumi-aws renamed, or a
    misspelling)."""
    namespace = _loaded(module)
    if namespace is None:
        return None
    names = dir(namespace)
    classes = [n for n in names if n[:1].isupper() and isinstance(getattr(namespace, n, None), type)]
    # A nested input type (``FunctionCodeArgs``) is never a resource's own arguments (``FunctionArgs``,
    # which the resource takes as a whole), and a resource is never an input type.
    if name.endswith(("Args", "ArgsDict")):
        resources = {n for n in classes if _is_resource(getattr(namespace, n))}
        classes = [n for n in classes if n.endswith(("Args", "ArgsDict"))
                   and n.removesuffix("Dict").removesuffix("Args") not in resources]
    else:  # nor is what a data source returns (``GetRandomPasswordResult``) a class to declare
        classes = [n for n in classes if not n.endswith(("Args", "ArgsDict")) and not _RESULT.match(n)]
    # Input types are long compounds of one resource's name (``FunctionUrlCorsArgs``): only a near
    # spelling is the same type.
    found = difflib.get_close_matches(name, classes, n=1, cutoff=0.85 if name.endswith(("Args", "ArgsDict")) else 0.75)
    return found[0] if found else None


OTHER_PROVIDERS = ("pulumi_random", "pulumi_tls")
"""Providers whose resources programs write under pulumi_aws by mistake (``aws.secretsmanager.RandomPassword``)."""


def other_provider(name: str) -> str | None:
    """The installed provider package of :data:`OTHER_PROVIDERS` with a resource class ``name``."""
    for package in OTHER_PROVIDERS:
        try:
            found = getattr(importlib.import_module(package), name, None)
        except ImportError:
            continue
        if isinstance(found, type):
            return package
    return None


def function_module(function: str) -> str | None:
    """The one pulumi_aws module with a function ``function`` (each lives in ``<module>/<function>.py``)."""
    base = _package_dir()
    found = sorted(path.parent.name for path in base.glob(f"*/{function}.py")) if base else []
    return found[0] if len(found) == 1 else None


def function_arguments(module: str, function: str) -> tuple[str, ...] | None:
    """The keyword arguments of the function ``aws.<module>.<function>`` (``opts`` aside)."""
    namespace = _loaded(module)
    target = getattr(namespace, function, None) if namespace is not None else None
    if not callable(target):
        return None
    try:
        parameters = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return None
    return tuple(p for p in parameters if p != "opts")


def aws_config_class(name: str) -> str | None:
    """The ``pulumi_aws.cfg`` class a program means by ``aws.config.<name>``: ``pulumi_aws.config`` holds
    the provider's settings, and AWS Config's resources live in ``cfg`` under their Terraform names
    without the service's prefix (``ConfigurationRecorder`` is ``cfg.Recorder``, ``ConfigRule`` ``cfg.Rule``)."""
    namespace = _loaded("cfg")
    for candidate in (name, name.removeprefix("Configuration"), name.removeprefix("Config")):
        if candidate[:1].isupper() and isinstance(getattr(namespace, candidate, None), type):
            return candidate
    return None


def _is_resource(cls: type) -> bool:
    return any(base.__name__ == "CustomResource" for base in cls.__mro__[1:])


def closest(name: str, arguments: tuple[str, ...], owner: str = "") -> str | None:
    """The real argument closest to ``name``: the argument it names after a word of its class ``owner``
    (``alarm_name`` of ``MetricAlarm`` is ``name``, not the closer spelling ``alarm_actions``), else a close
    spelling, or one that contains it or that it contains."""
    for word in _snake(owner).split("_") if owner else ():
        rest = name.removeprefix(f"{word}_")
        if rest != name and rest in arguments:
            return rest
    found = difflib.get_close_matches(name, arguments, n=1, cutoff=0.6)
    if found:
        return found[0]
    containing = [a for a in arguments if name in a or a in name.split("_")]
    return containing[0] if len(containing) == 1 else None
