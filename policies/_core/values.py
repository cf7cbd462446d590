"""The property layer: how every policy reads a resource's properties.

The engine sends properties as a protobuf ``Struct`` in Pulumi's wire format: unknown values
are sentinel strings, secrets are signature-tagged objects. This module decodes that format
lazily (a top-level property is decoded only when a policy asks for it, then cached) and hands
policies a :class:`Prop`, which tells apart four states that the SDK's proxy blurs:

* absent: the property is not set (``Prop.absent``);
* unknown: the value is computed during preview (``Prop.unknown``); policies stay silent;
* secret: the value is known but must never be printed (``Prop.secret``); policies may
  evaluate it, and :meth:`Prop.display` never reveals it;
* a value (``Prop.value``).

Nothing here raises on a wrong type: the typed accessors (``as_str``, ``as_bool``, ``as_int``,
``as_list``, ``as_dict``) return ``None`` instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from google.protobuf import struct_pb2

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"

UNKNOWN_SENTINELS = frozenset({
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
    "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
    "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
})
UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# In a serialised bag an unknown is a string value holding a sentinel, or an Output's signature. A
# string value is field 3 of ``google.protobuf.Value`` (tag 0x1a), so every sentinel (36 bytes)
# follows the bytes 0x1a 0x24 (tag, length): one scan for those finds each candidate.
_SENTINEL_BYTES = frozenset(s.encode() for s in UNKNOWN_SENTINELS)
_STRING_36 = b"\x1a\x24"
_OUTPUT_MARKER = OUTPUT_SIG.encode()
_SECRET_MARKER = SECRET_SIG.encode()

STRINGIFIED_OUTPUT_TEXT = "Calling __str__ on an Output[T] is not supported"

_MAX_DISPLAY = 80


class _Unknown:
    """The value of a property that is computed during preview."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


class Secret:
    """A decoded secret: the value is available to policies, never to messages."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "[secret]"

    # Defining __eq__ alone leaves the class unhashable, as a value that may be a list or dict must be.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.value == self.value


class Asset:
    """An asset or archive (Lambda code, files): kept opaque."""

    __slots__ = ("kind", "fields")

    def __init__(self, kind: str, fields: dict[str, Any]) -> None:
        self.kind = kind
        self.fields = fields

    def __repr__(self) -> str:
        return f"<{self.kind}>"


def decode_value(v: struct_pb2.Value) -> Any:
    """Decode one protobuf ``Value`` in Pulumi's wire format into Python with markers."""
    kind = v.WhichOneof("kind")
    if kind == "string_value":
        s = v.string_value
        return UNKNOWN if s in UNKNOWN_SENTINELS else s
    if kind == "struct_value":
        return _decode_struct(v.struct_value)
    if kind == "list_value":
        return [decode_value(x) for x in v.list_value.values]
    if kind == "bool_value":
        return v.bool_value
    if kind == "number_value":
        n = v.number_value
        return int(n) if n.is_integer() and -(2**53) <= n <= 2**53 else n
    return None


def _decode_struct(s: struct_pb2.Struct) -> Any:
    fields = s.fields
    tag = fields.get(SIG_KEY)
    if tag is None:
        return {k: decode_value(x) for k, x in fields.items()}
    sig = tag.string_value
    if sig == SECRET_SIG:
        inner = fields.get("value")
        value = decode_value(inner) if inner is not None else None
        return value if value is UNKNOWN else Secret(value)
    if sig in (ASSET_SIG, ARCHIVE_SIG):
        kind = "asset" if sig == ASSET_SIG else "archive"
        return Asset(kind, {k: decode_value(x) for k, x in fields.items() if k != SIG_KEY})
    if sig == RESOURCE_SIG:
        urn = fields.get("urn")
        return urn.string_value if urn is not None else None
    if sig == OUTPUT_SIG:
        inner = fields.get("value")
        if inner is None:
            return UNKNOWN
        value = decode_value(inner)
        secret = fields.get("secret")
        return Secret(value) if secret is not None and secret.bool_value else value
    return {k: decode_value(x) for k, x in fields.items()}


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    """Build a wire-format ``Struct`` from plain Python (tests, the runner, benchmarks).

    :data:`UNKNOWN` becomes the unknown sentinel and :class:`Secret` a secret object, so a
    property bag written in Python reaches policies exactly as the engine would send it.
    """
    s = struct_pb2.Struct()
    s.update(encode(dict(props)))
    return s


def encode(value: Any) -> Any:
    """Turn Python with markers into JSON-compatible wire format."""
    if value is UNKNOWN:
        return UNKNOWN_STRING
    if isinstance(value, Secret):
        return {SIG_KEY: SECRET_SIG, "value": encode(value.value)}
    if isinstance(value, Asset):
        sig = ASSET_SIG if value.kind == "asset" else ARCHIVE_SIG
        return {SIG_KEY: sig, **{k: encode(v) for k, v in value.fields.items()}}
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def encode_like(value: Any, original: struct_pb2.Value | None) -> Any:
    """:func:`encode`, keeping what the wire format said at the same place in ``original``: the
    type of an unknown (a boolean unknown stays one), and a secret marking when ``value`` is the
    plain value of what was a secret."""
    if original is None:
        return encode(value)
    kind = original.WhichOneof("kind")
    if value is UNKNOWN and kind == "string_value" and original.string_value in UNKNOWN_SENTINELS:
        return original.string_value
    if kind != "struct_value":
        if kind == "list_value" and isinstance(value, (list, tuple)):
            old = original.list_value.values
            return [encode_like(v, old[i] if i < len(old) else None) for i, v in enumerate(value)]
        return encode(value)
    fields = original.struct_value.fields
    sig = fields.get(SIG_KEY)
    if sig is not None and sig.string_value == SECRET_SIG:
        inner = value.value if isinstance(value, Secret) else value
        return {SIG_KEY: SECRET_SIG, "value": encode_like(inner, fields.get("value"))}
    if sig is None and isinstance(value, Mapping):
        return {str(k): encode_like(v, fields.get(str(k))) for k, v in value.items()}
    return encode(value)


class Props:
    """A resource's property bag, decoded one top-level key at a time."""

    __slots__ = ("_cache", "_mark", "_maybe_unknown", "_struct", "_unknown_keys", "_wire", "read_log")

    def __init__(self, struct: struct_pb2.Struct) -> None:
        # As little as possible here: a stack holds thousands of bags, and most are never read.
        self._struct = struct
        self._cache: dict[str, Any] | None = None
        self._wire: bytes | None = None
        self.read_log: list[str] = []
        """Every top-level key read, in order: what a check read is the part of the log its run added."""
        self._mark = 0
        self._maybe_unknown: bool | None = None
        self._unknown_keys: dict[str, bool] | None = None

    def record_reads(self) -> None:
        """Mark the read log: :meth:`reads` returns the keys read after this."""
        self._mark = len(self.read_log)

    def reads(self) -> list[str]:
        """The keys read since :meth:`record_reads`."""
        return self.read_log[self._mark:]

    def unknown_among(self, keys: list[str]) -> list[str]:
        """The keys, of those given, whose value is or holds an unknown (each decoded and searched
        once: several checks read the same keys)."""
        if not self.may_hold_unknown():
            return []
        found = self._unknown_keys
        if found is None:
            found = self._unknown_keys = {}
        out = []
        for key in dict.fromkeys(keys):
            holds = found.get(key)
            if holds is None:
                holds = found[key] = contains_unknown(self.raw(key))
            if holds:
                out.append(key)
        return out

    def may_hold_secret(self) -> bool:
        """Whether a secret can be anywhere in the bag: a C-speed search of the serialised bag for the
        engine's secret signature (not kept: a stack's bags are searched once, by the masking)."""
        wire = self._wire if self._wire is not None else self._struct.SerializeToString()
        return _SECRET_MARKER in wire

    def may_hold_unknown(self) -> bool:
        """Whether an unknown can be anywhere in the bag: a C-speed search of the serialised bag for
        the engine's markers, so that bags without one (most, and all in an update) skip decoding."""
        if self._maybe_unknown is None:
            self._maybe_unknown = _holds_unknown_marker(self.wire())
        return self._maybe_unknown

    @property
    def struct(self) -> struct_pb2.Struct:
        """The wire-format bag as received."""
        return self._struct

    def wire(self) -> bytes:
        """The bag serialised (once): a C-speed pre-check for text anywhere in it, before decoding."""
        if self._wire is None:
            self._wire = self._struct.SerializeToString()
        return self._wire

    def messages(self) -> Iterator[tuple[str, struct_pb2.Value]]:
        """Each top-level key with its undecoded protobuf value."""
        return iter(self._struct.fields.items())

    @classmethod
    def from_dict(cls, props: Mapping[str, Any]) -> Props:
        return cls(to_struct(props))

    def raw(self, key: str) -> Any:
        """The decoded value of a top-level key, or :data:`ABSENT`."""
        self.read_log.append(key)
        cache = self._cache
        if cache is None:
            cache = self._cache = {}
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            v = self._struct.fields.get(key)
            value = cache[key] = ABSENT if v is None else decode_value(v)
        return value

    def has_decoded(self) -> bool:
        """Whether a check has read any key."""
        return bool(self._cache)

    def decoded(self) -> Iterator[Any]:
        """The values decoded so far (every key a check has read)."""
        return iter(list(self._cache.values())) if self._cache else iter(())

    def __contains__(self, key: str) -> bool:
        return key in self._struct.fields

    def keys(self) -> Iterator[str]:
        return iter(self._struct.fields.keys())

    def to_dict(self) -> dict[str, Any]:
        """Every property decoded (markers kept)."""
        return {k: self.raw(k) for k in self._struct.fields.keys()}

    def __len__(self) -> int:
        return len(self._struct.fields)


def _holds_unknown_marker(wire: bytes) -> bool:
    at = wire.find(_STRING_36)
    while at >= 0:
        if wire[at + 2:at + 38] in _SENTINEL_BYTES:
            return True
        at = wire.find(_STRING_36, at + 1)
    return _OUTPUT_MARKER in wire


class _Absent:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<absent>"


ABSENT = _Absent()
_MISSING = object()


class Prop:
    """One property as a policy sees it. See the module docstring for the four states."""

    __slots__ = ("path", "_value", "secret")

    def __init__(self, path: str, value: Any, secret: bool = False) -> None:
        self.path = path
        self._value = value
        self.secret = secret

    @property
    def absent(self) -> bool:
        """Not set, or set to null (the engine does not distinguish the two for inputs)."""
        return self._value is ABSENT or self._value is None

    @property
    def unknown(self) -> bool:
        return self._value is UNKNOWN

    @property
    def known(self) -> bool:
        """Set to a value that is known (it may be a secret)."""
        v = self._value
        return v is not ABSENT and v is not None and v is not UNKNOWN

    @property
    def value(self) -> Any:
        """The value (secrets unwrapped at the top level), or ``None`` when absent or unknown."""
        v = self._value
        return None if v is ABSENT or v is UNKNOWN else v

    def as_str(self) -> str | None:
        v = self.value
        return v if isinstance(v, str) else None

    def as_bool(self) -> bool | None:
        v = self.value
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.lower() in ("true", "false"):
            return v.lower() == "true"
        return None

    def as_int(self) -> int | None:
        v = self.value
        if isinstance(v, bool):
            return None
        if isinstance(v, int):
            return v
        if isinstance(v, float) and v.is_integer():
            return int(v)
        if isinstance(v, str) and v.strip().lstrip("-").isdigit():
            return int(v.strip())
        return None

    def as_list(self) -> list[Any] | None:
        """A list, with a lone scalar normalised to a one-element list; None otherwise."""
        v = self.value
        if isinstance(v, list):
            return v
        if v is None or isinstance(v, dict):
            return None
        return [v]

    def as_dict(self) -> dict[str, Any] | None:
        v = self.value
        return v if isinstance(v, dict) else None

    def json(self) -> tuple[Any, str | None]:
        """A JSON document given as a string or already as an object: ``(document, error)``."""
        v = self.value
        if isinstance(v, (dict, list)):
            return v, None
        if isinstance(v, str):
            if STRINGIFIED_OUTPUT_TEXT in v:
                return None, "it holds the text of a stringified Output (an f-string or str() over an Output)"
            try:
                return json.loads(v), None
            except json.JSONDecodeError as e:
                return None, f"it is not valid JSON ({e.msg} at line {e.lineno} column {e.colno})"
            except ValueError:  # a number of more digits than int() converts (sys.get_int_max_str_digits)
                return None, "it holds a number too long to read"
        return None, f"it is {kind_of(v)}, not a JSON document"

    def get(self, key: str) -> Prop:
        """A child property of an object value."""
        path = f"{self.path}.{key}" if self.path else key
        v = self._value
        if v is UNKNOWN:
            return Prop(path, UNKNOWN)
        if isinstance(v, dict):
            return _wrap(path, v.get(key, ABSENT), self.secret)
        return Prop(path, ABSENT, self.secret)

    def first(self, key: str) -> Prop:
        """For a list of objects of which the provider allows one (``maxItems: 1``) or an object."""
        v = self._value
        if isinstance(v, list):
            if not v:
                return Prop(f"{self.path}.{key}", ABSENT, self.secret)
            return _wrap(f"{self.path}[0]", v[0], self.secret).get(key)
        return self.get(key)

    def display(self) -> str:
        """The value for a message: never a secret, never a megabyte."""
        if self.secret or contains_secret(self._value):
            return "[secret]"
        return show(self._value)

    def __repr__(self) -> str:
        return f"Prop({self.path!r}, {self.display()})"


def _wrap(path: str, value: Any, secret: bool) -> Prop:
    if isinstance(value, Secret):
        return Prop(path, value.value, True)
    return Prop(path, value, secret)


def prop_of(path: str, value: Any, secret: bool = False) -> Prop:
    """A Prop for a decoded value; ``secret`` when it came out of a secret container, so that
    everything read from inside a secret list or object stays secret."""
    return _wrap(path, value, secret)


MAX_DEPTH = 64
"""How deep the pack looks into a nested value. A value nested deeper is not read: every walker
sees the node at the limit as ``deep`` and treats what lies below like an unknown value, so a check
finds nothing there, a secret test says "secret", and nothing below is quoted."""


class Node(NamedTuple):
    """One value met by :func:`walk`."""

    value: Any
    path: str
    """Where it is, from the path given to ``walk`` (``a.b[0]``); "" unless paths were asked for."""
    secret_at: str | None
    """The path of the outermost secret it is inside, or None outside secrets."""
    deep: bool = False
    """At :data:`MAX_DEPTH` (or past the node budget): what it holds is not visited."""
    key: bool = False
    """A dict key (only with ``keys=True``)."""


def walk(value: Any, path: str = "", *, keys: bool = False, paths: bool = False, limit: int | None = MAX_DEPTH,
         max_nodes: int | None = None) -> Iterator[Node]:
    """Every value at or under ``value``, depth first, without recursion: dict values (and, with
    ``keys``, dict keys), list items, what a :class:`Secret` holds (``secret_at`` set from there on)
    and an :class:`Asset`'s fields. ``limit=None`` walks the whole value (masking must see every
    secret); ``max_nodes`` bounds the work on a huge bag (the node where it runs out is ``deep``)."""
    stack: list[tuple[Any, str, str | None, int]] = [(value, path, None, 0)]
    budget = max_nodes
    while stack:
        v, where, secret_at, depth = stack.pop()
        if budget is not None:
            if budget <= 0:
                yield Node(v, where, secret_at, deep=True)
                return
            budget -= 1
        containers = isinstance(v, _CONTAINERS)
        if containers and limit is not None and depth >= limit:
            yield Node(v, where, secret_at, deep=True)
            continue
        yield Node(v, where, secret_at)
        if isinstance(v, dict):
            if keys:
                for k in v:
                    yield Node(k, where, secret_at, key=True)
            for k, child in reversed(v.items()):
                child_path = join_path(where, k) if paths else ""
                stack.append((child, child_path, secret_at, depth + 1))
        elif isinstance(v, list):
            stack.extend((child, f"{where}[{i}]" if paths else "", secret_at, depth + 1)
                         for i, child in reversed(list(enumerate(v))))
        elif isinstance(v, Secret):
            stack.append((v.value, where, secret_at if secret_at is not None else where, depth + 1))
        elif isinstance(v, Asset):
            stack.append((v.fields, where, secret_at, depth + 1))


def join_path(path: str, key: Any) -> str:
    """``path.key``, or ``path['odd key']`` for a key that is not a plain word (long ones cut)."""
    key = str(key)
    if key.replace("_", "a").isalnum():
        return f"{path}.{key}" if path else key
    return f"{path}[{key if len(key) <= 40 else key[:37] + '...'!r}]"


_CONTAINERS = (dict, list, Secret, Asset)


def contains_secret(value: Any) -> bool:
    """Whether a secret is anywhere in ``value`` (or it is nested past :data:`MAX_DEPTH`)."""
    if not isinstance(value, _CONTAINERS):
        return False  # most values: no walk
    return any(isinstance(n.value, Secret) or n.deep for n in walk(value))


def contains_unknown(value: Any) -> bool:
    """Whether an unknown is anywhere in ``value`` (or it is nested past :data:`MAX_DEPTH`)."""
    if not isinstance(value, _CONTAINERS):
        return value is UNKNOWN
    return any(n.value is UNKNOWN or n.deep for n in walk(value))


def kind_of(value: Any) -> str:
    """A short description of a value's type for messages."""
    if value is ABSENT or value is None:
        return "not set"
    if value is UNKNOWN:
        return "unknown until apply"
    if isinstance(value, Secret):
        return "a secret"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "an asset"


def show(value: Any) -> str:
    """A short, safe rendering of a value (secrets masked at any depth)."""
    if value is ABSENT or value is None:
        return "not set"
    if contains_secret(value):
        return "[secret]"
    if isinstance(value, str):
        text = value if len(value) <= _MAX_DISPLAY else value[: _MAX_DISPLAY - 3] + "..."
        return repr(text)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)) or value is UNKNOWN:
        return repr(value)
    text = json.dumps(encode(value), default=repr)
    return text if len(text) <= _MAX_DISPLAY else text[: _MAX_DISPLAY - 3] + "..."
