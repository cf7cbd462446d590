"""Entry point of the order pipeline."""

import pulumi
from lib.tap_stack import TapStack, TapStackArgs

stack = TapStack("orders", TapStackArgs(tags={"Project": "tap", "Owner": "orders-team"}))

pulumi.export("intake_queue_url", stack.intake.url)
pulumi.export("events_topic_arn", stack.events.arn)
