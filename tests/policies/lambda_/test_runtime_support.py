import datetime as dt

import pytest

from policies._core.context import StackContext
from policies._core.policy import PolicyContext
from policies._core.resource import Resource
from policies._core.values import UNKNOWN, Secret
from policies.lambda_ import runtime_support
from tests.conftest import REMOVE, assert_findings, check, merged, policy
from tools import lambda_runtimes

NAME = "lambda-runtime-support"
FUNCTION = "aws:lambda/function:Function"
BASE = {"name": "api-dev", "role": "arn:aws:iam::123456789012:role/api-dev", "handler": "app.handler",
        "runtime": "python3.13"}
TODAY = dt.date(2026, 2, 15)
"""A fixed day: python3.9 deprecated (2025-12-15), nodejs20.x due on 2026-04-30, python3.12 years away."""

CASES = [
    # (id, changes to BASE, config, substrings of the one finding, or None for silence)
    ("compliant", {}, {}, None),
    ("deprecated", {"runtime": "python3.9"}, {},
     ["runtime is 'python3.9' (deprecated since 2025-12-15: no more security patches; functions cannot be "
      "created with it from 2026-06-01", "expected a runtime supported for at least 90 more days",
      'Fix: runtime="python3.14"']),
    ("long-deprecated", {"runtime": "go1.x"}, {},
     ["deprecated since 2024-01-08", "functions can no longer be created with it since 2024-02-08",
      'runtime="provided.al2023"']),
    ("due-within-window", {"runtime": "nodejs20.x"}, {},
     ["deprecated from 2026-04-30", 'runtime="nodejs24.x"']),
    ("due-outside-window", {"runtime": "nodejs20.x"}, {"warnDaysBefore": 30}, None),
    ("long-window", {"runtime": "python3.12"}, {"warnDaysBefore": 1200}, ["deprecated from 2028-10-31"]),
    ("no-announced-end", {"runtime": "dotnet10"}, {"warnDaysBefore": 3650}, None),
    ("still-creatable", {"runtime": "python3.8"}, {},
     ["deprecated since 2024-10-14", "functions cannot be created with it from 2026-06-01"]),
    ("not-in-table", {"runtime": "python4.0"}, {}, None),
    ("absent-container-image", {"runtime": REMOVE, "packageType": "Image"}, {}, None),
    ("unknown", {"runtime": UNKNOWN}, {}, None),
    ("secret", {"runtime": Secret("python3.9")}, {}, ["runtime is [secret]; expected"]),
    ("wrong-type", {"runtime": 3.9}, {}, None),
]


def _check(props, config):
    p = policy(NAME)
    ctx = PolicyContext({**p.defaults, **config}, StackContext(stack="dev"), today=TODAY)
    return list(p.check(Resource.of(FUNCTION, props, name="api-dev"), ctx))


@pytest.mark.parametrize(("changes", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(changes, config, expected):
    findings = _check(merged(BASE, **changes), config)
    assert_findings(findings, expected)


def test_through_the_analyzer_a_long_deprecated_runtime_is_reported():
    [finding] = check(NAME, FUNCTION, merged(BASE, runtime="python3.7"))
    assert finding.property == "runtime" and finding.fix.startswith('runtime="python3.')


def test_replacement_prefers_a_usable_successor_then_the_newest_of_the_language():
    assert runtime_support.replacement("python3.9", TODAY) == "python3.14"
    assert runtime_support.replacement("dotnet8", TODAY) == "dotnet10"  # the data's successor is not a Lambda runtime


def test_runtime_table_is_current_with_installed_sources():
    assert runtime_support._DATA.read_text() == lambda_runtimes.render(lambda_runtimes.build()), \
        "run: python -m tools.lambda_runtimes"


def test_other_types_are_ignored():
    layer = {"layerName": "deps-dev", "compatibleRuntimes": ["python3.8"]}
    assert check(NAME, "aws:lambda/layerVersion:LayerVersion", layer) == []
