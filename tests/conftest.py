"""Shared helpers: evaluate one policy on one resource view, as the analyzer would; and the test
layers, marked by directory (``pytest -m unit``, ``pytest -m "not cli and not slow"``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from policies import POLICIES
from policies._core.analyzer import Analyzer
from policies._core.context import StackContext
from policies._core.policy import Finding, ResourcePolicy, StackPolicy
from policies._core.resource import Resource
from policies._core.stack import StackView

ROOT = Path(__file__).resolve().parents[1]

PACK = "aws-conventions"
TESTS = Path(__file__).resolve().parent
LAYERS = {"policies": "unit", "e2e": "e2e", "runner": "runner", "cli": "cli", "fuzz": "fuzz", "install": "slow"}
"""The marker of each directory under tests/ (registered in pyproject.toml); a file directly in tests/
is a unit test."""


def layer_of(path: Path) -> str:
    """The test layer of a test file, by its directory under tests/."""
    parts = path.resolve().relative_to(TESTS).parts
    if len(parts) == 1:
        return "unit"
    if parts[0] not in LAYERS:
        raise pytest.UsageError(f"tests/{parts[0]} belongs to no test layer: add it to LAYERS in tests/conftest.py")
    return LAYERS[parts[0]]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(layer_of(item.path))


def analyzer_for(policy_name: str, config: Mapping[str, Any] | None = None,
                 stack: StackContext | None = None, level: str | None = None,
                 disabled: tuple[str, ...] = ()) -> Analyzer:
    """An analyzer with every policy of the registry (but ``disabled``), configured like the engine would."""
    analyzer = Analyzer(PACK, POLICIES, stack=stack or StackContext(stack="dev", project="tap"))
    if level is None and policy(policy_name).enforcement_level == "disabled":
        level = "advisory"  # an opt-in policy under test is on
    analyzer.configure({policy_name: (level, dict(config or {})), **{d: ("disabled", {}) for d in disabled}})
    return analyzer


def check(policy_name: str, type_: str, props: Mapping[str, Any], *, name: str = "example-dev",
          config: Mapping[str, Any] | None = None, stack: StackContext | None = None,
          disabled: tuple[str, ...] = (), **resource_kwargs: Any) -> list[Finding]:
    """The findings of one policy on one resource (through the analyzer's dispatch, so that a
    finding another policy owns the cause of is left to it)."""
    analyzer = analyzer_for(policy_name, config, stack, disabled=disabled)
    resource = Resource.of(type_, props, name=name, **resource_kwargs)
    return [f for p, _, f in analyzer.analyze_resource(resource) if p.name == policy_name]


def check_stack(policy_name: str, resources: list[Resource], *, config: Mapping[str, Any] | None = None,
                stack: StackContext | None = None) -> list[Finding]:
    analyzer = analyzer_for(policy_name, config, stack)
    return [f for p, _, f in analyzer.analyze_stack(StackView(resources)) if p.name == policy_name]


Expected = str | list[str] | tuple[str, list[str]]
"""What one finding's message holds: a text, several texts, or ``(resource name, texts)`` for a finding
that must also be on that resource (its logical name)."""


def assert_findings(findings: list[Finding], expected: Expected | list[Expected] | None, *,
                    on: str | None = None) -> Any:
    """The table tests' one check over a policy's findings, with the messages in the failure.

    ``None`` (or ``[]``) expects silence. One :data:`Expected` expects exactly one finding, which is returned;
    ``on`` is the logical name or URN of the resource it must be on. A list of them expects one
    finding per entry, in order, and returns the findings."""
    messages = [f.message for f in findings]
    if not expected:
        assert findings == [], messages
        return None
    single = isinstance(expected, (str, tuple)) or all(isinstance(e, str) for e in expected)
    entries = [expected] if single else expected
    assert len(findings) == len(entries), messages
    for finding, entry in zip(findings, entries, strict=True):
        name, texts = entry if isinstance(entry, tuple) else (on, [entry] if isinstance(entry, str) else entry)
        if name is not None:
            assert name in (finding.urn, finding.urn.rsplit("::", 1)[-1]), (name, finding.urn)
        for text in texts:
            assert text in finding.message, (text, finding.message)
    return findings[0] if single else findings


def policy(name: str) -> ResourcePolicy | StackPolicy:
    return next(p for p in POLICIES if p.name == name)


def merged(base: Mapping[str, Any], **changes: Any) -> dict[str, Any]:
    """A baseline property bag with some top-level fields replaced; ``REMOVE`` drops a field."""
    out = dict(base)
    for key, value in changes.items():
        if value is REMOVE:
            out.pop(key, None)
        else:
            out[key] = value
    return out


REMOVE = object()


def pytest_terminal_summary(terminalreporter):
    from tests.fuzz import counter

    if counter.COUNT:
        terminalreporter.write_line(f"generated cases checked: {counter.COUNT}")
