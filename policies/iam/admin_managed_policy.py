"""iam-admin-managed-policy: no admin-like AWS managed policy is attached to roles, users or groups.

Why: ``AdministratorAccess`` and its relatives grant far more than any application needs, and an
attachment is easy to miss in review because the document is not in the program.

Reported: an AWS managed policy (``arn:<partition>:iam::aws:policy/...``, whatever its path) whose
name matches ``adminPolicies`` (names or globs, case-insensitive; by default ``AdministratorAccess``,
``PowerUserAccess``, ``IAMFullAccess``, ``AWSOrganizationsFullAccess``, the Amplify, Elastic
Beanstalk and ``SystemAdministrator`` admin policies, and ``*FullAccess``: ``CloudWatchLogsFullAccess``
or ``AmazonS3FullAccess`` grants every action of a service on every resource of the account, where an
application needs a few actions on its own resources) attached by ``aws.iam.RolePolicyAttachment``,
``UserPolicyAttachment``, ``GroupPolicyAttachment``, ``PolicyAttachment``, the
``*PolicyAttachmentsExclusive`` resources or ``Role.managed_policy_arns``. A secret ARN is checked,
and not shown.

Not reported: customer managed policies (the program's own, whose documents iam-least-privilege
checks); AWS managed policies not matching ``adminPolicies``; ARNs unknown during a preview (an ARN built
from another resource's output); resources whose logical or physical name matches ``ignoreResources``.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator

from .._core.policy import MANDATORY, Finding, Option, PolicyContext, ResourcePolicy
from .._core.regex import LazyPattern
from .._core.resource import Resource
from .._core.values import Prop, prop_of
from .documents import ROLE, finding

SINGLE_ARN_TYPES = frozenset({
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
})
ARN_LIST_TYPES = frozenset({
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive",
})

DEFAULT_ADMIN_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AWSOrganizationsFullAccess",
                          "AdministratorAccess-Amplify", "AdministratorAccess-AWSElasticBeanstalk",
                          "SystemAdministrator", "*FullAccess"]

_WHAT = {
    "administratoraccess": "every action on every resource",
    "poweruseraccess": "every action outside IAM and Organizations management, on every resource",
    "iamfullaccess": "full IAM access, with which a principal can grant itself anything",
    "awsorganizationsfullaccess": "full control of the AWS organization and its accounts",
}
_AWS_MANAGED = LazyPattern(r"^arn:[a-z0-9-]+:iam::aws:policy/(?:[^/]+/)*([^/]+)$")


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    if resource.name_matches(ctx.config["ignoreResources"]):
        return
    admin = [name.lower() for name in ctx.config["adminPolicies"]]
    for prop in _arns(resource):
        arn = prop.as_str()
        match = _AWS_MANAGED.match(arn) if arn else None
        if match is None or not any(fnmatch.fnmatchcase(match.group(1).lower(), p) for p in admin):
            continue
        name = match.group(1)
        if prop.secret:
            text = f"{prop.path} attaches an admin-like AWS managed policy (not shown: the ARN is a secret)"
        else:
            what = _WHAT.get(name.lower()) or _full_access(name) or "far broader access than an application needs"
            text = f"{prop.path} attaches the AWS managed policy {name} ({arn}), which grants {what}"
        yield finding(resource, prop.path, text,
                      "attach an aws.iam.Policy that lists the actions and ARNs the code needs "
                      "(pulumi.Output.json_dumps({...})), or a narrower AWS managed policy such as "
                      "AmazonDynamoDBReadOnlyAccess")


def _full_access(name: str) -> str | None:
    """How broad a ``<Service>FullAccess`` policy is, from its name."""
    service = re.sub(r"^(?:Amazon|AWS)", "", name[: -len("FullAccess")]) if name.endswith("FullAccess") else ""
    return f"every {service} action on every resource of the account" if service else None


def _arns(resource: Resource) -> Iterator[Prop]:
    if resource.type in SINGLE_ARN_TYPES:
        yield resource.get("policyArn")
        return
    key = "managedPolicyArns" if resource.type == ROLE else "policyArns"
    listed = resource.get(key)
    for i, item in enumerate(listed.as_list() or ()):
        prop = prop_of(f"{key}[{i}]", item)
        yield Prop(prop.path, prop.value, prop.secret or listed.secret)


POLICY = ResourcePolicy(
    name="iam-admin-managed-policy",
    description=("Roles, users and groups have no admin-like AWS managed policy attached "
                 "(AdministratorAccess, PowerUserAccess, IAMFullAccess, any *FullAccess)."),
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Replace the attachment with an aws.iam.Policy (or RolePolicy) whose document lists the actions and "
        "resource ARNs the code uses, built with pulumi.Output.json_dumps({...}); or attach a narrower AWS "
        "managed policy."),
    tags=("iam", "least-privilege", "security"),
    types=frozenset(SINGLE_ARN_TYPES | ARN_LIST_TYPES | {ROLE}),
    options=(
        Option("adminPolicies", "array", DEFAULT_ADMIN_POLICIES,
               "Names or globs of AWS managed policies that must not be attached (matched "
               "case-insensitively, whatever the policy path; '*FullAccess' is every service's full access).",
               {"items": {"type": "string"}}),
        Option("ignoreResources", "array", [],
               "Resource names, logical or physical (globs such as 'break-glass-*'), that are not checked.",
               {"items": {"type": "string"}}),
    ),
    check=check,
)
