import pytest

from policies._core.config import ConfigError
from policies._core.values import UNKNOWN, Secret
from policies.logs.log_retention import ACCEPTED_DAYS
from tests.conftest import REMOVE, assert_findings, check, merged

NAME = "log-retention"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
BASE = {"name": "/aws/lambda/api-dev", "retentionInDays": 14}

CASES = [
    ("compliant", {}, {}, None),
    ("absent-never-expires", {"retentionInDays": REMOVE}, {},
     ["not set (logs never expire)", "retention_in_days=14"]),
    ("zero-never-expires", {"retentionInDays": 0}, {}, ["not set (logs never expire)"]),
    ("not-accepted-by-cloudwatch", {"retentionInDays": 8}, {},
     ["retentionInDays is 8", "such as 7", "retention_in_days=7"]),
    ("unknown", {"retentionInDays": UNKNOWN}, {}, None),
    ("secret-valid", {"retentionInDays": Secret(30)}, {}, None),
    ("secret-invalid-not-printed", {"retentionInDays": Secret(8)}, {}, ["retentionInDays is [secret]"]),
    ("wrong-type", {"retentionInDays": "a week"}, {}, ["retentionInDays is 'a week'", "a whole number"]),
    ("numeric-string", {"retentionInDays": "30"}, {}, None),
    ("float-integral", {"retentionInDays": 30.0}, {}, None),
    ("above-max", {"retentionInDays": 365}, {"maxDays": 90}, ["between 1 and 90 days"]),
    ("below-min", {"retentionInDays": 3}, {"minDays": 7}, ["between 7 and 3653 days"]),
    ("default-days-config", {"retentionInDays": REMOVE}, {"defaultDays": 30}, ["retention_in_days=30"]),
]


@pytest.mark.parametrize(("changes", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(changes, config, expected):
    findings = check(NAME, LOG_GROUP, merged(BASE, **changes), config=config)
    assert_findings(findings, expected)


@pytest.mark.parametrize("days", ACCEPTED_DAYS)
def test_every_accepted_value_passes_default_bounds(days):
    assert check(NAME, LOG_GROUP, merged(BASE, retentionInDays=days)) == []


def test_other_types_are_ignored():
    assert check(NAME, "aws:cloudwatch/logStream:LogStream", {"name": "s", "logGroupName": "g"}) == []


def test_the_fix_never_proposes_what_the_bounds_reject():
    (found,) = check(NAME, LOG_GROUP, {}, config={"minDays": 30})
    assert "Fix: retention_in_days=30" in found.message
    (found,) = check(NAME, LOG_GROUP, {"retentionInDays": 10}, config={"minDays": 30, "maxDays": 90})
    assert "such as 30" in found.message and "retention_in_days=30" in found.message


@pytest.mark.parametrize(("config", "problem"), [
    ({"minDays": 30, "maxDays": 7}, "minDays (30) is above maxDays (7)"),
    ({"minDays": 8, "maxDays": 13}, "no retention CloudWatch accepts lies between minDays (8) and maxDays (13)"),
])
def test_contradictory_bounds_are_rejected(config, problem):
    with pytest.raises(ConfigError) as err:
        check(NAME, LOG_GROUP, {}, config=config)
    assert f"policy 'log-retention': {problem}" in str(err.value)
