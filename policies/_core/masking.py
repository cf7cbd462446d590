"""The last line of defence for secrets: no message leaves the pack quoting a secret value.

Policies render values through ``Prop.display``, which masks secrets. But a secret container
(``inline_policies=pulumi.Output.secret([...])``) hands a policy plain values once it iterates
the list, and a secret stack config value can reach a message through the environment suffix or
the region. So before a diagnostic is sent, every string held under a secret marking in the
resources it concerns, and every secret config value, is replaced by ``[secret]``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .values import SECRET_SIG, Props, Secret

MASK = "[secret]"
_SECRET_BYTES = SECRET_SIG.encode()
_MIN_BARE = 4
"""Shorter secrets are masked only where quoted, so that a secret 'a' does not mangle every word."""


def secret_strings(props: Props, only_read: bool = False) -> set[str]:
    """Every string inside a secret in ``props`` (a C-speed byte check first: most bags hold none).

    With ``only_read``, only in the properties decoded so far: all that a message rendered from
    this bag can quote, since every read of a property goes through its decoding, once."""
    found: set[str] = set()
    if _SECRET_BYTES not in props.wire():
        return found
    for value in props.decoded() if only_read else (props.raw(key) for key in props.keys()):
        _collect(value, False, found, 0)
    return found


def _collect(value: Any, secret: bool, found: set[str], depth: int) -> None:
    stack = [(value, secret, depth)]
    while stack:
        v, under, d = stack.pop()
        if isinstance(v, Secret):
            stack.append((v.value, True, d + 1))
        elif isinstance(v, str):
            if under and v.strip():
                found.add(v)
                stack.extend((x, True, d + 1) for x in _embedded(v))
        elif isinstance(v, dict):
            stack.extend((x, under, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, under, d + 1) for x in v)


def _embedded(text: str) -> list[Any]:
    """The values of a JSON document held in a secret string (an IAM policy, for instance), whose
    parts a policy may quote after parsing it."""
    if not text.lstrip().startswith(("{", "[")):
        return []
    try:
        return [json.loads(text)]
    except ValueError:
        return []


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
