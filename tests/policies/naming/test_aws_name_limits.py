import re

import pytest

from policies._core import aws_types
from policies._core.context import StackContext
from policies._core.values import UNKNOWN, Secret
from policies.naming.aws_name_limits import RULES
from tests.conftest import REMOVE, assert_findings, check, merged
from tools.aws_catalog import package_dir

NAME = "aws-name-limits"
BUCKET = "aws:s3/bucket:Bucket"
FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
QUEUE = "aws:sqs/queue:Queue"
TOPIC = "aws:sns/topic:Topic"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
SAMPLING = "aws:xray/samplingRule:SamplingRule"
BASES = {
    BUCKET: {"bucket": "tap-reports-dev"},
    FUNCTION: {"name": "tap-reports-dev", "runtime": "python3.13", "role": "arn", "handler": "app.handler"},
    ROLE: {"name": "tap-reports-role-dev", "assumeRolePolicy": "{}"},
    QUEUE: {"name": "tap-jobs-dev"},
    TOPIC: {"name": "tap-alerts-dev"},
    TARGET_GROUP: {"name": "tap-api-tg-dev", "port": 80, "protocol": "HTTP"},
    SAMPLING: {"ruleName": "tap-api-dev", "priority": 1, "fixedRate": 0.05},
    "aws:rds/cluster:Cluster": {"clusterIdentifier": "payments-dev", "engine": "aurora-postgresql"},
    "aws:rds/subnetGroup:SubnetGroup": {"name": "payments-dev", "subnetIds": ["subnet-1"]},
}
LONG_BUCKET = "tap-financial-transactions-processing-audit-logs-archive-eu1-dev"  # 64

CASES = [
    # (id, type, changes to its BASE, substrings of the one finding, or None for silence)
    *[(f"compliant-{t.split(':')[-1]}", t, {}, None) for t in BASES],
    ("bucket-too-long", BUCKET, {"bucket": LONG_BUCKET},
     [f"bucket is '{LONG_BUCKET}' (64 characters where AWS allows 3 to 63)",
      "Cut to 63 characters, it would lose the environment suffix 'dev'",
      "Limits: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html",
      "Fix: bucket=... of 3 to 63 characters from [a-z0-9.-]"]),
    ("bucket-at-the-limit", BUCKET, {"bucket": LONG_BUCKET[1:]}, None),
    ("bucket-uppercase", BUCKET, {"bucket": "Tap-Reports-dev"}, ["holds 'R', 'T'", 'Fix: bucket="tap-reports-dev"']),
    ("bucket-underscore", BUCKET, {"bucket": "tap_reports_dev"}, ['Fix: bucket="tap-reports-dev"']),
    ("bucket-edge", BUCKET, {"bucket": "tap-reports-dev-"}, ["starts or ends with", 'Fix: bucket="tap-reports-dev"']),
    ("bucket-double-dot", BUCKET, {"bucket": "tap..reports-dev"}, ["holds '..'"]),
    ("bucket-too-short", BUCKET, {"bucket": "ab"}, ["2 characters where AWS allows 3 to 63"]),
    ("bucket-prefix-too-long", BUCKET, {"bucket": REMOVE, "bucketPrefix": "tap-financial-transactions-archive-dev-"},
     ["bucketPrefix is", "39 characters where AWS allows 1 to 37"]),
    ("bucket-unknown", BUCKET, {"bucket": UNKNOWN}, None),
    ("bucket-absent", BUCKET, {"bucket": REMOVE}, None),
    ("bucket-autoname", BUCKET, {"bucket": "example-dev-1a2b3c4"}, None),
    ("bucket-secret", BUCKET, {"bucket": Secret("Not_Valid")}, ["bucket is [secret]; expected a name AWS accepts"]),
    ("bucket-wrong-type", BUCKET, {"bucket": 42}, None),
    ("bucket-stringified-output", BUCKET,
     {"bucket": "Calling __str__ on an Output[T] is not supported. To get the value..."}, None),
    ("placeholder-left-to-suffix-naming", FUNCTION, {"name": "tap-reports-${ENVIRONMENT_SUFFIX}"}, None),
    ("function-too-long", FUNCTION, {"name": "tap-" + "x" * 60 + "-dev"}, ["68 characters where AWS allows 1 to 64"]),
    ("function-dot", FUNCTION, {"name": "tap.reports-dev"}, ["holds '.'", 'Fix: name="tap-reports-dev"']),
    ("role-64", ROLE, {"name": "r" * 60 + "-dev"}, None),
    ("role-65", ROLE, {"name": "r" * 61 + "-dev"}, ["65 characters where AWS allows 1 to 64"]),
    ("queue-fifo-missing", QUEUE, {"name": "tap-jobs-dev", "fifoQueue": True},
     ["lacks the '.fifo' ending", 'Fix: name="tap-jobs-dev.fifo"']),
    ("queue-fifo", QUEUE, {"name": "tap-jobs-dev.fifo", "fifoQueue": True}, None),
    ("queue-fifo-unknown", QUEUE, {"name": "tap-jobs-dev", "fifoQueue": UNKNOWN}, None),
    ("queue-81", QUEUE, {"name": "q" * 77 + "-dev"}, ["81 characters where AWS allows 1 to 80"]),
    ("topic-fifo-missing", TOPIC, {"name": "tap-alerts-dev", "fifoTopic": True}, ["lacks the '.fifo' ending"]),
    ("rds-cluster-from-the-stack-name", "aws:rds/cluster:Cluster", {"clusterIdentifier": "payments-TapStackpr42"},
     ["holds 'S', 'T'", 'Fix: cluster_identifier="payments-tapstackpr42"', "validIdentifier"]),
    ("rds-subnet-group-uppercase", "aws:rds/subnetGroup:SubnetGroup", {"name": "payments-db-Prod"},
     ['Fix: name="payments-db-prod"']),
    ("rds-subnet-group-lowercase", "aws:rds/subnetGroup:SubnetGroup", {"name": "payments db_subnets.prod"}, None),
    ("target-group-33", TARGET_GROUP, {"name": "tap-payments-api-blue-target-dev1"},
     ["33 characters where AWS allows 1 to 32"]),
    ("sampling-rule-too-long", SAMPLING, {"ruleName": "tap-payments-api-critical-path-dev"},
     ["ruleName is 'tap-payments-api-critical-path-dev' (34 characters where AWS allows 1 to 32)",
      "it would lose the environment suffix"]),
]


@pytest.mark.parametrize(("type_", "changes", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(type_, changes, expected):
    findings = check(NAME, type_, merged(BASES[type_], **changes))
    assert_findings(findings, expected)


def test_a_long_name_without_the_suffix_at_the_end_has_no_cut_note():
    [finding] = check(NAME, BUCKET, {"bucket": "dev-" + "x" * 60})
    assert "lose the environment suffix" not in finding.message


@pytest.mark.parametrize(("logical", "expected"), [
    ("orders-blue-tg-dev", None),  # 18 + 8 = 26
    ("orders-api-dev-blue-tg", None),  # 22 + 8 = 30
    ("orders-payments-dev-blue-tg", [
        "name is a generated name of 35 characters (the logical name 'orders-payments-dev-blue-tg', '-' and 7 "
        "random characters); expected at most 32 characters for TargetGroup",
        "Fix: shorten the logical name 'orders-payments-dev-blue-tg' to at most 24 characters, or set name=... "
        "of at most 32 characters",
        "API_CreateTargetGroup"]),
])
def test_an_autoname_is_reported_only_when_longer_than_aws_allows(logical, expected):
    findings = check(NAME, TARGET_GROUP, merged(BASES[TARGET_GROUP], name=f"{logical}-0a1b2c3"), name=logical)
    finding = assert_findings(findings, expected)
    if expected:
        assert "0a1b2c3" not in finding.fix, "never the random part in a fix"


def test_a_long_autoname_from_a_pattern_names_the_pattern():
    stack = StackContext(stack="dev", project="tap",
                         config={"pulumi:autonaming": '{"pattern": "${project}-${name}-${hex(8)}"}'})
    [finding] = check(NAME, TARGET_GROUP, merged(BASES[TARGET_GROUP], name="tap-orders-payments-blue-tg-0a1b2c3d"),
                      name="orders-payments-blue-tg", stack=stack)
    assert "the stack's autonaming pattern 'tap-${name}-${hex(8)}'" in finding.message
    assert "shorten the logical name 'orders-payments-blue-tg' or the pattern" in finding.fix


def test_autonaming_pattern_names_are_never_reported():
    stack = StackContext(stack="dev", project="tap",
                         config={"pulumi:autonaming": '{"pattern": "${name}-${hex(8)}"}'})
    assert check(NAME, BUCKET, {"bucket": "Example-dev-0a1b2c3d"}, name="Example-dev", stack=stack) == []


@pytest.mark.parametrize("token", sorted(RULES))
def test_rules_name_real_properties(token):
    module, cls = aws_types.python_class(token).split(".")[1:]
    source = (package_dir() / module / f"{re.sub(r'(?<!^)(?=[A-Z])', '_', cls).lower()}.py").read_text()
    for prop in RULES[token]:
        assert f"{aws_types.snake(prop)}: pulumi.Input" in source, f"{token} has no input {prop}"


def test_other_types_are_ignored():
    assert check(NAME, "aws:apigateway/restApi:RestApi", {"name": "Not A Valid Bucket Name " * 5}) == []
