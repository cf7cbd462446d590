"""Entry point of the ledger service."""

import os

import pulumi
from lib.tap_stack import TapStack, TapStackArgs

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or os.getenv("ENVIRONMENT_SUFFIX", "dev")

stack = TapStack(f"tap-{environment_suffix}", TapStackArgs(environment_suffix=environment_suffix,
                                                           tags={"Project": "tap", "Owner": "ledger-team"}))

pulumi.export("entries_table_name", stack.table.name)
pulumi.export("ledger_key_arn", stack.key.arn)
pulumi.export("ledger_db_identifier", stack.database.identifier)
pulumi.export("ledger_db_address", stack.database.address)
pulumi.export("archive_table_name", stack.archive.name)
pulumi.export("sessions_cache_id", stack.sessions.replication_group_id)
