"""Regular expressions: those from policy config, evaluated with RE2, and the pack's own.

The engine validates a config field with ``"format": "regex"`` using Go's ``regexp``, which is
RE2. Evaluating the same text with Python's ``re`` would disagree on what is valid (``\\z``,
``(?<=x)``) and, worse, backtrack: ``(a+)+$`` against a long stack name takes seconds per
resource, and a preview has no deadline. RE2 accepts what the CLI accepts and matches in time
linear in the input, whatever the pattern.

The pack's own fixed patterns are Python's, each a :class:`LazyPattern` compiled on first use.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any, Protocol


class PatternError(ValueError):
    """The text is not an RE2 regular expression."""


class Pattern(Protocol):
    """What this pack uses of a compiled RE2 pattern (the binding ships no type information)."""

    def search(self, text: str) -> object | None: ...


@lru_cache(maxsize=1)
def _re2() -> Any:
    """The binding, imported on first use: most previews never compile a pattern, and the pack's
    startup is on every preview's path."""
    return importlib.import_module("re2")


def _options(ignore_case: bool) -> Any:
    options = _re2().Options()
    options.log_errors = False  # a bad pattern is reported to the user, not logged to stderr
    options.case_sensitive = not ignore_case
    return options


@lru_cache(maxsize=64)
def compile_re2(pattern: str, ignore_case: bool = False) -> Pattern:
    """The compiled pattern; raises :class:`PatternError` with RE2's reason when it is invalid."""
    re2 = _re2()
    try:
        compiled: Pattern = re2.compile(pattern, _options(ignore_case))
        return compiled
    except re2.error as e:
        reason = e.args[0] if e.args else str(e)
        raise PatternError(reason.decode(errors="replace") if isinstance(reason, bytes) else str(reason)) from None


def problem(pattern: str) -> str | None:
    """Why ``pattern`` is not a valid RE2 expression, or None."""
    try:
        compile_re2(pattern)
    except PatternError as e:
        return str(e)
    return None


def search(pattern: str, text: str, ignore_case: bool = False) -> bool | None:
    """Whether ``pattern`` matches anywhere in ``text``; None when the pattern is invalid."""
    try:
        return compile_re2(pattern, ignore_case).search(text) is not None
    except PatternError:
        return None


class LazyPattern:
    """A fixed Python pattern, compiled the first time it is used: the engine starts the pack for
    every preview, and compiling them all at import would slow each start for patterns that only
    some resources need. From then on the compiled pattern's own methods answer (they are set on
    the instance, ahead of the class's), so a match costs what it costs with ``re.compile``."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    def compiled(self) -> re.Pattern[str]:
        pattern = re.compile(self.pattern, self.flags)
        vars(self).update(match=pattern.match, fullmatch=pattern.fullmatch, search=pattern.search, sub=pattern.sub,
                          finditer=pattern.finditer)
        return pattern

    def match(self, text: str) -> re.Match[str] | None:
        return self.compiled().match(text)

    def fullmatch(self, text: str) -> re.Match[str] | None:
        return self.compiled().fullmatch(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self.compiled().search(text)

    def sub(self, repl: str, text: str) -> str:
        return self.compiled().sub(repl, text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.compiled().finditer(text)
