"""Run a program in a process of its own and read its answer, within a deadline.

The program (``capture.py`` running it) starts in the program's interpreter, in a new session, so
that it and whatever it starts form one process group: the group is stopped when the answer is in,
when the deadline passes, and when the runner fails or is interrupted; nothing the program started
outlives the check. The spec goes to the program's stdin and JSON lines come back on its stdout
(the answer channel): ``{"progress": N}`` while it runs, then ``{"result": ...}`` or ``{"error":
...}``. Anything else on that channel means the process is not talking to the runner. The program's
own output (prints, warnings) goes to stderr, kept in a temporary file and shown only when the
program dies without an answer.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from .engine import stop_process_group
from .policy_core import urns
from .program import Program, ProgramError, ProgramTimeout, UsageError, unmet_pins

STOP_GRACE = 2.0
"""Seconds the program's group gets to exit on SIGTERM before SIGKILL."""
_SHOWN = 60
"""Characters of unreadable output quoted in the error line."""
_START = """\
import importlib.util, os, sys
here = sys.argv.pop(1)
spec = importlib.util.spec_from_file_location(
    "_aws_conventions", os.path.join(here, "__init__.py"), submodule_search_locations=[here])
sys.modules[spec.name] = package = importlib.util.module_from_spec(spec)
spec.loader.exec_module(package)
importlib.import_module("_aws_conventions.capture").main()
os._exit(0)  # the answer is written: skip the teardown of the SDK and the program's modules
"""
"""The program process's ``python -c``: this distribution's directory imported as the package
``_aws_conventions``, so that ``capture.py`` and its neighbours import each other without this
distribution or the pack being installed in the program's interpreter, and without their directory on
the import path, where they would shadow the program's own modules; the program's directory, its
working directory, comes first there instead. Then :func:`capture.main`."""


def run(program: Program, spec: Mapping[str, Any], python: str | None, on_progress: Callable[[int], None],
        deadline: float | None, timeout: float | None) -> dict[str, Any]:
    """The program's ``result`` (see ``capture.py``), run by ``python`` (None: this interpreter).

    Raises :class:`ProgramError` when it fails, dies, or answers with something else,
    :class:`ProgramTimeout` when ``deadline`` (a ``time.monotonic()`` value) passes first, and
    :class:`UsageError` when ``python`` cannot be started.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(program.root), os.environ.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    interpreter = python or sys.executable
    with tempfile.TemporaryFile() as stderr:
        try:
            proc = subprocess.Popen([interpreter, "-c", _START, str(Path(__file__).resolve().parent)],
                                    cwd=program.root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=stderr, start_new_session=True)
        except OSError as e:
            raise UsageError(f"cannot run the program with {interpreter}: {e.strerror}") from e
        try:
            # The pack's naming rules, by file: the pack itself need not be importable there.
            request = json.dumps({**spec, "urns": urns.__file__}).encode()
            answer, code = _answer(proc, program, interpreter, request, on_progress, deadline, timeout)
        finally:
            stop_process_group(proc, STOP_GRACE)
            assert proc.stdout is not None
            proc.stdout.close()
        if answer is None:
            stderr.seek(0)
            text = stderr.read().decode(errors="replace").strip()
            raise ProgramError(f"the program {program.display} exited with code {code} before it finished",
                               text[-8000:])
    if "error" in answer:
        pins = unmet_pins(program) if python is None else []
        note = f" (it pins {', '.join(pins)}: name its virtualenv in Pulumi.yaml or pass --python)" if pins else ""
        partial = answer["error"].get("partial")
        raise ProgramError(f"the program {program.display} failed: {answer['error']['summary']}{note}",
                           answer["error"]["details"],
                           partial=partial if isinstance(partial, dict) and isinstance(partial.get("resources"), list)
                           else None)
    return answer["result"]


def _answer(proc: subprocess.Popen[bytes], program: Program, interpreter: str, spec: bytes,
            on_progress: Callable[[int], None], deadline: float | None, timeout: float | None,
            ) -> tuple[dict[str, Any] | None, int | None]:
    """The program's answer (None when it exits without one) and its exit code. Its output is read
    by a thread, so that a program that stops writing cannot hold the runner past the deadline."""
    assert proc.stdin is not None and proc.stdout is not None
    lines: queue.Queue[bytes | None] = queue.Queue()
    threading.Thread(target=_feed, args=(proc.stdin, spec), name="program-stdin", daemon=True).start()
    threading.Thread(target=_drain, args=(proc.stdout, lines), name="program-stdout", daemon=True).start()
    answer: dict[str, Any] | None = None
    while True:
        try:
            raw = lines.get(timeout=_left(deadline))
        except queue.Empty:
            raise _timed_out(program, timeout) from None
        if raw is None:
            break
        message = _message(raw)
        if message is None:
            raise ProgramError(
                f"the program {program.display} could not be run: {interpreter} printed {_shown(raw)} on stdout, "
                f"where the runner expects its answer (a sitecustomize or .pth file that prints, or an "
                f"interpreter that is not Python)", explain=False)
        if "progress" in message:
            on_progress(message["progress"])
        else:
            answer = message
    try:
        return answer, proc.wait(timeout=_left(deadline))
    except subprocess.TimeoutExpired:
        raise _timed_out(program, timeout) from None


def _feed(stdin: IO[bytes], data: bytes) -> None:
    """Write the spec and close stdin; a program that exits without reading it fails on its own."""
    try:
        stdin.write(data)
        stdin.close()
    except OSError:
        pass


def _drain(stdout: IO[bytes], lines: queue.Queue[bytes | None]) -> None:
    try:
        for raw in stdout:
            lines.put(raw)
    except (OSError, ValueError):  # closed under the thread once the program is stopped
        pass
    lines.put(None)


def _message(raw: bytes) -> dict[str, Any] | None:
    """A line of the answer channel, or None when it is not one the runner writes."""
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(message, dict) or len(message) != 1:
        return None
    if isinstance(message.get("progress"), int):
        return message
    result = message.get("result")
    if isinstance(result, dict) and isinstance(result.get("resources"), list):
        return message
    error = message.get("error")
    if isinstance(error, dict) and isinstance(error.get("summary"), str) and isinstance(error.get("details"), str):
        return message
    return None


def _shown(raw: bytes) -> str:
    text = raw.decode(errors="replace").strip()
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "...")


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def _timed_out(program: Program, timeout: float | None) -> ProgramTimeout:
    return ProgramTimeout(f"the program {program.display} did not finish within {timeout:g} s (--timeout): "
                          f"stopped it and the processes it started")
