"""TapStack: a payment webhook (Lambda function URL, DynamoDB, Secrets Manager, KMS), first draft.

The mistakes code reviews of such stacks keep finding, one of each: environment-suffix-naming (the
table's name is fixed), dynamodb-on-demand and dynamodb-point-in-time-recovery (a provisioned table
without backups), kms-key-rotation (the key never rotates), xray-tracing (the function does not
trace), log-retention (its log group keeps logs forever),
iam-least-privilege (``dynamodb:*`` on every table), stringified-output (an f-string over an
Output in the policy), lambda-function-url-auth (a public URL), destroyability (a secret with a
recovery window in an ephemeral environment) and stack-exports (see tap.py).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
from pulumi import ComponentResource, ResourceOptions


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

        self.key = aws.kms.Key(f"webhook-key-{s}", description="Webhook secrets", deletion_window_in_days=7,
                               tags=tags, opts=child)

        self.table = aws.dynamodb.Table(
            f"transactions-{s}",
            name="transactions",
            billing_mode="PROVISIONED",
            read_capacity=5,
            write_capacity=5,
            hash_key="transactionId",
            attributes=[aws.dynamodb.TableAttributeArgs(name="transactionId", type="S")],
            tags=tags,
            opts=child,
        )

        self.secret = aws.secretsmanager.Secret(f"webhook-secret-{s}", name=f"tap/webhook-secret-{s}",
                                                kms_key_id=self.key.arn, tags=tags, opts=child)

        role = aws.iam.Role(
            f"webhook-role-{s}",
            assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "lambda.amazonaws.com"}}],
            }),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"webhook-policy-{s}",
            role=role.id,
            policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
                    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": f"{self.secret.arn}"},
                ],
            }),
            opts=child,
        )

        function_name = f"tap-webhook-{s}"
        log_group = aws.cloudwatch.LogGroup(f"webhook-logs-{s}", name=f"/aws/lambda/{function_name}", tags=tags,
                                            opts=child)
        self.function = aws.lambda_.Function(
            f"webhook-{s}",
            name=function_name,
            role=role.arn,
            runtime="python3.12",
            handler="handler.handler",
            code=pulumi.FileArchive("./lib/lambda"),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={
                "TABLE_NAME": self.table.name,
                "SECRET_ARN": self.secret.arn,
            }),
            tags=tags,
            opts=ResourceOptions(parent=self, depends_on=[log_group]),
        )
        self.function_url = aws.lambda_.FunctionUrl(f"webhook-url-{s}", function_name=self.function.name,
                                                    authorization_type="NONE", opts=child)

        self.register_outputs({
            "function_url": self.function_url.function_url,
            "table_name": self.table.name,
        })
