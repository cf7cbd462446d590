"""ConfigStack: the AWS Config recorder, its delivery channel and the managed rules."""

from __future__ import annotations

import json

import pulumi_aws as aws
from pulumi import ComponentResource, ResourceOptions

MANAGED_RULES = {
    "ec2-tags": "REQUIRED_TAGS",
    "s3-encryption": "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
    "rds-encryption": "RDS_STORAGE_ENCRYPTED",
}


class ConfigStack(ComponentResource):
    def __init__(self, name: str, suffix: str, tags: dict, opts: ResourceOptions | None = None):
        super().__init__("tap:compliance:ConfigStack", name, None, opts)
        child = ResourceOptions(parent=self)

        self.bucket = aws.s3.Bucket(f"config-snapshots-{suffix}", bucket=f"tap-config-{suffix}",
                                    force_destroy=True, tags=tags, opts=child)
        role = aws.iam.Role(
            f"config-role-{suffix}",
            assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "config.amazonaws.com"}}],
            }),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(f"config-role-policy-{suffix}", role=role.name,
                                     policy_arn="arn:aws:iam::aws:policy/service-role/AWS_ConfigRole",
                                     opts=child)
        aws.iam.RolePolicy(
            f"config-delivery-{suffix}",
            role=role.id,
            policy=self.bucket.arn.apply(lambda arn: json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetBucketAcl"],
                               "Resource": [arn, f"{arn}/*"]}],
            })),
            opts=child,
        )

        # One recorder per account and region: every other environment's deployment fails.
        self.recorder = aws.cfg.Recorder(
            f"config-recorder-{suffix}",
            name=f"tap-recorder-{suffix}",
            role_arn=role.arn,
            recording_group=aws.cfg.RecorderRecordingGroupArgs(all_supported=True),
            opts=child,
        )
        # Nothing orders the channel after the recorder, nor the status after the channel.
        channel = aws.cfg.DeliveryChannel(f"config-channel-{suffix}", name=f"tap-channel-{suffix}",
                                          s3_bucket_name=self.bucket.bucket, opts=child)
        aws.cfg.RecorderStatus(f"config-recorder-status-{suffix}", name=self.recorder.name, is_enabled=True,
                               opts=child)
        # The rules are created in parallel with the recorder: NoAvailableConfigurationRecorderException.
        for rule, identifier in MANAGED_RULES.items():
            aws.cfg.Rule(
                f"{rule}-{suffix}",
                name=f"tap-{rule}-{suffix}",
                source=aws.cfg.RuleSourceArgs(owner="AWS", source_identifier=identifier),
                input_parameters=json.dumps({"tag1Key": "Environment"}) if rule == "ec2-tags" else None,
                tags=tags,
                opts=child,
            )
        self.channel = channel
        self.register_outputs({"recorder_name": self.recorder.name})
