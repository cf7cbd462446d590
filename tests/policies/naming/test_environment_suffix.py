import pytest

from policies._core.context import StackContext
from policies._core.values import UNKNOWN, Secret
from policies.naming.environment_suffix import carries
from tests.conftest import assert_findings, check

NAME = "environment-suffix-naming"
TABLE = "aws:dynamodb/table:Table"
BUCKET = "aws:s3/bucket:Bucket"
RDS = "aws:rds/cluster:Cluster"

CASES = [
    # (id, type, logical name, props, config, expected substrings, or None for silence)
    ("physical-compliant", TABLE, "transactions", {"name": "transactions-dev"}, {}, None),
    ("physical-missing-suffix", TABLE, "transactions-dev", {"name": "transactions"}, {},
     ["name is 'transactions'", "'dev' (from the stack name)", 'name=f"transactions-{environment_suffix}"',
      "unique"]),
    ("autonamed-by-pulumi", TABLE, "transactions", {"name": "transactions-3f9a0c1"}, {}, None),
    ("autonamed-bucket-lower-cased", BUCKET, "DataBucket", {"bucket": "databucket-0a1b2c3"}, {}, None),
    ("autonamed-logical-cut-short", TABLE, "a-very-long-logical-name", {"name": "a-very-long-lo-0a1b2c3"}, {},
     None),
    ("hex-tail-of-another-name-is-explicit", TABLE, "orders", {"name": "payments-0a1b2c3"}, {},
     ["name is 'payments-0a1b2c3'"]),
    ("random-hex-part-cannot-collide", BUCKET, "data", {"bucket": "tap-data-useast1-3fa9c1d2"}, {}, None),
    ("random-string-part-cannot-collide", TABLE, "t", {"name": "orders-k3x9q2mz"}, {}, None),
    ("digits-people-write-are-no-random-part", BUCKET, "data", {"bucket": "tap-data-2024-v2"}, {},
     ["bucket is 'tap-data-2024-v2'"]),
    ("no-physical-name-set", TABLE, "transactions", {}, {}, None),
    ("logical-not-checked-by-default", TABLE, "transactions", {"name": "transactions-dev"}, {}, None),
    ("logical-checked-when-asked", TABLE, "transactions", {}, {"checkLogicalNames": True},
     ["the logical name is 'transactions'", 'aws.dynamodb.Table(f"transactions-{environment_suffix}", ...)']),
    ("logical-option-ignores-types-without-names", "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
     "attach", {}, {"checkLogicalNames": True}, None),
    ("logical-option-when-physical-set-is-silent", TABLE, "transactions", {"name": "transactions-dev"},
     {"checkLogicalNames": True}, None),
    ("unknown-physical-skipped", TABLE, "transactions-dev", {"name": UNKNOWN}, {}, None),
    ("secret-physical-not-printed", TABLE, "t-dev", {"name": Secret("transactions-prod")}, {},
     ["name is [secret]"]),
    ("secret-physical-compliant", TABLE, "t-dev", {"name": Secret("transactions-dev")}, {}, None),
    ("wrong-type-physical-ignored", TABLE, "t-dev", {"name": 42}, {}, None),
    ("suffix-must-be-a-word", TABLE, "t-dev", {"name": "devices"}, {}, ["name is 'devices'"]),
    ("case-insensitive", TABLE, "t-DEV", {"name": "Transactions-Dev"}, {}, None),
    ("bucket-property", BUCKET, "data-dev", {"bucket": "tap-data"}, {}, ['bucket=f"tap-data-{environment_suffix}"']),
    ("bucket-with-account-id", BUCKET, "data-dev", {"bucket": "tap-data-dev-123456789012"}, {}, None),
    ("name-prefix-is-completed-by-the-provider", BUCKET, "data", {"bucketPrefix": "tap-data-"}, {}, None),
    ("rds-identifier", RDS, "db-dev", {"clusterIdentifier": "db"}, {}, ["clusterIdentifier is 'db'",
                                                                        "cluster_identifier="]),
    ("fixed-environment-word-replaced-in-fix", TABLE, "t", {"name": "orders-prod"}, {},
     ["name is 'orders-prod'", 'name=f"orders-{environment_suffix}"']),
    ("template-text-python-did-not-fill", TABLE, "t", {"name": "orders-${ENVIRONMENT_SUFFIX}"}, {},
     ["name is 'orders-${ENVIRONMENT_SUFFIX}'"]),
    ("position-end-ok", TABLE, "t-dev", {"name": "tx-dev"}, {"position": "end"}, None),
    ("position-end-violated", TABLE, "t-dev", {"name": "dev-tx"}, {"position": "end"}, ["at its end"]),
    ("position-start", TABLE, "dev-t", {"name": "dev-tx"}, {"position": "start"}, None),
    ("parent-scoped-model", "aws:apigateway/model:Model", "m", {"name": "OrderModel", "restApi": UNKNOWN}, {},
     None),
    ("parent-scoped-inline-policy", "aws:iam/rolePolicy:RolePolicy", "p", {"name": "s3-access"}, {}, None),
    ("parent-scoped-security-group", "aws:ec2/securityGroup:SecurityGroup", "sg", {"name": "web"}, {}, None),
    ("parent-scoped-lambda-alias", "aws:lambda/alias:Alias", "live", {"name": "live"}, {}, None),
    ("name-aws-does-not-require-unique", "aws:apigateway/restApi:RestApi", "api", {"name": "orders-api"}, {},
     None),
    ("aws-fixed-name", "aws:iam/role:Role", "dms", {"name": "dms-vpc-role"}, {}, None),
    ("exempt-type-config", TABLE, "t", {"name": "t"}, {"exemptTypes": [TABLE]}, None),
    ("reference-name-not-checked", "aws:cfg/recorderStatus:RecorderStatus", "status-dev", {"name": "recorder"},
     {}, None),
    ("policy-config-suffix-wins", TABLE, "t-pr7", {"name": "t-pr7"}, {"environmentSuffix": "pr7"}, None),
    ("policy-config-suffix-reported", TABLE, "t-dev", {"name": "t-dev"}, {"environmentSuffix": "pr7"},
     ["'pr7' (from the policy config 'environmentSuffix')"]),
]


@pytest.mark.parametrize(("type_", "logical", "props", "config", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_cases(type_, logical, props, config, expected):
    findings = check(NAME, type_, props, name=logical, config=config)
    found = assert_findings(findings, expected)  # one finding per mistake
    if found is not None:
        assert "transactions-prod" not in found.message


def test_non_aws_resources_are_ignored():
    assert check(NAME, "random:index/randomPassword:RandomPassword", {}, name="pw") == []
    assert check(NAME, "pulumi:providers:aws", {"region": "us-east-1"}, name="default") == []


@pytest.mark.parametrize(("stack", "expected_source"), [
    (StackContext(stack="dev", config={"tap:environmentSuffix": "pr5"}, environ={"ENVIRONMENT_SUFFIX": "qa"}),
     "'pr5' (from the stack config 'tap:environmentSuffix')"),
    (StackContext(stack="dev", environ={"ENVIRONMENT_SUFFIX": "qa"}),
     "'qa' (from the ENVIRONMENT_SUFFIX environment variable)"),
    (StackContext(stack="staging"), "'staging' (from the stack name)"),
])
def test_suffix_resolution_order(stack, expected_source):
    findings = check(NAME, TABLE, {"name": "transactions"}, name="t", stack=stack)
    assert findings and all(expected_source in f.message for f in findings)


def test_no_suffix_anywhere_is_silent():
    assert check(NAME, TABLE, {"name": "t"}, name="t", stack=StackContext()) == []


@pytest.mark.parametrize(("name", "suffix", "ok"), [
    ("api-dev", "dev", True), ("api_dev", "dev", True), ("/aws/lambda/api-dev", "dev", True),
    ("apidev", "dev", False), ("dev", "dev", True), ("api-pr-12-x", "pr-12", True), ("api.dev.x", "dev", True),
])
def test_carries(name, suffix, ok):
    assert carries(name, suffix, "anywhere") is ok


def test_a_finding_is_data():
    (finding,) = check(NAME, TABLE, {"name": "orders-prod"}, name="orders")
    assert finding.property == "name"
    assert finding.found == "'orders-prod'"
    assert finding.expected == "the environment suffix 'dev' (from the stack name) as a separate word"
    assert finding.fix == 'name=f"orders-{environment_suffix}"'
    assert finding.cause == "token:prod"
    assert finding.message.startswith("aws:dynamodb/table:Table 'orders': name is 'orders-prod'; expected ")
    assert finding.message.endswith("\nFix: " + finding.fix)
