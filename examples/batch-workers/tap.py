"""Entry point of the report workers."""

import os

import pulumi
from lib.tap_stack import TapStack, TapStackArgs

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or os.getenv("ENVIRONMENT_SUFFIX", "dev")

stack = TapStack(f"tap-{environment_suffix}", TapStackArgs(environment_suffix=environment_suffix,
                                                           tags={"Project": "tap", "Owner": "reports-team"}))
pulumi.export("vpc_id", stack.vpc.id)
pulumi.export("launch_template_id", stack.template.id)
pulumi.export("jobs_queue_url", stack.jobs.url)
