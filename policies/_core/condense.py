"""One finding per mistake: merge findings that share a cause on one resource, and fold a cause that
repeats across many resources into one finding at the stack.

A cause repeated on every table, function and role of a stack (names built from a fixed 'prod' instead
of the environment suffix) has one fix, in one place. Reporting it on each resource buries that fix
under a hundred copies and fails the preview a hundred times over. During a preview the engine calls
``Analyze`` for every resource and ``AnalyzeStack`` once at the end, so the analyzer holds back the
findings of policies that declare a ``condense`` hook and decides at the end: a cause seen on
``condense_after`` resources or more becomes one finding (the hook writes it), fewer are reported on
their resources as usual. Outside a preview nothing is held: an update stops at the first mandatory
violation anyway.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from . import masking
from .policy import ADVISORY, Finding, Policy, PolicyContext, ResourcePolicy
from .resource import Resource
from .stack import StackView

HELD_REASON = ("reported at the end of the preview: a cause repeated on several resources is reported "
               "once, at the stack")
HELD_REASON_UPDATE = "reported at the end of the update, once the whole stack shows whether it explains the finding"
"""Why a policy whose finding was held is not applicable to the resource in ``Analyze`` (the engine
would otherwise count it as passed there)."""

Reported = tuple[Policy, str, Finding]
"""A policy, the enforcement level it reports at, and the finding."""


def one_per_cause(findings: list[Reported]) -> list[Reported]:
    """One mistake, one report: of the findings that share a cause on one resource, keep those of the
    policy that owns the cause (the cause's text before ':' is its name), else the first."""
    if len(findings) < 2:
        return findings
    by_cause: dict[str, list[int]] = {}
    for i, (_, _, finding) in enumerate(findings):
        if finding.cause:
            by_cause.setdefault(finding.cause, []).append(i)
    dropped: set[int] = set()
    for cause, positions in by_cause.items():
        if len(positions) < 2:
            continue
        owner = cause.split(":", 1)[0]
        owned = [i for i in positions if findings[i][0].name == owner]
        keep = set(owned) if owned else {positions[0]}
        dropped.update(i for i in positions if i not in keep)
    return [item for i, item in enumerate(findings) if i not in dropped] if dropped else findings


class HeldFindings:
    """Findings held back during a preview, per policy and cause. ``Analyze`` calls arrive on
    several threads, hence the lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: dict[tuple[str, str], tuple[ResourcePolicy, str, dict[str, tuple[str, str, Finding]]]] = {}

    def hold(self, resource: Resource, findings: list[Reported], secrets: Sequence[str] = (),
             preview: bool = True) -> list[Reported]:
        """Hold the condensable findings, their text masked against ``secrets`` (those of the bag
        they were rendered from); return the ones to report now. Outside a preview only advisory
        findings that the whole stack may explain (a ``settle`` hook) are held: a finding that
        blocks must stop its resource, and nothing is condensed there."""
        now = []
        for policy, level, finding in findings:
            if isinstance(policy, ResourcePolicy) and finding.cause and (
                    (policy.condense is not None or policy.settle is not None) if preview
                    else (policy.settle is not None and level == ADVISORY)):
                if secrets:
                    finding = masking.mask_finding(finding, secrets)
                with self._lock:
                    group = self._groups.setdefault((policy.name, finding.cause), (policy, level, {}))
                    # Keyed by URN: a resource analyzed again replaces its finding, not adds one.
                    group[2][resource.urn] = (resource.urn, resource.label, finding)
            else:
                now.append((policy, level, finding))
        return now

    def empty(self) -> bool:
        with self._lock:
            return not self._groups

    def release(self, context: Callable[[Policy], PolicyContext], view: StackView | None = None) -> list[Reported]:
        """Every held finding: one per cause that repeats, the others on their own resources."""
        with self._lock:
            groups, self._groups = self._groups, {}
        out: list[Reported] = []
        for (_, cause), (policy, level, held) in sorted(groups.items()):
            items = sorted(held.values(), key=lambda item: item[0])  # the engine analyzes in no fixed order
            if policy.settle is not None and view is not None:
                try:
                    items = policy.settle(items, view, context(policy))
                except Exception:  # noqa: BLE001 - a hook's crash must not lose the findings
                    pass
            if len(items) >= policy.condense_after and policy.condense is not None:
                try:
                    out.append((policy, level, policy.condense(cause, items, context(policy))))
                    continue
                except Exception:  # noqa: BLE001 - a hook's crash must not lose the findings
                    pass
            out.extend((policy, level, Finding(f.message, urn, f.property, f.found, f.expected, f.fix, f.cause))
                       for urn, _, f in items)
        return out
