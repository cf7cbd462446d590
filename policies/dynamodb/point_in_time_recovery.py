"""dynamodb-point-in-time-recovery: DynamoDB tables keep continuous backups.

Why: point-in-time recovery restores a table to any second of the recovery period after a bad
write or a deleted item; without it the only way back is an on-demand backup taken in time.
It is off unless the ``pointInTimeRecovery`` block enables it.

Reported: a table whose ``pointInTimeRecovery.enabled`` is not ``true`` (false, not set, no block);
and, when it is enabled, a ``recoveryPeriodInDays`` shorter than ``minRecoveryPeriodDays`` or not a
whole number.

Not reported: an ``enabled`` or a recovery period unknown during a preview; a recovery period that is
not set (AWS keeps 35 days); tables whose logical or physical name matches ``exemptTables`` (caches,
ephemeral copies, data that can be rebuilt); a table that sets ``enabled`` to ``false`` explicitly in an
ephemeral environment (its suffix matches ``ephemeralPattern``, or a stack tag says so), where there
is nothing worth restoring and the program decided so (leaving it unset is still reported). On a
table deployed to an AWS emulator (its provider's ``dynamodb`` endpoint, ``AWS_ENDPOINT_URL`` or
``AWS_ENDPOINT_URL_DYNAMODB`` pointing at a local host or LocalStack, or the stack tag
``environment-class: emulator``) the policy is not applicable: programs leave recovery out there.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._core.emulator import emulator_target
from .._core.flags import Flag
from .._core.policy import (
    ADVISORY,
    FSBP,
    Finding,
    Framework,
    NotApplicable,
    Option,
    PolicyContext,
    ResourcePolicy,
    violation,
)
from .._core.resource import Resource
from ..lifecycle.destroyability import DEFAULT_EPHEMERAL_PATTERN, environment

TABLE = "aws:dynamodb/table:Table"
FIX = "point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True)"
ENABLED = Flag(("pointInTimeRecovery", "enabled"), True, FIX, "not set (point-in-time recovery is off by default)")


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    if resource.name_matches(ctx.config["exemptTables"]):
        return
    _not_on_emulator(resource, ctx)
    enabled = resource.get("pointInTimeRecovery", "enabled")
    if enabled.unknown:
        return
    if enabled.as_bool() is False and not enabled.secret and _ephemeral(ctx):
        return  # turned off on purpose in a throwaway environment: nothing there to restore
    found = ENABLED.finding(resource)
    if found is not None:
        yield found
        return
    low = ctx.config["minRecoveryPeriodDays"]
    period = resource.get("pointInTimeRecovery", "recoveryPeriodInDays")
    days = period.as_int()
    if period.known and (days is None or days < low):
        yield violation(resource, period.path, period.display(), f"at least {low} days (35 when not set)",
                        "point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True, "
                        f"recovery_period_in_days={max(low, 35)})")


def _not_on_emulator(resource: Resource, ctx: PolicyContext) -> None:
    target = emulator_target(resource, ctx.stack, "dynamodb")
    if target is not None:
        raise NotApplicable(f"the table is deployed to an AWS emulator ({target}): nothing there to recover")


def _ephemeral(ctx: PolicyContext) -> bool:
    env = ctx.derived(environment)
    return env is not None and env.ephemeral


def remediate(resource: Resource, ctx: PolicyContext) -> Mapping[str, Any] | None:
    """Turn point-in-time recovery on, keeping the block's other fields; never shortens or lengthens
    a recovery period (that is a cost decision)."""
    if resource.name_matches(ctx.config["exemptTables"]):
        return None
    _not_on_emulator(resource, ctx)
    return ENABLED.remediation(resource)



POLICY = ResourcePolicy(
    name="dynamodb-point-in-time-recovery",
    description="DynamoDB tables have point-in-time recovery enabled.",
    severity="medium",
    enforcement_level=ADVISORY,
    remediation_steps=(
        "Set point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True) on "
        "aws.dynamodb.Table (recovery_period_in_days from 1 to 35, 35 by default). For a table whose "
        "data can be rebuilt, list it in exemptTables instead."),
    tags=("backup", "data-protection", "dynamodb"),
    framework=Framework(FSBP, "1.0.0", "DynamoDB.2", "DynamoDB tables should have point-in-time recovery enabled"),
    types=frozenset({TABLE}),
    options=(
        Option("exemptTables", "array", [],
               "Glob patterns of logical or physical table names that need no point-in-time recovery.",
               {"items": {"type": "string"}}),
        Option("ephemeralPattern", "string", DEFAULT_EPHEMERAL_PATTERN,
               "Environment suffixes (RE2) of throwaway environments, where a table that turns point-in-time "
               "recovery off explicitly is not reported (a stack tag environment-class states it outright).",
               {"format": "regex"}),
        Option("minRecoveryPeriodDays", "integer", 1,
               "The shortest recoveryPeriodInDays allowed when a table sets one.",
               {"minimum": 1, "maximum": 35}),
    ),
    check=check,
    remediate=remediate,
)
