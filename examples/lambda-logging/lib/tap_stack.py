"""TapStack: a public webhook that hands events to a worker, and a notifier.

Violates log-retention (an audit log group that never expires, an ingest log group with a
retention CloudWatch rejects), lambda-log-group (the worker has no log group; the webhook's group
is named after a different function; the notifier's group is created after the notifier),
lambda-function-url-auth (the webhook URL is public), lambda-runtime-support (the worker runs on
python3.9, past its end of support), lambda-async-failure-destination (a nightly EventBridge rule
invokes the worker, which has nowhere to send the events it fails on), lambda-reserved-concurrency
(the webhook and the worker reserve 500 concurrent executions each, more than an account with the
default quota of 1,000 can reserve) and key-resource-exports (the webhook URL, which the partner
integration tests call, is not exported).
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
from pulumi import ComponentResource, Output, ResourceOptions


class TapStackArgs:
    def __init__(self, environment_suffix: str | None = None, tags: dict | None = None):
        self.environment_suffix = environment_suffix or "dev"
        self.tags = tags or {}


class TapStack(ComponentResource):
    def __init__(self, name: str, args: TapStackArgs, opts: ResourceOptions | None = None):
        super().__init__("tap:stack:TapStack", name, None, opts)
        s = args.environment_suffix
        tags = {**args.tags, "Environment": s}
        child = ResourceOptions(parent=self)

        # Kept for compliance reviews, "forever" by accident: no retention_in_days.
        aws.cloudwatch.LogGroup(f"audit-logs-{s}", name=f"/tap/audit-{s}", tags=tags, opts=child)
        # Nine days is not a value CloudWatch accepts; the deployment fails.
        aws.cloudwatch.LogGroup(f"ingest-logs-{s}", name=f"/tap/ingest-{s}", retention_in_days=9, tags=tags,
                                opts=child)

        role = aws.iam.Role(
            f"functions-role-{s}",
            assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "lambda.amazonaws.com"}}],
            }),
            tags=tags,
            opts=child,
        )
        self.queue = queue = aws.sqs.Queue(f"events-{s}", name=f"tap-events-{s}", tags=tags, opts=child)
        aws.iam.RolePolicy(
            f"functions-policy-{s}",
            role=role.id,
            policy=Output.json_dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ReceiveMessage",
                                                             "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                               "Resource": queue.arn}],
            }),
            opts=child,
        )

        # The log group is named after "webhook-dev", the function is "tap-webhook-dev": Lambda still
        # creates /aws/lambda/tap-webhook-dev on its own, without retention.
        webhook_logs = aws.cloudwatch.LogGroup(f"webhook-logs-{s}", name=f"/aws/lambda/webhook-{s}",
                                               retention_in_days=14, tags=tags, opts=child)
        self.webhook = aws.lambda_.Function(
            f"webhook-{s}",
            name=f"tap-webhook-{s}",
            role=role.arn,
            runtime="python3.12",
            handler="handler.handler",
            code=pulumi.FileArchive("./lib/lambda"),
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            reserved_concurrent_executions=500,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={"QUEUE_URL": queue.url}),
            tags=tags,
            opts=ResourceOptions(parent=self, depends_on=[webhook_logs]),
        )
        # Anyone on the internet can invoke (and bill) the webhook.
        self.webhook_url = aws.lambda_.FunctionUrl(
            f"webhook-url-{s}",
            function_name=self.webhook.name,
            authorization_type="NONE",
            opts=child,
        )

        # No log group at all for the worker, and a runtime copied from an old template.
        self.worker = aws.lambda_.Function(
            f"worker-{s}",
            name=f"tap-worker-{s}",
            role=role.arn,
            runtime="python3.9",
            handler="handler.handler",
            code=pulumi.FileArchive("./lib/lambda"),
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            reserved_concurrent_executions=500,
            tags=tags,
            opts=child,
        )
        aws.lambda_.EventSourceMapping(f"worker-events-{s}", event_source_arn=queue.arn,
                                       function_name=self.worker.arn, batch_size=10, opts=child)

        # A nightly sweep invokes the worker asynchronously too; it has no dead-letter queue, so a sweep
        # that fails three times is dropped without a trace.
        sweep = aws.cloudwatch.EventRule(f"worker-sweep-{s}", schedule_expression="cron(0 3 * * ? *)",
                                         tags=tags, opts=child)
        aws.cloudwatch.EventTarget(f"worker-sweep-target-{s}", rule=sweep.name, arn=self.worker.arn, opts=child)
        aws.lambda_.Permission(f"worker-sweep-invoke-{s}", action="lambda:InvokeFunction",
                               function=self.worker.name, principal="events.amazonaws.com", source_arn=sweep.arn,
                               opts=child)

        # The notifier's group is named from the function's own output, so Pulumi creates it after the
        # function: an invocation in between makes Lambda create the group, and creating it then fails.
        self.notifier = aws.lambda_.Function(
            f"notifier-{s}",
            name=f"tap-notifier-{s}",
            role=role.arn,
            runtime="python3.12",
            handler="handler.handler",
            code=pulumi.FileArchive("./lib/lambda"),
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            tags=tags,
            opts=child,
        )
        aws.cloudwatch.LogGroup(f"notifier-logs-{s}", name=self.notifier.name.apply(lambda n: f"/aws/lambda/{n}"),
                                retention_in_days=14, tags=tags, opts=child)

        self.register_outputs({"webhook_url": self.webhook_url.function_url})
