"""TapStack: a transactions API that follows every convention of the aws-conventions pack.

A Lambda function behind an IAM-authenticated function URL writes to an on-demand DynamoDB table;
a Step Functions state machine settles transactions; receipts go to S3, reports to a small
Postgres instance. Everything is encrypted with one rotating KMS key, traced with X-Ray, logged
to log groups with a retention, and destroyable in an ephemeral environment.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
from pulumi import ComponentResource, Output, ResourceOptions

LAMBDA_ASSUME_ROLE = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["sts:AssumeRole"],
    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="Service",
                                                                identifiers=["lambda.amazonaws.com"])],
)])


class TapStackArgs:
    """Arguments of the TapStack component.

    Args:
        environment_suffix: Suffix of every resource name (dev, pr123, prod).
        tags: Tags for every resource that takes them.
    """

    def __init__(self, environment_suffix: str | None = None, tags: dict | None = None):
        self.environment_suffix = environment_suffix or "dev"
        self.tags = tags or {}


class TapStack(ComponentResource):
    """The transactions API and its data stores."""

    def __init__(self, name: str, args: TapStackArgs, opts: ResourceOptions | None = None):
        super().__init__("tap:stack:TapStack", name, None, opts)
        self.suffix = args.environment_suffix
        self.tags = {**args.tags, "Environment": self.suffix}

        self._encryption()
        self._data()
        self._api()
        self._settlement()
        self._reporting()

        self.register_outputs({
            "function_name": self.function.name,
            "table_name": self.table.name,
        })

    def _child(self, **kwargs) -> ResourceOptions:
        return ResourceOptions(parent=self, **kwargs)

    def _encryption(self) -> None:
        s = self.suffix
        self.key = aws.kms.Key(
            f"data-key-{s}",
            description=f"Encrypts the transactions data ({s})",
            enable_key_rotation=True,
            deletion_window_in_days=7,
            tags=self.tags,
            opts=self._child(),
        )
        aws.kms.Alias(f"data-key-alias-{s}", name=f"alias/tap-data-{s}", target_key_id=self.key.key_id,
                      opts=self._child())

    def _data(self) -> None:
        s = self.suffix
        self.table = aws.dynamodb.Table(
            f"transactions-{s}",
            name=f"transactions-{s}",
            billing_mode="PAY_PER_REQUEST",
            hash_key="transactionId",
            attributes=[aws.dynamodb.TableAttributeArgs(name="transactionId", type="S")],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True,
                                                                              kms_key_arn=self.key.arn),
            deletion_protection_enabled=False,
            tags=self.tags,
            opts=self._child(),
        )

        self.bucket = aws.s3.Bucket(
            f"receipts-{s}",
            bucket=f"tap-receipts-{s}",
            force_destroy=True,
            tags=self.tags,
            opts=self._child(),
        )
        aws.s3.BucketVersioning(
            f"receipts-versioning-{s}",
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=self._child(),
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"receipts-encryption-{s}",
            bucket=self.bucket.id,
            rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.
                BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=self.key.arn),
                bucket_key_enabled=True,
            )],
            opts=self._child(),
        )
        aws.s3.BucketPublicAccessBlock(
            f"receipts-public-access-{s}",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=self._child(),
        )
        aws.s3.BucketPolicy(
            f"receipts-tls-only-{s}",
            bucket=self.bucket.id,
            policy=Output.json_dumps({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [self.bucket.arn, Output.concat(self.bucket.arn, "/*")],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }],
            }),
            opts=self._child(),
        )

        self.secret = aws.secretsmanager.Secret(
            f"api-token-{s}",
            name=f"tap/api-token-{s}",
            kms_key_id=self.key.arn,
            recovery_window_in_days=0,
            tags=self.tags,
            opts=self._child(),
        )

    def _api(self) -> None:
        s = self.suffix
        function_name = f"tap-api-{s}"
        log_group = aws.cloudwatch.LogGroup(
            f"api-logs-{s}",
            name=f"/aws/lambda/{function_name}",
            retention_in_days=14,
            tags=self.tags,
            opts=self._child(),
        )
        role = aws.iam.Role(
            f"api-role-{s}",
            assume_role_policy=LAMBDA_ASSUME_ROLE.json,
            tags=self.tags,
            opts=self._child(),
        )
        aws.iam.RolePolicyAttachment(
            f"api-xray-{s}",
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
            opts=self._child(),
        )
        policy = aws.iam.RolePolicy(
            f"api-policy-{s}",
            role=role.id,
            policy=Output.json_dumps({
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                     "Resource": [self.table.arn]},
                    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                     "Resource": [self.key.arn]},
                    {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                     "Resource": [self.secret.arn]},
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                     "Resource": [log_group.arn.apply(lambda arn: f"{arn}:*")]},
                ],
            }),
            opts=self._child(),
        )
        self.repository = aws.ecr.Repository(
            f"api-images-{s}",
            name=f"tap-api-{s}",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
            image_tag_mutability="IMMUTABLE",
            force_delete=True,
            tags=self.tags,
            opts=self._child(),
        )
        self.function = aws.lambda_.Function(
            f"api-{s}",
            name=function_name,
            role=role.arn,
            runtime="python3.12",
            handler="handler.handler",
            code=pulumi.FileArchive("./lib/lambda"),
            timeout=10,
            memory_size=256,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={
                "TABLE_NAME": self.table.name,
                "TOKEN_SECRET_ARN": self.secret.arn,
            }),
            tags=self.tags,
            opts=self._child(depends_on=[log_group, policy]),
        )
        self.function_url = aws.lambda_.FunctionUrl(
            f"api-url-{s}",
            function_name=self.function.name,
            authorization_type="AWS_IAM",
            opts=self._child(),
        )

    def _settlement(self) -> None:
        s = self.suffix
        role = aws.iam.Role(
            f"settlement-role-{s}",
            assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "states.amazonaws.com"}}],
            }),
            tags=self.tags,
            opts=self._child(),
        )
        aws.iam.RolePolicyAttachment(
            f"settlement-xray-{s}",
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
            opts=self._child(),
        )
        invoke = aws.iam.RolePolicy(
            f"settlement-policy-{s}",
            role=role.id,
            policy=self.function.arn.apply(lambda arn: json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": arn}],
            })),
            opts=self._child(),
        )
        self.state_machine = aws.sfn.StateMachine(
            f"settlement-{s}",
            name=f"tap-settlement-{s}",
            role_arn=role.arn,
            definition=self.function.arn.apply(lambda arn: json.dumps({
                "StartAt": "Settle",
                "States": {"Settle": {"Type": "Task", "Resource": arn, "End": True}},
            })),
            tracing_configuration=aws.sfn.StateMachineTracingConfigurationArgs(enabled=True),
            tags=self.tags,
            opts=self._child(depends_on=[invoke]),
        )

    def _reporting(self) -> None:
        s = self.suffix
        self.database = aws.rds.Instance(
            f"reporting-db-{s}",
            identifier=f"tap-reporting-{s}",
            engine="postgres",
            engine_version="16",  # the major version: AWS picks and upgrades the minor one
            instance_class="db.t4g.micro",
            allocated_storage=20,
            db_name="reporting",
            username="tapadmin",
            manage_master_user_password=True,
            master_user_secret_kms_key_id=self.key.key_id,
            storage_encrypted=True,
            kms_key_id=self.key.arn,
            backup_retention_period=1,
            skip_final_snapshot=True,
            deletion_protection=False,
            tags=self.tags,
            opts=self._child(),
        )
