import pytest

from policies._core.context import StackContext
from policies._core.resource import Resource
from policies._core.values import UNKNOWN, Secret
from tests.conftest import assert_findings, check_stack

NAME = "lambda-log-group"
FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
STACK = StackContext(stack="dev", project="tap", config={"aws:region": "us-east-1"})


def function(**changes):
    props = {"name": "webhook-dev", "runtime": "python3.12", "region": "us-east-1", **changes}
    return Resource.of(FUNCTION, props, name="webhook-dev")


def group(name="/aws/lambda/webhook-dev", logical="webhook-logs", **changes):
    props = {"name": name, "retentionInDays": 14, "region": "us-east-1", **changes}
    return Resource.of(LOG_GROUP, {k: v for k, v in props.items() if v is not None}, name=logical)


CASES = [
    ("managed-group-with-retention", [function(), group()], {}, None),
    ("no-group", [function()], {},
     ("webhook-dev", ["aws:lambda/function:Function 'webhook-dev': no aws.cloudwatch.LogGroup in the stack is named "
                      "'/aws/lambda/webhook-dev' (from the function's name)",
                      "Lambda creates it on the first invocation and its logs never expire",
                      'log_group = aws.cloudwatch.LogGroup("webhook-dev-logs", retention_in_days=14)',
                      'logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="Text", '
                      'log_group=log_group.name)'])),
    ("group-for-another-function", [function(), group("/aws/lambda/other-dev")], {}, ("webhook-dev", [])),
    ("group-without-retention", [function(), group(retentionInDays=None)], {"checkRetention": True},
     ("webhook-logs", ["its log group aws:cloudwatch/logGroup:LogGroup 'webhook-logs' ('/aws/lambda/webhook-dev') "
                       "has retentionInDays not set", 'aws.cloudwatch.LogGroup("webhook-logs", ..., '
                       "retention_in_days=14)"])),
    ("group-retention-zero", [function(), group(retentionInDays=0)], {"defaultDays": 30, "checkRetention": True},
     ("webhook-logs", ["has retentionInDays 0", "retention_in_days=30"])),
    ("retention-left-to-log-retention-by-default", [function(), group(retentionInDays=None)], {}, None),
    ("retention-unknown", [function(), group(retentionInDays=UNKNOWN)], {"checkRetention": True}, None),
    ("retention-wrong-type-left-to-log-retention", [function(), group(retentionInDays="a week")], {}, None),
    ("one-of-two-groups-has-retention", [function(), group(retentionInDays=None), group(logical="again")],
     {"checkRetention": True}, None),
    ("custom-log-group", [function(loggingConfig={"logFormat": "JSON", "logGroup": "/app/webhook-dev"}),
                          group("/app/webhook-dev")], {}, None),
    ("custom-log-group-missing", [function(loggingConfig={"logFormat": "JSON", "logGroup": "/app/webhook-dev"}),
                                  group()], {},
     ("webhook-dev", ["named '/app/webhook-dev' (from loggingConfig.logGroup)"])),
    ("function-name-unknown", [function(name=UNKNOWN)], {}, None),
    ("function-name-wrong-type", [function(name=42)], {}, None),
    ("logging-config-computed-by-provider", [function(loggingConfig=UNKNOWN)], {}, ("webhook-dev", [])),
    ("group-name-unknown", [function(), group(UNKNOWN)], {}, None),
    ("group-name-unknown-in-another-region", [function(), group(UNKNOWN, region="eu-west-1")], {},
     ("webhook-dev", [])),
    ("group-in-another-region", [function(), group(region="eu-west-1")], {}, ("webhook-dev", [])),
    ("group-region-unknown-from-output", [function(), Resource.of(
        LOG_GROUP, {"name": "/aws/lambda/webhook-dev", "retentionInDays": 7, "region": UNKNOWN}, name="g",
        property_dependencies={"region": ("urn:x",)})], {}, None),
    ("group-region-from-stack-config", [function(), group(region=None)], {}, None),
    ("secret-function-name-not-printed", [function(name=Secret("webhook-secret-name"))], {},
     ("webhook-dev", ["'/aws/lambda/[secret]'"])),
    ("secret-function-name-matches", [function(name=Secret("webhook-dev")), group()], {}, None),
]


@pytest.mark.parametrize(("resources", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(resources, config, expected):
    findings = check_stack(NAME, resources, config=config, stack=STACK)
    found = assert_findings(findings, expected)
    if found is not None:
        assert "webhook-secret-name" not in found.message


def test_logging_config_set_from_an_output_is_quiet_while_unknown():
    fn = Resource.of(FUNCTION, {"name": "webhook-dev", "loggingConfig": UNKNOWN}, name="webhook-dev",
                     property_dependencies={"loggingConfig": ("urn:pulumi:dev::project::aws:x/y:Z::g",)})
    assert check_stack(NAME, [fn], stack=STACK) == []


def test_each_function_is_checked_once_per_stack():
    functions = [Resource.of(FUNCTION, {"name": f"fn-{i}"}, name=f"fn-{i}") for i in range(3)]
    groups = [group(f"/aws/lambda/fn-{i}", logical=f"g{i}") for i in (0, 2)]
    findings = check_stack(NAME, [*functions, *groups], stack=STACK)
    assert [f.urn.rsplit("::", 1)[1] for f in findings] == ["fn-1"]


def test_other_types_are_ignored():
    assert check_stack(NAME, [group()], stack=STACK) == []
