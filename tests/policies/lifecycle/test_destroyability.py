import pytest

from policies._core import config as config_mod
from policies._core.context import StackContext
from policies._core.options import ResourceOptions
from policies._core.resource import Resource
from policies._core.values import UNKNOWN, Secret
from tests.conftest import analyzer_for, assert_findings, check

NAME = "destroyability"
SECRET = "aws:secretsmanager/secret:Secret"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/instance:Instance"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
REPOSITORY = "aws:ecr/repository:Repository"
TABLE = "aws:dynamodb/table:Table"
LB = "aws:lb/loadBalancer:LoadBalancer"
ALB = "aws:alb/loadBalancer:LoadBalancer"

EPHEMERAL = StackContext(stack="pr42", project="tap")
PERSISTENT = StackContext(stack="prod", project="tap")
EPHEMERAL_TEXT = "the environment is ephemeral (suffix 'pr42' (from the stack name) matches ephemeralPattern"
PERSISTENT_TEXT = "the environment is persistent (suffix 'prod' (from the stack name) does not match ephemeralPattern"

EPHEMERAL_CASES = [
    ("secret-compliant", SECRET, {"recoveryWindowInDays": 0}, None),
    ("secret-window-absent", SECRET, {"name": "api-key-dev"},
     ["recoveryWindowInDays is not set (30 by default); expected 0: " + EPHEMERAL_TEXT,
      "the deleted secret lingers for its recovery window", "Fix: recovery_window_in_days=0"]),
    ("secret-window-defaulted-by-provider", SECRET,
     {"name": "api-key-dev", "recoveryWindowInDays": 30, "__defaults": ["recoveryWindowInDays"]},
     ["recoveryWindowInDays is not set (30 by default)"]),
    ("secret-window-7", SECRET, {"name": "api-key-dev", "recoveryWindowInDays": 7},
     ["recoveryWindowInDays is 7; expected 0"]),
    ("secret-window-unknown", SECRET, {"recoveryWindowInDays": UNKNOWN}, None),
    ("secret-window-secret", SECRET, {"name": "api-key-dev", "recoveryWindowInDays": Secret(7)},
     ["recoveryWindowInDays is [secret]"]),
    ("secret-window-wrong-type", SECRET, {"name": "api-key-dev", "recoveryWindowInDays": "none"},
     ["recoveryWindowInDays is 'none'"]),
    ("secret-window-numeric-string", SECRET, {"recoveryWindowInDays": "0"}, None),
    ("secret-window-autonamed", SECRET, {"name": "example-dev-1a2b3c4"}, None),
    ("secret-window-name-unset", SECRET, {}, None),
    ("secret-window-name-from-another-output", SECRET, {"name": UNKNOWN}, None),
    ("secret-window-name-prefix", SECRET, {"namePrefix": "api-key-"}, None),
    ("secret-window-name-with-a-random-part", SECRET, {"name": "db-secret-dev-x0n8b2o9"}, None),
    ("cluster-compliant", CLUSTER, {"skipFinalSnapshot": True, "deletionProtection": False}, None),
    ("cluster-final-snapshot", CLUSTER, {},
     ["skipFinalSnapshot is not set (false by default); expected true", "Fix: skip_final_snapshot=True",
      "destroying fails without a finalSnapshotIdentifier"]),
    ("cluster-deletion-protection", CLUSTER, {"skipFinalSnapshot": True, "deletionProtection": True},
     ["deletionProtection is true; expected false", "Fix: deletion_protection=False"]),
    ("instance-final-snapshot", INSTANCE, {"skipFinalSnapshot": False}, ["skipFinalSnapshot is false"]),
    ("instance-unknown", INSTANCE, {"skipFinalSnapshot": UNKNOWN, "deletionProtection": UNKNOWN}, None),
    ("bucket-force-destroy-absent", BUCKET, {},
     ["forceDestroy is not set (false by default); expected true", "while the bucket holds objects",
      "Fix: force_destroy=True"]),
    ("bucket-force-destroy", BUCKET, {"forceDestroy": True}, None),
    ("bucket-v2", BUCKET_V2, {"forceDestroy": False}, ["forceDestroy is false"]),
    ("repository-force-delete", REPOSITORY, {}, ["forceDelete is not set", "Fix: force_delete=True"]),
    ("repository-compliant", REPOSITORY, {"forceDelete": True}, None),
    ("table-protected", TABLE, {"deletionProtectionEnabled": True},
     ["deletionProtectionEnabled is true; expected false", "Fix: deletion_protection_enabled=False"]),
    ("table-compliant", TABLE, {}, None),
    ("lb-protected", LB, {"enableDeletionProtection": True}, ["enableDeletionProtection is true"]),
    ("alb-protected", ALB, {"enableDeletionProtection": Secret(True)}, ["enableDeletionProtection is [secret]"]),
    ("lb-compliant", LB, {"enableDeletionProtection": False}, None),
]

PERSISTENT_CASES = [
    ("secret-window-0", SECRET, {"recoveryWindowInDays": 0},
     ["recoveryWindowInDays is 0; expected 7 to 30 days (30 when not set), not 0: " + PERSISTENT_TEXT,
      "where a secret deleted by mistake must stay restorable", "Fix: recovery_window_in_days=30"]),
    ("secret-default", SECRET, {}, None),
    ("cluster-compliant", CLUSTER, {"deletionProtection": True, "finalSnapshotIdentifier": "orders-final"}, None),
    ("cluster-unprotected", CLUSTER, {"finalSnapshotIdentifier": "orders-final"},
     ["deletionProtection is not set (false by default); expected true: " + PERSISTENT_TEXT,
      "Fix: deletion_protection=True"]),
    ("cluster-skips-snapshot", CLUSTER, {"deletionProtection": True, "skipFinalSnapshot": True},
     ["skipFinalSnapshot is true; expected false", "must keep a final snapshot", "Fix: skip_final_snapshot=False"]),
    ("cluster-no-snapshot-name", CLUSTER, {"deletionProtection": True},
     ["finalSnapshotIdentifier is not set; expected a snapshot name", "skipFinalSnapshot is false",
      "Fix: final_snapshot_identifier=\"example-dev-final\""]),
    ("cluster-snapshot-name-unknown", CLUSTER, {"deletionProtection": True, "finalSnapshotIdentifier": UNKNOWN}, None),
    ("instance-replica", INSTANCE, {"replicateSourceDb": "orders-prod", "deletionProtection": True,
                                    "skipFinalSnapshot": True}, None),
    ("bucket-force-destroy", BUCKET, {"forceDestroy": True},
     ["forceDestroy is true; expected false", "must not delete every object"]),
    ("bucket-default", BUCKET, {}, None),
    ("repository-not-checked", REPOSITORY, {"forceDelete": True}, None),
    ("table-unprotected", TABLE, {}, ["deletionProtectionEnabled is not set (false by default); expected true"]),
    ("table-protection-wrong-type", TABLE, {"deletionProtectionEnabled": "on"},
     ["deletionProtectionEnabled is 'on'; expected true"]),
    ("lb-not-checked", LB, {"enableDeletionProtection": False}, None),
]


def _run(type_, props, expected, stack, config=None):
    findings = check(NAME, type_, props, stack=stack, config=config)
    assert_findings(findings, expected)


@pytest.mark.parametrize(("type_", "props", "expected"), [c[1:] for c in EPHEMERAL_CASES],
                         ids=[c[0] for c in EPHEMERAL_CASES])
def test_ephemeral(type_, props, expected):
    _run(type_, props, expected, EPHEMERAL)


@pytest.mark.parametrize(("type_", "props", "expected"), [c[1:] for c in PERSISTENT_CASES],
                         ids=[c[0] for c in PERSISTENT_CASES])
def test_persistent(type_, props, expected):
    _run(type_, props, expected, PERSISTENT)


@pytest.mark.parametrize("type_", [BUCKET, "aws:kms/key:Key", "aws:sqs/queue:Queue"])
def test_a_protected_resource_blocks_destroying_an_ephemeral_environment(type_):
    props = {"forceDestroy": True} if type_ == BUCKET else {}
    findings = check(NAME, type_, props, stack=EPHEMERAL, options=ResourceOptions(protect=True))
    assert_findings(findings, ["the resource option protect is true; expected false: " + EPHEMERAL_TEXT,
                               "cannot be deleted because it is protected",
                               "Fix: opts=pulumi.ResourceOptions(protect=False)"])
    assert check(NAME, type_, props, stack=EPHEMERAL, options=ResourceOptions(protect=False)) == []
    assert check(NAME, type_, props, stack=EPHEMERAL) == []
    assert check(NAME, type_, {"forceDestroy": False} if type_ == BUCKET else {}, stack=PERSISTENT,
                 options=ResourceOptions(protect=True)) == []


def test_persistent_cluster_can_break_all_three_rules():
    findings = check(NAME, CLUSTER, {"skipFinalSnapshot": False}, stack=PERSISTENT)
    assert [f.property for f in findings] == ["deletionProtection", "finalSnapshotIdentifier"]


def test_persistent_checks_can_be_turned_off():
    assert check(NAME, TABLE, {}, stack=PERSISTENT, config={"checkPersistent": False}) == []


@pytest.mark.parametrize(("stack", "config", "source"), [
    (StackContext(stack="prod"), {"environmentSuffix": "qa"},
     "suffix 'qa' (from the policy config 'environmentSuffix')"),
    (StackContext(stack="prod", config={"tap:environmentSuffix": "pr7"}), {},
     "suffix 'pr7' (from the stack config 'tap:environmentSuffix')"),
    (StackContext(stack="prod", environ={"ENVIRONMENT_SUFFIX": "ci"}), {},
     "suffix 'ci' (from the ENVIRONMENT_SUFFIX environment variable)"),
    (StackContext(stack="feature-login"), {"ephemeralPattern": "^feature-"},
     "suffix 'feature-login' (from the stack name) matches ephemeralPattern '^feature-'"),
])
def test_the_message_says_which_suffix_and_source(stack, config, source):
    findings = check(NAME, BUCKET, {}, stack=stack, config=config)
    assert len(findings) == 1 and source in findings[0].message and "ephemeral" in findings[0].message


@pytest.mark.parametrize("suffix", ["dev", "test", "qa", "ci", "e2e", "sandbox", "preview", "tmp", "dev2", "pr1",
                                    "pr12345", "PR42", "Dev"])
def test_default_pattern_ephemeral(suffix):
    assert check(NAME, BUCKET, {}, stack=StackContext(stack=suffix))[0].message.count("is ephemeral") == 1


@pytest.mark.parametrize("suffix", ["prod", "production", "staging", "stage", "main", "pr", "devops", "qa-prod",
                                    "prod-dev"])
def test_default_pattern_persistent(suffix):
    assert check(NAME, BUCKET, {}, stack=StackContext(stack=suffix)) == []
    assert check(NAME, BUCKET, {"forceDestroy": True}, stack=StackContext(stack=suffix))[0].message.count(
        "is persistent") == 1


def test_no_suffix_is_silent():
    assert check(NAME, BUCKET, {}, stack=StackContext(stack="")) == []


def test_invalid_pattern_is_rejected_with_the_config():
    with pytest.raises(config_mod.ConfigError) as err:
        check(NAME, BUCKET, {}, stack=EPHEMERAL, config={"ephemeralPattern": "(pr"})
    assert "policy 'destroyability': config field 'ephemeralPattern' must be a regular expression" in str(err.value)


@pytest.mark.parametrize(("stack", "type_", "props", "changes"), [
    (EPHEMERAL, BUCKET, {"bucket": "data-pr42"}, {"forceDestroy": True}),
    (EPHEMERAL, SECRET, {"name": "api-key-pr42", "recoveryWindowInDays": 7}, {"recoveryWindowInDays": 0}),
    (EPHEMERAL, CLUSTER, {"deletionProtection": True}, {"skipFinalSnapshot": True, "deletionProtection": False}),
    (EPHEMERAL, REPOSITORY, {}, {"forceDelete": True}),
    (EPHEMERAL, TABLE, {"deletionProtectionEnabled": True}, {"deletionProtectionEnabled": False}),
    (EPHEMERAL, LB, {"enableDeletionProtection": True}, {"enableDeletionProtection": False}),
    (PERSISTENT, CLUSTER, {"skipFinalSnapshot": True}, {"deletionProtection": True}),
    (PERSISTENT, TABLE, {}, {"deletionProtectionEnabled": True}),
    (PERSISTENT, BUCKET, {"forceDestroy": True}, {"forceDestroy": False}),
    (PERSISTENT, SECRET, {"recoveryWindowInDays": 0}, {"recoveryWindowInDays": 30}),
    (EPHEMERAL, BUCKET, {"forceDestroy": True}, None),
    (EPHEMERAL, BUCKET, {"forceDestroy": UNKNOWN}, None),
    (EPHEMERAL, BUCKET, {"forceDestroy": Secret(False)}, None),
    (PERSISTENT, REPOSITORY, {"forceDelete": True}, None),
])
def test_remediation_sets_what_the_class_requires(stack, type_, props, changes):
    analyzer = analyzer_for(NAME, stack=stack, level="remediate")
    applied = analyzer.remediate_resource(Resource.of(type_, props, name="data-pr42"))
    if changes is None:
        assert applied == []
        return
    assert [p.name for p, _ in applied] == [NAME]
    assert applied[0][1] == {**props, **changes}
