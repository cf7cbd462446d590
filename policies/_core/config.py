"""Reading a policy's config: defaults from its schema, and errors that name policy and field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from . import regex
from .policy import Option

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list, tuple),
    "object": (dict,),
}


class ConfigError(ValueError):
    """Raised with every problem found in a pack's config, one per line."""


def resolve(policy_name: str, options: tuple[Option, ...], given: Mapping[str, Any] | None,
            ) -> tuple[dict[str, Any], list[str]]:
    """The policy's config with defaults filled in, and the problems found in ``given``."""
    config = {o.name: o.default for o in options}
    errors: list[str] = []
    by_name = {o.name: o for o in options}
    for key, value in (given or {}).items():
        if key == "enforcementLevel":
            continue
        option = by_name.get(key)
        if option is None:
            known = ", ".join(sorted(by_name)) or "none"
            errors.append(f"policy '{policy_name}': unknown config field '{key}' (known fields: {known})")
            continue
        problem = _check(option.type, option.schema, value)
        if problem:
            errors.append(f"policy '{policy_name}': config field '{key}' {problem}")
            continue
        config[key] = _normalise(option.type, value)
    return config, errors


def _normalise(type_: str, value: Any) -> Any:
    if type_ == "integer" and isinstance(value, float):
        return int(value)
    if type_ == "array":
        return tuple(value)
    return value


def _check(type_: str, schema: Mapping[str, Any], value: Any) -> str | None:
    if not _is_type(type_, value):
        return f"must be of type {type_}, got {_json_type(value)} {_short(value)}"
    if type_ in ("integer", "number"):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and value < low:
            return f"must be at least {low}, got {_short(value)}"
        if high is not None and value > high:
            return f"must be at most {high}, got {_short(value)}"
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        return f"must be one of {', '.join(map(str, enum))}; got {_short(value)}"
    if type_ == "string":
        problem = _check_string(schema, value)
        if problem:
            return problem
    if type_ == "array":
        items = schema.get("items") or {}
        for i, item in enumerate(value):
            problem = _check(items.get("type", "string"), items, item) if items else None
            if problem:
                return f"item {i} {problem}"
    if type_ == "object":
        return _check_object(schema, value)
    return None


def _check_string(schema: Mapping[str, Any], value: str) -> str | None:
    """``pattern`` and ``format`` as the engine's JSON Schema validator reads them (Go's RE2, and
    ``date`` as a real calendar date), so that the pack accepts exactly what the CLI accepts."""
    if "pattern" in schema and not regex.search(schema["pattern"], value):
        return f"must match {schema['pattern']!r}, got {_short(value)}"
    form = schema.get("format")
    if form == "regex":
        problem = regex.problem(value)
        if problem:
            return f"must be a regular expression (RE2 syntax): {problem} in {_short(value)}"
    if form == "date" and not _is_date(value):
        return f"must be a date YYYY-MM-DD, got {_short(value)}"
    return None


def _is_date(text: str) -> bool:
    try:
        return len(text) == 10 and dt.date.fromisoformat(text) is not None
    except ValueError:
        return False


def _check_object(schema: Mapping[str, Any], value: Mapping[str, Any]) -> str | None:
    props = schema.get("properties") or {}
    for key in schema.get("required", ()):
        if key not in value:
            return f"lacks the field '{key}'"
    for key, item in value.items():
        if key not in props:
            if schema.get("additionalProperties", True) is False:
                return f"has an unknown field '{key}' (known: {', '.join(props)})"
            continue
        problem = _check(props[key].get("type", "string"), props[key], item)
        if problem:
            return f"field '{key}' {problem}"
    return None


def _is_type(type_: str, value: Any) -> bool:
    if isinstance(value, bool) and type_ in ("integer", "number"):
        return False
    if type_ == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _JSON_TYPES.get(type_, (object,)))


def _json_type(value: Any) -> str:
    for name, types in (("boolean", (bool,)), ("number", (int, float)), ("string", (str,)),
                        ("array", (list, tuple)), ("object", (dict,))):
        if isinstance(value, types):
            return name
    return "null" if value is None else type(value).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


PackConfig = dict[str, tuple[Any, dict[str, Any]]]
"""``{policy or "all": (enforcement level or None, fields)}``: a pack's config, as ``Configure`` has it."""


def level_name(level: Any) -> Any:
    """An enforcement level as this pack spells it: the SDK's ``EnforcementLevel.MANDATORY`` is
    ``"mandatory"``; anything else is kept (and checked where the config is applied)."""
    return getattr(level, "value", level)


def pack_config(config: Mapping[str, Any] | None) -> PackConfig:
    """A pack config written in Python, as a ``--policy-pack-config`` file or the SDK's
    ``initial_config`` has it: ``{policy: level | {"enforcementLevel": level, field: value}}``."""
    out: PackConfig = {}
    for name, value in (config or {}).items():
        if isinstance(value, Mapping):
            fields = dict(value)
            level = fields.pop("enforcementLevel", None)
        else:
            level, fields = value, {}
        out[str(name)] = (level_name(level), fields)
    return out


def layer(base: PackConfig, top: Mapping[str, tuple[Any, Mapping[str, Any] | None]]) -> PackConfig:
    """``top`` applied over ``base`` as the engine layers configs: a level of ``top`` wins (its
    ``all`` level over every level of ``base``), and fields merge, ``top``'s winning."""
    every = top.get("all")
    keep_levels = not (every and every[0])
    out: PackConfig = {n: (level if keep_levels else None, dict(fields)) for n, (level, fields) in base.items()}
    for name, (level, fields) in top.items():
        under_level, under_fields = out.get(name, (None, {}))
        out[name] = (level if level is not None else under_level, {**under_fields, **(fields or {})})
    return out
