"""Declarative checks for "this property must hold that value" conventions.

One :class:`Flag` describes the property (top level, or a field of a block such as
``imageScanningConfiguration.scanOnPush``), the value it must hold and the Python that sets it; the
same description gives the policy's finding and its remediation, so the two cannot drift apart.
A policy adds what is particular to it (exemptions, periods, the environment) around the flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from .policy import Finding, violation
from .remediation import set_in_block
from .resource import Resource
from .values import Prop


class Flag(NamedTuple):
    path: tuple[str, ...]
    """The property: ``("enableKeyRotation",)`` or a block and its field."""
    expected: bool | str
    fix: str
    """The pulumi-aws Python that sets it, shown after "Fix:"."""
    when_absent: str = ""
    """What an unset property means, shown as what was found (e.g. "not set (off by default)")."""
    cause: str = ""

    def read(self, resource: Resource) -> Prop:
        return resource.get(*self.path)

    def holds(self, prop: Prop) -> bool:
        if isinstance(self.expected, bool):
            return prop.as_bool() is self.expected
        return prop.as_str() == self.expected

    def finding(self, resource: Resource) -> Finding | None:
        """The violation, or None when the property holds the value or is unknown during a preview."""
        prop = self.read(resource)
        if prop.unknown or self.holds(prop):
            return None
        if prop.absent:
            return violation(resource, ".".join(self.path), self.when_absent or prop.display(), self.shown,
                             self.fix, cause=self.cause)
        return violation(resource, prop.path, prop.display(), self.shown, self.fix, cause=self.cause)

    def remediation(self, resource: Resource) -> Mapping[str, Any] | None:
        """The change that sets the property, keeping a block's other fields; None when it holds the
        value already, or is unknown."""
        prop = self.read(resource)
        if prop.unknown or self.holds(prop):
            return None
        if len(self.path) == 1:
            return {self.path[0]: self.expected}
        return set_in_block(resource, self.path[0], self.path[1], self.expected)

    @property
    def shown(self) -> str:
        if isinstance(self.expected, bool):
            return "true" if self.expected else "false"
        return repr(self.expected)
