"""IAM policy documents: reading every shape programs produce, and where documents live.

Every IAM check reads documents through :func:`read`, which turns a property into a
:class:`Document` of normalised :class:`Statement` objects, or into a sentence saying why the
document cannot be read (invalid JSON, the text of a stringified Output, a wrong type). It never
raises. A document that is unknown during preview (``Output.json_dumps`` over ARNs not yet
created) reads as ``None``: there is nothing to check until the engine analyzes the resource
again before creating it. Values that are unknown *inside* a known document are kept as flags
(``Values.unknown``), so checks look at what is known and never flag a value for being unknown.

Shapes accepted: a JSON string or an object; ``Statement`` as an object or a list;
``Action``/``NotAction``/``Resource``/``NotResource`` as a string or a list; ``Principal`` as
``"*"`` or a map of kind to a string or a list. Anything else IAM would reject is listed in
``Document.problems`` and the rest of the document is still read.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from .._core.policy import Finding, stated
from .._core.resource import Resource
from .._core.text import and_more
from .._core.values import (
    MAX_DEPTH,
    STRINGIFIED_OUTPUT_TEXT,
    UNKNOWN,
    Prop,
    Secret,
    contains_secret,
    kind_of,
    prop_of,
    walk,
)
from ..outputs.stringified_output import cause_of
from . import catalogue

ALLOW = "Allow"
DENY = "Deny"
EVERYONE = "*"

ROLE = "aws:iam/role:Role"
IDENTITY_POLICY_TYPES = frozenset({
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
})
"""Resources whose ``policy`` property is an identity policy (``aws.iam.Role`` adds ``inlinePolicies``)."""

RESOURCE_POLICY_TYPES = frozenset({
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:sqs/queue:Queue",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topic:Topic",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:secretsmanager/secret:Secret",
    "aws:kms/key:Key",
    "aws:apigateway/restApi:RestApi",
    "aws:apigateway/restApiPolicy:RestApiPolicy",
})
"""Resources whose ``policy`` property is a resource policy (who may act on this resource)."""

_MAX_SID = 60


# Statements and their parts are named tuples: immutable (parsed documents are cached and shared
# by the policies) and several times cheaper to build than frozen dataclasses, which matters for
# documents of thousands of statements.


class Values(NamedTuple):
    """One of Action, NotAction, Resource or NotResource: its known strings, and whether any
    element (or the whole field) is unknown during preview."""

    items: tuple[str, ...] = ()
    unknown: bool = False


class Principals(NamedTuple):
    """``Principal`` or ``NotPrincipal``: ``(kind, value)`` pairs; a bare ``"*"`` is ``("*", "*")``."""

    entries: tuple[tuple[str, str], ...] = ()
    unknown: bool = False

    @property
    def everyone(self) -> bool:
        """``"*"`` or ``{"AWS": "*"}``: any principal of any account, signed in or not."""
        return any(value == EVERYONE and kind in (EVERYONE, "AWS") for kind, value in self.entries)

    def of_kind(self, kind: str) -> tuple[str, ...]:
        return tuple(value for k, value in self.entries if k == kind)


class Statement(NamedTuple):
    """One statement, normalised. ``position`` is 0-based (a field named ``index`` would hide
    ``tuple.index``); messages number from 1."""

    position: int
    sid: str | None
    effect: str | None
    actions: Values | None
    not_actions: Values | None
    resources: Values | None
    not_resources: Values | None
    principals: Principals | None
    not_principals: Principals | None
    conditions: Mapping[str, Any] | None
    condition_unknown: bool = False

    @property
    def number(self) -> int:
        return self.position + 1

    @property
    def allows(self) -> bool:
        return self.effect == ALLOW

    @property
    def conditioned(self) -> bool:
        """A Condition is present (or unknown during preview, which counts as present)."""
        return self.condition_unknown or bool(self.conditions)

    def condition_keys(self) -> tuple[str, ...]:
        """The condition keys, lowercase (IAM matches them case-insensitively)."""
        if not self.conditions:
            return ()
        return tuple(key.lower() for block in self.conditions.values() if isinstance(block, Mapping)
                     for key in block)


class Document(NamedTuple):
    """A readable policy document: its statements, and the shape problems IAM would reject."""

    statements: tuple[Statement, ...]
    problems: tuple[str, ...] = ()
    secret: bool = False
    stringified: bool = False
    """Whether a string of it held a stringified Output's text (read as unknown)."""


# --- reading -----------------------------------------------------------------


def read(prop: Prop) -> Document | str | None:
    """The document a property holds.

    ``None`` when it is absent or unknown during preview (nothing to check); a sentence saying
    what is wrong when it cannot be read as a policy document; otherwise the :class:`Document`.
    """
    if not prop.known:
        return None
    value = prop.value
    return parse(value, secret=prop.secret or contains_secret(value))


def parse(value: Any, *, secret: bool = False) -> Document | str:
    """A document from a JSON string or an already decoded object; a sentence when unreadable."""
    value = _unwrap(value)
    if isinstance(value, str):
        return _parse_text(value, secret)
    stringified = _holds_stringified_output(value)
    if not isinstance(value, Mapping):
        return _STRINGIFIED if stringified else \
            f"it is {kind_of(value)}, not a policy document (a JSON object with a Statement)"
    return _stringified_parse(value, secret) if stringified else _parse_object(value, secret)


_STRINGIFIED = ("it holds the text of a stringified Output (an f-string or str() over an Output); "
                "build the document with pulumi.Output.json_dumps({...}) or Output.apply")


@functools.lru_cache(maxsize=32)
def _parse_text(text: str, secret: bool) -> Document | str:
    # Cached: several policies read the same document of the same resource, one after another.
    stringified = STRINGIFIED_OUTPUT_TEXT in text
    try:
        value = json.loads(text)
    except ValueError as e:
        return _STRINGIFIED if stringified else (
            f"it is not valid JSON ({getattr(e, 'msg', e)} at line {getattr(e, 'lineno', '?')} "
            f"column {getattr(e, 'colno', '?')})")
    if not isinstance(value, dict):
        return _STRINGIFIED if stringified else \
            f"it is {kind_of(value)} in JSON, not a policy document (a JSON object with a Statement)"
    return _stringified_parse(value, secret) if stringified else _parse_object(value, secret)


def _parse_object(doc: Mapping[str, Any], secret: bool) -> Document | str:
    if "Statement" not in doc:
        return "it has no Statement"
    raw = doc["Statement"]
    if raw is UNKNOWN:
        return Document((), (), secret)
    if isinstance(raw, Mapping):
        raw = [raw]
    elif not isinstance(raw, list):
        return f"its Statement is {kind_of(raw)}, not an object or a list of objects"
    problems = _Problems(secret)
    statements = []
    for index, item in enumerate(raw):
        if item is UNKNOWN:
            continue
        if not isinstance(item, Mapping):
            problems.items.append(f"statement {index + 1} is {kind_of(item)}, not an object")
            continue
        statements.append(_statement(index, item, problems))
    return Document(tuple(statements), tuple(problems.items), secret)


class _Problems:
    """Shape problems, worded only when there is one (large documents have thousands of statements)."""

    __slots__ = ("items", "secret")

    def __init__(self, secret: bool) -> None:
        self.items: list[str] = []
        self.secret = secret

    def add(self, index: int, sid: str | None, text: str) -> None:
        where = f"statement {index + 1}" + (f" (Sid {_short(sid)})" if sid and not self.secret else "")
        self.items.append(f"{where}: {text}")


_MISSING = object()


def _statement(index: int, raw: Mapping[str, Any], problems: _Problems) -> Statement:
    get = raw.get
    sid = get("Sid")
    sid = sid if type(sid) is str and sid else None
    effect = get("Effect")
    if effect is not UNKNOWN and effect not in (ALLOW, DENY):
        shown = "missing" if effect is None else "[secret]" if problems.secret else _short(str(effect))
        problems.add(index, sid, f"Effect is {shown}; IAM accepts only 'Allow' or 'Deny'")
    has_action, has_not_action = "Action" in raw, "NotAction" in raw
    if has_action == has_not_action:
        problems.add(index, sid, "has both Action and NotAction" if has_action
                     else "has neither Action nor NotAction")
    conditions = get("Condition")
    condition_unknown = False
    if conditions is UNKNOWN:
        conditions, condition_unknown = None, True
    elif isinstance(conditions, Mapping):
        condition_unknown = any(block is UNKNOWN for block in conditions.values())
    elif conditions is not None:
        problems.add(index, sid, f"Condition is {kind_of(conditions)}, not an object")
        conditions = None
    return Statement(
        index, sid, effect if type(effect) is str else None,
        _values(get("Action", _MISSING), "Action", index, sid, problems),
        _values(get("NotAction", _MISSING), "NotAction", index, sid, problems),
        _values(get("Resource", _MISSING), "Resource", index, sid, problems),
        _values(get("NotResource", _MISSING), "NotResource", index, sid, problems),
        _principals(get("Principal", _MISSING), "Principal", index, sid, problems),
        _principals(get("NotPrincipal", _MISSING), "NotPrincipal", index, sid, problems),
        conditions, condition_unknown,
    )


def _values(value: Any, key: str, index: int, sid: str | None, problems: _Problems) -> Values | None:
    if value is _MISSING:
        return None
    if type(value) is str:
        return Values((value,))
    if value is UNKNOWN:
        return Values((), True)
    items = value if isinstance(value, list) else [value]
    strings = tuple(v for v in items if type(v) is str)
    if len(strings) == len(items):
        return Values(strings)
    unknown = any(v is UNKNOWN for v in items)
    wrong = [v for v in items if v is not UNKNOWN and type(v) is not str]
    if wrong:
        problems.add(index, sid, f"{key} holds {kind_of(wrong[0])}, not a string or a list of strings")
    return Values(strings, unknown)


def _principals(value: Any, key: str, index: int, sid: str | None, problems: _Problems) -> Principals | None:
    if value is _MISSING:
        return None
    if value is UNKNOWN:
        return Principals((), True)
    if isinstance(value, str):
        if value != EVERYONE:
            problems.add(index, sid, f"{key} is a string other than '*'; use a map such as {{\"AWS\": ...}}")
            return Principals()
        return Principals(((EVERYONE, EVERYONE),))
    if not isinstance(value, Mapping):
        problems.add(index, sid, f"{key} is {kind_of(value)}, not '*' or an object")
        return Principals()
    entries: list[tuple[str, str]] = []
    unknown = False
    for kind, ids in value.items():
        if ids is UNKNOWN:
            unknown = True
            continue
        for item in ids if isinstance(ids, list) else [ids]:
            if isinstance(item, str):
                entries.append((str(kind), item))
            elif item is UNKNOWN:
                unknown = True
            else:
                problems.add(index, sid, f"{key}.{kind} holds {kind_of(item)}, not a string")
    return Principals(tuple(entries), unknown)


def _unwrap(value: Any, depth: int = 0) -> Any:
    """Nested secrets are evaluated like plain values (messages never show them: see ``secret``);
    what lies past :data:`MAX_DEPTH` reads as unknown."""
    if isinstance(value, Secret):
        return _unwrap(value.value, depth + 1)
    if depth >= MAX_DEPTH and isinstance(value, (Mapping, list)):
        return UNKNOWN
    if isinstance(value, Mapping):
        return {str(k): _unwrap(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrap(v, depth + 1) for v in value]
    return value


def _holds_stringified_output(value: Any) -> bool:
    return any(isinstance(n.value, str) and STRINGIFIED_OUTPUT_TEXT in n.value for n in walk(value))


def _stringified_parse(doc: Mapping[str, Any], secret: bool) -> Document | str:
    """A document one of whose strings holds a stringified Output's text: that string is unknown, and
    the rest is read (a statement granting ``*`` beside it is a mistake of its own)."""
    found = _parse_object(_stringified_unknown(doc), secret)
    return found._replace(stringified=True) if isinstance(found, Document) else _STRINGIFIED


def _stringified_unknown(value: Any) -> Any:
    """``value`` with each string that holds a stringified Output's text read as unknown: what the
    program meant there is not in the document (stringified-output reports it), and the rest of the
    document, readable, is checked as it is."""
    if isinstance(value, str):
        return UNKNOWN if STRINGIFIED_OUTPUT_TEXT in value else value
    if isinstance(value, Mapping):
        return {k: _stringified_unknown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringified_unknown(v) for v in value]
    return value


# --- where documents live ----------------------------------------------------


def identity_documents(resource: Resource) -> Iterator[Prop]:
    """The identity policies a resource holds, each a Prop whose ``path`` names it."""
    if resource.type in IDENTITY_POLICY_TYPES:
        yield resource.get("policy")
    elif resource.type == ROLE:
        inline = resource.get("inlinePolicies")
        for i, item in enumerate(inline.as_list() or ()):
            yield prop_of(f"inlinePolicies[{i}]", item, inline.secret).get("policy")


def trust_documents(resource: Resource) -> Iterator[Prop]:
    """The trust policy of a role (who may assume it)."""
    if resource.type == ROLE:
        yield resource.get("assumeRolePolicy")


def resource_documents(resource: Resource) -> Iterator[Prop]:
    """The resource policy of a bucket, queue, topic, repository, secret, key or REST API."""
    if resource.type in RESOURCE_POLICY_TYPES:
        yield resource.get("policy")


def all_documents(resource: Resource) -> Iterator[Prop]:
    yield from identity_documents(resource)
    yield from trust_documents(resource)
    yield from resource_documents(resource)


# --- shared by the checks ----------------------------------------------------


def statement_label(path: str, statement: Statement, secret: bool) -> str:
    """``policy statement 1 (Sid 'DynamoAccess')``; a secret document's Sid is not shown."""
    sid = f" (Sid {_short(statement.sid)})" if statement.sid and not secret else ""
    return f"{path} statement {statement.number}{sid}"


def finding(resource: Resource, path: str, text: str, fix: str) -> Finding:
    """The pack's message shape for documents: what, where, and the Python that fixes it."""
    return stated(resource.label, f"{text}.", fix, property=path)


def unreadable(resource: Resource, path: str, reason: str) -> Finding:
    found = finding(resource, path, f"{path} cannot be read as an IAM policy document: {reason}",
                    "pass a policy document: pulumi.Output.json_dumps({\"Version\": \"2012-10-17\", "
                    "\"Statement\": [...]}) or aws.iam.get_policy_document_output(...).json")
    if reason is not _STRINGIFIED:
        return found
    return found._replace(cause=cause_of(path.split(".", 1)[0].split("[", 1)[0]))


def stringified(resource: Resource, path: str) -> Finding:
    """A document that holds a stringified Output's text where a value belongs (the rest of it is
    checked): stringified-output's cause, so that the two policies make one finding."""
    found = finding(resource, path, f"{path} holds the text of a stringified Output (an f-string or str() "
                    f"over an Output) where a value belongs",
                    "build the document with pulumi.Output.json_dumps({...}) or Output.apply, so that the "
                    "Output's value takes the text's place")
    return found._replace(cause=cause_of(path.split(".", 1)[0].split("[", 1)[0]))


def malformed(resource: Resource, path: str, problems: tuple[str, ...], limit: int = 3) -> Finding:
    shown = and_more(problems, limit, sep="; ")
    return finding(resource, path, f"{path} has statements IAM would reject: {shown}",
                   "give every statement an Effect ('Allow' or 'Deny'), an Action (or NotAction) that is a "
                   "string or a list of strings, and a Principal that is '*' or a map")


def readable(resource: Resource, props: Iterable[Prop], kinds: frozenset[str],
             problems: list[Finding]) -> Iterator[tuple[Prop, Document]]:
    """The documents among ``props`` that can be read, each with its property; a document that
    cannot be read, or has statements IAM would reject, adds its finding to ``problems`` when the
    policy reports ``invalid-document`` (an unreadable one is skipped)."""
    report = "invalid-document" in kinds
    for prop in props:
        doc = read(prop)
        if doc is None:
            continue
        if isinstance(doc, str):
            if report:
                problems.append(unreadable(resource, prop.path, doc))
            continue
        if doc.stringified and report:
            problems.append(stringified(resource, prop.path))
        if doc.problems and report:
            problems.append(malformed(resource, prop.path, doc.problems))
        yield prop, doc


def action_ignored(action: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """Whether an action (or an action pattern as written) matches a configured exception."""
    return any(catalogue.matcher(p)(action) for p in patterns)


def is_service_wildcard(action: str) -> bool:
    """``s3:*``: every action of one service."""
    prefix, sep, name = action.partition(":")
    return bool(sep) and bool(name) and set(name) == {"*"} and bool(prefix) and not set(prefix) & set("*?")


def spans_services(action: str) -> bool:
    """``*``, ``*:*`` or a pattern whose service part is a wildcard (``*:Get*``, ``s?:GetObject``)."""
    if action and set(action) == {"*"}:
        return True
    prefix, sep, _ = action.partition(":")
    return bool(sep) and bool(set(prefix) & set("*?"))


def _short(text: str) -> str:
    return repr(text if len(text) <= _MAX_SID else text[: _MAX_SID - 3] + "...")
