"""The last line of defence for secrets: no message leaves the pack quoting a secret value.

Policies render values through ``Prop.display``, which masks secrets. But a secret container
(``inline_policies=pulumi.Output.secret([...])``) hands a policy plain values once it iterates
the list, and a secret stack config value can reach a message through the environment suffix or
the region. So before a diagnostic is sent (or held back to be condensed), every string held
under a secret marking in what the checks read of the resources it concerns (a check can quote
nothing else: it reads a property only by decoding it), and every secret config value, is replaced
by ``[secret]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .policy import Finding
from .values import Props, walk

MASK = "[secret]"
_MIN_BARE = 4
"""Shorter secrets are masked only where quoted, so that a secret 'a' does not mangle every word."""


def read_secret_strings(props: Props) -> set[str]:
    """Every string inside a secret among the properties of ``props`` decoded so far: all that a
    message rendered from this bag can quote, since a check reads a property only by decoding it."""
    found: set[str] = set()
    if not props.has_decoded() or not props.may_hold_secret():
        return found
    for value in props.decoded():
        if value is not None and not isinstance(value, (str, int, float)):  # a plain scalar holds no secret
            _collect(value, found)
    return found


def secret_strings(props: Props) -> set[str]:
    """Every string inside a secret anywhere in ``props``: for a provider's bag, which a check may
    quote through the provider's view without the pack seeing which keys it read."""
    found: set[str] = set()
    for key in props.keys():
        _collect(props.raw(key), found)
    return found


def _collect(value: Any, found: set[str]) -> None:
    """The strings (values and keys) inside secrets in ``value``, and the values in JSON documents
    held in them. The whole value is walked, however deep: a secret is never left unmasked. A JSON
    document's keys are its shape (``Statement``, ``tags``), which messages name in their own words."""
    pending: list[tuple[Any, bool]] = [(value, False)]
    while pending:
        current, embedded = pending.pop()
        for node in walk(current, keys=not embedded, limit=None):
            text = node.value
            if isinstance(text, str) and (embedded or node.secret_at is not None) and text.strip():
                found.add(text)
                pending.extend((document, True) for document in _embedded(text))


def _embedded(text: str) -> list[Any]:
    """The values of a JSON document held in a secret string (an IAM policy, for instance), whose
    parts a policy may quote after parsing it."""
    if not text.lstrip().startswith(("{", "[")):
        return []
    try:
        return [json.loads(text)]
    except ValueError:
        return []


def mask_finding(finding: Finding, secrets: Iterable[str]) -> Finding:
    """``finding`` with each secret masked in every text field a message can be built from."""
    return finding._replace(message=mask(finding.message, secrets), found=mask(finding.found, secrets),
                            expected=mask(finding.expected, secrets), fix=mask(finding.fix, secrets))


def mask(message: str, secrets: Iterable[str]) -> str:
    """``message`` with each secret replaced; the longest first, so that a secret that contains
    another is masked whole."""
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret not in message:
            continue
        if len(secret) >= _MIN_BARE:
            message = message.replace(secret, MASK)
        else:
            for quote in ("'", '"'):
                message = message.replace(f"{quote}{secret}{quote}", MASK)
    return message
