"""Entry point of the report exporter."""

import os

import pulumi
from lib.tap_stack import TapStack, TapStackArgs

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or os.getenv("ENVIRONMENT_SUFFIX", "dev")

stack = TapStack(f"tap-{environment_suffix}", TapStackArgs(environment_suffix=environment_suffix,
                                                           tags={"Project": "tap", "Owner": "analytics"}))

pulumi.export("reports_bucket_name", stack.bucket.bucket)
pulumi.export("reports_table_name", stack.table.name)
pulumi.export("exporter_function_name", stack.function.name)
