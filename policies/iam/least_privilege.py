"""iam-least-privilege: identity policies grant only the actions and resources they need.

Why: a grant broader than the code needs turns a leaked credential or a bug into access to
everything the grant covers.

Reported: in the ``policy`` of ``aws.iam.Policy``, ``RolePolicy``, ``UserPolicy`` and ``GroupPolicy``
and in ``Role.inline_policies``, for Allow statements (each kind can be switched off with ``findings``):

* ``action-wildcard``: ``Action: "*"``, or a pattern across services (``*:Get*``); reported without
  expanding it, and nothing else in that statement is reported.
* ``service-wildcard``: ``svc:*`` for a service not in ``allowedServiceWildcards``.
* ``not-action`` / ``not-resource``: Allow with NotAction or NotResource grants everything else,
  including actions and resources created later.
* ``resource-wildcard``: ``Resource: "*"`` for actions the IAM catalogue says accept resource ARNs,
  listed (capped by ``maxListedActions``) with the ARN format that scopes them; likewise an ARN
  pattern as broad for its own service's actions (every resource of a type: ``secret:*``,
  ``table/*``, S3's ``*/*``), or one that reaches every environment's resource of a name (it starts
  with ``*`` and does not hold the environment suffix: ``table/*-orders``).
* ``privilege-escalation``: actions in ``escalationActions`` that let a principal raise its own
  permissions (``iam:PassRole``, ``iam:AttachRolePolicy``...) on ``"*"`` or such a pattern (above).
* ``invalid-document``: a document that cannot be read (invalid JSON, not an object, no Statement),
  or with statements IAM rejects (an Effect other than Allow or Deny, neither or both of Action and
  NotAction, a Principal or Action of the wrong type).

A document reports at most ``maxFindingsPerDocument`` findings, then one that counts the rest.

Not reported:

* Deny statements: a Deny is never too broad;
* a document, or a part of one (an Action, a Resource, a Condition), unknown during a preview: what is
  known is checked, an unknown part is never reported for being unknown;
* as ``resource-wildcard``: actions that accept only ``"*"`` (``xray:PutTraceSegments``), the actions
  in ``wildcardResourceActions`` (by default metrics, Lambda's VPC network interfaces, writing logs
  and reading alarms, metrics and log events, as AWS's own managed policies grant them), List-level
  actions unless ``reportListActions`` is on, and statements whose Condition narrows what they
  reach: a resource tag or account, or the tags a create request must carry, as attribute-based
  access control does, a service's own key such as ``dynamodb:LeadingKeys``, or a Condition that is
  unknown (privilege escalation is reported all the same);
* Read and List actions on ``Resource: "*"`` in a statement that also names an action listing every
  resource of their service (``s3:ListAllMyBuckets`` beside ``s3:GetEncryptionConfiguration``): an
  inventory or compliance check reads every such resource of the account by design (actions named
  by a pattern, such as ``s3:Get*``, are reported all the same);
* the actions of an allowed ``svc:*`` on ``Resource: "*"`` (privilege escalation among them still is);
* actions matching ``ignoreActions``, and resources whose logical or physical name matches
  ``ignoreResources``;
* a second finding for a document holding the text of a stringified Output: it shares
  stringified-output's cause, and the two make one finding (that text reads as unknown, and the
  rest of the document is checked);
* trust and resource policies: iam-public-principal checks who they grant to. Secret documents are
  checked, and their actions and Sids are not shown.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from .._core.context import Suffix
from .._core.policy import FSBP, MANDATORY, Finding, Framework, Option, PolicyContext, ResourcePolicy
from .._core.regex import LazyPattern
from .._core.resource import Resource
from .._core.text import and_more
from . import catalogue
from .catalogue import ActionInfo
from .documents import (
    IDENTITY_POLICY_TYPES,
    ROLE,
    Document,
    Statement,
    action_ignored,
    finding,
    identity_documents,
    is_service_wildcard,
    readable,
    spans_services,
    statement_label,
)

KINDS = ("action-wildcard", "service-wildcard", "not-action", "not-resource", "resource-wildcard",
         "privilege-escalation", "invalid-document")

DEFAULT_ESCALATION_ACTIONS = [
    "iam:PassRole", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion",
    "iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy",
    "iam:PutRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy",
    "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutUserPermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary",
]
"""Actions that let a principal grant itself more (Rhino Security Labs' IAM escalation methods)."""

DEFAULT_WILDCARD_RESOURCE_ACTIONS = [
    "cloudwatch:PutMetricData", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics",
    # What AWS's own AWSLambdaVPCAccessExecutionRole grants on "*": Lambda creates and deletes the
    # function's network interfaces itself, so their ARNs cannot be known in the policy.
    "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
    "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
    # Writing logs, as AWS documents it for VPC flow-log roles and AWSLambdaBasicExecutionRole grants:
    # the log groups are created by the service, and the worst such a grant allows is writing logs.
    "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups",
    "logs:DescribeLogStreams",
    # Reading alarms, metrics and log events, as AWS's CloudWatchReadOnlyAccess and
    # CloudWatchLogsReadOnlyAccess grant it: a monitoring role reads every alarm and log group.
    "cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*", "logs:GetLogEvents", "logs:FilterLogEvents",
    "logs:StartQuery", "logs:GetQueryResults",
]
"""Actions accepted on ``"*"``. The catalogue lists an optional CloudWatch dataset ARN for the metric
actions, but metrics outside a dataset are authorised only on ``"*"`` (narrow them with the
``cloudwatch:namespace`` condition instead); the others are explained inline."""

_MANY_TYPES = 3
_SHOWN_GROUPS = 3
_JSON_DUMPS = 'pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [...]})'


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    config = ctx.config
    if resource.name_matches(config["ignoreResources"]):
        return
    kinds = frozenset(config["findings"])
    problems: list[Finding] = []
    for prop, doc in readable(resource, identity_documents(resource), kinds, problems):
        yield from problems
        problems.clear()
        yield from _document(resource, prop.path, doc, ctx.derived(_rules), kinds, config["maxFindingsPerDocument"])
    yield from problems


Report = Callable[[str], Finding]
"""A finding not yet worded: called with the statement's label. Large documents word only the
first ``maxFindingsPerDocument`` and count the rest."""


def _document(resource: Resource, path: str, doc: Document, rules: _Rules, kinds: frozenset[str],
              limit: int) -> Iterator[Finding]:
    shown = extra = 0
    for st in doc.statements:
        if not st.allows:
            continue
        for report in _statement(resource, path, st, doc.secret, rules, kinds):
            if shown < limit:
                shown += 1
                yield report(statement_label(path, st, doc.secret))
            else:
                extra += 1
    if extra:
        yield finding(resource, path, f"{path} has {extra} more findings like the ones above (not listed)",
                      "narrow the document statement by statement as the listed findings show")


def _rules(ctx: PolicyContext) -> _Rules:
    return _Rules(ctx.config, ctx.suffix)


class _Rules:
    """The configured lists, and what each Action entry means under them (cached per rule set:
    large documents repeat entries, and every resource of a stack shares the config)."""

    __slots__ = ("allowed_services", "entries", "escalation", "ignore", "list_ok", "max_listed", "suffix",
                 "wildcard_ok")

    def __init__(self, config: Mapping[str, Any], suffix: Suffix | None = None) -> None:
        self.suffix = suffix
        self.allowed_services = frozenset(s.lower() for s in config["allowedServiceWildcards"])
        self.escalation = tuple(config["escalationActions"])
        self.wildcard_ok = tuple(config["wildcardResourceActions"])
        self.ignore = tuple(config["ignoreActions"])
        self.max_listed = int(config["maxListedActions"])
        self.list_ok = not config["reportListActions"]
        key = (self.allowed_services, self.escalation, self.wildcard_ok, self.ignore, self.list_ok)
        entries = _ENTRY_CACHES.get(key)
        if entries is None:
            if len(_ENTRY_CACHES) >= _MAX_RULE_SETS:
                _ENTRY_CACHES.clear()
            entries = _ENTRY_CACHES[key] = {}
        self.entries = entries

    def entry(self, text: str) -> _Entry:
        found = self.entries.get(text)
        if found is None:
            if len(self.entries) >= _MAX_ENTRIES:
                self.entries.clear()
            found = self.entries[text] = _Entry(text, self)
        return found


class _Entry:
    """One Action entry as written: its shape, and the actions behind it that matter."""

    __slots__ = ("allowed_wildcard", "enumerates", "escalating", "ignored", "name", "plain", "scopable",
                 "service_wildcard", "spans")

    def __init__(self, text: str, rules: _Rules) -> None:
        self.ignored = action_ignored(text, rules.ignore)
        self.spans = spans_services(text)
        self.service_wildcard = is_service_wildcard(text)
        self.allowed_wildcard = self.service_wildcard and text.partition(":")[0].lower() in rules.allowed_services
        # A reported svc:* is not expanded; an allowed one still counts for escalation.
        reported = self.spans or self.ignored or (self.service_wildcard and not self.allowed_wildcard)
        infos = () if reported else catalogue.expand(text)
        infos = tuple(i for i in infos if not action_ignored(i.name, rules.ignore)) if rules.ignore else infos
        self.escalating = tuple(i for i in infos if action_ignored(i.name, rules.escalation))
        self.scopable = () if self.service_wildcard else tuple(
            i for i in infos if i.resource_scopable and not action_ignored(i.name, rules.wildcard_ok)
            and not (rules.list_ok and i.access_level == "List"))
        # A pattern is named as written; a plain action by its documented name.
        self.plain = bool(infos) and not set(text) & set("*?")
        self.name = infos[0].name if self.plain else text
        # A plain List action that accepts no ARN lists every resource of its service (s3:ListAllMyBuckets).
        self.enumerates = infos[0].service if self.plain and _lists_everything(infos[0]) else ""


def _lists_everything(info: ActionInfo) -> bool:
    return info.access_level == "List" and not info.resource_types


def _inventory(entries: list[_Entry]) -> Callable[[ActionInfo], bool]:
    """Which of the statement's actions read what it enumerates. A statement that names an action
    listing every resource of a service (``s3:ListAllMyBuckets``) beside plain Read actions of that
    service on ``"*"`` inspects every such resource in the account (an inventory, a compliance check):
    scoping its reads to the stack's resources would break it. Patterns are not read so (``s3:Get*``
    beside ``s3:List*`` is a broad grant, not a stated intent)."""
    services = {e.enumerates for e in entries if e.enumerates}
    if not services:
        return lambda info: False
    plain = {e.name for e in entries if e.plain}
    return lambda info: info.service in services and info.name in plain and info.access_level in ("Read", "List")


_ENTRY_CACHES: dict[tuple[frozenset[str], tuple[str, ...], tuple[str, ...], tuple[str, ...], bool],
                    dict[str, _Entry]] = {}
_MAX_RULE_SETS = 8
_MAX_ENTRIES = 20_000


def _statement(resource: Resource, path: str, st: Statement, secret: bool, rules: _Rules,
               kinds: frozenset[str]) -> Iterator[Report]:
    entries = [e for e in map(rules.entry, st.actions.items if st.actions else ()) if not e.ignored]
    listed = st.resources.items if st.resources is not None else ()
    on_everything = "*" in listed
    where = "on Resource '*'" if on_everything else "on the listed resources"
    # An ARN pattern as broad as "*" for its own service's actions (table/*, secret:*), or one that
    # reaches every environment's resource of a name (table/*-orders without the suffix).
    pattern, reach = ("", "") if on_everything else next(
        ((r, found) for r in listed if isinstance(r, str) and (found := _reach(r, rules.suffix))), ("", ""))

    everything = [e.name for e in entries if e.spans]
    if everything:
        if "action-wildcard" in kinds:
            yield functools.partial(_action_wildcard, resource, path, everything, where, secret)
        return  # everything else in the statement is covered by that finding

    services = [e.name for e in entries if e.service_wildcard and not e.allowed_wildcard]
    if services and "service-wildcard" in kinds:
        yield functools.partial(_service_wildcard, resource, path, services, where, secret, rules.max_listed)
    if st.not_actions is not None and "not-action" in kinds:
        yield functools.partial(_text, resource, path, "uses NotAction with Allow, which grants every action not "
                                "listed, including actions AWS adds later",
                                "replace NotAction with an Action list of what the code calls; to exclude "
                                "actions, add a separate Deny statement")
    if st.not_resources is not None and "not-resource" in kinds:
        yield functools.partial(_text, resource, path, "uses NotResource with Allow, which grants the actions on "
                                "every resource not listed, including resources created later",
                                "replace NotResource with a Resource list of the ARNs the code uses")
    if not on_everything and not pattern:
        return
    service = pattern.split(":", 3)[2].lower() if pattern else ""

    def reached(info: ActionInfo) -> bool:
        return not service or info.service == service

    escalating = list(dict.fromkeys(i for e in entries for i in e.escalating if reached(i)))
    if "privilege-escalation" not in kinds:
        escalating = []
    scopable: list[tuple[str, list[ActionInfo]]] = []
    if "resource-wildcard" in kinds and not _narrowed(st):
        seen: set[ActionInfo] = set(escalating)
        inventoried = _inventory(entries)
        for e in entries:
            infos = [i for i in e.scopable if i not in seen and not inventoried(i) and reached(i)]
            if infos:
                seen.update(infos)
                scopable.append((e.name, infos))
    # One statement on Resource '*', one finding: the escalation (the graver mistake) leads, and
    # names the statement's other actions that accept ARNs.
    on = _on(pattern, reach, secret)
    if escalating:
        yield functools.partial(_escalation, resource, path, escalating, secret, rules.max_listed, scopable, on)
    elif scopable:
        yield functools.partial(_resource_wildcard, resource, path, scopable, secret, rules.max_listed, on)


class _On(NamedTuple):
    """Where a statement grants: as the message says it, and as the fix names what to replace."""

    said: str
    replaced: str


_EVERYTHING = _On("Resource '*'", '"*"')


def _on(pattern: str, reach: str, secret: bool) -> _On:
    """Where the statement grants: ``"*"``, or the pattern (not shown in a secret document)."""
    if not pattern:
        return _EVERYTHING
    if secret:
        return _On("a Resource pattern as broad as '*' for them", "that pattern")
    return _On(f"Resource {pattern!r}, which reaches {reach}", repr(pattern))


_WILD = frozenset("*?/:")


def _reach(text: str, suffix: Suffix | None) -> str:
    """What an ARN pattern reaches when that is as much as ``"*"`` gives its service's actions (every
    resource, or every resource of a type: ``secret:*``, ``table/*``, S3's ``*/*``), or every
    environment's resource of a name (a name that starts with ``*`` and does not hold the environment
    suffix: ``table/*-orders``); ``""`` for a pattern narrower than that."""
    parts = text.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn" or not parts[2] or set(parts[2]) & _WILD:
        return ""
    service, rest = parts[2].lower(), parts[5]
    if service == "s3":  # arn:aws:s3:::bucket/key: the bucket is the name
        kind, name = "bucket", rest.split("/", 1)[0]
    else:
        cut = min((i for i in (rest.find("/"), rest.find(":")) if i >= 0), default=-1)
        kind, name = (rest[:cut], rest[cut + 1:]) if cut >= 0 else ("", rest)
    if not rest or set(rest) <= _WILD or (kind and name and set(name) <= _WILD):
        return f"every {kind or service + ' resource'} of the account"
    if name.startswith("*") and set(name) - _WILD and suffix is not None and suffix.value not in text:
        named = "the environment suffix" if suffix.secret else f"the environment suffix {suffix.shown}"
        return (f"every {kind or service + ' resource'} named like {name!r} in every environment and project "
                f"of the account (it starts with '*' and does not hold {named})")
    return ""


_RESOURCE_KEYS = frozenset({"aws:resourceaccount", "aws:resourceorgid", "aws:resourceorgpaths"})


def _narrowed(st: Statement) -> bool:
    """Whether the Condition limits the resources reached (an unknown Condition counts as limiting)."""
    if st.condition_unknown:
        return True
    return any(not key.startswith("aws:") or key.startswith("aws:resourcetag/") or key in _RESOURCE_KEYS
               for key in st.condition_keys()) or _tags_required(st)


def _tags_required(st: Statement) -> bool:
    """Whether the Condition requires the request to carry a tag (``Null`` false, or a string or ARN test
    without ``IfExists``): a create action then reaches only what it tags so, and any other action nothing,
    as the AWS Load Balancer Controller's published policy relies on."""
    for operator, block in (st.conditions or {}).items():
        if not isinstance(block, Mapping) or operator.lower().endswith("ifexists") \
                or operator.lower().startswith("forallvalues:"):  # both hold for a request without the tag
            continue
        for key, value in block.items():
            if not key.lower().startswith("aws:requesttag/"):
                continue
            if operator.lower() != "null" or str(value).lower() == "false":
                return True
    return False


def _text(resource: Resource, path: str, text: str, fix: str, label: str) -> Finding:
    return finding(resource, path, f"{label} {text}", fix)


def _action_wildcard(resource: Resource, path: str, patterns: list[str], where: str, secret: bool,
                     label: str) -> Finding:
    shown = "" if secret else f" (Action {', '.join(repr(a) for a in patterns[:3])})"
    return finding(resource, path, f"{label} allows every action of every service{shown} {where}",
                   "list the actions the code calls, e.g. \"Action\": [\"dynamodb:GetItem\", "
                   "\"dynamodb:PutItem\"], scoped to the resources it uses")


def _service_wildcard(resource: Resource, path: str, services: list[str], where: str, secret: bool, limit: int,
                      label: str) -> Finding:
    shown = "a service-wide wildcard" if secret else and_more(services, limit)
    return finding(resource, path, f"{label} allows every action of a service ({shown}) {where}",
                   "list the actions the code calls instead of svc:* (or add the service to "
                   "allowedServiceWildcards in the policy config)")


def _escalation(resource: Resource, path: str, actions: list[ActionInfo], secret: bool, limit: int,
                others: list[tuple[str, list[ActionInfo]]], on: _On, label: str) -> Finding:
    shown = "" if secret else " " + and_more([a.name for a in actions], limit)
    also = fix_also = ""
    if others:
        also = (" (and actions that accept resource ARNs)" if secret else
                f"; it also allows {and_more([name for name, _ in others], limit)} there, which accept resource ARNs")
        refs = list(dict.fromkeys(_reference(_scope(i)[0]) for _, infos in others for i in infos[:1]))
        fix_also = f", and \"Resource\": [{', '.join(refs[:_SHOWN_GROUPS])}] for the others"
    return finding(resource, path, f"{label} allows privilege-escalation actions{shown} on {on.said}: "
                   f"with them a principal can grant itself more than this policy gives{also}",
                   f"scope them to the ARNs the code needs, e.g. {_escalation_example(actions, secret)}{fix_also}")


def _escalation_example(actions: list[ActionInfo], secret: bool) -> str:
    first = next((a for a in actions if a.name == "iam:PassRole"), actions[0])
    if first.name == "iam:PassRole" or secret:  # a secret document's actions are not shown
        return "iam:PassRole on \"Resource\": [role.arn] with a Condition on iam:PassedToService"
    rtype = _scope(first)[0]
    return f"{first.name} on \"Resource\": [{_reference(rtype) if rtype else 'the resource.arn'}]"


def _resource_wildcard(resource: Resource, path: str, entries: list[tuple[str, list[ActionInfo]]], secret: bool,
                       limit: int, on: _On, label: str) -> Finding:
    """``entries``: each action or pattern as written, with the actions behind it that accept ARNs."""
    if secret:
        return finding(resource, path, f"{label} allows actions that accept resource ARNs on {on.said} "
                       "(not listed: the document is a secret)",
                       f"list the ARNs the code uses instead of {on.replaced}, building the document with "
                       f"{_JSON_DUMPS}")
    shown = and_more([name if name == infos[0].name else f"{name} ({len(infos)} actions that accept ARNs)"
                      for name, infos in entries], limit)
    groups: dict[tuple[str, str], dict[str, int]] = {}
    for name, infos in entries:
        for info in infos:
            counts = groups.setdefault(_scope(info), {})
            counts[name] = counts.get(name, 0) + 1
    if len(groups) == 1:
        (rtype, arn), names = next(iter(groups.items()))
        one = len(names) == 1 and sum(names.values()) == 1
        scope = f"{'it accepts' if one else 'these accept'} {_describe(rtype, arn)}"
        ordered = list(groups)
    else:
        # Groups named by more entries first, then those with a plain action, then the largest.
        plain = {name for name, infos in entries if name == infos[0].name}
        ordered = sorted(groups, key=lambda k: (-len(groups[k]), not groups[k].keys() & plain,
                                                -sum(groups[k].values()), not k[0]))
        parts = [f"{_describe(rtype, arn)} for {and_more(list(groups[(rtype, arn)]), 3)}" for rtype, arn in ordered]
        scope = "scope them by ARN: " + and_more(parts, _SHOWN_GROUPS, sep="; ", what="resource types")
    refs = [_reference(rtype) for rtype, _ in ordered[:_SHOWN_GROUPS] if rtype] or ["the resource's .arn"]
    fix = (f"\"Resource\": [{', '.join(refs)}] instead of {on.replaced}, with the document built by "
           f"{_JSON_DUMPS} so the ARNs resolve; drop any of these actions the code never calls")
    patterns = [name for name, infos in entries if name != infos[0].name]
    if patterns:  # the ARN types a pattern reaches are rarely the ones the code needs: no list of them
        fix = (f"list the actions the code calls instead of {and_more(patterns, 3)} (a pattern grants every "
               f"matching action, including ones AWS adds later), each on the ARNs it uses, with the document "
               f"built by {_JSON_DUMPS}")
    return finding(resource, path, f"{label} allows {shown} on {on.said}; {scope}", fix)


@functools.lru_cache(maxsize=4096)
def _scope(info: ActionInfo) -> tuple[str, str]:
    """The resource type (and ARN format) that best scopes an action: one AWS requires in every call
    (a cluster for rds:FailoverDBCluster, not the optional instance), of its own service, the
    shortest ARN; ``("", "")`` when it accepts many types."""
    if len(info.resource_types) > _MANY_TYPES:
        return "", ""
    service = info.service
    required = info.required or (False,) * len(info.resource_types)

    def key(i: int) -> tuple[bool, bool, int]:
        arn = info.arn_patterns[i]
        return not required[i], arn.split(":")[2] != service, len(arn)

    best = min(range(len(info.resource_types)), key=key)
    return info.resource_types[best], info.arn_patterns[best]


def _describe(rtype: str, arn: str) -> str:
    return f"{rtype} ARNs ({arn})" if rtype else "ARNs of several resource types (see the Service " \
                                                  "Authorization Reference)"


_WORD = LazyPattern(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1024)
def _reference(rtype: str) -> str:
    """How a Pulumi program names ARNs of a resource type."""
    if rtype == "object":
        return 'pulumi.Output.concat(bucket.arn, "/*")'
    if rtype == "log-stream":
        return 'pulumi.Output.concat(log_group.arn, ":*")'
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", rtype).lower()
    return f"{_WORD.sub('_', snake).strip('_') or 'resource'}.arn"


POLICY = ResourcePolicy(
    name="iam-least-privilege",
    description=("IAM identity policies grant only the actions and resources they need: no '*' actions, "
                 "service-wide wildcards, NotAction, NotResource, privilege escalation, or Resource '*' "
                 "for actions that accept resource ARNs."),
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "List the actions the code calls and the ARNs it uses, building the document with "
        "pulumi.Output.json_dumps({...}) so that ARNs of other resources resolve: e.g. "
        "\"Action\": [\"dynamodb:GetItem\", \"dynamodb:PutItem\"], \"Resource\": [table.arn]. Keep "
        "\"Resource\": \"*\" only for actions that accept nothing else (xray:PutTraceSegments, "
        "cloudwatch:PutMetricData with a cloudwatch:namespace condition)."),
    tags=("iam", "least-privilege", "security"),
    framework=Framework(FSBP, "1.0.0", "IAM.1", 'IAM policies should not allow full "*" administrative privileges'),
    types=frozenset(IDENTITY_POLICY_TYPES | {ROLE}),
    options=(
        Option("findings", "array", list(KINDS), "Which findings apply.",
               {"items": {"type": "string", "enum": list(KINDS)}}),
        Option("allowedServiceWildcards", "array", [],
               "Service prefixes whose svc:* is allowed (e.g. 'xray'); their actions are not listed "
               "for Resource '*' either, but privilege escalation is still reported.",
               {"items": {"type": "string"}}),
        Option("wildcardResourceActions", "array", DEFAULT_WILDCARD_RESOURCE_ACTIONS,
               "Actions (IAM patterns) that may be granted on Resource '*' although the catalogue lists "
               "a resource type for them.", {"items": {"type": "string"}}),
        Option("reportListActions", "boolean", False,
               "Also report List-level actions (rds:DescribeDBInstances, s3:ListBucket...) on Resource '*'. Off "
               "by default: they reveal names, not data, and code often calls them without a filter, so "
               "scoping them breaks the call more often than it protects anything."),
        Option("escalationActions", "array", DEFAULT_ESCALATION_ACTIONS,
               "Actions (IAM patterns) reported as privilege escalation when granted on Resource '*'.",
               {"items": {"type": "string"}}),
        Option("ignoreActions", "array", [],
               "Action patterns never reported (matched against what the document says and against "
               "each action a pattern expands to), e.g. 'ec2:Describe*'.", {"items": {"type": "string"}}),
        Option("ignoreResources", "array", [],
               "Resource names, logical or physical (globs such as 'break-glass-*'), that are not checked.",
               {"items": {"type": "string"}}),
        Option("maxListedActions", "integer", 8, "How many actions a message lists.",
               {"minimum": 1, "maximum": 100}),
        Option("maxFindingsPerDocument", "integer", 10,
               "How many findings one document reports before summing up the rest.",
               {"minimum": 1, "maximum": 1000}),
    ),
    check=check,
)
