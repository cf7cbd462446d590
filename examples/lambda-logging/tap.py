"""Entry point of the webhook service."""

import os

import pulumi
from lib.tap_stack import TapStack, TapStackArgs

config = pulumi.Config()
environment_suffix = config.get("environmentSuffix") or os.getenv("ENVIRONMENT_SUFFIX", "dev")

stack = TapStack(f"tap-{environment_suffix}", TapStackArgs(environment_suffix=environment_suffix,
                                                           tags={"Project": "tap", "Owner": "integrations"}))

pulumi.export("webhook_function_name", stack.webhook.name)
pulumi.export("worker_function_name", stack.worker.name)
pulumi.export("events_queue_name", stack.queue.name)
