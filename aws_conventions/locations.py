"""Where a resource is declared in the program's source, for the report and the editor."""

from __future__ import annotations

import re
from pathlib import Path

from .captured import Captured
from .findings import Location
from .program import Program

SKIP_DIRS = frozenset({"venv", ".venv", "env", "site-packages", "__pycache__", "node_modules", "build", "dist"})
"""Directories whose files are not the program's own source."""


class Locator:
    """The line that declares a resource: the SDK's source position, the first caller frame in the
    program's directory, a search of the program's files for the name, or the entry file."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.root = program.root.resolve()
        self._files: list[tuple[str, list[str]]] | None = None

    def locate(self, r: Captured) -> Location | None:
        if r.kind == "stack":
            return self._entry(r"\bexport\(")
        if r.kind == "provider" and not r.source:
            return None
        positions = []
        if r.source:
            positions.append((r.source["file"], r.source["line"]))
        for frame in r.frames:
            path, _, line = frame.rpartition(":")
            if line.isdigit():
                positions.append((path, int(line)))
        for path, line in positions:
            relative = self._relative(path)
            if relative is not None:
                return Location(relative, line)
        return self._search(r.name) or self._entry(None)

    def _relative(self, path: str) -> str | None:
        try:
            relative = Path(path).resolve().relative_to(self.root)
        except ValueError:
            return None
        if SKIP_DIRS.intersection(relative.parts):
            return None
        return relative.as_posix()

    def _entry(self, pattern: str | None) -> Location | None:
        source = self.program.source
        if source is None:
            return None
        relative = self._relative(str(source)) or source.name
        if pattern:
            try:
                lines = source.read_text(encoding="utf-8").splitlines()
            except OSError:
                lines = []
            for number, text in enumerate(lines, 1):
                if re.search(pattern, text):
                    return Location(relative, number)
        return Location(relative, 1)

    def _search(self, name: str) -> Location | None:
        quoted = (f'"{name}"', f"'{name}'")
        for relative, lines in self._sources():
            for number, text in enumerate(lines, 1):
                if any(q in text for q in quoted):
                    return Location(relative, number)
        for relative, lines in self._sources():
            for number, text in enumerate(lines, 1):
                for prefix in re.findall(r"""f["']([^"'{]{3,})\{""", text):
                    if name.startswith(prefix):
                        return Location(relative, number)
        return None

    def _sources(self) -> list[tuple[str, list[str]]]:
        if self._files is None:
            self._files = []
            for path in sorted(self.root.rglob("*.py")):
                relative = path.relative_to(self.root)
                if SKIP_DIRS.intersection(relative.parts) or any(p.startswith(".") for p in relative.parts):
                    continue
                try:
                    self._files.append((relative.as_posix(), path.read_text(encoding="utf-8").splitlines()))
                except (OSError, UnicodeDecodeError):
                    continue
        return self._files
