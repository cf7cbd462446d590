"""What a check finds: the findings, and what was checked to find them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .program import Program

LEVEL_RANK = {"mandatory": 0, "advisory": 1}
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "": 4}


@dataclass(frozen=True)
class Location:
    """Where a resource is declared: a path relative to the program's root, and a line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class CheckedResource:
    urn: str
    type: str
    name: str
    kind: str
    """``custom``, ``component``, ``provider``, ``stack`` or ``read``."""
    parent: str = ""
    location: Location | None = None


@dataclass(frozen=True)
class Finding:
    """One violation, as ``pulumi preview`` would report it."""

    policy: str
    level: str
    """``mandatory`` or ``advisory``."""
    severity: str
    message: str
    """What the policy says about the resource (without the policy's description)."""
    description: str
    urn: str
    resource_type: str
    resource_name: str
    location: Location | None = None

    def __str__(self) -> str:
        where = f"  {self.location}" if self.location else ""
        body = self.message.replace("\n", "\n    ")
        return f"[{self.level}] {self.policy}  ({self.resource_type}: {self.resource_name}){where}\n    {body}"


@dataclass(frozen=True)
class Diagnosis:
    """A mistake in the project or the program that stops ``pulumi preview`` before any policy runs
    (or would, under the real CLI): which check found it, where, what is wrong and the fix."""

    check: str
    level: str
    """``mandatory`` (the CLI or the program fails) or ``advisory``."""
    message: str
    fix: str
    location: Location | None = None
    cause: str = ""
    """The error line it explains (``TypeError: ...``), when it explains a failed program."""

    def __str__(self) -> str:
        where = f"  {self.location}" if self.location else ""
        body = f"{self.message}\nFix: {self.fix}".replace("\n", "\n    ")
        return f"[{self.level}] {self.check}{where}\n    {body}"


@dataclass(frozen=True)
class Remediation:
    """A remediate-level policy changed a resource's inputs before it was analyzed."""

    policy: str
    urn: str
    resource_type: str
    resource_name: str
    location: Location | None = None
    changes: tuple[tuple[str, str, str], ...] = ()
    """``(property, before, after)`` for each top-level input it changed, secrets masked."""


@dataclass(frozen=True)
class Waived:
    """A finding a waiver (a ``policy-waiver:<policy>`` tag or the policy's ``waivers`` config) hid."""

    policy: str
    reason: str
    urn: str
    resource_type: str
    resource_name: str
    location: Location | None = None


@dataclass(frozen=True)
class CheckFailure:
    """Why a program could not be checked: the one line the runner prints and what explains it."""

    kind: str
    """``usage`` (the check could not start), ``program`` (the program failed, printed what the runner
    cannot read, or registered no resources), ``timeout``, or ``pack`` (the policy pack failed)."""
    message: str
    """One line."""
    details: str = ""
    """The program's traceback or last output, when there is one."""


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    level: str
    severity: str
    url: str = ""
    remediation: str = ""
    tags: tuple[str, ...] = ()


@dataclass
class Findings(Sequence[Finding]):
    """The result of checking a program: its findings and what was checked."""

    findings: list[Finding]
    resources: list[CheckedResource]
    policies: list[PolicyInfo]
    pack_name: str
    pack_version: str
    program: Program
    stack: str
    preview: bool
    remediations: list[Remediation] = field(default_factory=list)
    waived: list[Waived] = field(default_factory=list)
    timing: dict[str, float] = field(default_factory=dict)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    """What the project checks found (``aws_conventions/diagnose``), apart from the policies' findings."""
    failure: CheckFailure | None = None
    """Set when the program could not be checked; there are then no findings or resources."""
    worked_around: list[str] = field(default_factory=list)
    """Failures of the program (one line each) that a ``keep_going`` check ran past by applying the fix
    its diagnosis gives; ``pulumi preview`` stops at the first. Each is explained in ``diagnoses``."""

    def __getitem__(self, index: Any) -> Any:
        return self.findings[index]

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    @property
    def mandatory(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "mandatory"]

    @property
    def advisory(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "advisory"]

    @property
    def passed(self) -> bool:
        """Checked, with no mandatory violation and no mandatory project mistake: what ``pulumi preview``
        needs to succeed."""
        return self.failure is None and not self.mandatory and not any(d.level == "mandatory" for d in self.diagnoses)

    @property
    def exit_code(self) -> int:
        """The runner's exit status for this program: 0 passed, 1 a mandatory violation, 2 not checked."""
        return 2 if self.failure is not None else 0 if self.passed else 1

    def by_policy(self, name: str) -> list[Finding]:
        return [f for f in self.findings if f.policy == name]

    def for_resource(self, name_or_urn: str) -> list[Finding]:
        return [f for f in self.findings if name_or_urn in (f.resource_name, f.urn)]

    def __str__(self) -> str:
        from .report import to_text

        return to_text(self)


