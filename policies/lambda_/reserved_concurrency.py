"""lambda-reserved-concurrency: the stack's functions reserve no more concurrency than the account can.

Why: reserved concurrency is taken from the account's concurrency quota in a region, and AWS keeps 100
of it unreserved for the functions without a reservation (the whole quota when it is 100 or less,
as on new accounts). A deployment whose reservations go past that fails at create time with
"InvalidParameterValueException: Specified ReservedConcurrentExecutions for function decreases
account's UnreservedConcurrentExecution below its minimum value of [100]". Every environment of a
program deployed into the same account reserves as much again, so what one stack may take is what
is left for all of them together.

Reported: at the stack, once per account and region, when the functions' known
``reservedConcurrentExecutions`` (above 0) add up to more than the account can reserve: its quota
(``accountConcurrency``, by default 1,000, AWS's default quota; Service Quotas shows the account's)
less what AWS keeps unreserved. The message lists the largest reservations.

Not reported: reservations unknown during a preview (a known total over the limit is reported all the
same); functions that reserve nothing (``-1``, the provider's default) or ``0`` (a function switched
off on purpose); functions whose account or region is unknown; a total within the limit, which may
still fail when other stacks in the account reserve the rest (the pack sees one stack).
"""

from __future__ import annotations

from collections.abc import Iterator

from .._core.policy import ADVISORY, Finding, Option, PolicyContext, StackPolicy, stated
from .._core.resource import Resource
from .._core.stack import StackView
from .._core.text import and_more
from ..account.scope import Scope, scope_of

FUNCTION = "aws:lambda/function:Function"
UNRESERVED_MINIMUM = 100
"""What AWS keeps unreserved of an account's quota ("Configuring reserved concurrency for a function",
Lambda Developer Guide: "You can reserve up to the Unreserved account concurrency value that is shown,
minus 100 for functions that don't have reserved concurrency"); an account whose quota is 100 or less
can reserve nothing (the error then names its quota: "minimum value of [10]")."""
_MAX_LISTED = 5


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    by_place: dict[Scope, list[tuple[Resource, int]]] = {}
    for function in view.of_type(FUNCTION):
        reserved = function.get("reservedConcurrentExecutions").as_int()
        if reserved is None or reserved <= 0:
            continue
        place = scope_of(function, ctx.stack)
        if place is not None:
            by_place.setdefault(place, []).append((function, reserved))
    quota = ctx.config["accountConcurrency"]
    reservable = quota - min(UNRESERVED_MINIMUM, quota)
    root = view.root
    for place, reserving in by_place.items():
        total = sum(n for _, n in reserving)
        if total > reservable:
            yield _over(reserving, total, quota, reservable, place, root)


def _over(reserving: list[tuple[Resource, int]], total: int, quota: int, reservable: int, place: Scope,
          root: Resource | None) -> Finding:
    largest = sorted(reserving, key=lambda rn: (-rn[1], rn[0].name))
    listed = and_more([f"'{r.name}' {n}" for r, n in largest], _MAX_LISTED)
    kept = quota - reservable
    subject = root.label if root is not None else "the stack"
    can = (f"at most {reservable} can be reserved" if reservable else "nothing can be reserved")
    return stated(
        subject,
        f"{len(reserving)} Lambda function{'s' if len(reserving) != 1 else ''} in {place.label} "
        f"reserve{'' if len(reserving) != 1 else 's'} {total} concurrent executions in all ({listed}); "
        f"expected at most {reservable}: AWS keeps {kept} of "
        f"the account's quota of {quota} unreserved, so {can}, by every stack and environment in the account "
        f"together, and the deployment fails with \"Specified ReservedConcurrentExecutions for function "
        f"decreases account's UnreservedConcurrentExecution below its minimum value of [{kept}]\".",
        "remove reserved_concurrent_executions from the functions that need no guaranteed share (they use "
        "the unreserved pool, up to the whole quota), or lower it; if the account's quota is higher "
        "(Service Quotas, 'Concurrent executions'), set this policy's accountConcurrency to it",
        urn=root.urn if root is not None else None)


POLICY = StackPolicy(
    name="lambda-reserved-concurrency",
    description=("The stack's Lambda functions reserve no more concurrency than AWS lets the account "
                 "reserve: its quota less the 100 it keeps unreserved."),
    severity="high",
    enforcement_level=ADVISORY,
    remediation_steps=(
        "Leave reserved_concurrent_executions unset unless a function needs a guaranteed share (or a cap: "
        "then keep it small), so that the functions share the account's unreserved pool. Set the policy's "
        "accountConcurrency to the quota Service Quotas shows for the account and region."),
    tags=("lambda", "reliability", "quotas"),
    options=(
        Option("accountConcurrency", "integer", 1000,
               "The account's Lambda concurrent-executions quota in the region (AWS's default is 1,000; "
               "new accounts may have less).", {"minimum": 1}),
    ),
    check=check,
)
