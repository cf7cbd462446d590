"""Which resources a resource depends on, directly or not: what orders their creation.

A dependency counts when it is direct (``depends_on``), through a property (an Output of the other
resource passed as an argument), or through a parent: a child is registered only once its parent's
URN is known, which waits for the parent's own dependencies. Stack policies that check creation
order (a Lambda function after its log group, a Config rule after its recorder) read it here.
"""

from __future__ import annotations

from collections.abc import Iterable

from .stack import StackView


class Upstream:
    """Which of some target resources each resource depends on, directly or not (memoised, O(n) overall)."""

    def __init__(self, view: StackView, targets: Iterable[str]) -> None:
        self._view = view
        self._targets = frozenset(targets)
        self._memo: dict[str, frozenset[str]] = {}
        self._edge_memo: dict[str, list[str]] = {}

    def _edges(self, urn: str) -> list[str]:
        """What ``urn`` depends on directly (read once: the walk asks on the way down and back up)."""
        edges = self._edge_memo.get(urn)
        if edges is not None:
            return edges
        resource = self._view.by_urn.get(urn)
        edges = []
        if resource is not None:
            edges.extend(resource.dependencies)
            for urns in resource.property_dependencies.values():
                edges.extend(urns)
            if resource.parent:
                edges.append(resource.parent)
        self._edge_memo[urn] = edges
        return edges

    def of(self, urn: str) -> frozenset[str]:
        """The targets ``urn`` depends on. Iterative, and safe on cycles in malformed input."""
        memo, on_path, todo = self._memo, set(), [urn]
        while todo:
            current = todo[-1]
            if current in memo:
                todo.pop()
                continue
            if current not in on_path:
                on_path.add(current)
                todo.extend(e for e in self._edges(current) if e not in memo and e not in on_path)
                continue
            reached: set[str] = set()
            for e in self._edges(current):
                if e in self._targets:
                    reached.add(e)
                reached.update(memo.get(e, ()))
            memo[current] = frozenset(reached)
            on_path.discard(current)
            todo.pop()
        return memo[urn]
