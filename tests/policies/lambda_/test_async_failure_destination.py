import pytest

from policies._core.context import StackContext
from policies._core.resource import Resource, make_urn
from policies._core.values import UNKNOWN, Secret
from tests.conftest import assert_findings, check_stack

NAME = "lambda-async-failure-destination"
FUNCTION = "aws:lambda/function:Function"
STACK = StackContext(stack="dev", project="project", config={"aws:region": "us-east-1"})
FN_URN = make_urn(FUNCTION, "processor-dev")
QUEUE_URN = make_urn("aws:sqs/queue:Queue", "dlq-dev")
ARN = "arn:aws:lambda:us-east-1:123456789012:function:processor-dev"


def function(**changes):
    props = {"name": "processor-dev", "runtime": "python3.12", "arn": UNKNOWN, **changes}
    return Resource.of(FUNCTION, {k: v for k, v in props.items() if v is not None}, name="processor-dev")


def linked(type_, name, props, key, urns=(FN_URN,)):
    """A resource whose ``key`` was set from the function's outputs (the ARN unknown in a preview)."""
    return Resource.of(type_, props, name=name, property_dependencies={key: tuple(urns)})


def notification(**changes):
    props = {"bucket": UNKNOWN, "lambdaFunctions": [{"lambdaFunctionArn": UNKNOWN, "events": ["s3:ObjectCreated:*"]}],
             **changes}
    return linked("aws:s3/bucketNotification:BucketNotification", "uploads-notification", props, "lambdaFunctions")


def subscription(protocol="lambda", **changes):
    return linked("aws:sns/topicSubscription:TopicSubscription", "alerts-sub",
                  {"topic": UNKNOWN, "protocol": protocol, "endpoint": UNKNOWN, **changes}, "endpoint")


def target(**changes):
    return linked("aws:cloudwatch/eventTarget:EventTarget", "nightly-target",
                  {"rule": "nightly-dev", "arn": UNKNOWN, **changes}, "arn")


def permission(principal="s3.amazonaws.com", action="lambda:InvokeFunction", function_=UNKNOWN, urns=(FN_URN,)):
    return linked("aws:lambda/permission:Permission", "allow-invoke",
                  {"action": action, "function": function_, "principal": principal}, "function", urns)


def pipeline(invoke, urns=(FN_URN,), build=None):
    """A pipeline whose second stage invokes a function (``invoke``: the action's configuration)."""
    stages = [{"name": "Source", "actions": [{"name": "s", "category": "Source", "provider": "S3",
                                              "configuration": {"S3Bucket": "src-dev", "S3ObjectKey": "app.zip"}}]},
              {"name": "Notify", "actions": [{"name": "n", "category": "Invoke", "provider": "Lambda",
                                              "configuration": invoke}]}]
    if build is not None:
        stages.append({"name": "Build", "actions": [{"name": "b", "category": "Build", "provider": "CodeBuild",
                                                     "configuration": build}]})
    return linked("aws:codepipeline/pipeline:Pipeline", "release", {"stages": stages}, "stages", urns)


def invoke_config(destination=UNKNOWN, function_name=UNKNOWN, urns=(FN_URN,), qualifier=None):
    props = {"functionName": function_name, "maximumRetryAttempts": 1}
    if destination is not None:
        props["destinationConfig"] = {"onFailure": {"destination": destination}}
    if qualifier:
        props["qualifier"] = qualifier
    return linked("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "processor-async", props,
                  "functionName", urns)


REPORTED = ["aws:lambda/function:Function 'processor-dev': invoked asynchronously by",
            "; it has neither a deadLetterConfig.targetArn nor an aws.lambda_.FunctionEventInvokeConfig with "
            "destinationConfig.onFailure.destination; expected somewhere for failed events to go",
            "Lambda retries an asynchronous event twice, then drops it",
            "dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=dlq.arn)",
            "sqs:SendMessage",
            "aws.lambda_.FunctionEventInvokeConfig(\"processor-dev-async\", function_name=function.name, "
            "destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(on_failure=aws.lambda_."
            "FunctionEventInvokeConfigDestinationConfigOnFailureArgs(destination=dlq.arn)))"]


def by(label):
    """The finding names its trigger: ``label`` is the trigger's resource label and kind, or only its kind."""
    return [*REPORTED, label if label.startswith("(") else f"invoked asynchronously by {label}"]


CASES = [
    # (id, resources, config, substrings of the one finding, or None for silence)
    ("s3-notification-without-dlq", [function(), notification()], {},
     by("aws:s3/bucketNotification:BucketNotification 'uploads-notification' (S3 event notification)")),
    ("dlq-on-the-function", [function(deadLetterConfig={"targetArn": UNKNOWN}), notification()], {}, None),
    ("dlq-known-arn", [function(deadLetterConfig={"targetArn": "arn:aws:sqs:us-east-1:123456789012:dlq"}),
                       notification()], {}, None),
    ("dlq-empty-arn", [function(deadLetterConfig={"targetArn": ""}), notification()], {}, REPORTED),
    ("dlq-secret-arn", [function(deadLetterConfig=Secret({"targetArn": "arn:aws:sqs:us-east-1:1:q"})),
                        notification()], {}, None),
    ("on-failure-destination", [function(), notification(), invoke_config()], {}, None),
    ("on-failure-destination-for-an-alias", [function(), notification(), invoke_config(qualifier="live")], {},
     None),
    ("on-failure-destination-by-name", [function(), notification(), invoke_config("arn:aws:sqs:us-east-1:1:q",
                                                                                  "processor-dev", ())], {}, None),
    ("on-failure-destination-by-arn", [function(), notification(), invoke_config("arn:aws:sqs:us-east-1:1:q", ARN,
                                                                                 ())], {}, None),
    ("invoke-config-without-destination", [function(), notification(), invoke_config(destination=None)], {},
     REPORTED),
    ("invoke-config-for-another-function", [function(), Resource.of(FUNCTION, {"name": "other-dev"}, name="other-dev"),
                                            notification(), invoke_config(urns=(make_urn(FUNCTION, "other-dev"),))],
     {}, REPORTED),
    ("invoke-config-for-an-unknown-function", [function(), notification(), invoke_config(urns=())], {}, None),
    ("sns-lambda-subscription", [function(), subscription()], {},
     by("aws:sns/topicSubscription:TopicSubscription 'alerts-sub' (SNS subscription)")),
    ("sns-subscription-redrive-policy-does-not-count", [function(), subscription(redrivePolicy='{"x": 1}')], {},
     [*REPORTED, "The dead-letter queue of aws:sns/topicSubscription:TopicSubscription 'alerts-sub' (its "
                 "redrivePolicy) takes only events that could not be delivered to Lambda"]),
    ("sns-sqs-subscription", [function(), subscription("sqs")], {}, None),
    ("sns-protocol-unknown", [function(), subscription(UNKNOWN)], {}, None),
    ("eventbridge-target", [function(), target()], {},
     by("aws:cloudwatch/eventTarget:EventTarget 'nightly-target' (EventBridge rule target)")),
    ("eventbridge-target-dlq-does-not-count", [function(), target(deadLetterConfig={"arn": UNKNOWN})], {},
     [*REPORTED, "(its deadLetterConfig) takes only events that could not be delivered to Lambda"]),
    ("eventbridge-target-by-literal-arn", [function(), Resource.of(
        "aws:cloudwatch/eventTarget:EventTarget", {"rule": "r", "arn": ARN}, name="t")], {}, REPORTED),
    ("eventbridge-target-arn-of-another-kind", [function(), Resource.of(
        "aws:cloudwatch/eventTarget:EventTarget", {"rule": "r", "arn": "processor-dev"}, name="t")], {}, None),
    ("schedule", [function(), linked("aws:scheduler/schedule:Schedule", "hourly", {
        "scheduleExpression": "rate(1 hour)", "target": {"arn": UNKNOWN, "roleArn": UNKNOWN}}, "target")], {},
     by("aws:scheduler/schedule:Schedule 'hourly' (EventBridge Scheduler schedule)")),
    ("log-subscription", [function(), linked("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", "errors", {
        "logGroup": "/app", "filterPattern": "ERROR", "destinationArn": UNKNOWN}, "destinationArn")], {},
     by("(CloudWatch Logs subscription filter)")),
    ("ses-receipt-rule-event", [function(), linked("aws:ses/receiptRule:ReceiptRule", "inbound", {
        "ruleSetName": "r", "lambdaActions": [{"functionArn": UNKNOWN, "position": 1}]}, "lambdaActions")], {},
     by("(SES receipt rule)")),
    ("ses-receipt-rule-request-response", [function(), linked("aws:ses/receiptRule:ReceiptRule", "inbound", {
        "ruleSetName": "r", "lambdaActions": [{"functionArn": UNKNOWN, "position": 1,
                                               "invocationType": "RequestResponse"}]}, "lambdaActions")], {}, None),
    ("ses-receipt-rule-invocation-unknown", [function(), linked("aws:ses/receiptRule:ReceiptRule", "inbound", {
        "ruleSetName": "r", "lambdaActions": [{"functionArn": UNKNOWN, "position": 1, "invocationType": UNKNOWN}]},
        "lambdaActions")], {}, None),
    ("iot-topic-rule", [function(), linked("aws:iot/topicRule:TopicRule", "telemetry", {
        "sql": "SELECT *", "lambdas": [{"functionArn": UNKNOWN}]}, "lambdas")], {}, by("(IoT topic rule)")),
    ("config-custom-rule", [function(), linked("aws:cfg/rule:Rule", "tagged", {
        "source": {"owner": "CUSTOM_LAMBDA", "sourceIdentifier": UNKNOWN}}, "source")], {},
     by("(AWS Config custom rule)")),
    ("config-managed-rule", [function(), linked("aws:cfg/rule:Rule", "tagged", {
        "source": {"owner": "AWS", "sourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}}, "source")], {}, None),
    ("alarm-action", [function(), linked("aws:cloudwatch/metricAlarm:MetricAlarm", "errors", {
        "alarmActions": [UNKNOWN]}, "alarmActions")], {}, by("(CloudWatch alarm action)")),
    ("alarm-action-sns-only", [function(), linked("aws:cloudwatch/metricAlarm:MetricAlarm", "errors", {
        "alarmActions": [UNKNOWN]}, "alarmActions", (make_urn("aws:sns/topic:Topic", "alerts"),))], {}, None),
    ("codecommit-trigger", [function(), linked("aws:codecommit/trigger:Trigger", "push", {
        "repositoryName": "r", "triggers": [{"destinationArn": UNKNOWN, "events": ["all"], "name": "n"}]},
        "triggers")], {}, by("(CodeCommit trigger)")),
    ("codepipeline-invoke", [function(), pipeline({"FunctionName": UNKNOWN})], {},
     by("(CodePipeline Lambda invoke action)")),
    ("codepipeline-invoke-by-name", [function(), pipeline({"FunctionName": "processor-dev"}, urns=())], {},
     by("(CodePipeline Lambda invoke action)")),
    ("codepipeline-invoke-another-function", [function(), pipeline({"FunctionName": "other-dev"}, urns=())], {},
     None),
    ("codepipeline-other-action-holds-the-output", [function(), pipeline(
        {"FunctionName": "other-dev"}, build={"ProjectName": UNKNOWN})], {}, None),
    ("codepipeline-without-invoke", [function(), linked("aws:codepipeline/pipeline:Pipeline", "release", {
        "stages": [{"name": "Build", "actions": [{"name": "b", "category": "Build", "provider": "CodeBuild",
                                                  "configuration": {"ProjectName": UNKNOWN}}]}]}, "stages")], {},
     None),
    ("pipe-fire-and-forget", [function(), linked("aws:pipes/pipe:Pipe", "orders", {
        "source": UNKNOWN, "target": UNKNOWN, "roleArn": UNKNOWN,
        "targetParameters": {"lambdaFunctionParameters": {"invocationType": "FIRE_AND_FORGET"}}}, "target")], {},
     by("(EventBridge pipe (FIRE_AND_FORGET))")),
    ("pipe-request-response", [function(), linked("aws:pipes/pipe:Pipe", "orders", {
        "source": UNKNOWN, "target": UNKNOWN, "roleArn": UNKNOWN}, "target")], {}, None),
    ("permission-for-s3", [function(), permission()], {},
     by("aws:lambda/permission:Permission 'allow-invoke' (permission for s3.amazonaws.com)")),
    ("permission-for-regional-logs", [function(), permission("logs.eu-west-1.amazonaws.com")], {},
     by("(permission for logs.eu-west-1.amazonaws.com)")),
    ("permission-for-api-gateway", [function(), permission("apigateway.amazonaws.com")], {}, None),
    ("permission-for-cognito", [function(), permission("cognito-idp.amazonaws.com")], {}, None),
    ("permission-for-a-function-url", [function(), permission(action="lambda:InvokeFunctionUrl")], {}, None),
    ("permission-principal-unknown", [function(), permission(UNKNOWN)], {}, None),
    ("permission-by-literal-name", [function(), permission(function_="processor-dev", urns=())], {}, REPORTED),
    ("permission-by-literal-arn-with-alias", [function(), permission(function_=ARN + ":live", urns=())], {},
     REPORTED),
    ("permission-for-another-function", [function(), permission(function_="other-dev", urns=())], {}, None),
    ("trigger-and-its-permission-one-finding", [function(), notification(), permission()], {},
     by("(S3 event notification); it has")),
    ("permission-for-another-service-is-named", [function(), notification(), permission("sns.amazonaws.com")], {},
     by("(S3 event notification), aws:lambda/permission:Permission 'allow-invoke' (permission for "
        "sns.amazonaws.com); it has")),
    ("event-source-mapping-is-polled", [function(), linked("aws:lambda/eventSourceMapping:EventSourceMapping", "sqs",
                                                           {"eventSourceArn": UNKNOWN, "functionName": UNKNOWN},
                                                           "functionName")], {}, None),
    ("function-url-is-synchronous", [function(), linked("aws:lambda/functionUrl:FunctionUrl", "url", {
        "functionName": UNKNOWN, "authorizationType": "AWS_IAM"}, "functionName")], {}, None),
    ("no-trigger", [function()], {}, None),
    ("exempt-by-logical-name", [function(), notification()], {"exemptFunctions": ["processor-*"]}, None),
    ("exempt-by-physical-name", [function(), notification()], {"exemptFunctions": ["*-dev"]}, None),
    ("exempt-pattern-elsewhere", [function(), notification()], {"exemptFunctions": ["reports-*"]}, REPORTED),
    ("trigger-kind-not-selected", [function(), notification()], {"triggers": ["sns", "eventbridge"]}, None),
    ("trigger-kind-selected", [function(), notification(), target()], {"triggers": ["eventbridge"]},
     by("(EventBridge rule target)")),
]


@pytest.mark.parametrize(("resources", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(resources, config, expected):
    finding = assert_findings(check_stack(NAME, resources, config=config, stack=STACK), expected)
    if finding is not None:
        assert finding.urn == FN_URN
        assert finding.property == "deadLetterConfig.targetArn"


def test_alias_links_a_trigger_to_its_function():
    alias = linked("aws:lambda/alias:Alias", "live", {"name": "live", "functionName": UNKNOWN}, "functionName")
    rule_target = linked("aws:cloudwatch/eventTarget:EventTarget", "t", {"rule": "r", "arn": UNKNOWN}, "arn",
                         (alias.urn,))
    assert_findings(check_stack(NAME, [function(), alias, rule_target], stack=STACK), REPORTED)


def test_literal_name_in_another_region_is_another_function():
    other_region = Resource.of("aws:lambda/permission:Permission", {
        "action": "lambda:InvokeFunction", "function": "processor-dev", "principal": "s3.amazonaws.com",
        "region": "eu-west-1"}, name="p")
    assert check_stack(NAME, [function(region="us-east-1"), other_region], stack=STACK) == []


def test_one_finding_per_function_and_each_function_on_its_own():
    second_urn = make_urn(FUNCTION, "thumbnails-dev")
    second = Resource.of(FUNCTION, {"name": "thumbnails-dev"}, name="thumbnails-dev")
    both = notification()
    both = Resource.of(both.type, both.props.to_dict(), name=both.name,
                       property_dependencies={"lambdaFunctions": (FN_URN, second_urn)})
    covered = invoke_config(urns=(second_urn,))
    findings = check_stack(NAME, [function(), second, both, covered, target()], stack=STACK)
    assert [f.urn for f in findings] == [FN_URN]
    assert ("by aws:s3/bucketNotification:BucketNotification 'uploads-notification' (S3 event notification), "
            "aws:cloudwatch/eventTarget:EventTarget 'nightly-target' (EventBridge rule target); it has"
            ) in findings[0].message


def test_many_triggers_are_counted_past_three():
    triggers = [linked("aws:cloudwatch/eventTarget:EventTarget", f"t{i}", {"rule": "r", "arn": UNKNOWN}, "arn")
                for i in range(5)]
    finding = assert_findings(check_stack(NAME, [function(), *triggers], stack=STACK), REPORTED)
    assert "'t2' (EventBridge rule target) and 2 more; it has" in finding.message


def test_a_secret_function_name_is_never_shown():
    secret = Resource.of(FUNCTION, {"name": Secret("hidden-name")}, name="processor-dev")
    finding = assert_findings(check_stack(NAME, [secret, notification()], stack=STACK), REPORTED)
    assert "hidden-name" not in finding.message


def test_odd_shapes_are_silent_and_never_raise():
    odd = [
        function(deadLetterConfig="not-an-object"),
        Resource.of("aws:s3/bucketNotification:BucketNotification", {"lambdaFunctions": "x"}, name="n1"),
        Resource.of("aws:s3/bucketNotification:BucketNotification", {"lambdaFunctions": [7, None]}, name="n2"),
        Resource.of("aws:ses/receiptRule:ReceiptRule", {"lambdaActions": {"functionArn": 3}}, name="r"),
        Resource.of("aws:cloudwatch/metricAlarm:MetricAlarm", {"alarmActions": 5}, name="a"),
        Resource.of("aws:lambda/permission:Permission", {"action": ["lambda:InvokeFunction"], "principal": 1,
                                                         "function": {"name": "processor-dev"}}, name="p"),
        Resource.of("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
                    {"functionName": 12, "destinationConfig": [{"onFailure": [{"destination": 5}]}]}, name="c"),
    ]
    assert check_stack(NAME, odd, stack=STACK) == []


def test_a_literal_name_counts_as_a_trigger_only_in_a_known_place():
    permission_ = Resource.of("aws:lambda/permission:Permission", {
        "action": "lambda:InvokeFunction", "function": "processor-dev", "principal": "s3.amazonaws.com",
        "region": UNKNOWN}, name="p", property_dependencies={"region": (make_urn("aws:x/y:Z", "r"),)})
    assert check_stack(NAME, [function(), permission_], stack=STACK) == []


def test_a_literal_name_counts_as_a_destination_while_its_place_is_unknown():
    config = Resource.of("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", {
        "functionName": "processor-dev", "destinationConfig": {"onFailure": {"destination": UNKNOWN}},
        "region": UNKNOWN}, name="c", property_dependencies={"region": (make_urn("aws:x/y:Z", "r"),)})
    assert check_stack(NAME, [function(), notification(), config], stack=STACK) == []
    in_another_region = Resource.of(config.type, {**config.props.to_dict(), "region": "eu-west-1"}, name="c")
    assert_findings(check_stack(NAME, [function(), notification(), in_another_region], stack=STACK), REPORTED)
