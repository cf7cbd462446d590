"""log-retention: CloudWatch log groups keep logs for a bounded, valid number of days.

Why: a log group without ``retentionInDays`` keeps logs forever, and their storage is billed
forever. CloudWatch accepts only certain values (1, 3, 5, 7, 14, 30, 60, 90... 3653 days), and the
deployment fails on any other.

Reported: a log group whose ``retentionInDays`` is not set or 0 (never expire); is not a whole
number; is not a value CloudWatch accepts (the message names the nearest one); or lies outside
``minDays``..``maxDays``. The fix suggests ``defaultDays``, or the allowed value nearest to it.

Not reported: a retention unknown during a preview. Log groups Lambda creates by itself are not in
the program; that a function has a managed log group at all is lambda-log-group's finding.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._core.policy import MANDATORY, Finding, Option, PolicyContext, ResourcePolicy, violation
from .._core.resource import Resource

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

ACCEPTED_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                 2192, 2557, 2922, 3288, 3653)
"""The values CloudWatch Logs' PutRetentionPolicy accepts."""


def allowed(config: Mapping[str, Any]) -> list[int]:
    return [d for d in ACCEPTED_DAYS if config["minDays"] <= d <= config["maxDays"]]


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    days = resource.get("retentionInDays")
    if days.unknown:
        return
    cfg = ctx.config
    fix = f"retention_in_days={suggested(cfg)}"
    value = days.as_int()
    if days.absent or value == 0:
        yield violation(resource, "retentionInDays", "not set (logs never expire)",
                        f"one of {_range(cfg)}", fix)
    elif value is None:
        yield violation(resource, "retentionInDays", days.display(),
                        f"a whole number of days, one of {_range(cfg)}", fix)
    elif value not in ACCEPTED_DAYS:
        nearest = min(allowed(cfg) or ACCEPTED_DAYS, key=lambda d: (abs(d - value), d))
        yield violation(resource, "retentionInDays", days.display(),
                        f"a value CloudWatch accepts, such as {nearest} (one of {_range(cfg)})",
                        f"retention_in_days={nearest}")
    elif not cfg["minDays"] <= value <= cfg["maxDays"]:
        yield violation(resource, "retentionInDays", days.display(),
                        f"between {cfg['minDays']} and {cfg['maxDays']} days (one of {_range(cfg)})", fix)


def suggested(cfg: Mapping[str, Any]) -> int:
    """What a fix sets: ``defaultDays`` when the bounds allow it, else the allowed value nearest to it
    (a fix must never propose what the policy itself rejects)."""
    choices = allowed(cfg) or list(ACCEPTED_DAYS)
    return min(choices, key=lambda d: (abs(d - cfg["defaultDays"]), d))


def validate(cfg: Mapping[str, Any]) -> list[str]:
    """Bounds that contradict each other or leave no value CloudWatch accepts."""
    if cfg["minDays"] > cfg["maxDays"]:
        return [f"minDays ({cfg['minDays']}) is above maxDays ({cfg['maxDays']})"]
    if not allowed(cfg):
        return [f"no retention CloudWatch accepts lies between minDays ({cfg['minDays']}) and maxDays "
                f"({cfg['maxDays']}); accepted values: {', '.join(map(str, ACCEPTED_DAYS))}"]
    return []


def _range(cfg: Mapping[str, Any]) -> str:
    return ", ".join(map(str, allowed(cfg)))


def remediate(resource: Resource, ctx: PolicyContext) -> Mapping[str, Any] | None:
    days = resource.get("retentionInDays")
    if days.unknown or (days.as_int() in allowed(ctx.config)):
        return None
    return {"retentionInDays": suggested(ctx.config)}


POLICY = ResourcePolicy(
    name="log-retention",
    description=("CloudWatch log groups set retentionInDays to a value CloudWatch accepts, "
                 "within the configured bounds."),
    severity="medium",
    enforcement_level=MANDATORY,
    remediation_steps=("Set retention_in_days on aws.cloudwatch.LogGroup to one of 1, 3, 5, 7, 14, 30, 60, "
                       "90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 "
                       "within the configured bounds."),
    tags=("cost", "observability", "logs"),
    types=frozenset({LOG_GROUP}),
    options=(
        Option("minDays", "integer", 1, "The shortest retention allowed, in days.",
               {"minimum": 1, "maximum": 3653}),
        Option("maxDays", "integer", 3653, "The longest retention allowed, in days.",
               {"minimum": 1, "maximum": 3653}),
        Option("defaultDays", "integer", 14,
               "The retention the fix suggests and remediation sets (the allowed value nearest to it when "
               "minDays/maxDays exclude it); must be an accepted value.",
               {"enum": list(ACCEPTED_DAYS)}),
    ),
    check=check,
    remediate=remediate,
    validate=validate,
)
