"""Helpers for checking Pulumi programs against the pack in your own tests (pytest or unittest).

    from aws_conventions.testing import assert_compliant, assert_violates, check_program

    def test_infrastructure_follows_the_conventions():
        assert_compliant(check_program("infra", stack="dev"))

    def test_the_legacy_table_is_still_provisioned():
        findings = check_program("infra", config={"environmentSuffix": "pr7"})
        assert_violates(findings, "dynamodb-on-demand", resource="legacy-pr7")

Each check runs the program in a fresh process under the Pulumi SDK's mocks (a callable runs in-process)
and evaluates the pack as the Pulumi engine does; no Pulumi CLI, credentials or stack are needed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .engine import PACK_DIR
from .findings import Finding, Findings
from .runner import ProgramError, ProgramTimeout, UsageError, check

__all__ = ["Finding", "Findings", "ProgramError", "ProgramTimeout", "UsageError", "assert_compliant",
           "assert_violates", "check_program"]


def check_program(program: str | os.PathLike[str] | Callable[[], Any], *, stack: str | None = None,
                  config: Mapping[str, Any] | Sequence[str] | None = None,
                  policy_config: str | os.PathLike[str] | Mapping[str, Any] | None = None,
                  preview: bool = True, python: str | None = None, pack_dir: Path = PACK_DIR,
                  timeout: float | None = None) -> Findings:
    """Run ``program`` under mocks and return the pack's findings on it.

    ``program`` is a directory with ``Pulumi.yaml``, a Python file, or a callable that declares
    resources (run in-process, in its own Pulumi context). ``config`` adds to or overrides the stack's
    config (``{"environmentSuffix": "pr7"}``; bare keys get the project's namespace).
    ``policy_config`` is a ``--policy-pack-config`` document or a path to one. ``preview=False`` runs
    as an update, where ids, ARNs and other computed outputs are known. ``timeout`` (seconds) stops a
    program run in its own process that takes longer, and what it started. Raises
    :class:`ProgramError` when the program fails or registers no resources (:class:`ProgramTimeout`
    when it times out) and :class:`UsageError` when it cannot be run.
    """
    return check(program, stack=stack, config=config, policy_config=policy_config, preview=preview,
                 python=python, pack_dir=pack_dir, timeout=timeout)


def assert_compliant(findings: Findings, *, allow_advisory: bool = False, ignore: Iterable[str] = ()) -> None:
    """Fail, listing every finding, unless there is none.

    ``allow_advisory`` tolerates advisory findings (as ``pulumi preview`` does); ``ignore`` names
    policies whose findings do not count.
    """
    __tracebackhide__ = True
    ignored = set(ignore)
    counted = [f for f in findings if f.policy not in ignored
               and not (allow_advisory and f.level == "advisory")]
    if counted:
        raise AssertionError(_listing(f"{findings.program.display} (stack {findings.stack}) has "
                                      f"{_count(counted)}:", counted))


def assert_violates(findings: Findings, policy: str, *, resource: str | None = None,
                    level: str | None = None, message: str | None = None) -> list[Finding]:
    """Fail unless ``policy`` reported at least one finding (on ``resource``, a logical name or URN;
    at ``level``; whose message contains ``message``). Returns the matching findings."""
    __tracebackhide__ = True
    matching = [f for f in findings if f.policy == policy
                and (resource is None or resource in (f.resource_name, f.urn))
                and (level is None or f.level == level)
                and (message is None or message in f.message)]
    if not matching:
        wanted = " ".join(filter(None, [
            f"'{policy}'", f"on '{resource}'" if resource else "", f"at level {level}" if level else "",
            f"with a message containing {message!r}" if message else ""]))
        found = list(findings)
        head = f"expected a finding of {wanted} in {findings.program.display} (stack {findings.stack}); "
        raise AssertionError(_listing(head + (f"found {_count(found)}:" if found else "found none."), found))
    return matching


def _count(found: Sequence[Finding]) -> str:
    return f"{len(found)} finding" if len(found) == 1 else f"{len(found)} findings"


def _listing(head: str, found: Sequence[Finding]) -> str:
    return "\n".join([head, *(f"  {i}. {str(f).replace(chr(10), chr(10) + '     ')}"
                              for i, f in enumerate(found, 1))])
