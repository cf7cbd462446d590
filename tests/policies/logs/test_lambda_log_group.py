import pytest

from policies._core.context import StackContext
from policies._core.resource import Resource, make_urn
from policies._core.values import UNKNOWN, Secret
from tests.conftest import assert_findings, check_stack

NAME = "lambda-log-group"
FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
STACK = StackContext(stack="dev", project="tap", config={"aws:region": "us-east-1"})


GROUP_URN = make_urn(LOG_GROUP, "webhook-logs")
FUNCTION_URN = make_urn(FUNCTION, "webhook-dev")
COMPONENT = "tap:stack:TapStack"
REGION_FROM_OUTPUT = {"region": (make_urn("aws:ssm/parameter:Parameter", "region"),)}


def function(deps=(GROUP_URN,), links=None, parent=None, **changes):
    """The function, by default depending on the group 'webhook-logs' (``depends_on=[log_group]``)."""
    props = {"name": "webhook-dev", "runtime": "python3.12", "region": "us-east-1", **changes}
    return Resource.of(FUNCTION, props, name="webhook-dev", dependencies=deps, property_dependencies=links,
                       parent=parent)


def group(name="/aws/lambda/webhook-dev", logical="webhook-logs", deps=(), links=None, **changes):
    props = {"name": name, "retentionInDays": 14, "region": "us-east-1", **changes}
    return Resource.of(LOG_GROUP, {k: v for k, v in props.items() if v is not None}, name=logical,
                       dependencies=deps, property_dependencies=links)


def other(type_, name, deps=(), parent=None):
    return Resource.of(type_, {}, name=name, dependencies=deps, parent=parent)


UNORDERED = ["aws:lambda/function:Function 'webhook-dev': does not depend on its log group "
             "aws:cloudwatch/logGroup:LogGroup 'webhook-logs' ('/aws/lambda/webhook-dev')",
             "nothing orders the two, so Pulumi creates them in parallel",
             "creating the group then fails with ResourceAlreadyExistsException",
             'Fix: aws.lambda_.Function("webhook-dev", ..., opts=pulumi.ResourceOptions(depends_on=[log_group])), '
             'log_group being the aws.cloudwatch.LogGroup "webhook-logs"']


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
    # Creation order: the function must come after its group.
    ("no-dependency", [function(deps=()), group()], {}, ("webhook-dev", UNORDERED)),
    ("no-dependency-check-off", [function(deps=()), group()], {"checkDependency": False}, None),
    ("no-dependency-on-custom-group", [function(deps=(), loggingConfig={"logFormat": "JSON",
                                                                       "logGroup": "/app/webhook-dev"}),
                                       group("/app/webhook-dev")], {},
     ("webhook-dev", ["does not depend on its log group aws:cloudwatch/logGroup:LogGroup 'webhook-logs' "
                      "('/app/webhook-dev')", "makes Lambda create '/app/webhook-dev' itself"])),
    ("depends-through-logging-config", [
        function(deps=(GROUP_URN,), links={"loggingConfig": (GROUP_URN,)},
                 loggingConfig={"logFormat": "Text", "logGroup": "/aws/lambda/webhook-dev"}), group()], {}, None),
    ("depends-through-property-only", [function(deps=(), links={"loggingConfig": (GROUP_URN,)}), group()], {}, None),
    ("depends-through-its-parent", [
        function(deps=(), parent=make_urn(COMPONENT, "api")),
        other(COMPONENT, "api", deps=(GROUP_URN,)), group()], {}, None),
    ("depends-transitively", [
        function(deps=(make_urn("aws:iam/rolePolicy:RolePolicy", "logs"),)),
        other("aws:iam/rolePolicy:RolePolicy", "logs", deps=(GROUP_URN,)), group()], {}, None),
    ("depends-on-something-else", [
        function(deps=(make_urn("aws:iam/role:Role", "role"),)), other("aws:iam/role:Role", "role"), group()], {},
     ("webhook-dev", UNORDERED)),
    ("group-named-from-the-function", [function(deps=()), group(deps=(FUNCTION_URN,))], {},
     ("webhook-dev", ["but the group depends on the function (its name, or another argument, comes from the "
                      "function's outputs), so Pulumi creates it after the function",
                      'Fix: create the group first, from nothing of the function\'s: log_group = '
                      'aws.cloudwatch.LogGroup("webhook-logs", name=f"/aws/lambda/{function_name}", ...), with '
                      "function_name the text the function's name= is built from, and pass "
                      "opts=pulumi.ResourceOptions(depends_on=[log_group]) to the function",
                      "When Pulumi generates the function's name, give the group a name of its own and set "
                      'logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="Text", '
                      "log_group=log_group.name) on the function instead."])),
    ("group-child-of-the-function", [function(deps=()), Resource.of(
        LOG_GROUP, {"name": "/aws/lambda/webhook-dev", "retentionInDays": 7, "region": "us-east-1"},
        name="webhook-logs", parent=FUNCTION_URN)], {},
     ("webhook-dev", ["but the group is the function's child, so Pulumi creates it after the function",
                      'name=f"/aws/lambda/{function_name}", ..., without parent=<the function>)'])),
    ("group-grandchild-of-the-function", [
        function(deps=()), other(COMPONENT, "logs", parent=FUNCTION_URN),
        Resource.of(LOG_GROUP, {"name": "/aws/lambda/webhook-dev", "region": "us-east-1"}, name="webhook-logs",
                    parent=make_urn(COMPONENT, "logs"))], {},
     ("webhook-dev", ["the group is the function's child"])),
    ("custom-group-after-the-function", [
        function(deps=(), loggingConfig={"logFormat": "JSON", "logGroup": "/app/webhook-dev"}),
        group("/app/webhook-dev", deps=(FUNCTION_URN,))], {},
     ("webhook-dev", ["log_group = aws.cloudwatch.LogGroup(\"webhook-logs\", name='/app/webhook-dev', ...)"])),
    ("depends-on-one-of-two-same-named-groups", [
        function(), group(), group(logical="again", region=UNKNOWN, links=REGION_FROM_OUTPUT)], {}, None),
    ("no-dependency-group-place-unknown", [function(deps=()), group(region=UNKNOWN, links=REGION_FROM_OUTPUT)], {},
     None),
    ("no-dependency-function-place-unknown", [function(deps=(), region=UNKNOWN, links=REGION_FROM_OUTPUT), group()],
     {}, None),
    ("no-dependency-secret-name-not-printed", [function(deps=(), name=Secret("webhook-dev")), group()], {},
     ("webhook-dev", ["('/aws/lambda/[secret]')"])),
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
    functions = [Resource.of(FUNCTION, {"name": f"fn-{i}"}, name=f"fn-{i}",
                             dependencies=(make_urn(LOG_GROUP, f"g{i}"),)) for i in range(3)]
    groups = [group(f"/aws/lambda/fn-{i}", logical=f"g{i}") for i in (0, 2)]
    findings = check_stack(NAME, [*functions, *groups], stack=STACK)
    assert [f.urn.rsplit("::", 1)[1] for f in findings] == ["fn-1"]


def test_other_types_are_ignored():
    assert check_stack(NAME, [group()], stack=STACK) == []


def test_a_dependency_through_nested_components_counts():
    """Each function is the child of a chain of components whose top depends on the function's group."""
    resources = []
    for i in range(30):
        chain = [make_urn(COMPONENT, f"c{i}-{j}") for j in range(20)]
        resources += [group(f"/aws/lambda/fn-{i}", logical=f"g{i}"),
                      other(COMPONENT, f"c{i}-0", deps=(make_urn(LOG_GROUP, f"g{i}"),)),
                      *(other(COMPONENT, f"c{i}-{j}", parent=chain[j - 1]) for j in range(1, 20)),
                      Resource.of(FUNCTION, {"name": f"fn-{i}"}, name=f"fn-{i}", parent=chain[-1])]
    assert check_stack(NAME, resources, stack=STACK) == []


def test_only_the_function_without_a_dependency_is_reported():
    shared = make_urn(COMPONENT, "api")
    resources = [other(COMPONENT, "api", deps=(make_urn(LOG_GROUP, "g0"),)),
                 Resource.of(FUNCTION, {"name": "fn-0"}, name="fn-0", parent=shared),
                 Resource.of(FUNCTION, {"name": "fn-1"}, name="fn-1", parent=shared),
                 group("/aws/lambda/fn-0", logical="g0"), group("/aws/lambda/fn-1", logical="g1")]
    findings = check_stack(NAME, resources, stack=STACK)
    assert [f.urn.rsplit("::", 1)[1] for f in findings] == ["fn-1"]
    assert "does not depend on its log group aws:cloudwatch/logGroup:LogGroup 'g1'" in findings[0].message
