"""The AWS type table derived from ``pulumi_aws`` (see ``tools/aws_catalog.py``), loaded on first use."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import NotRequired, TypedDict

_PATH = Path(__file__).resolve().parent.parent / "_data" / "aws_types.json"


class _Entry(TypedDict):
    python: str
    names: NotRequired[list[str]]
    tags: NotRequired[bool]
    regionInputs: NotRequired[list[str]]


@cache
def _table() -> dict[str, _Entry]:
    table: dict[str, _Entry] = json.loads(_PATH.read_text(encoding="utf-8"))["types"]
    return table


@cache
def physical_names(token: str) -> tuple[str, ...]:
    """The properties that set a resource's own name in AWS (``name``, ``bucket``, ``namePrefix``...)."""
    entry = _table().get(token)
    return tuple(entry.get("names", ())) if entry else ()


def python_class(token: str) -> str:
    """``aws.lambda_.Function`` for ``aws:lambda/function:Function``; the token itself if unknown."""
    entry = _table().get(token)
    return entry["python"] if entry else token


def taggable(token: str) -> bool:
    """Whether the type takes ``tags`` (and the provider's default tags)."""
    entry = _table().get(token)
    return bool(entry and entry.get("tags"))


def region_inputs(token: str) -> tuple[str, ...] | None:
    """Of the inputs that can name a region (``tools/aws_catalog.py``'s ``REGION_INPUTS``), those the type
    has; None for a type the table does not know."""
    entry = _table().get(token)
    return tuple(entry.get("regionInputs", ())) if entry else None


def known(token: str) -> bool:
    return token in _table()


def snake(camel: str) -> str:
    """The Python argument name for a camelCase property (``retentionInDays`` -> ``retention_in_days``)."""
    out = []
    for ch in camel:
        if ch.isupper():
            out.append("_")
            out.append(ch.lower())
        else:
            out.append(ch)
    return "".join(out)
