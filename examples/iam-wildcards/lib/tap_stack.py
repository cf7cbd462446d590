"""TapStack: a nightly report exporter.

Violates iam-least-privilege (``dynamodb:*`` on every table, ``Action: "*"`` in a managed policy,
``iam:PassRole`` on any role), iam-admin-managed-policy (AdministratorAccess attached "for now"),
iam-public-principal (a trust policy any AWS account can assume), iam-unknown-action (a misspelt
action), kms-key-policy (the export key hands the exporter role full control of the key) and
stringified-output (an f-string and ``str()`` over Outputs: the deployed bucket policy
and environment variable hold "Calling __str__ on an Output[T] is not supported" instead of ARNs).
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

        self.table = aws.dynamodb.Table(
            f"reports-{s}",
            name=f"tap-reports-{s}",
            billing_mode="PAY_PER_REQUEST",
            hash_key="reportId",
            attributes=[aws.dynamodb.TableAttributeArgs(name="reportId", type="S")],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            tags=tags,
            opts=child,
        )
        self.bucket = aws.s3.Bucket(f"reports-bucket-{s}", bucket=f"tap-reports-{s}", force_destroy=True,
                                    tags=tags, opts=child)

        role = aws.iam.Role(
            f"exporter-role-{s}",
            assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "lambda.amazonaws.com"}}],
            }),
            tags=tags,
            opts=child,
        )
        # Every DynamoDB action on every table in the account, and a typo (s3:PutObjects).
        aws.iam.RolePolicy(
            f"exporter-policy-{s}",
            role=role.id,
            policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
                    {"Effect": "Allow", "Action": ["s3:PutObjects"], "Resource": f"arn:aws:s3:::tap-reports-{s}/*"},
                ],
            }),
            opts=child,
        )
        # "Temporary" broad access for the on-call engineers.
        ops_policy = aws.iam.Policy(
            f"ops-policy-{s}",
            name=f"tap-ops-{s}",
            policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"},
                    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
                ],
            }),
            tags=tags,
            opts=child,
        )
        ops_role = aws.iam.Role(
            f"ops-role-{s}",
            name=f"tap-ops-{s}",
            assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}}],
            }),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(f"ops-policy-attachment-{s}", role=ops_role.name, policy_arn=ops_policy.arn,
                                     opts=child)
        aws.iam.RolePolicyAttachment(f"ops-admin-{s}", role=ops_role.name,
                                     policy_arn="arn:aws:iam::aws:policy/AdministratorAccess", opts=child)

        # The f-string runs before the ARN exists: the policy holds the SDK's warning text instead.
        aws.s3.BucketPolicy(
            f"reports-bucket-policy-{s}",
            bucket=self.bucket.id,
            policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                               "Resource": f"{self.bucket.arn}/*",
                               "Condition": {"Bool": {"aws:SecureTransport": "false"}}}],
            }),
            opts=child,
        )
        log_group = aws.cloudwatch.LogGroup(f"exporter-logs-{s}", name=f"/aws/lambda/tap-exporter-{s}",
                                            retention_in_days=14, tags=tags, opts=child)
        self.function = aws.lambda_.Function(
            f"exporter-{s}",
            name=f"tap-exporter-{s}",
            role=role.arn,
            runtime="python3.12",
            handler="handler.handler",
            code=pulumi.FileArchive("./lib/lambda"),
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={
                "REPORTS_BUCKET": str(self.bucket.bucket),
                "REPORTS_TABLE": self.table.name,
            }),
            tags=tags,
            opts=ResourceOptions(parent=self, depends_on=[log_group]),
        )

        # "So the exporter can use the key": kms:* lets it also disable it and schedule its deletion.
        account_id = pulumi.Config().get("accountId") or "123456789012"
        self.export_key = aws.kms.Key(
            f"reports-key-{s}",
            description=f"Report exports ({s})",
            enable_key_rotation=True,
            deletion_window_in_days=7,
            policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [
                    {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
                     "Action": "kms:*", "Resource": "*"},
                    {"Sid": "Exporter", "Effect": "Allow",
                     "Principal": {"AWS": f"arn:aws:iam::{account_id}:role/tap-report-exporter-{s}"},
                     "Action": "kms:*", "Resource": "*"},
                ],
            }),
            tags=tags,
            opts=child,
        )

        self.register_outputs({"bucket_name": self.bucket.bucket})
