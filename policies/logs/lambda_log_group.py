"""lambda-log-group: every Lambda function logs to a log group the stack manages, created first.

Why: a function whose log group the stack does not create gets one from Lambda on its first
invocation, named ``/aws/lambda/<function name>``, with no retention: its logs never expire and
``pulumi destroy`` leaves it behind. The same happens when the stack does create the group but the
function does not depend on it, and is invoked before the group exists.

Reported:

* a Lambda function for which no ``aws.cloudwatch.LogGroup`` of the stack, in the same account and
  region, is named as the function's log group: ``loggingConfig.logGroup`` when set, else
  ``/aws/lambda/<function name>``;
* with ``checkDependency`` (on by default), a function that does not depend on the group the stack
  creates for it (directly, through a property such as ``logging_config`` given ``log_group.name``,
  through a parent, or transitively): nothing orders the two, or the group comes after the function
  (its name built from the function's outputs). When Lambda creates the group first, creating it
  fails with ``ResourceAlreadyExistsException``; on ``pulumi destroy`` the group can go first, and an
  invocation creates it again, outside the stack;
* with ``checkRetention`` on, a function whose managed group sets no retention (not set or 0).

Not reported:

* a function whose log group name is not known: a ``name`` unknown during a preview or not set, or a
  ``loggingConfig`` set from another resource's output that is still unknown (one unknown although the
  program set it from no output is the provider's default, so the function is checked against
  ``/aws/lambda/<name>``);
* a function when a log group might be its group: one whose name is unknown, or one of that name
  whose account or region, or the function's, is unknown during a preview;
* a managed group without a retention, unless ``checkRetention`` is on: log-retention already reports
  that group, and one mistake makes one finding. A group whose retention is unknown counts as set;
* the dependency of a function on a group whose account or region, or the function's, is unknown
  during a preview: it may not be the function's group.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from .._core.dependencies import Upstream
from .._core.policy import MANDATORY, Finding, Option, PolicyContext, StackPolicy, stated
from .._core.resource import Resource
from .._core.stack import StackView
from ..account.scope import Scope, scope_of, set_from_outputs
from .log_retention import ACCEPTED_DAYS

FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
PREFIX = "/aws/lambda/"


class _Group(NamedTuple):
    resource: Resource
    scope: Scope | None


class _Expected(NamedTuple):
    name: str
    shown: str
    source: str


def expected_group(function: Resource) -> _Expected | None:
    """The log group the function writes to; None while that is unknown."""
    custom = function.get("loggingConfig", "logGroup")
    if custom.unknown and set_from_outputs(function, "loggingConfig"):
        return None
    custom_name = custom.as_str() if custom.known else None
    if custom_name:
        return _Expected(custom_name, custom.display(), "loggingConfig.logGroup")
    name = function.get("name")
    function_name = name.as_str()
    if function_name is None:
        return None
    shown = repr(PREFIX + "[secret]") if name.secret else repr(PREFIX + function_name)
    return _Expected(PREFIX + function_name, shown, "the function's name")


def _same_place(a: Scope | None, b: Scope | None) -> bool | None:
    if a is None or b is None:
        return None
    return a.account == b.account and a.region == b.region


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    functions = list(view.of_type(FUNCTION))
    if not functions:
        return
    named: dict[str, list[_Group]] = {}
    unnamed: list[_Group] = []
    for resource in view.of_type(LOG_GROUP):
        group = _Group(resource, scope_of(resource, ctx.stack))
        name = resource.get("name")
        if name.unknown:
            unnamed.append(group)
        elif (text := name.as_str()) is not None:
            named.setdefault(text, []).append(group)
    upstream = Upstream(view, [*(f.urn for f in functions), *(g.resource.urn for gs in named.values() for g in gs)])
    for function in functions:
        expected = expected_group(function)
        if expected is None:
            continue
        scope = scope_of(function, ctx.stack)
        groups = [g for g in named.get(expected.name, []) if _same_place(scope, g.scope) is not False]
        if groups:
            if ctx.config["checkDependency"]:
                yield from _unordered(view, function, expected, scope, groups, upstream)
            if ctx.config["checkRetention"]:
                yield from _retention(function, expected, groups, ctx.config["defaultDays"])
        elif not any(_same_place(scope, g.scope) is not False for g in unnamed):
            yield _missing(function, expected, ctx.config["defaultDays"])


def _unordered(view: StackView, function: Resource, expected: _Expected, scope: Scope | None,
               groups: list[_Group], upstream: Upstream) -> Iterator[Finding]:
    """The function does not depend on the group that is its own (none of those that might be)."""
    reached = upstream.of(function.urn)
    if any(g.resource.urn in reached for g in groups):
        return
    group = next((g.resource for g in groups if _same_place(scope, g.scope)), None)
    if group is None:
        return
    if function.urn not in upstream.of(group.urn):
        order = "nothing orders the two, so Pulumi creates them in parallel"
        fix = (f"aws.lambda_.Function(\"{function.name}\", ..., opts=pulumi.ResourceOptions(depends_on=[log_group])), "
               f"log_group being the aws.cloudwatch.LogGroup \"{group.name}\" (depends_on is a resource option, "
               f"not an argument of aws.lambda_.Function).")
    else:
        child = _descends_from(view, group, function)
        order = ("the group is the function's child, so Pulumi creates it after the function" if child else
                 "the group depends on the function (its name, or another argument, comes from the function's "
                 "outputs), so Pulumi creates it after the function")
        fix = _create_first(group, expected, child)
    yield stated(
        function.label, f"does not depend on its log group {group.label} ({expected.shown}); expected the function "
        f"to be created after the group, but {order}. An invocation before the group exists makes Lambda create "
        f"{expected.shown} itself: creating the group then fails with ResourceAlreadyExistsException and its "
        f"retention never applies.", fix, urn=function.urn)


def _create_first(group: Resource, expected: _Expected, child: bool) -> str:
    """The fix when the group comes after the function: a group built from nothing of the function's."""
    if expected.source == "the function's name":
        name = 'f"/aws/lambda/{function_name}"'
        built = ", with function_name the text the function's name= is built from"
    else:
        name, built = expected.shown, ""
    unparented = ", without parent=<the function>" if child else ""
    return (f"create the group first, from nothing of the function's: log_group = aws.cloudwatch.LogGroup("
            f"\"{group.name}\", name={name}, ...{unparented}){built}, and pass "
            f"opts=pulumi.ResourceOptions(depends_on=[log_group]) to the function. When Pulumi generates the "
            f"function's name, give the group a name of its own and set logging_config="
            f"aws.lambda_.FunctionLoggingConfigArgs(log_format=\"Text\", log_group=log_group.name) on the "
            f"function instead.")


def _descends_from(view: StackView, resource: Resource, ancestor: Resource) -> bool:
    seen: set[str] = set()
    current = view.parent_of(resource)
    while current is not None and current.urn not in seen:
        if current.urn == ancestor.urn:
            return True
        seen.add(current.urn)
        current = view.parent_of(current)
    return False


def _retention(function: Resource, expected: _Expected, groups: list[_Group], days: int) -> Iterator[Finding]:
    retentions = [g.resource.get("retentionInDays") for g in groups]
    if any(r.unknown or not (r.absent or r.as_int() == 0) for r in retentions):
        return
    group = groups[0].resource
    yield stated(
        function.label, f"its log group {group.label} ({expected.shown}) has retentionInDays "
        f"{'not set' if retentions[0].absent else retentions[0].display()}; expected a retention, or the "
        f"function's logs never expire.",
        f"aws.cloudwatch.LogGroup(\"{group.name}\", ..., retention_in_days={days})",
        urn=group.urn, property="retentionInDays")


def _missing(function: Resource, expected: _Expected, days: int) -> Finding:
    return stated(
        function.label, f"no aws.cloudwatch.LogGroup in the stack is named {expected.shown} (from "
        f"{expected.source}); expected the stack to create the function's log group with a retention, "
        f"otherwise Lambda creates it on the first invocation and its logs never expire.",
        f"log_group = aws.cloudwatch.LogGroup(\"{function.name}-logs\", retention_in_days={days}) and, on "
        f"the function, logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format=\"Text\", "
        f"log_group=log_group.name); or name the group f\"/aws/lambda/{{function_name}}\" with the function's "
        f"name and pass opts=pulumi.ResourceOptions(depends_on=[log_group]) to the function.",
        urn=function.urn, property="loggingConfig.logGroup" if expected.source.startswith("logging") else "name")


POLICY = StackPolicy(
    name="lambda-log-group",
    description=("Every Lambda function has a CloudWatch log group managed by the stack, named "
                 "/aws/lambda/<function name> or named by loggingConfig.logGroup, with a retention, and "
                 "created before the function."),
    severity="medium",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Create an aws.cloudwatch.LogGroup with retention_in_days for each function and point the function at "
        "it with logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format=\"Text\", "
        "log_group=log_group.name), or name the group /aws/lambda/<function name> and pass "
        "opts=pulumi.ResourceOptions(depends_on=[log_group]) to the function. Either way the function "
        "depends on the group, so Lambda never creates the group first."),
    tags=("cost", "observability", "logs", "lambda"),
    options=(
        Option("checkDependency", "boolean", True,
               "Also report a function that does not depend on the log group the stack creates for it, so that "
               "Lambda may create the group first."),
        Option("checkRetention", "boolean", False,
               "Also report the function when its managed log group sets no retention. Off by default: "
               "log-retention already reports that group, and one mistake should make one finding."),
        Option("defaultDays", "integer", 14, "The retention the fix suggests.", {"enum": list(ACCEPTED_DAYS)}),
    ),
    check=check,
)
