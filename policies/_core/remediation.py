"""Shared building blocks for ``remediate`` functions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .resource import Resource


def set_in_block(resource: Resource, block_name: str, field: str, value: Any) -> Mapping[str, Any] | None:
    """The change that sets ``block.field`` to ``value``, keeping the block's other fields; None when
    it already holds it, or when the block is unknown, secret or a shape not rewritten (a list)."""
    block = resource.get(block_name)
    current_value = resource.get(block_name, field)
    if block.unknown or block.secret or current_value.unknown or _same(current_value.value, value):
        return None
    current = block.as_dict()
    if not block.absent and current is None:
        return None
    return {block_name: {**(current or {}), field: value}}


def _same(current: Any, value: Any) -> bool:
    """Equal and of the same type: 1 is not true, as the provider reads it."""
    return type(current) is type(value) and current == value
