"""Entry point of the orders service.

The component registers its outputs, but nothing is exported from the stack: `pulumi stack output`
returns {} and the integration tests cannot find the table, the queue or the function.
"""

import os

import pulumi
from lib.tap_stack import TapStack, TapStackArgs

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or os.getenv("ENVIRONMENT_SUFFIX", "dev")

TapStack(f"tap-{environment_suffix}", TapStackArgs(environment_suffix=environment_suffix,
                                                   tags={"Project": "tap", "Owner": "orders-team"}))
