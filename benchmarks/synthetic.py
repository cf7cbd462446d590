"""Synthetic stacks with realistic AWS property bags, as the engine sends them in a first preview.

Each block of resources is what a TapStack-style service creates: a Lambda function with its
role, policies and log group, a DynamoDB table, a bucket with its policy, a queue, a topic, a
KMS key, an API stage, a state machine, networking, and a component that parents them. ARNs and
ids of resources not yet created are unknown; a few values are secrets.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aws_conventions.engine import StackResource
from policies import STACK_TYPE, make_urn
from policies._core.values import UNKNOWN, Asset, Secret

STACK, PROJECT = "dev", "tap"
COMPONENT = "tap:index:TapStack"


@dataclass
class Planned:
    type: str
    name: str
    props: dict[str, Any]
    parent: str = ""
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    """The engine sends one entry per input given an Output: which resources it came from."""

    @property
    def urn(self) -> str:
        return make_urn(self.type, self.name, STACK, PROJECT, COMPONENT if self.parent else "")


def _tags(rng: random.Random, suffix: str) -> dict[str, str]:
    return {"Environment": suffix, "Team": rng.choice(["payments", "search", "ops"]),
            "CostCenter": str(rng.randint(1000, 9999)), "ManagedBy": "pulumi"}


def _doc(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def block(i: int, rng: random.Random, suffix: str = "dev") -> Iterator[Planned]:
    """About 20 resources of one service, some compliant and some not."""
    s = f"svc{i}-{suffix}"
    comp = Planned(COMPONENT, f"TapStack{s}", {})
    yield comp
    parent = comp.urn
    tags = _tags(rng, suffix)
    role = Planned("aws:iam/role:Role", f"{s}-role", {
        "name": f"{s}-role", "tags": tags,
        "assumeRolePolicy": _doc([{"Effect": "Allow", "Action": "sts:AssumeRole",
                                   "Principal": {"Service": "lambda.amazonaws.com"}}])}, parent)
    yield role
    table = Planned("aws:dynamodb/table:Table", f"{s}-table", {
        "name": f"{s}-table", "billingMode": rng.choice(["PAY_PER_REQUEST", "PROVISIONED"]),
        "hashKey": "pk", "rangeKey": "sk", "readCapacity": 5, "writeCapacity": 5,
        "attributes": [{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}],
        "pointInTimeRecovery": {"enabled": rng.random() < 0.5},
        "serverSideEncryption": {"enabled": True}, "ttl": {"attributeName": "expires", "enabled": True},
        "streamEnabled": False, "tags": tags}, parent)
    yield table
    yield Planned("aws:iam/rolePolicy:RolePolicy", f"{s}-policy", {
        "name": f"{s}-policy", "role": UNKNOWN,
        "policy": _doc([
            {"Sid": "Table", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem",
                                                           "dynamodb:Query", "dynamodb:UpdateItem"],
             "Resource": rng.choice(["*", f"arn:aws:dynamodb:us-east-1:123456789012:table/{s}-table"])},
            {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": f"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/{s}-fn:*"},
            {"Sid": "Tracing", "Effect": "Allow", "Action": ["xray:PutTraceSegments",
                                                             "xray:PutTelemetryRecords"], "Resource": "*"},
        ])}, parent, [role.urn])
    yield Planned("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{s}-basic", {
        "role": UNKNOWN, "policyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
        parent, [role.urn])
    yield Planned("aws:cloudwatch/logGroup:LogGroup", f"{s}-logs", {
        "name": f"/aws/lambda/{s}-fn", "retentionInDays": rng.choice([7, 14, 30, 8]), "tags": tags}, parent)
    yield Planned("aws:lambda/function:Function", f"{s}-fn", {
        "name": f"{s}-fn", "role": UNKNOWN, "runtime": "python3.12", "handler": "index.handler",
        "memorySize": rng.choice([128, 256, 512]), "timeout": 30, "architectures": ["arm64"],
        "code": Asset("archive", {"assets": {"index.py": {"4dabf18193072939515e22adb298388d":
                                                          "c44067f5952c0a294b673a41bacd8c17",
                                                          "text": "def handler(e, c):\n    return e\n"}}}),
        "environment": {"variables": {"TABLE_NAME": f"{s}-table", "LOG_LEVEL": "INFO",
                                      "API_KEY": Secret("k-" + str(rng.random()))}},
        "tracingConfig": {"mode": rng.choice(["Active", "PassThrough"])},
        "loggingConfig": {"logFormat": "JSON", "logGroup": f"/aws/lambda/{s}-fn"},
        "tags": tags}, parent, [role.urn, table.urn])
    yield Planned("aws:lambda/functionUrl:FunctionUrl", f"{s}-url", {
        "functionName": UNKNOWN, "authorizationType": rng.choice(["AWS_IAM", "NONE"]),
        "cors": {"allowOrigins": ["*"], "allowMethods": ["POST"]}}, parent)
    bucket = Planned("aws:s3/bucket:Bucket", f"{s}-data", {
        "bucket": f"tap-{s}-data", "forceDestroy": True, "tags": tags}, parent)
    yield bucket
    yield Planned("aws:s3/bucketPolicy:BucketPolicy", f"{s}-data-policy", {
        "bucket": UNKNOWN, "policy": _doc([{"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                             "Resource": [f"arn:aws:s3:::tap-{s}-data", f"arn:aws:s3:::tap-{s}-data/*"],
                                             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}])},
        parent, [bucket.urn], {"bucket": [bucket.urn]})
    yield Planned("aws:sqs/queue:Queue", f"{s}-queue", {
        "name": f"{s}-queue", "visibilityTimeoutSeconds": 60, "messageRetentionSeconds": 345600,
        "redrivePolicy": json.dumps({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:1:dlq", "maxReceiveCount": 5}),
        "tags": tags}, parent)
    yield Planned("aws:sns/topic:Topic", f"{s}-topic", {"name": f"{s}-topic", "kmsMasterKeyId": "alias/aws/sns",
                                                         "tags": tags}, parent)
    yield Planned("aws:kms/key:Key", f"{s}-key", {
        "description": f"{s} data key", "enableKeyRotation": rng.random() < 0.7, "deletionWindowInDays": 7,
        "policy": _doc([{"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                         "Action": "kms:*", "Resource": "*"}]), "tags": tags}, parent)
    yield Planned("aws:apigateway/restApi:RestApi", f"{s}-api", {"name": f"{s}-api", "tags": tags}, parent)
    yield Planned("aws:apigateway/stage:Stage", f"{s}-stage", {
        "stageName": suffix, "restApi": UNKNOWN, "deployment": UNKNOWN,
        "xrayTracingEnabled": rng.random() < 0.6, "tags": tags}, parent)
    yield Planned("aws:sfn/stateMachine:StateMachine", f"{s}-flow", {
        "name": f"{s}-flow", "roleArn": UNKNOWN,
        "definition": json.dumps({"StartAt": "A", "States": {
            f"S{k}": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 3, "BackoffRate": 2}],
                      "Next": f"S{k + 1}"} for k in range(12)}}),
        "tracingConfiguration": {"enabled": rng.random() < 0.5},
        "loggingConfiguration": {"level": "ALL", "includeExecutionData": True}, "tags": tags}, parent)
    yield Planned("aws:ec2/securityGroup:SecurityGroup", f"{s}-sg", {
        "name": f"{s}-sg", "vpcId": UNKNOWN, "description": "service",
        "ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.0.0.0/16"]}],
        "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}],
        "tags": tags}, parent)
    yield Planned("aws:secretsmanager/secret:Secret", f"{s}-secret", {
        "name": f"{s}-secret", "recoveryWindowInDays": 0, "tags": tags}, parent)
    yield Planned("aws:ecs/taskDefinition:TaskDefinition", f"{s}-task", {
        "family": f"{s}-task", "cpu": "256", "memory": "512", "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "containerDefinitions": json.dumps([{"name": "app", "image": "nginx:1.27", "essential": True,
                                             "portMappings": [{"containerPort": 80}],
                                             "environment": [{"name": f"K{k}", "value": f"v{k}"} for k in range(15)]}]),
        "tags": tags}, parent)


def plan(n: int, seed: int = 7) -> list[Planned]:
    """About ``n`` resources (whole service blocks)."""
    rng = random.Random(seed)
    out: list[Planned] = []
    i = 0
    while len(out) < n:
        out.extend(block(i, rng))
        i += 1
    for planned in out:
        if planned.type.startswith("aws:") and not planned.type.startswith(GLOBAL):
            planned.props["region"] = REGION  # pulumi-aws 7's Check gives each regional resource its provider's
    return out[:n]


REGION = "us-east-1"
GLOBAL = ("aws:iam/",)
"""Types without a region (of those the blocks create)."""


def stack_resources(planned: list[Planned], preview: bool = True) -> list[StackResource]:
    """What AnalyzeStack receives: outputs (inputs plus computed ids/ARNs), links, and the root."""
    root_urn = make_urn(STACK_TYPE, f"{PROJECT}-{STACK}", STACK, PROJECT)
    provider = {"type": "pulumi:providers:aws", "name": "default",
                "properties": {"region": "us-east-1", "skipCredentialsValidation": "true"}}
    out = []
    exports: dict[str, Any] = {}
    for p in planned:
        computed = {"id": UNKNOWN, "arn": UNKNOWN} if preview else {"id": f"{p.name}-id",
                                                                      "arn": f"arn:aws:x:::{p.name}"}
        props = {**p.props, **computed} if not p.type.startswith("tap:") else {}
        out.append(StackResource(p.type, p.name, props, urn=p.urn, parent=p.parent or root_urn,
                                 dependencies=tuple(p.dependencies),
                                 property_dependencies=p.property_dependencies,
                                 provider=None if p.type.startswith("tap:") else provider))
        if p.type == "aws:lambda/function:Function":
            exports[f"{p.name}_name"] = p.props["name"]
            exports[f"{p.name}_arn"] = computed["arn"]
    out.insert(0, StackResource(STACK_TYPE, f"{PROJECT}-{STACK}", exports, urn=root_urn))
    return out
