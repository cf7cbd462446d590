"""TapStack: the orders service (an SQS queue drained by a Lambda function into DynamoDB).

Violates stack-exports: everything is otherwise compliant, but the entry point exports nothing.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
from pulumi import ComponentResource, Output, ResourceOptions


class TapStackArgs:
    def __init__(self, environment_suffix: str | None = None, tags: dict | None = None):
        self.environment_suffix = environment_suffix or "dev"
        self.tags = tags or {}


class TapStack(ComponentResource):
    def __init__(self, name: str, args: TapStackArgs, opts: ResourceOptions | None = None):
        super().__init__("tap:stack:TapStack", name, None, opts)
        s = args.environment_suffix
        tags = {**args.tags, "Environment": s}
        child = ResourceOptions(parent=self)

        self.table = aws.dynamodb.Table(
            f"orders-{s}",
            name=f"tap-orders-{s}",
            billing_mode="PAY_PER_REQUEST",
            hash_key="orderId",
            attributes=[aws.dynamodb.TableAttributeArgs(name="orderId", type="S")],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            tags=tags,
            opts=child,
        )
        self.queue = aws.sqs.Queue(f"orders-queue-{s}", name=f"tap-orders-{s}", tags=tags, opts=child)

        function_name = f"tap-orders-{s}"
        log_group = aws.cloudwatch.LogGroup(f"orders-logs-{s}", name=f"/aws/lambda/{function_name}",
                                            retention_in_days=7, tags=tags, opts=child)
        role = aws.iam.Role(
            f"orders-role-{s}",
            assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "lambda.amazonaws.com"}}],
            }),
            tags=tags,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"orders-policy-{s}",
            role=role.id,
            policy=Output.json_dumps({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": self.table.arn},
                    {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage",
                                                   "sqs:GetQueueAttributes"], "Resource": self.queue.arn},
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                     "Resource": log_group.arn.apply(lambda arn: f"{arn}:*")},
                ],
            }),
            opts=child,
        )
        self.function = aws.lambda_.Function(
            f"orders-function-{s}",
            name=function_name,
            role=role.arn,
            runtime="python3.12",
            handler="handler.handler",
            code=pulumi.FileArchive("./lib/lambda"),
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={"TABLE_NAME": self.table.name}),
            tags=tags,
            opts=ResourceOptions(parent=self, depends_on=[log_group, policy]),
        )
        aws.lambda_.EventSourceMapping(f"orders-events-{s}", event_source_arn=self.queue.arn,
                                       function_name=self.function.arn, batch_size=10, opts=child)

        # Outputs of the component, not of the stack.
        self.register_outputs({
            "table_name": self.table.name,
            "queue_url": self.queue.url,
            "function_name": self.function.name,
        })
