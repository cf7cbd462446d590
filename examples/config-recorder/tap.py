"""Entry point of the compliance monitoring stack."""

import os

import pulumi
from lib.tap_stack import TapStack, TapStackArgs

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or os.getenv("ENVIRONMENT_SUFFIX", "dev")

stack = TapStack(f"tap-{environment_suffix}", TapStackArgs(environment_suffix=environment_suffix,
                                                           tags={"Project": "tap", "Owner": "security"}))

pulumi.export("config_bucket_name", stack.config.bucket.bucket)
pulumi.export("config_recorder_name", stack.config.recorder.name)
pulumi.export("alerts_topic_arn", stack.monitoring.topic.arn)
