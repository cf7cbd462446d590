import pytest

from policies import STACK_TYPE as STACK
from policies._core.resource import Resource
from policies._core.values import UNKNOWN, Secret
from tests.conftest import assert_findings, check_stack

NAME = "key-resource-exports"
TABLE = "aws:dynamodb/table:Table"
TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/transactions-dev"
ROOT_URN = f"urn:pulumi:dev::project::{STACK}::tap-dev"


def root(**exports):
    return Resource.of(STACK, exports, name="tap-dev", urn=ROOT_URN)


def table(**changes):
    props = {"name": "transactions-dev", "arn": TABLE_ARN, "id": "transactions-dev", **changes}
    return Resource.of(TABLE, props, name="transactions-dev", parent=ROOT_URN)


CASES = [
    ("name-exported", {"table_name": "transactions-dev"}, {}, None),
    ("arn-exported", {"table_arn": TABLE_ARN}, {}, None),
    ("stream-arn-holds-the-table-arn", {"stream": TABLE_ARN + "/stream/2024-01-01T00:00:00.000"}, {}, None),
    ("inside-a-json-document", {"config": '{"tables": ["transactions-dev"]}'}, {}, None),
    ("nested-export", {"tables": {"main": ["transactions-dev"]}}, {}, None),
    ("secret-export-matches", {"table_name": Secret("transactions-dev")}, {}, None),
    ("not-exported", {"api_url": "https://abc.execute-api.us-east-1.amazonaws.com/"}, {},
     ["aws:dynamodb/table:Table 'transactions-dev': none of its identifiers (name 'transactions-dev', arn "
      f"'{TABLE_ARN}', id 'transactions-dev') is among the stack's 1 exports",
      "expected its name or arn to be exported",
      'Fix: pulumi.export("transactions_dev_name", table.name)']),
    ("longer-name-is-not-a-match", {"archive": "transactions-dev-archive"}, {}, ["none of its identifiers"]),
    ("number-exports-are-ignored", {"count": 3, "enabled": True}, {}, ["none of its identifiers"]),
    ("unknown-export-silences", {"api_url": "https://x", "table_arn": UNKNOWN}, {}, None),
    ("nested-unknown-silences", {"api_url": "https://x", "all": {"arns": [UNKNOWN]}}, {}, None),
    ("unknown-inside-secret-silences", {"api_url": "https://x", "s": Secret(UNKNOWN)}, {}, None),
    ("type-not-checked", {"api_url": "https://x"}, {"types": ["aws:sqs/queue:Queue"]}, None),
]


@pytest.mark.parametrize(("exports", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(exports, config, expected):
    resources = [root(**exports), table()]
    findings = check_stack(NAME, resources, config=config)
    assert_findings(findings, expected, on=resources[1].urn)


def test_no_exports_is_left_to_stack_exports():
    assert check_stack(NAME, [root(), table()]) == []


def test_identifiers_unknown_and_exports_known():
    [finding] = check_stack(NAME, [root(region="us-east-1"), table(name=UNKNOWN, arn=UNKNOWN, id=UNKNOWN)])
    assert "its identifiers (name, arn, streamArn, id) are not known yet, so none of the stack's 1 exports, " \
           "all known, can be one of them" in finding.message


def test_secret_identifiers_are_never_printed():
    [finding] = check_stack(NAME, [root(region="us-east-1"), table(name=Secret("hidden-name"), arn=UNKNOWN,
                                                                        id=Secret("hidden-name"))])
    assert "hidden" not in finding.message
    assert "name [secret]" in finding.message


def test_short_identifiers_match_only_exactly():
    vpc = Resource.of("aws:ec2/vpc:Vpc", {"id": "vpc1"}, name="vpc")
    assert len(check_stack(NAME, [root(subnet="subnet-vpc1"), vpc])) == 1
    assert check_stack(NAME, [root(vpc="vpc1"), vpc]) == []


def test_kms_key_exported_through_its_alias():
    key = Resource.of("aws:kms/key:Key", {"keyId": "1234abcd-12ab", "arn": "arn:aws:kms:us-east-1:1:key/1234abcd-12ab"},
                      name="data-key")
    alias = Resource.of("aws:kms/alias:Alias", {"name": "alias/data-dev", "targetKeyId": "1234abcd-12ab"}, name="a")
    assert check_stack(NAME, [root(key_alias="alias/data-dev"), key, alias]) == []
    assert len(check_stack(NAME, [root(key_alias="alias/other"), key, alias])) == 1


def test_api_stage_found_through_the_api_endpoint():
    stage = Resource.of("aws:apigatewayv2/stage:Stage", {"name": "$default", "apiId": "a1b2c3d4e5",
                                                         "invokeUrl": "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/"},
                        name="stage")
    assert check_stack(NAME, [root(api="https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"), stage]) == []


def test_function_and_function_url_are_separate_key_resources():
    function = Resource.of("aws:lambda/function:Function",
                           {"name": "webhook-dev", "arn": "arn:aws:lambda:::webhook-dev"}, name="webhook")
    url = Resource.of("aws:lambda/functionUrl:FunctionUrl", {"functionName": "webhook-dev", "urlId": "abcdefghij",
                                                             "functionUrl": "https://abcdefghij.lambda-url.on.aws/"},
                      name="webhook-url")
    findings = check_stack(NAME, [root(function_name="webhook-dev"), function, url])
    assert [f.urn for f in findings] == [url.urn]
    assert 'pulumi.export("webhook_url_function_url", function_url.function_url)' in findings[0].message


def test_resources_inside_a_component_get_the_register_outputs_hint():
    component = Resource.of("tap:index:TapStack", {}, name="tap", parent=ROOT_URN)
    inner = Resource.of(TABLE, {"name": "t-dev"}, name="t-dev", parent=component.urn)
    [finding] = check_stack(NAME, [root(region="us-east-1"), component, inner])
    assert "It is built inside tap:index:TapStack 'tap', whose register_outputs() does not export it" in finding.message


def test_types_not_in_the_table_use_name_arn_id():
    repo = Resource.of("aws:codecommit/repository:Repository", {"arn": "arn:aws:codecommit:::repo-dev"}, name="repo")
    config = {"types": ["aws:codecommit/repository:Repository"]}
    assert check_stack(NAME, [root(repo="arn:aws:codecommit:::repo-dev"), repo], config=config) == []
    assert len(check_stack(NAME, [root(repo="x"), repo], config=config)) == 1
