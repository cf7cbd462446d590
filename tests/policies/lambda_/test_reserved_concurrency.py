import pytest

from policies import STACK_TYPE, Resource
from policies._core.context import StackContext
from policies._core.values import UNKNOWN
from tests.conftest import assert_findings, check_stack

NAME = "lambda-reserved-concurrency"
FUNCTION = "aws:lambda/function:Function"
STACK = StackContext(stack="dev", project="tap", config={"aws:region": "us-east-1"})


def function(name, reserved=None, **props):
    return Resource.of(FUNCTION, {"runtime": "python3.12", "handler": "app.handler", "role": "arn",
                                  **({} if reserved is None else {"reservedConcurrentExecutions": reserved}),
                                  **props}, name=name)


def stack(*functions):
    return [Resource.of(STACK_TYPE, {}, name="tap-dev"), *functions]


CASES = [
    # (id, reservations of the stack's functions, config, substrings of the one finding, or None for silence)
    ("none", [None, None], {}, None),
    ("unreserved-default", [-1, -1], {}, None),
    ("switched-off", [0], {}, None),
    ("within-the-default-quota", [500, 400], {}, None),
    ("at-the-limit", [900], {}, None),
    ("over-the-default-quota", [500, 300, 101], {},
     ["3 Lambda functions in region 'us-east-1' reserve 901 concurrent executions in all ('fn-0-dev' 500, "
      "'fn-1-dev' 300, 'fn-2-dev' 101); expected at most 900: AWS keeps 100 of the account's quota of 1000 "
      "unreserved",
      "below its minimum value of [100]",
      "Fix: remove reserved_concurrent_executions from the functions that need no guaranteed share"]),
    ("a-small-quota-reserves-nothing", [10], {"accountConcurrency": 10},
     ["1 Lambda function in region 'us-east-1' reserves 10", "expected at most 0", "so nothing can be reserved",
      "minimum value of [10]"]),
    ("a-quota-set-to-the-accounts", [100] * 5, {"accountConcurrency": 400},
     ["reserve 500 concurrent executions", "expected at most 300", "'fn-4-dev' 100"]),
    ("unknown-reservation-with-a-known-total-over", [UNKNOWN, 950], {}, ["reserves 950 concurrent executions"]),
    ("unknown-reservation-otherwise-silent", [UNKNOWN, 100], {}, None),
    ("several-listed-then-counted", [200] * 7, {}, ["'fn-4-dev' 200 and 2 more"]),
]


@pytest.mark.parametrize(("reservations", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(reservations, config, expected):
    functions = [function(f"fn-{i}-dev", r) for i, r in enumerate(reservations)]
    findings = check_stack(NAME, stack(*functions), config=config, stack=STACK)
    finding = assert_findings(findings, expected)
    if expected:
        assert finding.urn.endswith("::tap-dev"), "reported once, at the stack"


def test_functions_in_two_regions_count_apart():
    west = {"region": "us-west-2"}
    findings = check_stack(NAME, stack(function("a-dev", 500), function("b-dev", 500, **west)), stack=STACK)
    assert findings == []
    findings = check_stack(NAME, stack(function("a-dev", 500), function("b-dev", 500), function("c-dev", 600, **west)),
                           stack=STACK)
    [finding] = findings
    assert "in region 'us-east-1' reserve 1000" in finding.message


def test_the_quota_must_be_positive():
    from policies._core.config import ConfigError
    from tests.conftest import analyzer_for

    with pytest.raises(ConfigError, match="accountConcurrency"):
        analyzer_for(NAME, {"accountConcurrency": 0})
