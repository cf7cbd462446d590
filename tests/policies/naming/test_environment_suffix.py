import pytest

from policies._core.context import StackContext
from policies._core.values import UNKNOWN, Secret
from policies.naming.environment_suffix import carries
from tests.conftest import check

NAME = "environment-suffix-naming"
TABLE = "aws:dynamodb/table:Table"
BUCKET = "aws:s3/bucket:Bucket"
RDS = "aws:rds/cluster:Cluster"

CASES = [
    # (id, type, logical name, props, config, expected substrings, or None for silence)
    ("physical-and-logical-compliant", TABLE, "transactions-dev", {"name": "transactions-dev"}, {}, None),
    ("physical-missing-suffix", TABLE, "transactions-dev", {"name": "transactions"}, {},
     ["name is 'transactions'", "'dev' (from the stack name)", 'name=f"transactions-{environment_suffix}"']),
    ("autonamed-logical-compliant", TABLE, "transactions-dev", {}, {}, None),
    ("autonamed-logical-missing", TABLE, "transactions", {}, {},
     ["logical name 'transactions'", "derives one from the logical name",
      'aws.dynamodb.Table(f"transactions-{environment_suffix}", ...)']),
    ("logical-missing-physical-ok", TABLE, "transactions", {"name": "transactions-dev"}, {},
     ["logical name 'transactions'"]),
    ("logical-unchecked-by-config", TABLE, "transactions", {"name": "transactions-dev"},
     {"checkLogicalNames": False}, None),
    ("autonamed-checked-even-when-logical-off", TABLE, "transactions", {}, {"checkLogicalNames": False},
     ["logical name 'transactions'"]),
    ("unknown-physical-skipped", TABLE, "transactions-dev", {"name": UNKNOWN}, {}, None),
    ("secret-physical-not-printed", TABLE, "t-dev", {"name": Secret("transactions-prod")}, {},
     ["name is [secret]"]),
    ("secret-physical-compliant", TABLE, "t-dev", {"name": Secret("transactions-dev")}, {}, None),
    ("wrong-type-physical-ignored", TABLE, "t-dev", {"name": 42}, {}, None),
    ("suffix-must-be-a-word", TABLE, "t-dev", {"name": "devices"}, {}, ["name is 'devices'"]),
    ("case-insensitive", TABLE, "t-DEV", {"name": "Transactions-Dev"}, {}, None),
    ("bucket-property", BUCKET, "data-dev", {"bucket": "tap-data"}, {}, ['bucket=f"tap-data-{environment_suffix}"']),
    ("bucket-with-account-id", BUCKET, "data-dev", {"bucket": "tap-data-dev-123456789012"}, {}, None),
    ("name-prefix", BUCKET, "data-dev", {"bucketPrefix": "tap-data-dev-"}, {}, None),
    ("name-prefix-missing", BUCKET, "data-dev", {"bucketPrefix": "tap-data-"}, {}, ["bucketPrefix is 'tap-data-'"]),
    ("rds-identifier", RDS, "db-dev", {"clusterIdentifier": "db"}, {}, ["clusterIdentifier is 'db'",
                                                                        "cluster_identifier="]),
    ("position-end-ok", TABLE, "t-dev", {"name": "tx-dev"}, {"position": "end"}, None),
    ("position-end-violated", TABLE, "t-dev", {"name": "dev-tx"}, {"position": "end"}, ["at its end"]),
    ("position-start", TABLE, "dev-t", {"name": "dev-tx"}, {"position": "start"}, None),
    ("exempt-type-default", "aws:lambda/alias:Alias", "live", {"name": "live"}, {}, None),
    ("exempt-type-config", TABLE, "t", {"name": "t"}, {"exemptTypes": [TABLE]}, None),
    ("no-name-property-logical-only", "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "attach", {}, {},
     ["logical name 'attach'"]),
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
    if expected is None:
        assert findings == []
    else:
        joined = "\n".join(f.message for f in findings)
        for text in expected:
            assert text in joined
        assert "transactions-prod" not in joined


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
