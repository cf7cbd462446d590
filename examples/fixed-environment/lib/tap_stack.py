"""TapStack: the order pipeline, first written for production.

Violates environment-suffix-naming once, at the stack: every queue and topic is named with a fixed
"prod" instead of the environment suffix, so a pull-request environment collides with production. One
cause, one fix (read the suffix in the entry point and pass it down), so the pack reports it once.
"""

from __future__ import annotations

import pulumi_aws as aws
from pulumi import ComponentResource, ResourceOptions


class TapStackArgs:
    def __init__(self, environment_suffix: str | None = None, tags: dict | None = None):
        self.environment_suffix = environment_suffix
        self.tags = tags or {}


class TapStack(ComponentResource):
    def __init__(self, name: str, args: TapStackArgs, opts: ResourceOptions | None = None):
        super().__init__("tap:stack:TapStack", name, None, opts)
        child = ResourceOptions(parent=self)
        tags = {**args.tags, "Environment": "prod"}

        self.dead_letters = aws.sqs.Queue("order-dead-letters", name="orders-dead-letters-prod",
                                          message_retention_seconds=1209600, tags=tags, opts=child)
        self.intake = aws.sqs.Queue("order-intake", name="orders-intake-prod", tags=tags, opts=child)
        self.fulfilment = aws.sqs.Queue("order-fulfilment", name="orders-fulfilment-prod", tags=tags, opts=child)
        self.events = aws.sns.Topic("order-events", name="orders-events-prod", tags=tags, opts=child)
        self.alerts = aws.sns.Topic("order-alerts", name="orders-alerts-prod", tags=tags, opts=child)
        self.register_outputs({})
