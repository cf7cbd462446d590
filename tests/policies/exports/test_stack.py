import pytest

from policies import STACK_TYPE as STACK
from policies._core.resource import Resource
from policies._core.values import UNKNOWN
from tests.conftest import assert_findings, check_stack

NAME = "stack-exports"
COMPONENT = "tap:index:TapStack"
ROOT_URN = f"urn:pulumi:dev::project::{STACK}::tap-dev"
COMPONENT_URN = f"urn:pulumi:dev::project::{STACK}${COMPONENT}::tap"


def root(**exports):
    return Resource.of(STACK, exports, name="tap-dev", urn=ROOT_URN)


def child(type_, name, props=None, parent=COMPONENT_URN):
    return Resource.of(type_, props or {"name": name}, name=name, parent=parent)


COMPONENT_RESOURCE = Resource.of(COMPONENT, {"table_name": "transactions-dev"}, name="tap", urn=COMPONENT_URN,
                                 parent=ROOT_URN)
TABLE = child("aws:dynamodb/table:Table", "transactions-dev")
FUNCTION = child("aws:lambda/function:Function", "webhook-dev")
ROLE = child("aws:iam/role:Role", "webhook-role-dev")

CASES = [
    ("exports", [root(table_name="transactions-dev"), COMPONENT_RESOURCE, TABLE], {}, None),
    ("unknown-export-values-are-still-exports", [root(table_arn=UNKNOWN), TABLE], {}, None),
    ("nothing-exported", [root(), COMPONENT_RESOURCE, TABLE, FUNCTION, ROLE], {},
     ["pulumi:pulumi:Stack 'tap-dev': the stack exports no outputs (`pulumi stack output --json` returns {})",
      "expected at least one export",
      "The resources are built inside tap:index:TapStack 'tap': a component's register_outputs() does not export",
      'pulumi.export("transactions_dev_name", table.name)  # the aws.dynamodb.Table \'transactions-dev\'',
      'pulumi.export("webhook_dev_name", function.name)  # the aws.lambda_.Function \'webhook-dev\''])
    ,
    ("nothing-exported-no-key-resources", [root(), child("aws:iam/role:Role", "r", parent=ROOT_URN)], {},
     ['pulumi.export("bucket_name", bucket.bucket)']),
    ("empty-stack", [root()], {}, None),
    ("only-providers", [root(), Resource.of("pulumi:providers:aws", {"region": "us-east-1"}, name="default")], {},
     None),
    ("required-present", [root(api_url="https://x", table_name="t")], {"requiredExports": ["api_url", "table_name"]},
     None),
    ("required-missing", [root(api_url=UNKNOWN)], {"requiredExports": ["api_url", "table_name", "queue_url"]},
     ['the stack does not export "table_name", "queue_url"', "requiredExports", 'It exports: "api_url"',
      'pulumi.export("table_name", ...); pulumi.export("queue_url", ...)']),
]


@pytest.mark.parametrize(("resources", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(resources, config, expected):
    findings = check_stack(NAME, resources, config=config)
    assert_findings(findings, expected, on=ROOT_URN)


def test_nothing_exported_and_required_keys_missing_are_two_findings():
    findings = check_stack(NAME, [root(), TABLE], config={"requiredExports": ["table_name"]})
    assert [f.message.split(";")[0].split(": ", 1)[1] for f in findings] == [
        "the stack exports no outputs (`pulumi stack output --json` returns {})",
        'the stack does not export "table_name"']


def test_many_key_resources_are_summarised():
    tables = [child("aws:dynamodb/table:Table", f"t{i}", parent=ROOT_URN) for i in range(8)]
    [finding] = check_stack(NAME, [root(), *tables])
    assert "# ... and 3 more key resources" in finding.message
    assert "register_outputs" not in finding.message


def test_without_a_root_resource_nothing_is_said():
    assert check_stack(NAME, [TABLE]) == []
