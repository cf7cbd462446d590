"""Message text that the policies, the runner's project checks and the generated docs write alike."""

from __future__ import annotations

from collections.abc import Sequence


def and_more(items: Sequence[str], limit: int, sep: str = ", ", what: str = "") -> str:
    """The first ``limit`` of ``items`` joined by ``sep``, then how many were left out: ``a, b and 3
    more``. After another separator than a comma the word follows it (``a; b; and 3 more``); ``what``
    names the items left out (``and 3 more resource types``)."""
    shown = sep.join(items[:limit])
    rest = len(items) - limit
    if rest <= 0:
        return shown
    return f"{shown}{'' if sep == ', ' else sep.rstrip()} and {rest} more{' ' + what if what else ''}"
