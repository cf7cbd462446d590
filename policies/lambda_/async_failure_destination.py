"""lambda-async-failure-destination: an asynchronously invoked Lambda function keeps its failed events.

Why: for an asynchronous invocation Lambda queues the event, retries it twice when the function fails, then
drops it: without a dead-letter queue or an on-failure destination the event is gone, and nothing says so
but an error count. S3 uploads, SNS messages, EventBridge events and scheduled runs are lost that way.

Reported: a Lambda function that a trigger of the stack makes AWS invoke asynchronously, when the function
sets no ``deadLetterConfig.targetArn`` and no ``aws.lambda_.FunctionEventInvokeConfig`` of the stack (any
qualifier) sets ``destinationConfig.onFailure.destination`` for it. The triggers, each documented by AWS as
invoking asynchronously (the pages are cited in the module): S3 bucket notifications, SNS subscriptions with
protocol ``lambda``, EventBridge (CloudWatch Events) rule targets, EventBridge Scheduler schedules, CloudWatch
Logs subscription filters, SES receipt rules (invocation type ``Event``, the default), IoT topic rules, AWS
Config custom rules, CloudWatch alarm actions, CodeCommit triggers, CodePipeline Lambda invoke actions,
EventBridge Pipes with invocation type ``FIRE_AND_FORGET``, and an ``aws.lambda_.Permission`` granting
``lambda:InvokeFunction`` to one of those services. A trigger is linked to its function through the engine's
property dependencies (the ARN is unknown during a preview), directly or through an alias, or through a
function name or ARN written out, in the same account and region. A dead-letter queue of the trigger's own (an
EventBridge target's or a schedule's ``deadLetterConfig``, an SNS subscription's ``redrivePolicy``) does not
count: it takes only the events that could not be delivered to Lambda, not the function's failures; the
message says so.

Not reported:

* synchronous invokers, which get the function's error back and retry on their own terms: API Gateway,
  function URLs, Application Load Balancers, Cognito triggers, Step Functions tasks, Lex, SES receipt rules
  with invocation type ``RequestResponse``, Pipes with ``REQUEST_RESPONSE`` (their default);
* event source mappings (SQS, Kinesis, DynamoDB streams, Kafka, MQ): Lambda polls those, and failures stay
  in the source or go to the mapping's own ``destinationConfig`` and the queue's redrive policy;
* a function whose ``deadLetterConfig.targetArn`` or invoke config destination is set from an output still
  unknown during a preview: it counts as set;
* any function while an invoke config with a destination names a function that is not known (it may be
  that one), and a trigger whose service, protocol or invocation type is unknown during a preview;
* functions that match ``exemptFunctions``, and triggers whose kind is not in ``triggers``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from .._core.policy import ADVISORY, Finding, Option, PolicyContext, StackPolicy, stated
from .._core.regex import LazyPattern
from .._core.resource import Resource
from .._core.stack import StackView
from .._core.values import Prop, contains_unknown, prop_of
from ..account.scope import scope_of
from .function_url_auth import function_name

FUNCTION = "aws:lambda/function:Function"
ALIAS = "aws:lambda/alias:Alias"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
PERMISSION = "aws:lambda/permission:Permission"
MAX_SHOWN = 3

# Which services invoke a function asynchronously, from AWS documentation:
# - "Comparing Lambda invocation modes" (Lambda Operator Guide): asynchronous are Amazon S3, Amazon SNS,
#   Amazon Simple Email Service, CloudWatch Logs, CloudWatch Events, AWS CodeCommit, AWS Config, AWS IoT;
#   synchronous are ALB, Cognito, Lex, API Gateway, CloudFront, Data Firehose; polled are DynamoDB,
#   Kinesis, MSK and SQS.
# - "Process Amazon S3 event notifications with Lambda", "Using Lambda with Amazon SNS", "Using Lambda with
#   CloudWatch Logs" (Lambda Developer Guide): "... invokes your function asynchronously".
# - "Using Lambda with Amazon EventBridge Scheduler": "EventBridge Scheduler invokes your Lambda function
#   asynchronously"; its schedule's dead-letter queue ("Configuring a schedule's dead-letter queue") takes
#   only events it failed to deliver, as an EventBridge target's does ("DeadLetterConfig", AWS SAM:
#   failures after a successful invocation are the function's own dead-letter queue's).
# - "Invoke a Lambda function from an alarm" (CloudWatch User Guide): "an asynchronous invocation".
# - "Lambda" rule action (AWS IoT Core Developer Guide): "AWS IoT invokes Lambda functions asynchronously".
# - SES "LambdaAction": InvocationType "Event" (the default) is asynchronous, "RequestResponse" is not.
# - "Using AWS Lambda with AWS CodePipeline" (Lambda Developer Guide): "CodePipeline invokes your function
#   asynchronously"; the action is category Invoke, provider Lambda, configuration FunctionName ("AWS Lambda
#   invoke action reference", CodePipeline User Guide).
# - EventBridge Pipes "PipeTargetLambdaFunctionParameters": REQUEST_RESPONSE (default) is synchronous,
#   FIRE_AND_FORGET asynchronous.
ASYNC_PRINCIPALS = {
    "s3.amazonaws.com": "s3",
    "sns.amazonaws.com": "sns",
    "events.amazonaws.com": "eventbridge",
    "scheduler.amazonaws.com": "scheduler",
    "logs.amazonaws.com": "logs",
    "ses.amazonaws.com": "ses",
    "iot.amazonaws.com": "iot",
    "config.amazonaws.com": "config",
    "lambda.alarms.cloudwatch.amazonaws.com": "cloudwatch-alarms",
    "codecommit.amazonaws.com": "codecommit",
}
_REGIONAL_LOGS = LazyPattern(r"^logs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")
KINDS = ("s3", "sns", "eventbridge", "scheduler", "logs", "ses", "iot", "config", "cloudwatch-alarms",
         "codecommit", "codepipeline", "pipes")


class Trigger(NamedTuple):
    """A resource that makes AWS invoke functions asynchronously: its kind, how messages describe it,
    the properties that name the function, and what each names when written out."""

    resource: Resource
    kind: str
    what: str
    keys: tuple[str, ...]
    refs: tuple[Prop, ...]
    names_only_functions: bool
    own_dlq: str = ""


Reader = Callable[[Resource], "Trigger | None"]


def _each(prop: Prop, key: str) -> tuple[Prop, ...]:
    return tuple(prop_of(f"{prop.path}[{i}].{key}", item.get(key) if isinstance(item, dict) else None, prop.secret)
                 for i, item in enumerate(prop.as_list() or []))


def _bucket_notification(r: Resource) -> Trigger | None:
    refs = _each(r.get("lambdaFunctions"), "lambdaFunctionArn")
    return Trigger(r, "s3", "S3 event notification", ("lambdaFunctions",), refs, True)


def _subscription(r: Resource) -> Trigger | None:
    if r.get("protocol").as_str() != "lambda":
        return None
    redrive = "" if r.get("redrivePolicy").absent else "its redrivePolicy"
    return Trigger(r, "sns", "SNS subscription", ("endpoint",), (r.get("endpoint"),), False, redrive)


def _event_target(r: Resource) -> Trigger | None:
    dlq = "" if r.get("deadLetterConfig", "arn").absent else "its deadLetterConfig"
    return Trigger(r, "eventbridge", "EventBridge rule target", ("arn",), (r.get("arn"),), False, dlq)


def _schedule(r: Resource) -> Trigger | None:
    dlq = "" if r.get("target", "deadLetterConfig", "arn").absent else "its target's deadLetterConfig"
    return Trigger(r, "scheduler", "EventBridge Scheduler schedule", ("target",), (r.get("target", "arn"),),
                   False, dlq)


def _log_subscription(r: Resource) -> Trigger | None:
    return Trigger(r, "logs", "CloudWatch Logs subscription filter", ("destinationArn",),
                   (r.get("destinationArn"),), False)


def _receipt_rule(r: Resource) -> Trigger | None:
    actions = [a for a in r.get("lambdaActions").as_list() or [] if isinstance(a, dict)]
    if any(not isinstance(a.get("invocationType", "Event"), str) for a in actions):
        return None  # unknown during a preview
    asynchronous = [a for a in actions if a.get("invocationType") in (None, "Event")]
    if not asynchronous:
        return None
    refs = tuple(prop_of("lambdaActions.functionArn", a.get("functionArn")) for a in asynchronous)
    # With a synchronous action too, the dependencies of lambdaActions do not tell which function is which.
    keys = ("lambdaActions",) if len(asynchronous) == len(actions) else ()
    return Trigger(r, "ses", "SES receipt rule", keys, refs, True)


def _topic_rule(r: Resource) -> Trigger | None:
    return Trigger(r, "iot", "IoT topic rule", ("lambdas",), _each(r.get("lambdas"), "functionArn"), True)


def _config_rule(r: Resource) -> Trigger | None:
    if r.get("source", "owner").as_str() != "CUSTOM_LAMBDA":
        return None
    return Trigger(r, "config", "AWS Config custom rule", ("source",), (r.get("source", "sourceIdentifier"),),
                   True)


def _alarm(r: Resource) -> Trigger | None:
    keys = ("alarmActions", "okActions", "insufficientDataActions")
    refs = tuple(prop_of(k, v) for k in keys for v in r.get(k).as_list() or [])
    return Trigger(r, "cloudwatch-alarms", "CloudWatch alarm action", keys, refs, False)


def _codecommit(r: Resource) -> Trigger | None:
    return Trigger(r, "codecommit", "CodeCommit trigger", ("triggers",), _each(r.get("triggers"), "destinationArn"),
                   False)


def _pipeline(r: Resource) -> Trigger | None:
    actions = [(f"stages[{i}].actions[{j}]", a) for i, stage in enumerate(r.get("stages").as_list() or [])
               if isinstance(stage, dict) for j, a in enumerate(stage.get("actions") or []) if isinstance(a, dict)]
    invokes = [(path, a) for path, a in actions if a.get("category") == "Invoke" and a.get("provider") == "Lambda"]
    if not invokes:
        return None
    refs = tuple(prop_of(f"{path}.configuration.FunctionName", (a.get("configuration") or {}).get("FunctionName")
                         if isinstance(a.get("configuration"), dict) else None) for path, a in invokes)
    # The stages' dependencies name the invoked functions only while no other action holds an output.
    others_known = not any(contains_unknown(a) for _, a in actions if all(a is not b for _, b in invokes))
    return Trigger(r, "codepipeline", "CodePipeline Lambda invoke action", ("stages",) if others_known else (),
                   refs, True)


def _pipe(r: Resource) -> Trigger | None:
    invocation = r.get("targetParameters", "lambdaFunctionParameters", "invocationType")
    if invocation.as_str() != "FIRE_AND_FORGET":
        return None
    return Trigger(r, "pipes", "EventBridge pipe (FIRE_AND_FORGET)", ("target",), (r.get("target"),), False)


def _permission(r: Resource) -> Trigger | None:
    if r.get("action").as_str() != "lambda:InvokeFunction":
        return None
    principal = r.get("principal").as_str() or ""
    kind = ASYNC_PRINCIPALS.get(principal) or ("logs" if _REGIONAL_LOGS.match(principal) else None)
    if kind is None:
        return None
    return Trigger(r, kind, f"permission for {principal}", ("function",), (r.get("function"),), True)


READERS: dict[str, Reader] = {
    "aws:s3/bucketNotification:BucketNotification": _bucket_notification,
    "aws:sns/topicSubscription:TopicSubscription": _subscription,
    "aws:cloudwatch/eventTarget:EventTarget": _event_target,
    "aws:scheduler/schedule:Schedule": _schedule,
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": _log_subscription,
    "aws:ses/receiptRule:ReceiptRule": _receipt_rule,
    "aws:iot/topicRule:TopicRule": _topic_rule,
    "aws:cfg/rule:Rule": _config_rule,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:codecommit/trigger:Trigger": _codecommit,
    "aws:codepipeline/pipeline:Pipeline": _pipeline,
    "aws:pipes/pipe:Pipe": _pipe,
    PERMISSION: _permission,
}
"""Trigger readers by type; a Permission comes last, so that a message names the trigger itself first."""


class _Functions:
    """The stack's functions by URN and by known name, and each alias's function."""

    def __init__(self, view: StackView, ctx: PolicyContext) -> None:
        self.ctx = ctx
        self.by_urn = {r.urn: r for r in view.of_type(FUNCTION)}
        self.by_name: dict[str, list[Resource]] = {}
        for function in self.by_urn.values():
            name = function.get("name").as_str()
            if name:
                self.by_name.setdefault(name, []).append(function)
        self.aliases: dict[str, set[str]] = {}  # empty while the aliases' own functions are read
        self.aliases = {a.urn: self.named_by(a, ("functionName",), (a.get("functionName"),), place_unknown=True)
                        for a in view.of_type(ALIAS)}

    def named_by(self, resource: Resource, keys: Iterable[str], refs: Iterable[Prop], names_ok: bool = True, *,
                 place_unknown: bool) -> set[str]:
        """The URNs of the functions ``resource`` names: through property dependencies (directly or through
        an alias), or by a known name or ARN (``names_ok``: a bare name too) of a function in the same account
        and region; ``place_unknown`` tells whether a name counts while either's place is unknown."""
        found: set[str] = set()
        for key in keys:
            for urn in resource.property_dependencies.get(key, ()):
                if urn in self.by_urn:
                    found.add(urn)
                found |= self.aliases.get(urn, set())
        for ref in refs:
            text = ref.as_str()
            if not text or (not names_ok and ":function:" not in text):
                continue
            for function in self.by_name.get(function_name(text), []):
                same = self._same_place(resource, function)
                if same or (same is None and place_unknown):
                    found.add(function.urn)
        return found

    def _same_place(self, a: Resource, b: Resource) -> bool | None:
        scope_a, scope_b = scope_of(a, self.ctx.stack), scope_of(b, self.ctx.stack)
        if scope_a is None or scope_b is None:
            return None
        return (scope_a.account, scope_a.region) == (scope_b.account, scope_b.region)


def _has_failure_destination(function: Resource) -> bool:
    target = function.get("deadLetterConfig", "targetArn")
    return target.unknown or bool(target.as_str())


def _destinations(view: StackView, functions: _Functions) -> set[str] | None:
    """The functions an invoke config of the stack gives an on-failure destination; None when one with a
    destination names a function that is not known (it may be any of them)."""
    covered: set[str] = set()
    for config in view.of_type(INVOKE_CONFIG):
        destination = config.get("destinationConfig", "onFailure", "destination")
        if not (destination.unknown or destination.as_str()):
            continue
        linked = functions.named_by(config, ("functionName",), (config.get("functionName"),), place_unknown=True)
        if not linked and not config.get("functionName").as_str():
            return None
        covered |= linked
    return covered


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    functions = _Functions(view, ctx)
    if not functions.by_urn:
        return
    kinds = set(ctx.config["triggers"])
    triggered: dict[str, list[Trigger]] = {}
    for type_, read in READERS.items():
        for resource in view.of_type(type_):
            trigger = read(resource)
            if trigger is None or trigger.kind not in kinds:
                continue
            for urn in functions.named_by(resource, trigger.keys, trigger.refs, trigger.names_only_functions,
                                          place_unknown=False):
                triggered.setdefault(urn, []).append(trigger)
    if not triggered:
        return
    covered = _destinations(view, functions)
    if covered is None:
        return
    exempt = ctx.config["exemptFunctions"]
    for urn, triggers in triggered.items():
        function = functions.by_urn[urn]
        if urn in covered or _has_failure_destination(function) or function.name_matches(exempt):
            continue
        yield _finding(function, triggers)


def _finding(function: Resource, triggers: list[Trigger]) -> Finding:
    # A permission for a service whose trigger is named already is that trigger's, not another one.
    named = {t.kind for t in triggers if t.resource.type != PERMISSION}
    shown = [t for t in triggers if t.resource.type != PERMISSION or t.kind not in named]
    by = ", ".join(f"{t.resource.label} ({t.what})" for t in shown[:MAX_SHOWN])
    if len(shown) > MAX_SHOWN:
        by += f" and {len(shown) - MAX_SHOWN} more"
    note = next((f" The dead-letter queue of {t.resource.label} ({t.own_dlq}) takes only events that could "
                 f"not be delivered to Lambda, not the function's failures." for t in triggers if t.own_dlq), "")
    fix = (f"dlq = aws.sqs.Queue(\"{function.name}-dlq\", message_retention_seconds=1209600) and, on the function, "
           f"dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=dlq.arn), with sqs:SendMessage "
           f"on dlq.arn in its role's policy; or aws.lambda_.FunctionEventInvokeConfig(\"{function.name}-async\", "
           f"function_name=function.name, destination_config=aws.lambda_."
           f"FunctionEventInvokeConfigDestinationConfigArgs(on_failure=aws.lambda_."
           f"FunctionEventInvokeConfigDestinationConfigOnFailureArgs(destination=dlq.arn)))")
    return stated(
        function.label,
        f"invoked asynchronously by {by}; it has neither a deadLetterConfig.targetArn nor an "
        f"aws.lambda_.FunctionEventInvokeConfig with destinationConfig.onFailure.destination; expected somewhere "
        f"for failed events to go: Lambda retries an asynchronous event twice, then drops it.{note}",
        fix, urn=function.urn, property="deadLetterConfig.targetArn")


POLICY = StackPolicy(
    name="lambda-async-failure-destination",
    description=("A Lambda function that AWS invokes asynchronously (S3, SNS, EventBridge, schedules, log "
                 "subscriptions...) has a dead-letter queue or an on-failure destination for failed events."),
    severity="medium",
    enforcement_level=ADVISORY,
    remediation_steps=(
        "Give the function dead_letter_config=aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=dlq.arn) with an "
        "aws.sqs.Queue or aws.sns.Topic (its role needs sqs:SendMessage or sns:Publish on it), or create an "
        "aws.lambda_.FunctionEventInvokeConfig for it with destination_config=aws.lambda_."
        "FunctionEventInvokeConfigDestinationConfigArgs(on_failure=aws.lambda_."
        "FunctionEventInvokeConfigDestinationConfigOnFailureArgs(destination=dlq.arn))."),
    tags=("reliability", "lambda"),
    options=(
        Option("exemptFunctions", "array", [],
               "Glob patterns of logical or physical function names that may drop failed asynchronous events.",
               {"items": {"type": "string"}}),
        Option("triggers", "array", list(KINDS), "The kinds of asynchronous trigger that are checked.",
               {"items": {"type": "string", "enum": list(KINDS)}}),
    ),
    check=check,
)
