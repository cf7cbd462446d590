import pytest

from policies._core.values import UNKNOWN, Secret
from tests.conftest import REMOVE, assert_findings, check, merged

NAME = "xray-tracing"
LAMBDA = "aws:lambda/function:Function"
STAGE = "aws:apigateway/stage:Stage"
SFN = "aws:sfn/stateMachine:StateMachine"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"

BASE = {
    LAMBDA: {"name": "api-dev", "runtime": "python3.12", "handler": "index.handler",
             "tracingConfig": {"mode": "Active"}},
    STAGE: {"stageName": "dev", "restApi": "abc123", "deployment": "d1", "xrayTracingEnabled": True},
    DEPLOYMENT: {"restApi": "abc123", "description": "dev"},
    SFN: {"name": "flow-dev", "definition": "{}", "roleArn": "arn:aws:iam::1:role/r",
          "tracingConfiguration": {"enabled": True}},
}

CASES = [
    # (id, type, changes, expected substrings or None for silence)
    ("lambda-compliant", LAMBDA, {}, None),
    ("lambda-passthrough", LAMBDA, {"tracingConfig": {"mode": "PassThrough"}},
     ["tracingConfig.mode is 'PassThrough'", "expected 'Active'", 'FunctionTracingConfigArgs(mode="Active")',
      "AWSXRayDaemonWriteAccess", "does not have permissions to call PutTraceSegments"]),
    ("lambda-absent", LAMBDA, {"tracingConfig": REMOVE}, ["not set (Lambda defaults to PassThrough)"]),
    ("lambda-empty-block", LAMBDA, {"tracingConfig": {}}, ["tracingConfig.mode is not set"]),
    ("lambda-list-shaped-block", LAMBDA, {"tracingConfig": [{"mode": "Active"}]}, None),
    ("lambda-unknown-mode", LAMBDA, {"tracingConfig": {"mode": UNKNOWN}}, None),
    ("lambda-unknown-block", LAMBDA, {"tracingConfig": UNKNOWN}, None),
    ("lambda-secret-active", LAMBDA, {"tracingConfig": {"mode": Secret("Active")}}, None),
    ("lambda-secret-wrong", LAMBDA, {"tracingConfig": {"mode": Secret("PassThrough")}},
     ["tracingConfig.mode is [secret]"]),
    ("lambda-wrong-type", LAMBDA, {"tracingConfig": {"mode": 5}}, ["tracingConfig.mode is 5"]),
    ("lambda-block-wrong-type", LAMBDA, {"tracingConfig": "Active"}, ["tracingConfig.mode is not set"]),
    ("stage-compliant", STAGE, {}, None),
    ("stage-false", STAGE, {"xrayTracingEnabled": False}, ["xrayTracingEnabled is false", "xray_tracing_enabled=True"]),
    ("stage-absent", STAGE, {"xrayTracingEnabled": REMOVE}, ["xrayTracingEnabled is not set"]),
    ("stage-unknown", STAGE, {"xrayTracingEnabled": UNKNOWN}, None),
    ("stage-string-true", STAGE, {"xrayTracingEnabled": "true"}, None),
    ("deployment-compliant", DEPLOYMENT, {}, None),
    ("deployment-stage-name", DEPLOYMENT, {"stageName": "prod"},
     ["stageName is 'prod'; expected not set: a stage created by the deployment cannot enable X-Ray",
      'aws.apigateway.Stage("<name>-stage", rest_api=api.id, deployment=deployment.id, stage_name="prod", '
      "xray_tracing_enabled=True)"]),
    ("deployment-empty-stage-name", DEPLOYMENT, {"stageName": ""}, None),
    ("deployment-stage-unknown", DEPLOYMENT, {"stageName": UNKNOWN}, None),
    ("deployment-stage-secret", DEPLOYMENT, {"stageName": Secret("prod")},
     ["stageName is [secret]", 'stage_name="[secret]"']),
    ("sfn-compliant", SFN, {}, None),
    ("sfn-disabled", SFN, {"tracingConfiguration": {"enabled": False}},
     ["tracingConfiguration.enabled is false", "StateMachineTracingConfigurationArgs(enabled=True)",
      "xray:PutTraceSegments"]),
    ("sfn-absent", SFN, {"tracingConfiguration": REMOVE}, ["tracingConfiguration.enabled is not set"]),
    ("sfn-unknown", SFN, {"tracingConfiguration": UNKNOWN}, None),
]


@pytest.mark.parametrize(("type_", "changes", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(type_, changes, expected):
    findings = check(NAME, type_, merged(BASE[type_], **changes))
    found = assert_findings(findings, expected)
    if found is not None:
        assert "PassThrough" not in found.message or "secret" not in str(changes)


def test_http_api_stages_have_no_xray_and_are_ignored():
    assert check(NAME, "aws:apigatewayv2/stage:Stage", {"name": "$default", "apiId": "a"}) == []


def test_other_types_are_ignored():
    assert check(NAME, "aws:s3/bucket:Bucket", {"bucket": "b-dev"}) == []


def test_services_option_limits_what_is_checked():
    props = merged(BASE[LAMBDA], tracingConfig=REMOVE)
    assert check(NAME, LAMBDA, props, config={"services": ["apigateway"]}) == []
    assert len(check(NAME, LAMBDA, props, config={"services": ["lambda"]})) == 1
