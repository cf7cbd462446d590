"""The view stack policies receive: every resource with its links, and the stack's exports."""

from __future__ import annotations

from collections.abc import Iterator

from .resource import Resource
from .urns import STACK_TYPE


class StackView:
    """Every resource of the stack, by URN too. ``unchecked``: policy name to why it could not check
    the stack (a policy written with the pulumi-policy SDK that called ``not_applicable`` or read a
    value unknown during a preview)."""

    def __init__(self, resources: list[Resource], by_urn: dict[str, Resource] | None = None) -> None:
        self.resources = resources
        self.by_urn = by_urn or {r.urn: r for r in resources}
        self.unchecked: dict[str, str] = {}
        self._root = next((r for r in resources if r.type == STACK_TYPE and not r.parent), None)
        self._by_type: dict[str, list[Resource]] | None = None

    @property
    def root(self) -> Resource | None:
        """The ``pulumi:pulumi:Stack`` resource, whose properties are the stack's exports."""
        return self._root

    def by_type(self) -> dict[str, list[Resource]]:
        """Every type of the stack with its resources, in the stack's order (built on first use, shared)."""
        by_type = self._by_type
        if by_type is None:
            by_type = self._by_type = {}
            for r in self.resources:
                by_type.setdefault(r.type, []).append(r)
        return by_type

    def of_type(self, *types: str) -> Iterator[Resource]:
        """The resources of these types, in the stack's order (the index is built on first use)."""
        by_type = self.by_type()
        if len(types) == 1:
            return iter(by_type.get(types[0], ()))
        wanted = set(types)
        return (r for r in self.resources if r.type in wanted)

    def parent_of(self, resource: Resource) -> Resource | None:
        return self.by_urn.get(resource.parent) if resource.parent else None
