"""What a policy is: its metadata, its config schema, and one function from a view to findings.

A policy module builds one :class:`ResourcePolicy` or :class:`StackPolicy` and the registry
(``policies/__init__.py``) lists it. Policies know nothing about gRPC, the SDK's proxies or
output formats.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .waivers import WAIVERS_SCHEMA

if TYPE_CHECKING:
    from .context import StackContext, Suffix
    from .resource import Resource
    from .stack import StackView

NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PULUMI_NAME_RE = re.compile(r"^[a-zA-Z0-9._-]{1,300}$")

ADVISORY = "advisory"
MANDATORY = "mandatory"
REMEDIATE = "remediate"
DISABLED = "disabled"
ENFORCEMENT_LEVELS = (ADVISORY, MANDATORY, REMEDIATE, DISABLED)

SEVERITIES = ("low", "medium", "high", "critical")

ALL_AWS_TYPES = "aws:*"
"""A ``types`` entry that matches every resource of the AWS provider (not its provider resource)."""


@dataclass(frozen=True)
class Option:
    """One field of a policy's config: a JSON-schema fragment with an explicit default."""

    name: str
    type: str
    default: Any
    description: str
    schema: Mapping[str, Any] = field(default_factory=dict)

    def to_schema(self) -> dict[str, Any]:
        return {"type": self.type, "default": self.default, "description": self.description,
                **self.schema}


WAIVERS_OPTION = Option(
    "waivers", "array", [],
    "Resources exempt from this policy until a date: [{\"resource\": \"<logical name or URN glob>\", "
    "\"reason\": \"...\", \"expires\": \"YYYY-MM-DD\"}].", WAIVERS_SCHEMA)


@dataclass(frozen=True)
class Finding:
    """One violation. ``urn`` is only for stack policies naming another resource."""

    message: str
    urn: str | None = None
    property: str | None = None


class PolicyContext:
    """What a check may consult besides the resource: its config, the stack, and today's date."""

    __slots__ = ("_suffix", "config", "stack", "today")

    def __init__(self, config: Mapping[str, Any], stack: StackContext, today: dt.date | None = None) -> None:
        self.config, self.stack = config, stack
        self.today = today or dt.date.today()
        self._suffix: Any = _UNRESOLVED

    @property
    def suffix(self) -> Suffix | None:
        """The environment suffix (see ``context.resolve_suffix``), resolved once per configuration."""
        if self._suffix is _UNRESOLVED:
            from .context import resolve_suffix

            self._suffix = resolve_suffix(self.config, self.stack)
        return self._suffix


_UNRESOLVED = object()


ResourceCheck = Callable[["Resource", PolicyContext], Iterable[Finding]]
StackCheck = Callable[["StackView", PolicyContext], Iterable[Finding]]
Remediation = Callable[["Resource", PolicyContext], "Mapping[str, Any] | None"]


@dataclass(frozen=True)
class Framework:
    """A compliance framework control the policy checks (``PolicyComplianceFramework``)."""

    name: str
    version: str
    reference: str
    """The control id, e.g. ``KMS.4``."""
    specification: str
    """The control's title."""


FSBP = "AWS Foundational Security Best Practices"


@dataclass(frozen=True)
class _Policy:
    name: str
    description: str
    severity: str
    enforcement_level: str
    remediation_steps: str
    tags: tuple[str, ...]
    options: tuple[Option, ...] = ()
    display_name: str = ""
    framework: Framework | None = None

    @property
    def url(self) -> str:
        """The policy's section of the README (see ``info.docs_base``)."""
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


@dataclass(frozen=True)
class ResourcePolicy(_Policy):
    """A fact about one resource. ``types`` lists the type tokens it applies to."""

    types: frozenset[str] = frozenset()
    check: ResourceCheck | None = None
    remediate: Remediation | None = None


@dataclass(frozen=True)
class StackPolicy(_Policy):
    """A fact that joins resources, checked once over the whole stack."""

    check: StackCheck | None = None


Policy = ResourcePolicy | StackPolicy


def violation(resource: Resource, path: str, found: str, expected: str, fix: str) -> Finding:
    """The pack's message shape: what, where, found, expected, and the Python that fixes it."""
    return Finding(f"{resource.label}: {path} is {found}; expected {expected}.\nFix: {fix}",
                   property=path)
