"""iam-unknown-action: the actions a policy document names exist in AWS.

Why: IAM accepts any well-formed ``service:Action`` string, so a typo (``dynamodb:PutItems``) grants
nothing, and in a Deny it denies nothing; the mistake shows up only as ``AccessDenied`` at run time,
or never. Advisory, because the catalogue can lag behind an action AWS launched this week.

Reported: in every document (identity, trust and resource policies; Allow and Deny; Action and
NotAction), against the IAM action catalogue (each kind can be switched off with ``findings``):

* ``unknown-action``: a known service without that action, or a name without a service prefix;
  the closest known action is suggested.
* ``unknown-service``: the service prefix is not known.
* ``no-match``: a pattern in a known service matches no action (``s3:Gett*``).
* ``case-mismatch`` (off by default): a known action written in another case (``dynamodb:Putitem``).
  IAM ignores case, so it works, and AWS writes some that way itself (its default SNS topic policy
  says ``SNS:Publish``): a matter of style that a team may opt into.

Each problem is reported once per document, naming every statement that has it; a document reports
at most ``maxFindingsPerDocument``, then one finding that counts the rest.

Not reported: patterns across services (``*``, ``*:Get*``), which are not expanded; ``svc:*`` in a
known service; actions matching ``ignoreActions`` (an action newer than the catalogue) and resources
matching ``ignoreResources``; documents, and actions, unknown during a preview; documents that cannot
be read, which iam-least-privilege and iam-public-principal report. In a secret document the action is
not shown.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from .._core.policy import ADVISORY, Finding, Option, PolicyContext, ResourcePolicy
from .._core.resource import Resource
from .._core.text import and_more
from . import catalogue
from .documents import (
    IDENTITY_POLICY_TYPES,
    RESOURCE_POLICY_TYPES,
    ROLE,
    Document,
    Statement,
    action_ignored,
    all_documents,
    finding,
    read,
    spans_services,
    statement_label,
)

KINDS = ("unknown-action", "unknown-service", "no-match", "case-mismatch")
DEFAULT_KINDS = KINDS[:3]


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    config = ctx.config
    if resource.name_matches(config["ignoreResources"]):
        return
    kinds = frozenset(config["findings"])
    ignore = tuple(config["ignoreActions"])
    limit = config["maxFindingsPerDocument"]
    for prop in all_documents(resource):
        doc = read(prop)
        if not isinstance(doc, Document):
            continue
        found = list(_document(doc, kinds, ignore))
        for (kind, entry, text, fix), statements in found[:limit]:
            yield _finding(resource, prop.path, doc, statements, kind, entry, text, fix)
        if len(found) > limit:
            yield finding(resource, prop.path, f"{prop.path} names {len(found) - limit} more actions that are "
                          "not in the catalogue (not listed)", "check each action name in the Service "
                          "Authorization Reference")


def _document(doc: Document, kinds: frozenset[str], ignore: tuple[str, ...],
              ) -> Iterator[tuple[tuple[str, str, str, str], list[Statement]]]:
    """Each problem once per document, with the statements that have it."""
    seen: dict[tuple[str, str, str, str], list[Statement]] = {}
    for st in doc.statements:
        for values in (st.actions, st.not_actions):
            for entry in values.items if values else ():
                if action_ignored(entry, ignore):
                    continue
                problem = _problem(entry)
                if problem is not None and problem[0] in kinds:
                    seen.setdefault(problem, []).append(st)
    yield from seen.items()


@functools.lru_cache(maxsize=4096)
def _problem(entry: str) -> tuple[str, str, str, str] | None:
    """``(kind, entry, what is wrong, fix)`` for one Action entry, or None when it is fine (cached:
    large documents repeat entries)."""
    if spans_services(entry):
        return None
    prefix, sep, name = entry.partition(":")
    if not sep or not prefix or not name:
        return ("unknown-action", entry, "which is not in the form service:Action",
                "write the action as service:Action, e.g. \"dynamodb:GetItem\"")
    if not catalogue.known_service(prefix):
        hint = catalogue.suggest(entry)
        return ("unknown-service", entry, f"whose service prefix '{prefix}' is not in the IAM catalogue "
                f"({catalogue.data_version()})" + (f"; the closest known action is {hint}" if hint else ""),
                f"write \"{hint}\"" if hint else "check the service prefix in the Service Authorization Reference")
    if "*" in name or "?" in name:
        # svc:* in a known service matches its actions; no need to read them.
        if set(name) == {"*"} or catalogue.expand(entry):
            return None
        return ("no-match", entry, f"a pattern that matches no {prefix.lower()} action in the IAM catalogue "
                f"({catalogue.data_version()})", "fix the pattern, or list the actions the code calls")
    info = catalogue.lookup(entry)
    if info is None:
        hint = catalogue.suggest(entry)
        return ("unknown-action", entry, f"which is not a {prefix.lower()} action in the IAM catalogue "
                f"({catalogue.data_version()})" + (f"; the closest known action is {hint}" if hint else ""),
                f"write \"{hint}\"" if hint else "check the action in the Service Authorization Reference; if AWS "
                "added it recently, add it to ignoreActions in the policy config")
    if info.name != entry:
        return ("case-mismatch", entry, f"written in another case than {info.name} (IAM ignores case, so it "
                "works, but reviews and searches look for the documented name)", f"write \"{info.name}\"")
    return None


def _finding(resource: Resource, path: str, doc: Document, statements: list[Statement], kind: str, entry: str,
             text: str, fix: str) -> Finding:
    label = statement_label(path, statements[0], doc.secret)
    more = statements[1:]
    if more:
        label += f" (and statement{'s' if len(more) > 1 else ''} {and_more([str(s.number) for s in more], 5)})"
    if doc.secret:
        what = {"case-mismatch": "an action written in another case than AWS documents it",
                "no-match": "an action pattern that matches no action in the IAM catalogue"}.get(
            kind, "an action that is not in the IAM catalogue")
        return finding(resource, path, f"{label} names {what} (not shown: the document is a secret)",
                       "check the action names in the Service Authorization Reference")
    return finding(resource, path, f"{label} names {entry!r}, {text}", fix)


POLICY = ResourcePolicy(
    name="iam-unknown-action",
    description=("IAM policy documents name only actions that exist: no typos, unknown services, or "
                 "patterns that match nothing."),
    severity="low",
    enforcement_level=ADVISORY,
    remediation_steps=(
        "Write each action as service:Action exactly as the AWS Service Authorization Reference spells it "
        "(e.g. dynamodb:PutItem); the message suggests the closest known action. For an action AWS "
        "launched after the pinned catalogue, add it to ignoreActions."),
    tags=("iam", "correctness"),
    types=frozenset(IDENTITY_POLICY_TYPES | RESOURCE_POLICY_TYPES | {ROLE}),
    options=(
        Option("findings", "array", list(DEFAULT_KINDS), "Which findings apply (case-mismatch is opt-in).",
               {"items": {"type": "string", "enum": list(KINDS)}}),
        Option("ignoreActions", "array", [],
               "Action names or patterns never reported, e.g. an action newer than the catalogue.",
               {"items": {"type": "string"}}),
        Option("ignoreResources", "array", [],
               "Resource names, logical or physical (globs such as 'break-glass-*'), that are not checked.",
               {"items": {"type": "string"}}),
        Option("maxFindingsPerDocument", "integer", 10,
               "How many findings one document reports before summing up the rest.",
               {"minimum": 1, "maximum": 1000}),
    ),
    check=check,
)
