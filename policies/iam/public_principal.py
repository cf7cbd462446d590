"""iam-public-principal: trust and resource policies do not grant to everyone.

Why: ``Principal: "*"`` in a resource policy lets any AWS account (and, for S3, SQS and SNS,
anonymous callers) use the resource; in a role's trust policy it lets anyone assume the role.
A Condition that limits who (``aws:SourceArn``, ``aws:SourceAccount``, ``aws:PrincipalOrgID``...)
makes such a statement safe.

Reported: for Allow statements (each kind can be switched off with ``findings``):

* ``trust-policy``: ``Role.assume_role_policy`` lets ``"*"`` (or everyone but a NotPrincipal) assume
  the role without a Condition that limits who, or trusts a web identity provider (OIDC, Cognito)
  without a Condition on the token's claims.
* ``resource-policy``: the ``policy`` of an S3 bucket, SQS queue, SNS topic, ECR repository,
  Secrets Manager secret, KMS key or API Gateway REST API (or the separate ``BucketPolicy``,
  ``QueuePolicy``, ``TopicPolicy``, ``RepositoryPolicy``, ``SecretPolicy`` and ``RestApiPolicy``
  resources) grants to ``"*"``, ``{"AWS": "*"}`` or everyone but a NotPrincipal, without a
  Condition that limits who. On a REST API such a grant lets principals of any AWS account call
  the methods that use IAM authorization, and VPC endpoints of any account reach a private API.
* ``lambda-permission``: ``aws.lambda_.Permission`` with principal ``"*"`` and none of
  ``source_arn``, ``source_account`` or ``principal_org_id``.
* ``invalid-document``: a trust or resource policy that cannot be read, or that IAM rejects.

Not reported:

* Deny statements, and statements whose Condition has any key other than those that say how or when
  a request is made (``aws:SecureTransport``, ``aws:CurrentTime``, ``aws:Referer``, ``aws:UserAgent``,
  MFA...), or whose Condition is unknown during a preview;
* an Allow for everyone that a Deny for everyone narrows: a Deny covering its actions and resources
  whose Condition only tests, with a negated operator, keys that say who (``StringNotEquals
  aws:SourceVpce``, ``NotIpAddress aws:SourceIp``), as AWS documents for private APIs and VPC-only
  buckets. For a REST API, ``*``, ``execute-api:/*`` and the API's ARN name the same resources;
* a REST API policy written into its OpenAPI ``body`` (``x-amazon-apigateway-policy``);
* principals and documents unknown during a preview, and a permission whose principal is unknown
  or whose source (``source_arn``...) is set, even to a value still unknown;
* named principals: an account root (a KMS key policy granting ``kms:*`` to the account root is AWS's
  default), a role, a service; SAML federation, whose trust is set up per provider;
* the two permissions a public function URL needs (``function_url_auth_type="NONE"``, or
  ``invoked_via_function_url=True``), also while those are unknown: whether the URL may be public is
  lambda-function-url-auth's to judge, on the URL itself;
* resources whose logical or physical name matches ``ignoreResources`` (the policy of a public
  website bucket);
* identity policies, which iam-least-privilege checks; a document holding the text of a stringified
  Output is reported once, with stringified-output's finding. Secret documents are checked, and
  their actions and Sids are not shown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from .._core.policy import MANDATORY, Finding, Option, PolicyContext, ResourcePolicy
from .._core.regex import LazyPattern
from .._core.resource import Resource
from .._core.text import and_more
from . import catalogue
from .documents import (
    DENY,
    RESOURCE_POLICY_TYPES,
    ROLE,
    Document,
    Statement,
    Values,
    finding,
    readable,
    resource_documents,
    spans_services,
    statement_label,
    trust_documents,
)

PERMISSION = "aws:lambda/permission:Permission"
KINDS = ("trust-policy", "resource-policy", "lambda-permission", "invalid-document")

NON_RESTRICTING_KEYS = frozenset({
    "aws:securetransport", "aws:currenttime", "aws:epochtime", "aws:requestedregion", "aws:useragent",
    "aws:referer", "aws:multifactorauthpresent", "aws:multifactorauthage",
})
"""Condition keys that say how or when a request is made, not who makes it (aws:Referer and
aws:UserAgent are set by the caller)."""

_MAX_ACTIONS = 5


API_TYPES = frozenset({"aws:apigateway/restApi:RestApi", "aws:apigateway/restApiPolicy:RestApiPolicy"})

NEGATED_OPERATORS = frozenset({
    "stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike",
    "notipaddress",
})
"""Condition operators under which a Deny applies to every request that does not match: a Deny for
everyone with one of these on a key that says who (``aws:SourceVpce``...) leaves only those callers."""

_API_ARN = LazyPattern(r"^arn:[^:]*:execute-api:[^:]*:[^:]*:[^/]*(/.*)?$")
_TRAILING_STARS = LazyPattern(r"(/\*)+$")


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    config = ctx.config
    if resource.name_matches(config["ignoreResources"]):
        return
    kinds = frozenset(config["findings"])
    if resource.type == PERMISSION:
        if "lambda-permission" in kinds:
            yield from _permission(resource)
        return
    props = trust_documents(resource) if resource.type == ROLE else resource_documents(resource)
    kind = "trust-policy" if resource.type == ROLE else "resource-policy"
    problems: list[Finding] = []
    for prop, doc in readable(resource, props, kinds, problems):
        yield from problems
        problems.clear()
        if kind == "trust-policy" and kind in kinds:
            for st in doc.statements:
                if st.allows:
                    yield from _trust(resource, prop.path, st, doc)
        elif kind in kinds:
            denies = [st for st in doc.statements if st.effect == DENY and _denies_all_but_some(st)]
            api = resource.type in API_TYPES
            for st in doc.statements:
                if st.allows and not any(_covers(deny, st, api) for deny in denies):
                    yield from _grant(resource, prop.path, st, doc, api)
    yield from problems


def restricts_caller(st: Statement) -> bool:
    """Whether the statement's Condition limits who may call (an unknown Condition counts as limiting)."""
    if st.condition_unknown:
        return True
    keys = st.condition_keys()
    return any(key not in NON_RESTRICTING_KEYS for key in keys)


def _denies_all_but_some(st: Statement) -> bool:
    """A Deny for everyone whose Condition leaves only some callers: every test in it is a negated
    match on a key that says who (``StringNotEquals aws:SourceVpce``, ``NotIpAddress aws:SourceIp``),
    so it denies every request but theirs. Unknown parts count as such."""
    if st.principals is None or not (st.principals.everyone or st.principals.unknown):
        return False
    if st.condition_unknown:
        return True
    tests = [(operator, key) for operator, block in (st.conditions or {}).items() if isinstance(block, Mapping)
             for key in block]
    return bool(tests) and all(_negated(operator) and key.lower() not in NON_RESTRICTING_KEYS
                               for operator, key in tests)


def _negated(operator: str) -> bool:
    base = operator.lower().rpartition(":")[2].removesuffix("ifexists")
    return base in NEGATED_OPERATORS


def _covers(deny: Statement, allow: Statement, api: bool) -> bool:
    """Whether the Deny applies to every action and resource the Allow grants (unknown parts count)."""
    resource = _api_resource if api else _as_is
    return (_covers_values(deny.actions, allow.actions, _as_is, _concrete_actions)
            and _covers_values(deny.resources, allow.resources, resource, lambda r: (resource(r),)))


def _covers_values(deny: Values | None, allow: Values | None, pattern: Callable[[str], str],
                   concrete: Callable[[str], tuple[str, ...]]) -> bool:
    if deny is None:
        return False  # NotAction or NotResource: not worth reasoning about
    if deny.unknown or (allow is not None and allow.unknown):
        return True
    if allow is None:
        return any(set(d) == {"*"} for d in deny.items)
    matchers = [catalogue.matcher(pattern(d)) for d in deny.items]
    return all(any(m(item) for m in matchers) for a in allow.items for item in concrete(a))


def _concrete_actions(action: str) -> tuple[str, ...]:
    """The actions a pattern stands for, when its service is fixed; the pattern itself otherwise (a
    Deny then covers it only with a pattern that matches it as text, such as ``*``)."""
    if not (set(action) & {"*", "?"}) or spans_services(action):
        return (action,)
    return tuple(a.name for a in catalogue.expand(action)) or (action,)


def _api_resource(resource: str) -> str:
    """A REST API's own resources written one way: ``*``, ``execute-api:/*/*/*`` and the API's ARN
    all mean ``execute-api:/*`` (every stage, method and path)."""
    if resource == "*":
        return "execute-api:/*"
    match = _API_ARN.match(resource)
    short = f"execute-api:{match.group(1) or '/*'}" if match else resource
    return _TRAILING_STARS.sub("/*", short)


def _as_is(resource: str) -> str:
    return resource


def _public(st: Statement) -> str | None:
    """How the statement grants to everyone, or None."""
    if st.principals is not None and st.principals.everyone:
        return "everyone (Principal '*')"
    if st.not_principals is not None:
        return "everyone except the NotPrincipal"
    return None


def _grant(resource: Resource, path: str, st: Statement, doc: Document, api: bool) -> Iterator[Finding]:
    who = _public(st)
    if who is None or restricts_caller(st):
        return
    label = statement_label(path, st, doc.secret)
    actions = st.actions.items if st.actions else ()
    if doc.secret or not actions:
        what = "access"
    else:
        what = and_more(actions, _MAX_ACTIONS)
    yield finding(resource, path, f"{label} grants {what} to {who} without a Condition that limits who",
                  _API_FIX if api else "name the principals (\"Principal\": {\"AWS\": role.arn} or {\"Service\": "
                  "\"events.amazonaws.com\"}) or add a Condition on aws:SourceArn, aws:SourceAccount or "
                  "aws:PrincipalOrgID, building the document with pulumi.Output.json_dumps({...})")


_API_FIX = ("add a Condition on who may call: \"Condition\": {\"StringEquals\": {\"aws:SourceVpce\": "
            "vpc_endpoint.id}} for a private API, or on aws:SourceVpc, aws:SourceIp or aws:PrincipalOrgID; or "
            "keep the Allow and add the statement AWS documents for private APIs, {\"Effect\": \"Deny\", "
            "\"Principal\": \"*\", \"Action\": \"execute-api:Invoke\", \"Resource\": \"execute-api:/*\", "
            "\"Condition\": {\"StringNotEquals\": {\"aws:SourceVpce\": vpc_endpoint.id}}}, building the document "
            "with pulumi.Output.json_dumps({...})")


def _trust(resource: Resource, path: str, st: Statement, doc: Document) -> Iterator[Finding]:
    if restricts_caller(st):
        return
    label = statement_label(path, st, doc.secret)
    who = _public(st)
    if who is not None:
        yield finding(resource, path, f"{label} lets {who} assume the role without a Condition that limits who",
                      "trust a specific principal (\"Principal\": {\"Service\": \"lambda.amazonaws.com\"} or "
                      "{\"AWS\": account_root_arn}), or add a Condition on aws:PrincipalOrgID or sts:ExternalId")
        return
    providers = [p for p in (st.principals.of_kind("Federated") if st.principals else ())
                 if ":saml-provider/" not in p]
    if providers:
        shown = "a web identity provider" if doc.secret else f"the web identity provider {providers[0]!r}"
        yield finding(resource, path, f"{label} lets any identity of {shown} assume the role: it has no "
                      "Condition on the token's claims",
                      "add a Condition on the provider's aud and sub claims, e.g. {\"StringEquals\": "
                      "{\"token.actions.githubusercontent.com:aud\": \"sts.amazonaws.com\"}, \"StringLike\": "
                      "{\"token.actions.githubusercontent.com:sub\": \"repo:my-org/my-repo:*\"}}")


def _permission(resource: Resource) -> Iterator[Finding]:
    principal = resource.get("principal")
    if principal.as_str() != "*":
        return
    if any(not resource.get(key).absent for key in ("sourceArn", "sourceAccount", "principalOrgId")):
        return
    if _public_function_url(resource):
        return
    yield finding(resource, "principal", "principal is '*' with no source_arn, source_account or "
                  "principal_org_id: any AWS account can invoke the function",
                  "name the caller and its source, e.g. principal=\"apigateway.amazonaws.com\", "
                  "source_arn=pulumi.Output.concat(api.execution_arn, \"/*/*\"). If it makes a public function "
                  "URL (the function's URL has authorization_type=\"NONE\"), AWS needs two permissions: "
                  "action=\"lambda:InvokeFunctionUrl\" with function_url_auth_type=\"NONE\", and "
                  "action=\"lambda:InvokeFunction\" with invoked_via_function_url=True")


def _public_function_url(resource: Resource) -> bool:
    """Whether the permission is one of the two a public function URL needs (since October 2025:
    ``lambda:InvokeFunctionUrl`` with ``functionUrlAuthType: NONE``, and ``lambda:InvokeFunction`` with
    ``invokedViaFunctionUrl: true``), or may be while those are unknown. Whether the URL may be
    public is lambda-function-url-auth's to judge, on the URL itself."""
    auth = resource.get("functionUrlAuthType")
    via_url = resource.get("invokedViaFunctionUrl")
    return auth.unknown or auth.as_str() == "NONE" or via_url.unknown or via_url.value is True


POLICY = ResourcePolicy(
    name="iam-public-principal",
    description=("Trust policies, resource policies and Lambda permissions do not grant to everyone "
                 "(Principal '*') without a Condition that limits who."),
    severity="critical",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Name the principals that need access (a role ARN, an account, a service principal), or keep '*' "
        "with a Condition on aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID. For aws.lambda_.Permission "
        "set source_arn or source_account; for web identity trust, add Conditions on the token's aud and sub; for "
        "an API Gateway REST API, a Condition on aws:SourceVpce, aws:SourceIp or aws:PrincipalOrgID, or a Deny "
        "for everyone else (StringNotEquals aws:SourceVpce)."),
    tags=("iam", "public-access", "security"),
    types=frozenset(RESOURCE_POLICY_TYPES | {ROLE, PERMISSION}),
    options=(
        Option("findings", "array", list(KINDS), "Which findings apply.",
               {"items": {"type": "string", "enum": list(KINDS)}}),
        Option("ignoreResources", "array", [],
               "Resource names, logical or physical (globs such as 'website-*'), that are not checked, e.g. "
               "the policy of a public website bucket.", {"items": {"type": "string"}}),
    ),
    check=check,
)
