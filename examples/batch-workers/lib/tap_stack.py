"""TapStack: report workers on EC2 that take jobs from a queue, first draft.

Violates security-group-open-ingress (SSH open to the whole internet "for debugging"),
aws-name-limits (the statements bucket's name is over S3's 63 characters) and aws-deprecated (the
bucket's versioning with aws.s3.BucketVersioningV2, deprecated in pulumi-aws 7), s3-tls-only
(the bucket has no policy that refuses plain HTTP) and hard-coded-region (the subnets' zones were
copied from a us-west-2 program; the stack deploys to us-east-1).
"""

from __future__ import annotations

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

        self.vpc = aws.ec2.Vpc(f"reports-vpc-{s}", cidr_block="10.20.0.0/16", enable_dns_hostnames=True,
                               tags={**tags, "Name": f"reports-vpc-{s}"}, opts=child)

        # Copied from the team's us-west-2 program: the stack deploys to us-east-1.
        self.subnets = [
            aws.ec2.Subnet(f"reports-subnet-{zone}-{s}", vpc_id=self.vpc.id, cidr_block=f"10.20.{i}.0/24",
                           availability_zone=f"us-west-2{zone}", tags={**tags, "Name": f"reports-{zone}-{s}"},
                           opts=child)
            for i, zone in enumerate("ab")
        ]

        # HTTPS from anywhere is the report download page; SSH from anywhere was "for debugging".
        self.workers_sg = aws.ec2.SecurityGroup(
            f"reports-workers-sg-{s}",
            name=f"reports-workers-{s}",
            description="Report workers",
            vpc_id=self.vpc.id,
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443,
                                                 cidr_blocks=["0.0.0.0/0"]),
                aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22,
                                                 cidr_blocks=["0.0.0.0/0"]),
            ],
            egress=[aws.ec2.SecurityGroupEgressArgs(protocol="-1", from_port=0, to_port=0,
                                                    cidr_blocks=["0.0.0.0/0"])],
            tags=tags,
            opts=child,
        )

        self.template = aws.ec2.LaunchTemplate(
            f"reports-workers-lt-{s}",
            name=f"reports-workers-{s}",
            image_id="resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
            instance_type="t3.small",
            vpc_security_group_ids=[self.workers_sg.id],
            block_device_mappings=[aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name="/dev/xvda",
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(volume_size=30, volume_type="gp3",
                                                                    encrypted="true"),
            )],
            tags=tags,
            opts=child,
        )

        # 66 characters with "dev": S3 takes 63 at most, so the deployment fails on this bucket.
        self.statements = aws.s3.Bucket(
            f"reports-statements-{s}",
            bucket=f"tap-reports-batch-workers-generated-monthly-statements-archive-{s}",
            force_destroy=True,
            tags=tags,
            opts=child,
        )

        # Copied from a pulumi-aws 6 program: the V2 companion is deprecated in pulumi-aws 7.
        aws.s3.BucketVersioningV2(
            f"reports-statements-versioning-{s}",
            bucket=self.statements.id,
            versioning_configuration=aws.s3.BucketVersioningV2VersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )

        self.jobs = aws.sqs.Queue(f"reports-jobs-{s}", name=f"reports-jobs-{s}", tags=tags, opts=child)

        self.register_outputs({"jobs_queue_url": self.jobs.url})
