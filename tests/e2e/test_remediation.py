"""The Remediate RPC, driven as the engine drives it: the pack started as a plugin, a policy
configured at enforcement level ``remediate``, and the planned inputs sent back fixed."""

from typing import Any

import pytest

from aws_conventions.engine import PackProcess
from aws_conventions.testing import check_program
from policies._core.values import SECRET_SIG, SIG_KEY, UNKNOWN, UNKNOWN_STRING, Secret

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LAMBDA = "aws:lambda/function:Function"
STAGE = "aws:apigateway/stage:Stage"
KEY = "aws:kms/key:Key"
REPOSITORY = "aws:ecr/repository:Repository"
TABLE = "aws:dynamodb/table:Table"
BUCKET = "aws:s3/bucket:Bucket"
TABLE_PROPS = {"name": "orders-pr42", "billingMode": "PAY_PER_REQUEST", "hashKey": "pk",
               "attributes": [{"name": "pk", "type": "S"}]}


@pytest.fixture(scope="module")
def pack():
    with PackProcess(stack="pr42", project="tap") as p:
        p.configure_stack()
        yield p


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What a remediation changed: the top-level keys whose value differs, with the new value."""
    return {k: v for k, v in after.items() if before.get(k) != v}


def remediate(pack: PackProcess, policy: str, type_: str, props: dict[str, Any], **config: Any,
              ) -> list[tuple[str, dict[str, Any]]]:
    pack.configure({policy: {"enforcementLevel": "remediate", **config}})
    return pack.remediate(type_, props, name=props.get("name", "example-pr42"))


@pytest.mark.parametrize(("policy", "type_", "props", "config", "expected"), [
    ("log-retention", LOG_GROUP, {"name": "/aws/lambda/api-pr42"}, {}, {"retentionInDays": 14}),
    ("log-retention", LOG_GROUP, {"name": "/aws/lambda/api-pr42", "retentionInDays": 8}, {"defaultDays": 30},
     {"retentionInDays": 30}),
    ("xray-tracing", LAMBDA, {"name": "api-pr42", "runtime": "python3.12"}, {}, {"tracingConfig": {"mode": "Active"}}),
    ("xray-tracing", STAGE, {"stageName": "pr42", "xrayTracingEnabled": False}, {}, {"xrayTracingEnabled": True}),
    ("kms-key-rotation", KEY, {"description": "data key"}, {}, {"enableKeyRotation": True}),
    ("ecr-scan-on-push", REPOSITORY, {"name": "api-pr42", "imageScanningConfiguration": {"scanOnPush": False}}, {},
     {"imageScanningConfiguration": {"scanOnPush": True}}),
    ("dynamodb-point-in-time-recovery", TABLE, TABLE_PROPS, {}, {"pointInTimeRecovery": {"enabled": True}}),
    ("destroyability", BUCKET, {"bucket": "data-pr42"}, {}, {"forceDestroy": True}),
], ids=["log-retention-default", "log-retention-configured", "xray-lambda", "xray-stage", "kms-rotation",
        "ecr-scan-on-push", "dynamodb-pitr", "destroyability-ephemeral"])
def test_remediation_fixes_the_planned_inputs(pack, policy, type_, props, config, expected):
    remediations = remediate(pack, policy, type_, props, **config)
    assert [name for name, _ in remediations] == [policy]
    assert changed(props, remediations[0][1]) == expected


@pytest.mark.parametrize(("policy", "type_", "props"), [
    ("log-retention", LOG_GROUP, {"name": "/aws/lambda/api-pr42", "retentionInDays": 14}),
    ("kms-key-rotation", KEY, {"enableKeyRotation": True}),
    ("kms-key-rotation", KEY, {"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"}),
    ("ecr-scan-on-push", REPOSITORY, {"name": "api-pr42", "imageScanningConfiguration": {"scanOnPush": True}}),
    ("dynamodb-point-in-time-recovery", TABLE, {**TABLE_PROPS, "pointInTimeRecovery": UNKNOWN}),
    ("xray-tracing", LAMBDA, {"name": "api-pr42", "tracingConfig": {"mode": UNKNOWN}}),
], ids=["retention-compliant", "rotation-on", "asymmetric-key", "scanning", "pitr-unknown", "tracing-unknown"])
def test_nothing_to_fix_returns_no_remediation(pack, policy, type_, props):
    assert remediate(pack, policy, type_, props) == []


def test_mandatory_level_does_not_remediate(pack):
    pack.configure({"log-retention": "mandatory"})
    assert pack.remediate(LOG_GROUP, {"name": "/aws/lambda/api-pr42"}) == []


def test_remediations_chain_in_registry_order(pack):
    pack.configure({"dynamodb-point-in-time-recovery": "remediate", "destroyability": "remediate"})
    props = {**TABLE_PROPS, "deletionProtectionEnabled": True}
    remediations = pack.remediate(TABLE, props, name="orders-pr42")
    assert [name for name, _ in remediations] == ["destroyability", "dynamodb-point-in-time-recovery"]
    assert changed(props, remediations[0][1]) == {"deletionProtectionEnabled": False}
    assert changed(props, remediations[1][1]) == {"deletionProtectionEnabled": False,
                                                  "pointInTimeRecovery": {"enabled": True}}


def test_secrets_and_unknowns_survive_remediation(pack):
    props = {**TABLE_PROPS, "tags": {"Token": Secret("hunter2")}, "streamArn": UNKNOWN}
    remediations = remediate(pack, "dynamodb-point-in-time-recovery", TABLE, props)
    returned = remediations[0][1]
    assert returned["tags"]["Token"] == {SIG_KEY: SECRET_SIG, "value": "hunter2"}
    assert returned["streamArn"] == UNKNOWN_STRING
    assert returned["pointInTimeRecovery"] == {"enabled": True}


def test_remediation_carries_the_policy_metadata(pack):
    pack.configure({"kms-key-rotation": "remediate"})
    response = pack.stub.Remediate(pack.analyze_request(KEY, {"description": "k"}, name="key-pr42"))
    (item,) = response.remediations
    assert (item.policyName, item.policyPackName, item.policyPackVersion) == (
        "kms-key-rotation", "aws-conventions", pack.info.version)
    assert item.description == next(p.description for p in pack.info.policies if p.name == "kms-key-rotation")


def _program() -> None:
    import pulumi_aws as aws

    aws.ecr.Repository("api-pr42")
    aws.s3.Bucket("data-pr42")
    aws.cloudwatch.LogGroup("api-logs-pr42", name="/aws/lambda/api-pr42")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_runner_applies_remediations_before_analysis():
    findings = check_program(_program, stack="pr42", policy_config={
        "ecr-scan-on-push": "remediate", "destroyability": "remediate", "log-retention": "remediate"})
    remediated = sorted((r.policy, r.resource_name) for r in findings.remediations)
    assert remediated == [("destroyability", "api-pr42"), ("destroyability", "data-pr42"),
                          ("ecr-scan-on-push", "api-pr42"), ("log-retention", "api-logs-pr42")]
    fixed = {"ecr-scan-on-push", "destroyability", "log-retention"}
    assert [f for f in findings if f.policy in fixed] == []


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_runner_reports_what_it_would_remediate_at_mandatory():
    findings = check_program(_program, stack="pr42")
    assert findings.remediations == []
    assert {(f.policy, f.resource_name) for f in findings if f.policy in ("ecr-scan-on-push", "destroyability")} == {
        ("ecr-scan-on-push", "api-pr42"), ("destroyability", "api-pr42"), ("destroyability", "data-pr42")}
