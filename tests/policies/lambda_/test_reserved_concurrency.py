import pytest

from policies import STACK_TYPE, Resource
from policies._core.context import StackContext
from policies._core.values import UNKNOWN
from tests.conftest import assert_findings, check_stack

NAME = "lambda-reserved-concurrency"
FUNCTION = "aws:lambda/function:Function"
STACK = StackContext(stack="prod", project="tap", config={"aws:region": "us-east-1"})
"""A persistent environment: the account's whole reservable share is the limit."""


def function(name, reserved=None, **props):
    return Resource.of(FUNCTION, {"name": name, "runtime": "python3.12", "handler": "app.handler", "role": "arn",
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


# An ephemeral environment is one of ephemeralEnvironments (10) in the account: it may take 900 // 10.
EPHEMERAL_CASES = [
    # (id, stack, reservations, config, substrings of the one finding, or None for silence)
    ("pull-request-within-its-share", "pr6428", [50, 40], {}, None),
    ("pull-request-over-its-share", "pr6428", [100] * 5, {},
     ["5 Lambda functions in region 'us-east-1' reserve 500 concurrent executions in all",
      "expected at most 90: the environment is ephemeral (suffix 'pr6428' (from the stack name) matches "
      "ephemeralPattern", "one of 10 environments (ephemeralEnvironments) that share the account at once",
      "900 can be reserved by all of them together and 90 by each",
      "the deployment that takes the account past it fails with",
      "set this policy's ephemeralEnvironments to their number"]),
    ("one-function-of-100", "dev", [100], {}, ["reserves 100", "expected at most 90"]),
    ("fewer-environments-configured", "pr1", [100] * 4, {"ephemeralEnvironments": 4},
     ["expected at most 225", "one of 4 environments"]),
    ("fewer-environments-fit", "pr1", [100] * 2, {"ephemeralEnvironments": 4}, None),
    ("a-persistent-stack-keeps-the-whole-share", "prod", [100] * 5, {}, None),
    ("own-pattern", "staging", [100], {"ephemeralPattern": "^staging$"}, ["expected at most 90"]),
    ("a-small-quota-shared", "pr1", [5], {"accountConcurrency": 200, "ephemeralEnvironments": 25},
     ["expected at most 4", "100 can be reserved by all of them together and 4 by each"]),
    ("unknown-reservation-otherwise-silent", "pr1", [UNKNOWN, 80], {}, None),
]


@pytest.mark.parametrize(("name", "reservations", "config", "expected"), [c[1:] for c in EPHEMERAL_CASES],
                         ids=[c[0] for c in EPHEMERAL_CASES])
def test_an_ephemeral_environment_takes_its_share(name, reservations, config, expected):
    context = StackContext(stack=name, project="tap", config={"aws:region": "us-east-1"})
    functions = [function(f"fn-{i}-{name}", r) for i, r in enumerate(reservations)]
    assert_findings(check_stack(NAME, stack(*functions), config=config, stack=context), expected)


def test_a_stack_tag_states_the_class():
    tagged = StackContext(stack="prod", project="tap", config={"aws:region": "us-east-1"},
                          tags={"environment-class": "ephemeral"})
    assert_findings(check_stack(NAME, stack(function("a-prod", 100)), stack=tagged),
                    ["expected at most 90", "the environment is ephemeral (from the stack tag 'environment-class'"])
    assert check_stack(NAME, stack(function("a-prod", 100)), stack=STACK) == []


def test_the_share_applies_to_the_configured_quota_not_to_the_accounts_own_figures(monkeypatch):
    from policies.lambda_ import account_concurrency
    from policies.lambda_.account_concurrency import Account

    monkeypatch.setattr(account_concurrency, "read", lambda functions, stack, region: Account(1000, 1000, {}))
    context = StackContext(stack="pr1", project="tap", config={"aws:region": "us-east-1"})
    assert check_stack(NAME, stack(function("a-pr1", 500)), config={"readAccount": True}, stack=context) == []
    assert check_stack(NAME, stack(function("a-pr1", 500)), stack=context) != []


def test_the_quota_must_be_positive():
    from policies._core.config import ConfigError
    from tests.conftest import analyzer_for

    with pytest.raises(ConfigError, match="accountConcurrency"):
        analyzer_for(NAME, {"accountConcurrency": 0})


# readAccount: the account's own figures decide (tests/policies/lambda_/test_account_concurrency.py reads them).

class _Lambda:
    """What Lambda answers for one account: its quota, what is unreserved, and the present reservations."""

    def __init__(self, quota, unreserved, present=None, failure=None):
        self.quota, self.unreserved, self.present, self.failure = quota, unreserved, present or {}, failure

    def get_account_settings(self):
        if self.failure:
            raise self.failure
        return {"AccountLimit": {"ConcurrentExecutions": self.quota,
                                 "UnreservedConcurrentExecutions": self.unreserved}}

    def get_function_concurrency(self, FunctionName):
        if FunctionName not in self.present:
            from botocore.exceptions import ClientError
            raise ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "GetFunctionConcurrency")
        return {"ReservedConcurrentExecutions": self.present[FunctionName]}


@pytest.fixture
def account(monkeypatch):
    from policies.lambda_ import account_concurrency

    def answer(lambda_):
        monkeypatch.setattr(account_concurrency, "_client", lambda profile, region: lambda_)
    return answer


READ = {"readAccount": True}


@pytest.mark.parametrize(("lambda_", "reservations", "expected"), [
    (_Lambda(200, 200), [100], None),
    (_Lambda(200, 200), [150], ["1 Lambda function in region 'us-east-1' reserves 150", "expected at most 100",
                                "the account's quota is 200 (read from Lambda), AWS keeps 100 of it unreserved, so "
                                "at most 100 can be reserved by this stack", "minimum value of [100]",
                                "or have the account's quota raised (Service Quotas"]),
    (_Lambda(10, 10), [5], ["expected at most 0", "quota is 10 (read from Lambda)", "nothing can be reserved",
                            "minimum value of [10]"]),
    (_Lambda(1000, 600), [400, 101], ["reserve 501", "expected at most 500",
                                      "functions outside this stack reserve 400",
                                      "or free what other functions reserve"]),
    (_Lambda(5000, 5000), [1000, 1000], None),
    # The stack's function fn-0-dev already reserves 400: the update keeps it and adds 300.
    (_Lambda(1000, 500, {"fn-0-dev": 400}), [400, 300], None),
    (_Lambda(1000, 500, {"fn-0-dev": 400}), [400, 600], ["reserve 1000", "expected at most 800",
                                                         "functions outside this stack reserve 100"]),
], ids=["within-a-small-quota", "over-a-small-quota", "a-new-account", "others-reserve-the-rest",
        "a-large-quota-allows-what-the-default-would-not", "present-reservations-come-back",
        "present-reservations-come-back-and-still-over"])
def test_read_from_the_account(account, lambda_, reservations, expected):
    account(lambda_)
    functions = [function(f"fn-{i}-dev", r) for i, r in enumerate(reservations)]
    assert_findings(check_stack(NAME, stack(*functions), config=READ, stack=STACK), expected)


def test_a_function_changed_in_place_gives_its_reservation_back(account):
    account(_Lambda(1000, 100, {"a-dev": 800}))
    assert check_stack(NAME, stack(function("a-dev", 700)), config=READ, stack=STACK) == []
    assert_findings(check_stack(NAME, stack(function("a-dev", 850)), config=READ, stack=STACK),
                    ["reserves 850", "expected at most 800"])


def test_a_reservation_moved_to_another_function_counts_twice_while_the_update_runs(account):
    account(_Lambda(1000, 100, {"old-dev": 800}))
    functions = [function("old-dev", None), function("new-dev", 800)]
    assert_findings(check_stack(NAME, stack(*functions), config=READ, stack=STACK),
                    ["2 Lambda functions in region 'us-east-1' reserve 1600", "'old-dev' 800 (reserved today)",
                     "expected at most 800", "Pulumi may set the others first"])


def test_a_function_whose_new_reservation_is_unknown_keeps_its_present_one(account):
    account(_Lambda(1000, 100, {"a-dev": 800}))
    functions = [function("a-dev", UNKNOWN), function("b-dev", 100)]
    assert_findings(check_stack(NAME, stack(*functions), config=READ, stack=STACK),
                    ["reserve 900", "'a-dev' 800 (reserved today)", "expected at most 800"])


def test_an_account_that_cannot_be_read_falls_back_to_the_configured_quota(account):
    from botocore.exceptions import NoCredentialsError

    account(_Lambda(0, 0, failure=NoCredentialsError()))
    findings = check_stack(NAME, stack(function("a-dev", 950)), config=READ, stack=STACK)
    assert_findings(findings, ["expected at most 900", "quota of 1000",
                               "(readAccount: the account could not be read: NoCredentialsError)"])
    assert check_stack(NAME, stack(function("a-dev", 900)), config=READ, stack=STACK) == []


def test_the_account_is_read_only_when_asked(monkeypatch):
    from policies.lambda_ import account_concurrency

    calls = []
    monkeypatch.setattr(account_concurrency, "_client", lambda profile, region: calls.append(region))
    assert check_stack(NAME, stack(function("a-dev", 950)), stack=STACK) != []
    assert check_stack(NAME, stack(function("a-dev", 10)), stack=STACK) == []
    assert calls == []
    check_stack(NAME, stack(function("a-dev", 10)), config=READ, stack=STACK)
    assert calls == ["us-east-1"]


def test_two_providers_that_reach_one_account_and_region_share_its_quota():
    from policies._core.resource import Provider
    from policies._core.values import Props

    def provider(name, **props):
        return Provider("pulumi:providers:aws", f"urn:pulumi:dev::tap::pulumi:providers:aws::{name}", name,
                        Props.from_dict({"region": "us-east-1", **props}))

    def behind(name, reserved, via):
        return Resource.of(FUNCTION, {"name": name, "reservedConcurrentExecutions": reserved}, name=name,
                           provider=via)

    tagged, other_account = provider("tagged"), provider("prod", profile="prod")
    findings = check_stack(NAME, stack(behind("a-dev", 500, provider("default_7_51_1")), behind("b-dev", 500, tagged)),
                           stack=STACK)
    assert_findings(findings, ["2 Lambda functions in region 'us-east-1' reserve 1000", "expected at most 900"])
    assert "provider" not in findings[0].message.split(" reserve ")[0], "two providers: the place is named alone"
    findings = check_stack(NAME, stack(behind("a-dev", 500, tagged), behind("b-dev", 500, tagged)), stack=STACK)
    assert_findings(findings, "2 Lambda functions in region 'us-east-1' (provider 'tagged') reserve 1000")
    assert check_stack(NAME, stack(behind("a-dev", 500, tagged), behind("b-dev", 500, other_account)),
                       stack=STACK) == [], "another profile: another account"
