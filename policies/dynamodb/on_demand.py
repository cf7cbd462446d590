"""dynamodb-on-demand: DynamoDB tables bill per request.

Why: provisioned capacity is paid for whether used or not, and under-provisioned tables
throttle. Test and ephemeral environments in particular should cost nothing when idle.

Reported: a table whose ``billingMode`` is not ``PAY_PER_REQUEST``: ``PROVISIONED``, or not set (the
provider fills in ``PROVISIONED``; both read as provisioned).

Not reported: a ``billingMode`` unknown during a preview; tables whose logical or physical name
matches ``exemptTables`` (steady, predictable load). Capacity settings and autoscaling are not checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._core.policy import ADVISORY, Finding, Option, PolicyContext, ResourcePolicy, violation
from .._core.resource import Resource

TABLE = "aws:dynamodb/table:Table"
FIX = 'billing_mode="PAY_PER_REQUEST" (and drop read_capacity / write_capacity)'


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    mode = resource.get("billingMode")
    if mode.unknown or resource.name_matches(ctx.config["exemptTables"]):
        return
    if mode.absent:
        yield violation(resource, "billingMode", "not set (DynamoDB defaults to PROVISIONED)",
                        "'PAY_PER_REQUEST'", FIX)
    elif mode.str() != "PAY_PER_REQUEST":
        yield violation(resource, "billingMode", mode.display(), "'PAY_PER_REQUEST'", FIX)



POLICY = ResourcePolicy(
    name="dynamodb-on-demand",
    description="DynamoDB tables use on-demand capacity (billingMode PAY_PER_REQUEST).",
    severity="medium",
    enforcement_level=ADVISORY,
    remediation_steps=("Set billing_mode=\"PAY_PER_REQUEST\" on aws.dynamodb.Table and remove "
                       "read_capacity and write_capacity. For a table with steady, predictable "
                       "load, list it in exemptTables instead."),
    tags=("cost", "dynamodb"),
    types=frozenset({TABLE}),
    options=(
        Option("exemptTables", "array", [],
               "Glob patterns of logical or physical table names allowed to use PROVISIONED.",
               {"items": {"type": "string"}}),
    ),
    check=check,
)
