"""dynamodb-on-demand: DynamoDB tables bill per request.

Why: provisioned capacity is paid for whether used or not, and under-provisioned tables
throttle. Test and ephemeral environments in particular should cost nothing when idle.

Reported: a table whose ``billingMode`` is not ``PAY_PER_REQUEST``: ``PROVISIONED``, or not set (the
provider fills in ``PROVISIONED``; both read as provisioned).

Not reported: a ``billingMode`` unknown during a preview; tables whose logical or physical name
matches ``exemptTables`` (steady, predictable load); in a preview, a provisioned table that an
``aws.appautoscaling.Target`` of the stack scales (the finding is held to the end of the preview and
dropped there; an update, which reports at once, cannot know). Capacity settings are not checked.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._core.flags import Flag
from .._core.policy import ADVISORY, Finding, Held, Option, PolicyContext, ResourcePolicy
from .._core.resource import Resource
from .._core.stack import StackView

TABLE = "aws:dynamodb/table:Table"
FIX = 'billing_mode="PAY_PER_REQUEST" (and drop read_capacity / write_capacity)'


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    if resource.name_matches(ctx.config["exemptTables"]):
        return
    found = ON_DEMAND.finding(resource)
    if found is not None:
        yield found


PROVISIONED = "dynamodb-on-demand:provisioned"
ON_DEMAND = Flag(("billingMode",), "PAY_PER_REQUEST", FIX, "not set (DynamoDB defaults to PROVISIONED)",
                 cause=PROVISIONED)
AUTOSCALING_TARGET = "aws:appautoscaling/target:Target"


def settle(held: list[Held], view: StackView, ctx: PolicyContext) -> list[Held]:
    """Keep the provisioned tables that no auto-scaling target manages: provisioned capacity with
    auto scaling is the documented way to run a steady, predictable load."""
    scaled: set[str] = set()
    scaled_ids: set[str] = set()
    for target in view.resources:
        if target.type != AUTOSCALING_TARGET or target.get("serviceNamespace").as_str() != "dynamodb":
            continue
        scaled.update(target.property_dependencies.get("resourceId", ()))
        scaled.update(target.dependencies)
        resource_id = target.get("resourceId").as_str()
        if resource_id:
            scaled_ids.add(resource_id.split("/index/", 1)[0])
    return [item for item in held if item[0] not in scaled and f"table/{_table_name(view, item[0])}" not in scaled_ids]


def _table_name(view: StackView, urn: str) -> str:
    table = view.by_urn.get(urn)
    return (table.get("name").as_str() or "") if table is not None else ""



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
    settle=settle,
)
