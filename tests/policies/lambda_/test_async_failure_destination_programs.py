"""lambda-async-failure-destination on Pulumi programs written the way users write them, run under the SDK's
mocks (the engine's requests with their property dependencies, ARNs unknown in a preview), and on stacks
sent to the pack over gRPC as the engine sends them."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from aws_conventions.engine import PackProcess, StackResource
from aws_conventions.testing import check_program
from policies import make_urn
from policies._core.values import UNKNOWN

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NAME = "lambda-async-failure-destination"
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
CODE = pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return e\n")})


def make_function(name: str, **kwargs) -> aws.lambda_.Function:
    role = aws.iam.Role(f"{name}-role", assume_role_policy=TRUST)
    return aws.lambda_.Function(name, name=name, role=role.arn, runtime="python3.12", handler="index.handler",
                                code=CODE, **kwargs)


def s3_program(dlq: bool = False, invoke_config: bool = False):
    def program() -> None:
        queue = aws.sqs.Queue("thumbnails-dlq-dev")
        dead_letters = aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=queue.arn) if dlq else None
        fn = make_function("thumbnails-dev", dead_letter_config=dead_letters)
        bucket = aws.s3.Bucket("uploads-dev")
        allow = aws.lambda_.Permission("uploads-invoke-dev", action="lambda:InvokeFunction", function=fn.name,
                                       principal="s3.amazonaws.com", source_arn=bucket.arn)
        aws.s3.BucketNotification("uploads-notification-dev", bucket=bucket.id, lambda_functions=[
            aws.s3.BucketNotificationLambdaFunctionArgs(lambda_function_arn=fn.arn, events=["s3:ObjectCreated:*"])],
            opts=pulumi.ResourceOptions(depends_on=[allow]))
        if invoke_config:
            aws.lambda_.FunctionEventInvokeConfig(
                "thumbnails-async-dev", function_name=fn.name, maximum_retry_attempts=1,
                destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
                    on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(
                        destination=queue.arn)))
    return program


def synchronous_program() -> None:
    """An API behind API Gateway and a worker fed by SQS: neither is invoked asynchronously."""
    api_fn = make_function("api-dev")
    aws.lambda_.Permission("api-invoke-dev", action="lambda:InvokeFunction", function=api_fn.name,
                           principal="apigateway.amazonaws.com")
    aws.lambda_.FunctionUrl("api-url-dev", function_name=api_fn.name, authorization_type="AWS_IAM")
    worker = make_function("worker-dev")
    queue = aws.sqs.Queue("jobs-dev")
    aws.lambda_.EventSourceMapping("jobs-mapping-dev", event_source_arn=queue.arn, function_name=worker.arn)


def schedule_program() -> None:
    """A nightly job on an EventBridge rule, with a dead-letter queue on the target only."""
    fn = make_function("nightly-report-dev")
    queue = aws.sqs.Queue("nightly-target-dlq-dev")
    rule = aws.cloudwatch.EventRule("nightly-dev", schedule_expression="cron(0 3 * * ? *)")
    aws.cloudwatch.EventTarget("nightly-target-dev", rule=rule.name, arn=fn.arn,
                               dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=queue.arn))
    aws.lambda_.Permission("nightly-invoke-dev", action="lambda:InvokeFunction", function=fn.name,
                           principal="events.amazonaws.com", source_arn=rule.arn)


def findings(program, preview: bool = True) -> list:
    return [f for f in check_program(program, stack="dev", config={"aws:region": "us-east-1"}, preview=preview)
            if f.policy == NAME]


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_s3_notification_without_a_dead_letter_queue(preview):
    [found] = findings(s3_program(), preview)
    assert (found.level, found.resource_type, found.resource_name) == ("advisory", "aws:lambda/function:Function",
                                                                        "thumbnails-dev")
    assert ("invoked asynchronously by aws:s3/bucketNotification:BucketNotification 'uploads-notification-dev' "
            "(S3 event notification); it has neither") in found.message
    assert "uploads-invoke-dev" not in found.message, "the bucket's permission is part of the same trigger"
    assert "dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=dlq.arn)" in found.message


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
@pytest.mark.parametrize(("dlq", "invoke_config"), [(True, False), (False, True)], ids=["dlq", "on-failure"])
def test_a_dead_letter_queue_or_an_on_failure_destination_is_enough(preview, dlq, invoke_config):
    assert findings(s3_program(dlq, invoke_config), preview) == []


def test_synchronous_and_polled_functions_are_not_reported():
    assert findings(synchronous_program) == []


def test_a_target_dead_letter_queue_is_not_the_functions():
    [found] = findings(schedule_program)
    assert found.resource_name == "nightly-report-dev"
    assert "aws:cloudwatch/eventTarget:EventTarget 'nightly-target-dev' (EventBridge rule target)" in found.message
    assert "(its deadLetterConfig) takes only events that could not be delivered to Lambda" in found.message


# -- the pack over gRPC, as the engine sends AnalyzeStack ---------------------------------------------


@pytest.fixture(scope="module")
def pack():
    with PackProcess(stack="dev", project="tap", stack_config={"aws:region": "us-east-1"}) as p:
        p.configure_stack()
        yield p


def test_linked_through_property_dependencies_over_the_protocol(pack):
    fn_urn = make_urn("aws:lambda/function:Function", "ingest-dev", project="tap")
    fn = StackResource("aws:lambda/function:Function", "ingest-dev", {"name": "ingest-dev", "arn": UNKNOWN},
                       urn=fn_urn)
    subscription = StackResource("aws:sns/topicSubscription:TopicSubscription", "ingest-sub",
                                 {"protocol": "lambda", "endpoint": UNKNOWN, "topic": UNKNOWN},
                                 property_dependencies={"endpoint": [fn_urn]})
    [diag] = [d for d in pack.analyze_stack([fn, subscription]) if d.policy == NAME]
    assert (diag.urn, diag.level) == (fn_urn, "advisory")
    assert "(SNS subscription)" in diag.message
    without_link = StackResource(subscription.type, subscription.name, subscription.properties)
    assert [d for d in pack.analyze_stack([fn, without_link]) if d.policy == NAME] == []
