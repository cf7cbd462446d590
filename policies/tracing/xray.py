"""xray-tracing: Lambda functions, API Gateway REST stages and Step Functions trace with X-Ray.

Why: without active tracing a request that crosses API Gateway, Lambda and Step Functions
cannot be followed end to end.

Reported:

* a Lambda function whose ``tracingConfig.mode`` is not ``Active`` (``PassThrough``, or not set:
  Lambda then defaults to ``PassThrough``);
* an API Gateway REST stage whose ``xrayTracingEnabled`` is not ``true`` (false, not set, or not a
  boolean);
* ``aws.apigateway.Deployment(stage_name=...)`` (pulumi-aws 6; deprecated there and gone in 7), which
  creates a stage implicitly that can never enable X-Ray: reported on the deployment;
* a Step Functions state machine whose ``tracingConfiguration.enabled`` is not ``true``.

Not reported: a value unknown during a preview; the services left out of ``services``; API Gateway
v2 (HTTP/WebSocket) stages, which have no X-Ray support. Whether the execution role may write traces
(``xray:PutTraceSegments``) is not checked; the fix says what the role needs, since Lambda refuses
active tracing for a role without it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._core.flags import Flag
from .._core.policy import (
    ADVISORY,
    Finding,
    Option,
    PolicyContext,
    ResourcePolicy,
    violation,
)
from .._core.resource import Resource

LAMBDA = "aws:lambda/function:Function"
REST_STAGE = "aws:apigateway/stage:Stage"
DEPLOYMENT = "aws:apigateway/deployment:Deployment"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"

_SERVICE = {LAMBDA: "lambda", REST_STAGE: "apigateway", DEPLOYMENT: "apigateway", STATE_MACHINE: "stepfunctions"}
_LAMBDA_FIX = ('tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"), and let the function\'s role '
               'write traces: aws.iam.RolePolicyAttachment("<name>-xray", role=role.name, '
               'policy_arn="arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess") (without xray:PutTraceSegments Lambda '
               'refuses the setting: "The provided execution role does not have permissions to call PutTraceSegments '
               'on XRAY")')
_STATE_MACHINE_FIX = ("tracing_configuration=aws.sfn.StateMachineTracingConfigurationArgs(enabled=True), and let the "
                      "state machine's role call xray:PutTraceSegments, xray:PutTelemetryRecords, "
                      "xray:GetSamplingRules and xray:GetSamplingTargets")
_STAGE_FIX = ("remove stage_name and add aws.apigateway.Stage(\"<name>-stage\", rest_api=api.id, "
              "deployment=deployment.id, stage_name=\"{stage}\", xray_tracing_enabled=True)")
FLAGS = {
    LAMBDA: Flag(("tracingConfig", "mode"), "Active", _LAMBDA_FIX, "not set (Lambda defaults to PassThrough)"),
    REST_STAGE: Flag(("xrayTracingEnabled",), True, "xray_tracing_enabled=True"),
    STATE_MACHINE: Flag(("tracingConfiguration", "enabled"), True, _STATE_MACHINE_FIX),
}
"""The setting that turns tracing on, per type; a deployment has none (its implicit stage cannot trace)."""


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    if _SERVICE[resource.type] not in ctx.config["services"]:
        return
    flag = FLAGS.get(resource.type)
    if flag is not None:
        found = flag.finding(resource)
        if found is not None:
            yield found
    elif resource.type == DEPLOYMENT:
        stage = resource.get("stageName")
        if stage.known and stage.value != "":
            yield violation(resource, "stageName", stage.display(),
                            "not set: a stage created by the deployment cannot enable X-Ray, and stage_name is "
                            "deprecated in pulumi-aws 6 (removed in 7)",
                            _STAGE_FIX.format(stage="[secret]" if stage.secret else stage.as_str() or "..."))


def remediate(resource: Resource, ctx: PolicyContext) -> Mapping[str, Any] | None:
    if _SERVICE[resource.type] not in ctx.config["services"]:
        return None
    flag = FLAGS.get(resource.type)
    return flag.remediation(resource) if flag is not None else None  # a deployment's fix is a new resource


POLICY = ResourcePolicy(
    name="xray-tracing",
    description=("Lambda functions, API Gateway REST stages and Step Functions state machines "
                 "have AWS X-Ray tracing enabled."),
    severity="medium",
    enforcement_level=ADVISORY,
    remediation_steps=(
        "Lambda: tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode=\"Active\"). "
        "API Gateway REST stage: xray_tracing_enabled=True, on an aws.apigateway.Stage rather than "
        "aws.apigateway.Deployment(stage_name=...). Step Functions: "
        "tracing_configuration=aws.sfn.StateMachineTracingConfigurationArgs(enabled=True). "
        "The execution role also needs xray:PutTraceSegments and xray:PutTelemetryRecords "
        "(the AWSXRayDaemonWriteAccess managed policy)."),
    tags=("observability", "tracing"),
    types=frozenset(_SERVICE),
    options=(
        Option("services", "array", ["lambda", "apigateway", "stepfunctions"],
               "Which services must trace.",
               {"items": {"type": "string", "enum": ["lambda", "apigateway", "stepfunctions"]}}),
    ),
    check=check,
    remediate=remediate,
)
