"""Entry point of the payment webhook stack.

The component registers its outputs, but the stack exports nothing.
"""

import os

import pulumi
from lib.tap_stack import TapStack, TapStackArgs

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or os.getenv("ENVIRONMENT_SUFFIX", "dev")

stack = TapStack(
    f"tap-{environment_suffix}",
    TapStackArgs(environment_suffix=environment_suffix, tags={"Project": "tap", "Owner": "payments-team"}),
)
