"""kms-key-policy: key policies keep full control with the account root and decrypt rights off '*'.

Why: a KMS key policy is the only place that decides who may use a key. ``kms:*`` granted to a role
or a service (rather than to the account root, which hands control over to IAM) lets that principal
disable, delete or re-grant the key, and ``kms:Decrypt`` granted to ``"*"`` without a Condition
lets anyone who can read the ciphertext read the data.

Reported: an ``Allow`` statement in ``aws.kms.Key.policy`` or ``aws.kms.KeyPolicy.policy`` that grants
``kms:*`` (or ``*``) to a principal other than an account root (``arn:aws:iam::<account>:root`` or a
bare account id); on ``aws.kms.KeyPolicy``, one that grants decrypt rights (``kms:Decrypt``,
``kms:ReEncrypt*``) to ``"*"`` without a Condition (on ``aws.kms.Key`` that is
``iam-public-principal``'s to report).

Not reported: values unknown during a preview (a document built with ``Output.json_dumps`` over
unknown ARNs is checked at update time); Deny statements; statements with ``NotAction``; a
document that cannot be read (``iam-public-principal`` and ``iam-least-privilege`` report that).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from .._core.policy import MANDATORY, Finding, PolicyContext, ResourcePolicy
from .._core.regex import LazyPattern
from .._core.resource import Resource
from ..iam.documents import Document, Statement, finding, read, statement_label

KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
_ROOT = LazyPattern(r"^(?:arn:[a-z0-9-]+:iam::\d{12}:root|\d{12})$")
_DECRYPT = ("kms:decrypt", "kms:reencryptfrom", "kms:reencryptto")
FIX = ("grant kms:* only to the account root ({\"AWS\": f\"arn:aws:iam::{account_id}:root\"}); give roles the "
       "actions they use (kms:Decrypt, kms:GenerateDataKey) and services a Condition on aws:SourceArn")


def _everything(action: str) -> bool:
    return action.lower() in ("*", "kms:*")


def _decrypts(action: str) -> bool:
    return any(fnmatch.fnmatchcase(d, action.lower()) for d in _DECRYPT)


def _statement_findings(resource: Resource, path: str, st: Statement, secret: bool) -> Iterator[Finding]:
    if not st.allows or st.actions is None or st.actions.unknown or st.principals is None or st.principals.unknown:
        return
    label = statement_label(path, st, secret)
    others = [f"{kind}:{value}" for kind, value in st.principals.entries if not _ROOT.match(value)]
    if others and any(_everything(a) for a in st.actions.items):
        shown = "a principal" if secret else ", ".join(sorted(others)[:3])
        yield finding(resource, path, f"{label} grants kms:* (full control of the key) to {shown}, not only to "
                      "the account root", FIX)
    elif resource.type == KEY_POLICY and st.principals.everyone and not st.conditioned and any(
            _decrypts(a) for a in st.actions.items):
        yield finding(resource, path, f"{label} lets '*' decrypt with the key without a Condition",
                      "name the principals that decrypt, or add a Condition such as "
                      "{\"StringEquals\": {\"kms:CallerAccount\": account_id}}")


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    document = read(resource.get("policy"))
    if not isinstance(document, Document):
        return
    for statement in document.statements:
        yield from _statement_findings(resource, "policy", statement, document.secret)


POLICY = ResourcePolicy(
    name="kms-key-policy",
    description=("KMS key policies grant kms:* only to the account root, and decrypt rights to '*' only "
                 "under a Condition."),
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "In the key policy, keep the statement that grants kms:* to arn:aws:iam::<account>:root (so IAM "
        "policies decide), give each role only the actions it uses (kms:Decrypt, kms:Encrypt, "
        "kms:GenerateDataKey*), and give each service principal those actions under a Condition on "
        "aws:SourceArn or kms:EncryptionContext."),
    tags=("encryption", "kms", "least-privilege"),
    types=frozenset({KEY, KEY_POLICY}),
    check=check,
)
