"""How a program that raised reads in the runner's report: one line, and the user's part of the traceback.

Runs in the program's interpreter (``capture.py``): imports only the standard library.
"""

from __future__ import annotations

import re
import sys
import traceback
from pathlib import Path
from typing import Any


class ProgramFailed(Exception):
    """The program raised; ``summary`` is one line, ``details`` the user's part of the traceback;
    ``partial`` what it registered before (``capture``'s records), which the engine has analyzed by then."""

    def __init__(self, summary: str, details: str) -> None:
        super().__init__(summary)
        self.summary = summary
        self.details = details
        self.partial: dict[str, Any] | None = None


def missing_config(key: str, project: str, stack: str) -> str:
    """One line naming a required stack config key the program did not get, and how to pass it."""
    namespace, _, bare = key.rpartition(":")
    given = bare if namespace == project else key
    return (f"it requires the stack config '{key}', which is not set: pass it with "
            f"--config {given}=VALUE (config={{'{given}': ...}} from the test API) or set it in "
            f"Pulumi.{stack}.yaml")


_PEP701 = re.compile(r"""\bf(["'])(?:(?!\1).)*\{([^}]*$|[^}]*\1)""")
"""An f-string as Python 3.12 first accepts it: a replacement field that runs past the end of the
line, or one that reuses the string's quotes."""


def syntax_summary(e: SyntaxError, version: tuple[int, int] = sys.version_info[:2]) -> str:
    """One line for a program that does not parse, saying when the line needs Python 3.12."""
    summary = f"SyntaxError: {e.msg} ({Path(e.filename or '?').name}, line {e.lineno})"
    if version < (3, 12) and e.text and _PEP701.search(e.text):
        summary += (f": an f-string written as Python 3.12 allows, and this is Python {version[0]}.{version[1]};"
                    " name a 3.12 virtualenv in Pulumi.yaml or pass --python")
    return summary


def first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else "(no message)"


CALLBACK_TRACEBACK = "_aws_conventions_callback_traceback"
"""The attribute ``capture.py`` gives an exception raised in an apply callback: the traceback at the
callback, which the SDK can replace with its own task's by the time the program's run fails."""


def user_traceback(e: BaseException, root: str) -> str:
    """The traceback from the first frame in the program's directory on, as the Pulumi host shows it."""
    frames = traceback.extract_tb(e.__traceback__)
    if not any(_inside(f.filename, root) for f in frames) and getattr(e, CALLBACK_TRACEBACK, None) is not None:
        frames = traceback.extract_tb(getattr(e, CALLBACK_TRACEBACK))
    start = next((i for i, f in enumerate(frames) if _inside(f.filename, root)), 0)
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames[start:]),
             *traceback.format_exception_only(type(e), e)]
    return "".join(lines).rstrip()


def _inside(path: str, root: str) -> bool:
    if path.startswith("<"):  # "<frozen runpy>", "<string>": no file, wherever the program runs
        return False
    try:
        Path(path).resolve().relative_to(root)
    except ValueError:
        return False
    return "site-packages" not in path
