"""lambda-reserved-concurrency: the stack's functions reserve no more concurrency than the account can.

Why: reserved concurrency is taken from the account's concurrency quota in a region, and AWS keeps 100
of it unreserved for the functions without a reservation (the whole quota when it is 100 or less,
as on new accounts). A deployment whose reservations go past that fails at create time with
"InvalidParameterValueException: Specified ReservedConcurrentExecutions for function decreases
account's UnreservedConcurrentExecution below its minimum value of [100]". Every environment of a
program deployed into the same account reserves as much again, so what one stack may take is what
is left for all of them together. That is what breaks ephemeral environments: one per open pull
request, each reserving what fitted when the program was written, until the next one's deployment
fails. Programs that deploy that way learn to leave reservations out.

Reported: at the stack, once per account and region (whichever of the stack's providers reaches
them), when the functions' known ``reservedConcurrentExecutions`` (above 0) add up to more than the
account can reserve: its quota (``accountConcurrency``, by default 1,000, AWS's default quota;
Service Quotas shows the account's) less what AWS keeps unreserved. In an ephemeral environment (its
suffix matches ``ephemeralPattern``, or a stack tag says so) the stack is one of
``ephemeralEnvironments`` (by default 10) that share the account at once, and may take that share
of it: 90 of the default quota's 900. The message lists the largest reservations, and says which
environment class applied and why.

With ``readAccount``, the limit is the account's own, read from Lambda with the preview's credentials
(``policies/lambda_/account_concurrency.py``): its quota less what AWS keeps unreserved and what
functions outside the stack reserve, so reservations that the account cannot spare are caught on an
account of any size and other stacks' reservations count. A function's present reservation counts until the update
changes it (Pulumi updates functions in parallel: a share moved from one function to another may be
taken before it is given back); one whose new reservation is unknown keeps its present one. When the
account cannot be read (no credentials, access denied, a provider with credentials of its own, a
profile that asks for an MFA code, no answer within 20 s), ``accountConcurrency`` decides and the
message says why.

Not reported: reservations unknown during a preview (a known total over the limit is reported all the
same); functions that reserve nothing (``-1``, the provider's default) or ``0`` (a function switched
off on purpose); functions whose account or region is unknown; a total within the limit, which, without
``readAccount``, may still fail when other stacks in the account reserve the rest. With
``readAccount``, the account's own figures decide, in every environment: what other environments
reserve today is among them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from .._core.policy import ADVISORY, Finding, Option, PolicyContext, StackPolicy, stated
from .._core.resource import Resource
from .._core.stack import StackView
from .._core.text import and_more
from ..account.scope import Scope, scope_of
from ..lifecycle.destroyability import DEFAULT_EPHEMERAL_PATTERN, Environment, environment
from . import account_concurrency
from .account_concurrency import Account, kept_of

FUNCTION = "aws:lambda/function:Function"
_MAX_LISTED = 5


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    reading = ctx.config["readAccount"]
    # One account and region share one quota, whichever of the stack's providers reaches them.
    places: dict[tuple[str, str | None], Scope] = {}
    by_place: dict[tuple[str, str | None], list[Reservation]] = {}
    functions: dict[tuple[str, str | None], list[Resource]] = {}
    for function in view.of_type(FUNCTION):
        reserved = function.get("reservedConcurrentExecutions").as_int() or 0
        if reserved <= 0 and not reading:
            continue
        place = scope_of(function, ctx.stack)
        if place is None:
            continue
        key = (place.account, place.region)
        shown = places.setdefault(key, place)
        if shown.provider != place.provider:
            places[key] = shown._replace(provider="")
        functions.setdefault(key, []).append(function)
        if reserved > 0:
            by_place.setdefault(key, []).append((function, reserved, False))
    quota = ctx.config["accountConcurrency"]
    env = ctx.derived(environment)
    shared = _Shared(ctx.config["ephemeralEnvironments"], env) if env is not None and env.ephemeral else None
    root = view.root
    for key, reserving in by_place.items():
        place = places[key]
        limit: Account | _Configured = _Configured(quota, "", shared)
        if reading:
            account = account_concurrency.read(functions[key], ctx.stack, place.region or "")
            if isinstance(account, Account):
                limit, reserving = account, _during(functions[key], account)
            else:
                limit = _Configured(quota, account, shared)
        total = sum(n for _, n, _ in reserving)
        if total > limit.reservable:
            yield _over(reserving, total, limit, place, root)


Reservation = tuple[Resource, int, bool]
"""A function, what it reserves, and whether that is its present reservation, kept while the update runs."""


def _during(functions: list[Resource], account: Account) -> list[Reservation]:
    """What each function may reserve while the deployment runs: the larger of its present reservation
    and its new one (Pulumi updates functions in parallel, so one may take its new share before another
    gives its old one back); its present one when the new one is unknown."""
    during = []
    for function in functions:
        held = account.held.get(function.get("name").as_str() or "", 0)
        new = function.get("reservedConcurrentExecutions")
        wanted = held if new.unknown else max(new.as_int() or 0, 0)
        if max(wanted, held) > 0:
            during.append((function, max(wanted, held), held > 0 and (new.unknown or held > wanted)))
    return during


class _Shared(NamedTuple):
    """An ephemeral environment's place in the account: one of ``environments`` at once."""

    environments: int
    env: Environment


class _Configured:
    """The limit from ``accountConcurrency``, why the account was not read (``""``: not asked to), and,
    in an ephemeral environment, how many share it."""

    __slots__ = ("quota", "shared", "unread")

    def __init__(self, quota: int, unread: str, shared: _Shared | None) -> None:
        self.quota, self.unread, self.shared = quota, unread, shared

    @property
    def kept(self) -> int:
        return kept_of(self.quota)

    @property
    def account_reservable(self) -> int:
        return self.quota - self.kept

    @property
    def reservable(self) -> int:
        if self.shared is None:
            return self.account_reservable
        return self.account_reservable // self.shared.environments


def _over(reserving: list[Reservation], total: int, limit: Account | _Configured, place: Scope,
          root: Resource | None) -> Finding:
    largest = sorted(reserving, key=lambda r: (-r[1], r[0].name))
    listed = and_more([f"'{r.name}' {n}{' (reserved today)' if today else ''}" for r, n, today in largest],
                      _MAX_LISTED)
    reservable, kept, quota = limit.reservable, limit.kept, limit.quota
    subject = root.label if root is not None else "the stack"
    can = f"at most {reservable} can be reserved" if reservable else "nothing can be reserved"
    if isinstance(limit, Account):
        others = f" and functions outside this stack reserve {limit.elsewhere}" if limit.elsewhere else ""
        today = (" (a function's present reservation counts until the update changes it: Pulumi may set "
                 "the others first)" if any(t for _, _, t in reserving) else "")
        why = (f"the account's quota is {quota} (read from Lambda), AWS keeps {kept} of it "
               f"unreserved{others}, so {can} by this stack{today}")
        settle = ("or have the account's quota raised (Service Quotas, Lambda 'Concurrent executions')"
                  + (", or free what other functions reserve" if limit.elsewhere else ""))
    else:
        unread = f" (readAccount: the account could not be read: {limit.unread})" if limit.unread else ""
        if limit.shared is None:
            why = (f"AWS keeps {kept} of the account's quota of {quota} unreserved, so {can}, by every "
                   f"stack and environment in the account together{unread}")
        else:
            why = (f"{limit.shared.env}, one of {limit.shared.environments} environments (ephemeralEnvironments) "
                   f"that share the account at once, and AWS keeps {kept} of its quota of {quota} unreserved, so "
                   f"{limit.account_reservable} can be reserved by all of them together and {reservable} by "
                   f"each{unread}")
        read = ("let readAccount read it (the preview's credentials need lambda:GetAccountSettings and "
                "lambda:GetFunctionConcurrency)" if limit.unread else "turn on readAccount to read it from the account")
        settle = ("if the account's quota is higher (Service Quotas, 'Concurrent executions'), set this "
                  f"policy's accountConcurrency to it, or {read}")
        if limit.shared is not None:
            settle = ("if fewer environments share the account, set this policy's ephemeralEnvironments to their "
                      f"number; {settle}")
    fails = ("the deployment fails" if not isinstance(limit, _Configured) or limit.shared is None
             else "the deployment that takes the account past it fails")
    return stated(
        subject,
        f"{len(reserving)} Lambda function{'s' if len(reserving) != 1 else ''} in {place.label} "
        f"reserve{'' if len(reserving) != 1 else 's'} {total} concurrent executions in all ({listed}); "
        f"expected at most {reservable}: {why}, and {fails} with \"Specified "
        f"ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below "
        f"its minimum value of [{kept}]\".",
        "remove reserved_concurrent_executions from the functions that need no guaranteed share (they use "
        f"the unreserved pool, up to the whole quota), or lower it; {settle}",
        urn=root.urn if root is not None else None)


POLICY = StackPolicy(
    name="lambda-reserved-concurrency",
    description=("The stack's Lambda functions reserve no more concurrency than AWS lets the account "
                 "reserve (its quota less the 100 it keeps unreserved), and an ephemeral environment no more than "
                 "its share of that."),
    severity="high",
    enforcement_level=ADVISORY,
    remediation_steps=(
        "Leave reserved_concurrent_executions unset unless a function needs a guaranteed share (or a cap: "
        "then keep it small), so that the functions share the account's unreserved pool. Set the policy's "
        "accountConcurrency to the quota Service Quotas shows for the account and region, or turn on "
        "readAccount to have it read from the account at each preview."),
    tags=("lambda", "reliability", "quotas"),
    options=(
        Option("accountConcurrency", "integer", 1000,
               "The account's Lambda concurrent-executions quota in the region (AWS's default is 1,000; "
               "new accounts may have less).", {"minimum": 1}),
        Option("ephemeralPattern", "string", DEFAULT_EPHEMERAL_PATTERN,
               "Environment suffixes (RE2) of ephemeral environments, which share the account with others of "
               "their kind (a stack tag environment-class states the class outright).",
               {"format": "regex"}),
        Option("ephemeralEnvironments", "integer", 10,
               "How many ephemeral environments (one per open pull request or CI run) the account holds at "
               "once; each may reserve that share of what the account can.", {"minimum": 1}),
        Option("readAccount", "boolean", False,
               "Read the account's quota and reservations from Lambda (GetAccountSettings, "
               "GetFunctionConcurrency) with the credentials the preview runs with; accountConcurrency "
               "decides when they cannot be read. Needs lambda:GetAccountSettings and "
               "lambda:GetFunctionConcurrency."),
    ),
    check=check,
)
