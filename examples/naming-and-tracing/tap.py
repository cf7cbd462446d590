"""Entry point of the payments API."""

import os

import pulumi
from lib.tap_stack import TapStack, TapStackArgs

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or os.getenv("ENVIRONMENT_SUFFIX", "dev")

stack = TapStack("payments", TapStackArgs(environment_suffix=environment_suffix,
                                          tags={"Project": "tap", "Owner": "payments-team"}))

pulumi.export("payments_table_name", stack.table.name)
pulumi.export("processor_function_name", stack.function.name)
pulumi.export("api_url", stack.stage.invoke_url)
pulumi.export("workflow_arn", stack.workflow.arn)
