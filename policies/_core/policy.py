"""What a policy is: its metadata, its config schema, and one function from a view to findings.

A policy module builds one :class:`ResourcePolicy` or :class:`StackPolicy` and the registry
(``policies/__init__.py``) lists it. Policies know nothing about gRPC, the SDK's proxies or
output formats.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, cast

from .regex import LazyPattern
from .waivers import WAIVERS_SCHEMA

if TYPE_CHECKING:
    from typing import NotRequired, TypedDict, Unpack

    from .context import StackContext, Suffix
    from .resource import Resource
    from .stack import StackView

NAME_RE = LazyPattern(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PULUMI_NAME_RE = LazyPattern(r"^[a-zA-Z0-9._-]{1,300}$")

ADVISORY = "advisory"
MANDATORY = "mandatory"
REMEDIATE = "remediate"
DISABLED = "disabled"
ENFORCEMENT_LEVELS = (ADVISORY, MANDATORY, REMEDIATE, DISABLED)

SEVERITIES = ("low", "medium", "high", "critical")

ALL_AWS_TYPES = "aws:*"
"""A ``types`` entry that matches every resource of the AWS provider (not its provider resource)."""
ALL_TYPES = "*"
"""A ``types`` entry that matches every resource the engine sends (what a pulumi-policy SDK policy sees)."""


class Option(NamedTuple):
    """One field of a policy's config: a JSON-schema fragment with an explicit default."""

    name: str
    type: str
    default: Any
    description: str
    schema: Mapping[str, Any] = MappingProxyType({})

    def to_schema(self) -> dict[str, Any]:
        return {"type": self.type, "default": self.default, "description": self.description,
                **self.schema}


WAIVERS_OPTION = Option(
    "waivers", "array", [],
    "Resources exempt from this policy until a date: [{\"resource\": \"<logical name or URN glob>\", "
    "\"reason\": \"...\", \"expires\": \"YYYY-MM-DD\"}].", WAIVERS_SCHEMA)


class Finding(NamedTuple):
    """One violation, as data. ``message`` is what the engine shows (see :func:`render`); the other
    fields let the analyzer merge and condense findings and let tests assert what was found.

    ``urn`` is only for stack policies naming another resource. ``cause`` names the mistake: two
    findings with one cause on one resource are one mistake, and the analyzer keeps the first (so a
    cause may be shared across policies, e.g. ``stringified-output:policy``). A policy with a
    ``condense`` hook may see its findings of one cause across many resources folded into one.
    """

    message: str
    urn: str | None = None
    property: str | None = None
    found: str = ""
    expected: str = ""
    fix: str = ""
    cause: str = ""


class NotApplicable(Exception):
    """Raised by a check that decides, from what it read, that the policy does not concern the
    resource (e.g. a backup policy on a stack deployed to an emulator): the engine is told so with
    ``reason`` instead of counting the policy as passed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PolicyContext:
    """What a check may consult besides the resource: its config, the stack, and today's date."""

    __slots__ = ("_derived", "_suffix", "config", "policy_names", "stack", "today")

    def __init__(self, config: Mapping[str, Any], stack: StackContext, today: dt.date | None = None,
                 policy_names: frozenset[str] = frozenset()) -> None:
        self.config, self.stack = config, stack
        self.today = today or dt.date.today()
        self.policy_names = policy_names
        """The names of every policy of the pack that runs this one (empty outside an analyzer)."""
        self._suffix: Suffix | _Unresolved | None = _UNRESOLVED
        self._derived: dict[Callable[[PolicyContext], object], object] = {}

    @property
    def suffix(self) -> Suffix | None:
        """The environment suffix (see ``context.resolve_suffix``), resolved once per configuration."""
        if self._suffix is _UNRESOLVED:
            from .context import resolve_suffix

            self._suffix = resolve_suffix(self.config, self.stack)
        return self._suffix

    def derived(self, make: Callable[[PolicyContext], _T]) -> _T:
        """``make(self)``, computed once per context: for what a check derives from its config and
        the stack alone (the environment's class, the autonaming scheme), which would otherwise be
        derived again for every resource."""
        value = self._derived.get(make, _UNRESOLVED)
        if value is _UNRESOLVED:
            value = self._derived[make] = make(self)
        return cast(_T, value)  # each entry is what its key returned


class _Unresolved(enum.Enum):
    """Not computed yet (``None`` is a result)."""

    TOKEN = enum.auto()


_UNRESOLVED = _Unresolved.TOKEN
_T = TypeVar("_T")


ResourceCheck = Callable[["Resource", PolicyContext], Iterable[Finding]]
StackCheck = Callable[["StackView", PolicyContext], Iterable[Finding]]
Remediation = Callable[["Resource", PolicyContext], "Mapping[str, Any] | None"]


class Framework(NamedTuple):
    """A compliance framework control the policy checks (``PolicyComplianceFramework``)."""

    name: str
    version: str
    reference: str
    """The control id, e.g. ``KMS.4``."""
    specification: str
    """The control's title."""


FSBP = "AWS Foundational Security Best Practices"


class _Policy:
    """What resource and stack policies share: metadata, config and documentation.

    A policy is immutable (``replace`` makes a changed copy) and compared by identity: each is
    registered once. Plain classes rather than dataclasses, because defining a dataclass costs more
    than the rest of its module, and the pack's startup is on the path of every preview.
    """

    __slots__ = ("description", "display_name", "docs_url", "enforcement_level", "framework", "name",
                 "options", "remediation_steps", "required_config", "severity", "tags", "validate")

    name: str
    description: str
    severity: str
    enforcement_level: str
    remediation_steps: str
    tags: tuple[str, ...]
    options: tuple[Option, ...]
    display_name: str
    validate: Callable[[Mapping[str, Any]], list[str]] | None
    """Checks across config fields that JSON Schema cannot express (``minDays`` <= ``maxDays``): the
    problems, one sentence each, for the config with defaults filled in."""
    framework: Framework | None
    required_config: tuple[str, ...]
    """Config fields the engine must be given (``PolicyConfigSchema.required``): none, since every
    option has a default; a policy written with the pulumi-policy SDK may name some."""
    docs_url: str
    """Where the policy is documented, for a policy of a pack built on this one; empty: its
    section of this pack's README."""

    def __init__(self, *, name: str, description: str, severity: str, enforcement_level: str,
                 remediation_steps: str, tags: tuple[str, ...], options: tuple[Option, ...] = (),
                 display_name: str = "", validate: Callable[[Mapping[str, Any]], list[str]] | None = None,
                 framework: Framework | None = None, required_config: tuple[str, ...] = (),
                 docs_url: str = "") -> None:
        _set(self, "name", name)
        _set(self, "description", description)
        _set(self, "severity", severity)
        _set(self, "enforcement_level", enforcement_level)
        _set(self, "remediation_steps", remediation_steps)
        _set(self, "tags", tags)
        _set(self, "options", options)
        _set(self, "display_name", display_name)
        _set(self, "validate", validate)
        _set(self, "framework", framework)
        _set(self, "required_config", required_config)
        _set(self, "docs_url", docs_url)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"policy '{self.name}' cannot be changed; make a copy with replace({name}=...)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"policy '{self.name}' cannot be changed")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    def replace(self: _P, **changes: Any) -> _P:
        """A copy with ``changes`` (field name to value), as ``dataclasses.replace`` makes one."""
        fields = {name: getattr(self, name) for cls in type(self).__mro__ for name in getattr(cls, "__slots__", ())}
        unknown = set(changes) - set(fields)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(sorted(unknown))}")
        return type(self)(**{**fields, **changes})

    @property
    def url(self) -> str:
        """``docs_url``, else the policy's section of the README (see ``info.docs_base``)."""
        if self.docs_url:
            return self.docs_url
        from .info import docs_base

        return f"{docs_base()}#{self.name}"

    @property
    def all_options(self) -> tuple[Option, ...]:
        """The policy's own options and the ``waivers`` option every policy has."""
        return (*self.options, WAIVERS_OPTION)

    @property
    def defaults(self) -> dict[str, Any]:
        return {o.name: o.default for o in self.all_options}

    def config_schema(self) -> dict[str, Any]:
        return {o.name: o.to_schema() for o in self.all_options}

    def resolve_config(self, given: Mapping[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
        """The config with defaults filled in, and the problems found in ``given``."""
        from .config import resolve

        return resolve(self.name, self.all_options, given)


_set = object.__setattr__
_P = TypeVar("_P", bound=_Policy)

if TYPE_CHECKING:
    class Metadata(TypedDict):
        """The fields every policy has (:class:`_Policy`), as keyword arguments."""

        name: str
        description: str
        severity: str
        enforcement_level: str
        remediation_steps: str
        tags: tuple[str, ...]
        options: NotRequired[tuple[Option, ...]]
        display_name: NotRequired[str]
        validate: NotRequired[Callable[[Mapping[str, Any]], list[str]] | None]
        framework: NotRequired[Framework | None]
        required_config: NotRequired[tuple[str, ...]]
        docs_url: NotRequired[str]

Held = tuple[str, str, Finding]
"""A finding held back for condensing: the resource's URN, its label, and the finding."""
Condense = Callable[[str, "list[Held]", PolicyContext], Finding]
Settle = Callable[["list[Held]", "StackView", PolicyContext], "list[Held]"]


def _require_check(policy: ResourcePolicy | StackPolicy) -> None:
    """A policy is its check: one built without a function to run is refused where it is defined,
    not found out when the first resource reaches it."""
    if not callable(policy.check):
        raise TypeError(f"policy '{policy.name}': check must be a function (the resource or stack view, "
                        f"and the policy's context, to findings); got {type(policy.check).__name__}")


class ResourcePolicy(_Policy):
    """A fact about one resource. ``types`` lists the type tokens it applies to.

    ``condense``: when one cause repeats on ``condense_after`` or more resources in a preview, the
    analyzer reports it once, at the stack, with the finding this hook builds from the held ones
    (one root cause, one fix); below that, each is reported on its resource.
    """

    __slots__ = ("check", "condense", "condense_after", "prefilter", "remediate", "settle", "types")

    check: ResourceCheck
    types: frozenset[str]
    remediate: Remediation | None
    condense: Condense | None
    condense_after: int
    settle: Settle | None
    """During a preview, the policy's findings with a cause are held to the end, where this hook
    keeps those the whole stack does not explain (a provisioned table that an auto-scaling target
    manages); outside a preview only the findings of an advisory policy are held (a blocking finding
    must stop its resource)."""
    prefilter: bytes
    """Bytes without which in the serialised properties the check finds nothing (a text that every
    finding is about): the analyzer does not call the check on a resource without them."""

    def __init__(self, *, check: ResourceCheck, types: frozenset[str] = frozenset(),
                 remediate: Remediation | None = None, condense: Condense | None = None, condense_after: int = 4,
                 settle: Settle | None = None, prefilter: bytes = b"", **metadata: Unpack[Metadata]) -> None:
        super().__init__(**metadata)
        _set(self, "check", check)
        _set(self, "types", types)
        _set(self, "remediate", remediate)
        _set(self, "condense", condense)
        _set(self, "condense_after", condense_after)
        _set(self, "settle", settle)
        _set(self, "prefilter", prefilter)
        _require_check(self)


class StackPolicy(_Policy):
    """A fact that joins resources, checked once over the whole stack."""

    __slots__ = ("check",)

    check: StackCheck

    def __init__(self, *, check: StackCheck, **metadata: Unpack[Metadata]) -> None:
        super().__init__(**metadata)
        _set(self, "check", check)
        _require_check(self)


Policy = ResourcePolicy | StackPolicy


def render(subject: str, path: str, found: str, expected: str, fix: str, note: str = "") -> str:
    """The one message shape: which resource, which property, what it is, what it should be, why
    (``note``, optional), and the Python that fixes it."""
    text = f"{subject}: {path} is {found}; expected {expected}."
    if note:
        text += f" {note}"
    return f"{text}\nFix: {fix}" if fix else text


def stated(subject: str, text: str, fix: str = "", *, urn: str | None = None, property: str | None = None,
           found: str = "", expected: str = "", cause: str = "") -> Finding:
    """A finding whose statement does not fit "<path> is <found>; expected <expected>" (a missing
    dependency, a duplicate across resources): ``text`` is the whole statement, with its punctuation."""
    message = f"{subject}: {text}" if subject else text
    return Finding(f"{message}\nFix: {fix}" if fix else message, urn=urn, property=property, found=found,
                   expected=expected, fix=fix, cause=cause)


def violation(resource: Resource, path: str, found: str, expected: str, fix: str, *, cause: str = "",
              note: str = "") -> Finding:
    """A finding about one property of ``resource``, rendered by :func:`render`."""
    return Finding(render(resource.label, path, found, expected, fix, note), property=path, found=found,
                   expected=expected, fix=fix, cause=cause)
