"""Entry point: one TapStack per environment, and the outputs integration tests read."""

import os

import pulumi
from lib.tap_stack import TapStack, TapStackArgs

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or os.getenv("ENVIRONMENT_SUFFIX", "dev")

stack = TapStack(
    f"tap-{environment_suffix}",
    TapStackArgs(environment_suffix=environment_suffix,
                 tags={"Project": "tap", "Owner": "payments-team"}),
)

pulumi.export("api_function_name", stack.function.name)
pulumi.export("api_function_url", stack.function_url.function_url)
pulumi.export("transactions_table_name", stack.table.name)
pulumi.export("receipts_bucket_name", stack.bucket.bucket)
pulumi.export("settlement_state_machine_arn", stack.state_machine.arn)
pulumi.export("api_token_secret_name", stack.secret.name)
pulumi.export("data_key_arn", stack.key.arn)
pulumi.export("reporting_db_identifier", stack.database.identifier)
pulumi.export("api_repository_name", stack.repository.name)
