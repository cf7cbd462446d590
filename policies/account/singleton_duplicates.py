"""account-singleton-duplicates: one stack never creates two copies of a resource AWS allows once per place.

Why: AWS allows one Config configuration recorder and one delivery channel per account and region
(a second fails the deployment with ``MaxNumberOfConfigurationRecordersExceededException`` or
``MaxNumberOfDeliveryChannelsExceededException``), one GuardDuty detector, one Security Hub
subscription, one IAM password policy per account, and so on (see ``singletons.py``). Two copies in
one stack either fail or overwrite each other on every update.

Reported: two or more resources of one singleton type (``singletons.py`` lists them) that the stack
creates in the same place: the same account (providers with the same credential settings; none for
the default provider) and, for regional services, the same region (the resource's own ``region``,
else its provider's, else the stack's ``aws:region``). One finding per type and place, naming the copies.

Not reported: copies in different regions or accounts (a provider per region, ``region="..."`` in
pulumi-aws 7, a provider that assumes a role in another account); a resource whose account or
region is unknown during a preview; types listed in ``exemptTypes``. Whether another stack already
created the singleton is account-singleton-owner's question.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._core.policy import MANDATORY, Finding, Option, PolicyContext, StackPolicy, stated
from .._core.resource import Resource
from .._core.stack import StackView
from .scope import Scope, scope_of
from .singletons import BY_TOKEN, SINGLETONS, Singleton

_MAX_NAMED = 4


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    exempt = set(ctx.config["exemptTypes"])
    groups: dict[tuple[str, str, str | None], dict[str, tuple[Resource, Scope]]] = {}
    for resource in view.resources:
        entry = BY_TOKEN.get(resource.type)
        if entry is None or entry.token in exempt:
            continue
        scope = scope_of(resource, ctx.stack, entry.regional)
        if scope is None:
            continue
        group = groups.setdefault((entry.token, scope.account, scope.region), {})
        group.setdefault(resource.urn, (resource, scope))
    for (token, _, _), members in groups.items():
        if len(members) > 1:
            yield _finding(BY_TOKEN[token], [members[urn] for urn in sorted(members)])


def _finding(entry: Singleton, members: list[tuple[Resource, Scope]]) -> Finding:
    resources = [r for r, _ in members]
    scope = members[0][1]
    named = " and ".join(r.label for r in resources[:_MAX_NAMED])
    if len(resources) > _MAX_NAMED:
        named += f" (and {len(resources) - _MAX_NAMED} more)"
    return stated(
        named, f"{len(resources)} copies of the {entry.what} in {scope.label}; expected one "
        f"{entry.per}. AWS allows only one, so creating the second {entry.on_second}.",
        f"{_fix(entry)}",
        urn=resources[1].urn, property="region" if entry.regional else None)


def _fix(entry: Singleton) -> str:
    keep = f"keep one {entry.python}(...) and pass it (or its name) to whatever needs it"
    if entry.regional:
        return (f"{keep}; to cover another region, set region=\"us-west-2\" on that copy "
                f"(pulumi-aws v7), or give it a provider for that region: "
                f"opts=pulumi.ResourceOptions(provider=aws.Provider(\"us-west-2\", region=\"us-west-2\")).")
    return (f"{keep}; for another account, give that copy a provider with the account's credentials: "
            f"opts=pulumi.ResourceOptions(provider=aws.Provider(\"audit\", "
            f"assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=audit_role_arn)])).")


POLICY = StackPolicy(
    name="account-singleton-duplicates",
    description=("A stack creates at most one of each resource that AWS allows once per account or per "
                 "account and region (Config recorder and delivery channel, GuardDuty detector, Security Hub, "
                 "IAM password policy, EBS encryption by default, ...)."),
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Keep one copy per account (and region, for regional services) and share it. Create copies for other "
        "regions with region=\"...\" (pulumi-aws v7) or a provider for that region, and copies for other "
        "accounts with a provider that assumes a role in that account."),
    tags=("reliability", "account", "multi-environment"),
    options=(
        Option("exemptTypes", "array", [],
               "Singleton type tokens not checked.",
               {"items": {"type": "string", "enum": [s.token for s in SINGLETONS]}}),
    ),
    check=check,
)
