"""Progress on stderr while the runner checks programs: which program, and counts for a large one."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any


class Progress:
    """Progress on stderr: which program is being checked (when there are several), and counts once
    a program has ``threshold`` resources.

    The program's counts arrive from the threads that register its resources (in-process) or from
    its answer channel; lines are written whole, one at a time, and a count lower than one already
    shown is dropped, so that the lines come out in the order things happened.
    """

    def __init__(self, threshold: int = 100, stream: Any = None) -> None:
        self.threshold = threshold
        self.stream = stream if stream is not None else sys.stderr
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._lock = threading.Lock()
        self._open = False
        self._last = 0.0
        self._registered = 0
        self._analyzed = 0

    def program_started(self, display: str, index: int, total: int) -> None:
        with self._lock:
            self._end_line()
            self._registered = self._analyzed = 0
            self._write(f"[{index}/{total}] {display}", keep=False)

    def program(self, count: int) -> None:
        with self._lock:
            if count >= self.threshold and count > self._registered:
                self._registered = count
                self._write(f"running the program: {count} resources registered")

    def analysis(self, done: int, total: int) -> None:
        if total < self.threshold:
            return
        with self._lock:
            now = time.monotonic()
            if done > self._analyzed and (done == total or done == 1 or now - self._last >= 0.5):
                self._last = now
                self._analyzed = done
                self._write(f"checking resources against the policies: {done}/{total}")

    def done(self) -> None:
        with self._lock:
            self._end_line()
            self._registered = self._analyzed = 0

    def _end_line(self) -> None:
        if self._open and self._tty:
            self.stream.write("\n")
            self.stream.flush()
        self._open = False

    def _write(self, text: str, keep: bool = True) -> None:
        """A line; on a terminal, one that the next line overwrites when ``keep``."""
        if self._tty and keep:
            self.stream.write(f"\r{text}\x1b[K")
            self._open = True
        else:
            self._end_line()
            self.stream.write(text + "\n")
        self.stream.flush()
