"""Snapshots of the runner's findings on every bundled example (``tests/runner/snapshots/``).

A failure here means that a policy, the runner or an example changed what is reported. When the change
is intended, regenerate the snapshots and review the diff:

    python -m tools.regenerate_snapshots
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

import pytest

from policies import POLICIES
from tools.regenerate_snapshots import EXAMPLES_DIR, SNAPSHOT_DIR, examples, render, snapshots

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EXAMPLES = examples()
VIOLATING = [e for e in EXAMPLES if e != "compliant"]


@pytest.fixture(scope="module")
def current() -> dict[str, dict[str, Any]]:
    return snapshots(EXAMPLES)


def stored(example: str) -> dict[str, Any]:
    return json.loads((SNAPSHOT_DIR / f"{example}.json").read_text(encoding="utf-8"))


def test_every_example_has_a_snapshot_and_every_snapshot_an_example():
    assert {p.stem for p in SNAPSHOT_DIR.glob("*.json")} == set(EXAMPLES)
    assert "compliant" in EXAMPLES and len(VIOLATING) >= 5


@pytest.mark.parametrize("example", EXAMPLES)
def test_findings_match_the_snapshot(current, example):
    expected = (SNAPSHOT_DIR / f"{example}.json").read_text(encoding="utf-8")
    actual = render(current[example])
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            f"snapshots/{example}.json", "runner", n=2))
        pytest.fail(f"the runner's findings on examples/{example} changed; if intended, run "
                    f"`python -m tools.regenerate_snapshots {example}` and review the diff:\n{diff}")


def test_the_compliant_example_has_no_finding(current):
    assert current["compliant"]["findings"] == []
    assert current["compliant"]["waived"] == []


@pytest.mark.parametrize("example", VIOLATING)
def test_each_violating_example_has_findings_and_says_which(example):
    findings = stored(example)["findings"]
    assert findings
    doc = (EXAMPLES_DIR / example / "lib" / "tap_stack.py").read_text(encoding="utf-8").split('"""')[1]
    for policy in {f["policy"] for f in findings}:
        assert policy in doc, f"examples/{example}/lib/tap_stack.py does not say that it violates {policy}"


def test_the_violating_examples_cover_every_policy():
    """Opt-in policies (off by default) are shown by their own program tests instead."""
    reported = {f["policy"] for e in VIOLATING for f in stored(e)["findings"]}
    missing = sorted(p.name for p in POLICIES if p.name not in reported and p.enforcement_level != "disabled")
    assert not missing, f"no example violates {', '.join(missing)}: add a violation to an example in examples/"


def test_each_finding_points_at_a_line_of_the_program():
    for example in VIOLATING:
        for finding in stored(example)["findings"]:
            location = finding["location"]
            assert location is not None, finding
            lines = (EXAMPLES_DIR / example / location["file"]).read_text(encoding="utf-8").splitlines()
            assert 1 <= location["line"] <= len(lines)


def test_the_examples_readme_lists_each_example_with_the_policies_it_violates():
    rows = {}
    for line in (EXAMPLES_DIR / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| \[`([^`]+)`\]\([^)]+\) \|[^|]*\| (.*) \|$", line)
        if match:
            rows[match.group(1)] = set(re.findall(r"`([a-z0-9-]+)`", match.group(2)))
    assert set(rows) == set(EXAMPLES)
    for example in EXAMPLES:
        assert rows[example] == {f["policy"] for f in stored(example)["findings"]}, example
