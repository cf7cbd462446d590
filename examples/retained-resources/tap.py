"""Entry point of the document store."""

import os

import pulumi
from lib.tap_stack import TapStack, TapStackArgs

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or os.getenv("ENVIRONMENT_SUFFIX", "dev")

stack = TapStack(f"tap-{environment_suffix}", TapStackArgs(environment_suffix=environment_suffix,
                                                           tags={"Project": "tap", "Owner": "documents-team"}))

pulumi.export("documents_bucket_name", stack.bucket.bucket)
pulumi.export("index_table_name", stack.table.name)
pulumi.export("renderer_repository_url", stack.repository.repository_url)
pulumi.export("renderer_repository_name", stack.repository.name)
pulumi.export("catalog_db_identifier", stack.database.identifier)
pulumi.export("signing_secret_name", stack.secret.name)
