"""Waivers: exempting one resource from one policy, with a reason and an expiry date.

Two ways, both documented in the README:

* a resource tag ``policy-waiver:<policy-name>`` whose value holds a reason and
  ``expires=YYYY-MM-DD`` (``"legacy table, migrating expires=2027-03-31"``; AWS rejects ``;``
  and ``,`` in most tag values, so any text before ``expires=`` is the reason);
* a policy's ``waivers`` config: ``[{"resource": "<logical name or URN glob>", "reason": "...",
  "expires": "YYYY-MM-DD"}]``.

A waiver applies through its expiry day. A waived finding is not reported as a violation; the
analyzer lists it as not applicable with the reason, which the runner counts as waived.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Iterable, Mapping
from typing import Any

from .regex import LazyPattern
from .resource import Resource

TAG_PREFIX = "policy-waiver:"
_TAG_BYTES = TAG_PREFIX.encode()
_EXPIRES_RE = LazyPattern(r"expires\s*=\s*(\S+)", re.I)
_DATE_RE = LazyPattern(r"^\d{4}-\d{2}-\d{2}$")

WAIVERS_SCHEMA: dict[str, Any] = {
    "items": {
        "type": "object",
        "properties": {
            "resource": {"type": "string", "description": "A logical name or URN glob pattern."},
            "reason": {"type": "string", "description": "Why the resource is exempt."},
            "expires": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "format": "date",
                        "description": "The last day the waiver applies (YYYY-MM-DD)."},
        },
        "required": ["resource", "reason", "expires"],
        "additionalProperties": False,
    },
}


class Waiver:
    __slots__ = ("reason", "expires", "source", "problem")

    def __init__(self, reason: str, expires: dt.date | None, source: str, problem: str = "") -> None:
        self.reason, self.expires, self.source, self.problem = reason, expires, source, problem

    def active(self, today: dt.date) -> bool:
        return not self.problem and self.expires is not None and today <= self.expires

    def describe(self) -> str:
        return f"waived by {self.source} until {self.expires}: {self.reason}"


def parse_date(text: str) -> dt.date | None:
    if not _DATE_RE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_tag(policy_name: str, value: Any) -> Waiver:
    """A tag waiver; ``problem`` says what is wrong with a malformed one."""
    source = f"the tag '{TAG_PREFIX}{policy_name}'"
    if not isinstance(value, str):
        return Waiver("", None, source, "its value is not a string")
    match = _EXPIRES_RE.search(value)
    reason = _EXPIRES_RE.sub("", value).strip(" ;,.-")
    if not match:
        return Waiver(reason, None, source, "it has no 'expires=YYYY-MM-DD'")
    expires = parse_date(match.group(1).strip(";,."))
    if expires is None:
        return Waiver(reason, None, source, f"its expiry '{match.group(1)}' is not a date YYYY-MM-DD")
    if not reason:
        return Waiver(reason, expires, source, "it gives no reason before 'expires='")
    return Waiver(reason, expires, source)


def tag_waivers(resource: Resource) -> dict[str, Any]:
    """``policy name -> raw tag value`` for every waiver tag the resource carries (known tags only)."""
    out: dict[str, Any] = {}
    if _TAG_BYTES not in resource.props.wire():
        return out
    for prop in ("tags", "tagsAll"):
        tags = resource.get(prop)
        if tags.secret:
            continue
        for key, value in (tags.as_dict() or {}).items():
            if isinstance(key, str) and key.startswith(TAG_PREFIX):
                out.setdefault(key[len(TAG_PREFIX):], value)
    return out


def config_waivers(entries: Iterable[Mapping[str, Any]]) -> list[tuple[str, Waiver]]:
    """Config waivers as ``(pattern, waiver)``; the config schema has already checked their shape."""
    out = []
    for entry in entries:
        expires = parse_date(str(entry.get("expires", "")))
        out.append((str(entry.get("resource", "")),
                    Waiver(str(entry.get("reason", "")), expires, "the pack config")))
    return out


def find(policy_name: str, resource: Resource, configured: list[tuple[str, Waiver]]) -> Waiver | None:
    """The waiver that covers ``resource`` for ``policy_name``: its tag first, then the config."""
    tags = tag_waivers(resource)
    if policy_name in tags:
        return parse_tag(policy_name, tags[policy_name])
    for pattern, waiver in configured:
        if fnmatch.fnmatchcase(resource.name, pattern) or fnmatch.fnmatchcase(resource.urn, pattern):
            return waiver
    return None
