"""log-retention: CloudWatch log groups keep logs for a bounded, valid number of days.

Why: a log group without ``retentionInDays`` keeps logs forever, and their storage is billed
forever. CloudWatch accepts only certain values; any other fails the deployment.
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
    fix_days = cfg["defaultDays"]
    fix = f"retention_in_days={fix_days}"
    value = days.int()
    if days.absent or value == 0:
        yield violation(resource, "retentionInDays", "not set (logs never expire)",
                        f"one of {_range(cfg)}", fix)
    elif value is None:
        yield violation(resource, "retentionInDays", days.display(),
                        f"a whole number of days, one of {_range(cfg)}", fix)
    elif value not in ACCEPTED_DAYS:
        nearest = min(ACCEPTED_DAYS, key=lambda d: (abs(d - value), d))
        yield violation(resource, "retentionInDays", days.display(),
                        f"a value CloudWatch accepts, such as {nearest} (one of {_range(cfg)})",
                        f"retention_in_days={nearest}")
    elif not cfg["minDays"] <= value <= cfg["maxDays"]:
        yield violation(resource, "retentionInDays", days.display(),
                        f"between {cfg['minDays']} and {cfg['maxDays']} days (one of {_range(cfg)})", fix)


def _range(cfg: Mapping[str, Any]) -> str:
    return ", ".join(map(str, allowed(cfg))) or "none: minDays is above maxDays"


def remediate(resource: Resource, ctx: PolicyContext) -> Mapping[str, Any] | None:
    days = resource.get("retentionInDays")
    if days.unknown or (days.int() in allowed(ctx.config)):
        return None
    return {"retentionInDays": ctx.config["defaultDays"]}


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
               "The retention the fix suggests and remediation sets; must be an accepted value.",
               {"enum": list(ACCEPTED_DAYS)}),
    ),
    check=check,
    remediate=remediate,
)
