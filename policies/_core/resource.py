"""The resource view every policy receives: type, URN, logical name and properties."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from .options import NO_OPTIONS, ResourceOptions, options_of
from .urns import make_urn
from .values import Prop, Props, Secret, prop_of

if TYPE_CHECKING:
    from pulumi.runtime.proto.analyzer_pb2 import AnalyzerResource, AnalyzerResourceOptions

_T = TypeVar("_T")


class Provider:
    """The provider resource that manages a resource: type, URN, name and properties."""

    __slots__ = ("_derived", "name", "props", "type", "urn")

    def __init__(self, type: str, urn: str, name: str, props: Props) -> None:
        self.type, self.urn, self.name, self.props = type, urn, name, props
        self._derived: dict[Callable[[Provider], object], object] = {}

    def derived(self, make: Callable[[Provider], _T]) -> _T:
        """``make(self)``, computed once per provider: one provider serves many resources, and what a
        check derives from its settings alone (the account its credentials reach) is the same for each."""
        found = self._derived
        if make not in found:
            found[make] = make(self)
        return cast(_T, found[make])  # each entry is what its key returned

    @property
    def is_default(self) -> bool:
        """Whether the engine made this provider for resources that name none (``default``, or
        ``default_7_51_1`` for a pinned version), so its settings are the stack's ``aws:`` config."""
        name = self.name
        return name == "default" or (name.startswith("default_") and name[8:].split("_", 1)[0].isdigit())

    def __repr__(self) -> str:
        return f"Provider({self.type!r}, {self.name!r})"


class Resource:
    """One resource as the engine sees it (inputs in ``Analyze``, outputs in ``AnalyzeStack``).

    ``dependencies``, ``property_dependencies`` and ``options`` may be given as the request's
    protobuf containers; they are converted on first use, since most policies never look at them.
    """

    __slots__ = ("_deps", "_opts", "_pdeps", "_unchecked", "name", "parent", "props", "provider", "type", "urn")

    def __init__(self, type: str, urn: str, name: str, props: Props,
                 provider: Provider | None = None, parent: str | None = None,
                 dependencies: Iterable[str] = (),
                 property_dependencies: Mapping[str, Any] | None = None,
                 options: ResourceOptions | AnalyzerResourceOptions | None = NO_OPTIONS) -> None:
        self.type, self.urn, self.name, self.props = type, urn, name, props
        self.provider, self.parent = provider, parent
        self._deps: Iterable[str] | None = dependencies
        self._pdeps = property_dependencies
        self._opts = options
        self._unchecked: dict[str, str] | None = None

    @property
    def unchecked(self) -> dict[str, str]:
        """Policy name to why it could not check this resource (filled in by the analyzer)."""
        if self._unchecked is None:
            self._unchecked = {}
        return self._unchecked

    @property
    def options(self) -> ResourceOptions:
        """Resource options: ``protect``, ``ignore_changes``, ``delete_before_replace``, ..."""
        if not isinstance(self._opts, ResourceOptions):
            self._opts = options_of(self._opts)
        return self._opts

    @property
    def dependencies(self) -> tuple[str, ...]:
        if not isinstance(self._deps, tuple):
            self._deps = tuple(self._deps or ())
        return self._deps

    @property
    def property_dependencies(self) -> Mapping[str, tuple[str, ...]]:
        """Input property name to the URNs its value came from."""
        if not isinstance(self._pdeps, dict):
            raw = self._pdeps or {}
            self._pdeps = {k: tuple(getattr(v, "urns", v)) for k, v in raw.items()}
        return self._pdeps

    def __repr__(self) -> str:
        return f"Resource({self.type!r}, {self.name!r})"

    @classmethod
    def of(cls, type_: str, props: Mapping[str, Any] | None = None, name: str = "example",
           urn: str | None = None, **kwargs: Any) -> Resource:
        """A view built from plain Python (markers allowed), for tests and the runner."""
        urn = urn or make_urn(type_, name)
        return cls(type_, urn, name, Props.from_dict(props or {}), **kwargs)

    def provider_major(self) -> int | None:
        """The major version of the AWS provider the resource is created with (the provider resource's
        ``version`` input, which the SDK sets to the installed pulumi-aws); None when not known."""
        if self.provider is None:
            return None
        version = prop_of("version", self.provider.props.raw("version")).as_str()
        head = (version or "").lstrip("v").split(".", 1)[0]
        return int(head) if head.isdigit() else None

    def get(self, *path: str) -> Prop:
        """The property at a camelCase path, e.g. ``get("tracingConfig", "mode")``.

        A ``maxItems: 1`` block given as a one-element list is read through transparently.
        """
        head = path[0]
        value = self.props.raw(head)
        prop = Prop(head, value.value, True) if isinstance(value, Secret) else Prop(head, value)
        if len(path) == 1:
            return prop
        for key in path[1:]:
            prop = prop.first(key) if isinstance(prop.value, list) else prop.get(key)
        return prop

    def sets_any(self, *names: str) -> bool:
        """Whether any of these top-level properties is set, or unknown (so possibly set): a resource
        restored from a snapshot or replicating another, whose source decides."""
        return any(not self.get(name).absent for name in names)

    def given(self, name: str) -> bool | None:
        """Whether the program gave this top-level input; None when a preview cannot tell. An input
        the provider also computes (a bucket's ``policy``, a REST API's ``policy``) is unknown in a
        preview whether or not it was given, but the SDK sends a property dependency entry for every
        input the program gave, so an unknown one without an entry was not given."""
        prop = self.get(name)
        if prop.known:
            return prop.value is not None
        if prop.absent:
            return False
        given = self.property_dependencies
        return False if given and name not in given else None

    def name_matches(self, patterns: Iterable[str], name_property: str = "name") -> bool:
        """Whether the logical name or the physical name (when known) matches one of the globs."""
        if not patterns:
            return False  # and the physical name is not read: without a pattern it does not matter
        names = [self.name]
        physical = self.get(name_property).as_str()
        if physical:
            names.append(physical)
        return any(fnmatch.fnmatchcase(n, p) for n in names for p in patterns)

    @property
    def label(self) -> str:
        """How messages name the resource: ``aws:lambda/function:Function 'api-dev'``."""
        return f"{self.type} '{self.name}'"


class StackResource(Resource):
    """A resource of an ``AnalyzeStack`` request. A stack sends thousands and most policies read only
    their type and a few properties, so the links and options stay in the message until asked for."""

    __slots__ = ("_message",)

    def __init__(self, message: AnalyzerResource, provider: Provider | None) -> None:
        self.type, self.urn, self.name = message.type, message.urn, message.name
        self.props, self.provider, self.parent = Props(message.properties), provider, message.parent or None
        self._message = message
        self._deps = self._pdeps = self._opts = None  # read from the message on first use
        self._unchecked = None

    @property
    def options(self) -> ResourceOptions:
        if not isinstance(self._opts, ResourceOptions):
            message = self._message
            self._opts = options_of(message.options if message.HasField("options") else None)
        return self._opts

    @property
    def dependencies(self) -> tuple[str, ...]:
        if self._deps is None:
            self._deps = tuple(self._message.dependencies)
        return cast(tuple[str, ...], self._deps)

    @property
    def property_dependencies(self) -> Mapping[str, tuple[str, ...]]:
        if self._pdeps is None:
            self._pdeps = {k: tuple(v.urns) for k, v in self._message.propertyDependencies.items()}
        return cast(Mapping[str, tuple[str, ...]], self._pdeps)
