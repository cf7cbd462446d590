"""Fixtures for driving the real Pulumi CLI (see README.md in this directory).

* ``pulumi_bin``: the bin directory printed by ``tools/pulumi-cli/build.sh``, run once per test run.
  A failed build fails the tests that need it, with the build's output; nothing is skipped.
* ``cli_env``: an isolated environment per test module (its own ``PULUMI_HOME``, a file backend
  with a passphrase secrets provider, no update check, no plugin downloads, event log enabled).
* ``pack_dir``: the policy pack as the CLI is given it: the repository root when its ``venv`` is
  the interpreter running the tests (``make test``), else a directory of symlinks to the root's
  files with ``venv`` pointing at that interpreter's environment.
* ``cli_env.program(example)``: a copy of ``examples/<example>`` in a temporary directory, with the
  stand-in aws provider added as a project plugin and ``venv`` linked to the test environment,
  and its ``dev`` stack created (the config comes from the example's ``Pulumi.dev.yaml``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "tools" / "pulumi-cli" / "build.sh"
STANDIN_AWS = Path(__file__).resolve().parent / "standin_aws"
PACK_NAME = "aws-conventions"

# A cold build downloads the Go modules and compiles the CLI: minutes, not seconds.
BUILD_TIMEOUT = 3600
CLI_TIMEOUT = 300

# Top-level entries of the repository that are never part of the pack (see pack_dir).
_NOT_PACK = {".git", "venv", ".venv", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis", "__pycache__"}


# --- the CLI ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pulumi_bin() -> Path:
    """The directory holding ``pulumi``, the Python language host and ``policy-archive``."""
    try:
        proc = subprocess.run(["bash", str(BUILD_SCRIPT)], capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"tools/pulumi-cli/build.sh did not finish within {BUILD_TIMEOUT}s:\n{_tail(e.stderr)}")
    if proc.returncode != 0:
        pytest.fail(f"tools/pulumi-cli/build.sh failed with exit code {proc.returncode}:\n{_tail(proc.stderr)}")
    bin_dir = Path(proc.stdout.strip().splitlines()[-1]) if proc.stdout.strip() else None
    if bin_dir is None or not (bin_dir / "pulumi").is_file():
        pytest.fail(f"tools/pulumi-cli/build.sh printed no bin directory holding pulumi: {proc.stdout!r}\n"
                    f"{_tail(proc.stderr)}")
    return bin_dir


def _tail(text: str | bytes | None, lines: int = 60) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join((text or "").splitlines()[-lines:])


# --- the pack -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The policy pack directory to pass to ``--policy-pack``.

    ``PulumiPolicy.yaml`` names the virtualenv ``venv`` (relative to the pack), and the language
    host runs the pack with that environment's Python. Under ``make test`` that is the
    repository's own ``venv``, which is also the interpreter running these tests, so the root is
    used as is. Anywhere else (a shared environment, say), the pack is the same files reached
    through symlinks, next to a ``venv`` link to ``sys.prefix``.
    """
    venv = ROOT / "venv"
    if venv.exists() and venv.resolve() == Path(sys.prefix).resolve():
        return ROOT
    farm = tmp_path_factory.mktemp("pack")
    for entry in ROOT.iterdir():
        if entry.name not in _NOT_PACK:
            (farm / entry.name).symlink_to(entry)
    (farm / "venv").symlink_to(Path(sys.prefix))
    return farm


# --- one environment per module -----------------------------------------------------------------


@dataclass
class Result:
    """One CLI invocation: exit code, output, and the parsed ``--event-log`` (if one was asked for)."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        """The payloads of every event of one kind (``policyEvent``, ``summaryEvent``, ...)."""
        return [e[kind] for e in self.events if kind in e]

    def policy_events(self, pack: str = PACK_NAME) -> list[dict[str, Any]]:
        return [e for e in self.of_kind("policyEvent") if e.get("policyPackName") == pack]

    def remediations(self, pack: str = PACK_NAME) -> list[dict[str, Any]]:
        return [e for e in self.of_kind("policyRemediationEvent") if e.get("policyPackName") == pack]

    def diagnostics(self, severity: str | None = None) -> list[dict[str, Any]]:
        return [d for d in self.of_kind("diagnosticEvent") if severity is None or d.get("severity") == severity]

    def summary(self) -> dict[str, Any]:
        summaries = self.of_kind("summaryEvent")
        assert len(summaries) == 1, f"expected one summaryEvent, got {len(summaries)}\n{self.describe()}"
        return summaries[0]

    def describe(self) -> str:
        return (f"$ {' '.join(self.args)}\nexit code {self.returncode}\n--- stdout\n{_tail(self.stdout, 80)}\n"
                f"--- stderr\n{_tail(self.stderr, 40)}")


class CliEnv:
    """An isolated Pulumi home and file backend, shared by the tests of one module."""

    def __init__(self, base: Path, bin_dir: Path, pack: Path) -> None:
        self.base = base
        self.bin_dir = bin_dir
        self.pack = pack
        self.home = base / "pulumi-home"
        self.state = base / "state"
        self.home.mkdir()
        self.state.mkdir()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("PULUMI_") and k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
        env.update({
            "PATH": os.pathsep.join([str(bin_dir), env.get("PATH", "")]),
            "PULUMI_HOME": str(self.home),
            "PULUMI_BACKEND_URL": f"file://{self.state}",
            "PULUMI_CONFIG_PASSPHRASE": "x",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_DEBUG_COMMANDS": "true",  # --event-log exists only with this set
            "STANDIN_AWS_PYTHON": sys.executable,
            "NO_COLOR": "1",
        })
        self.env = env
        self._runs = 0

    def run(self, args: list[str], cwd: Path, *, env: Mapping[str, str] | None = None,
            event_log: bool = False) -> Result:
        """Run ``pulumi <args>`` in ``cwd``; with ``event_log``, add ``--event-log`` and parse it."""
        self._runs += 1
        argv = [str(self.bin_dir / "pulumi"), *args]
        log = self.base / f"events-{self._runs}.jsonl"
        if event_log:
            argv += ["--event-log", str(log)]
        try:
            proc = subprocess.run(argv, cwd=cwd, env={**self.env, **(env or {})}, capture_output=True, text=True,
                                  timeout=CLI_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"$ {' '.join(argv)} did not finish within {CLI_TIMEOUT}s\n{_tail(e.stdout)}\n"
                        f"{_tail(e.stderr)}")
        events = []
        if event_log and log.exists():
            events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
        return Result(argv, proc.returncode, proc.stdout, proc.stderr, events)

    def write_config(self, name: str, config: Mapping[str, Any]) -> Path:
        """A ``--policy-pack-config`` file."""
        path = self.base / f"{name}.json"
        path.write_text(json.dumps(config, indent=2))
        return path

    def program(self, example: str, stack: str = "dev") -> Program:
        """A fresh copy of ``examples/<example>`` with its stack created."""
        src = ROOT / "examples" / example
        dest = self.base / example
        shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "venv", ".venv"))
        project = dest / "Pulumi.yaml"
        text = project.read_text()
        assert "plugins:" not in text, f"{project} already declares plugins"
        # The stand-in provider as a project plugin: found before $PATH and the plugin cache, and
        # without the "using pulumi-resource-aws from $PATH" warning (see README.md).
        project.write_text(text.rstrip("\n") + "\nplugins:\n  providers:\n"
                           f"    - name: aws\n      path: {json.dumps(str(STANDIN_AWS))}\n")
        # `runtime.options.virtualenv: venv`: the program runs with the tests' own environment.
        (dest / "venv").symlink_to(Path(sys.prefix))
        prog = Program(self, dest, stack)
        init = prog.run(["stack", "init", stack, "--non-interactive"])
        assert init.returncode == 0, init.describe()
        return prog


@dataclass
class Program:
    """A copied example program and its stack."""

    cli: CliEnv
    dir: Path
    stack: str

    @property
    def env(self) -> dict[str, str]:
        # The examples import their component as `from lib.tap_stack import ...` from tap.py, and
        # the Python language host does not put the project directory on sys.path; TapStack
        # pipelines run them with PYTHONPATH set to it, and so do these tests.
        return {"PYTHONPATH": str(self.dir)}

    def run(self, args: list[str], *, event_log: bool = False, env: Mapping[str, str] | None = None) -> Result:
        return self.cli.run(args, self.dir, env={**self.env, **(env or {})}, event_log=event_log)

    def _policy_args(self, config: Path | None, pack: Path | None) -> list[str]:
        args = ["--policy-pack", str(pack or self.cli.pack)]
        if config is not None:
            args += ["--policy-pack-config", str(config)]
        return args

    def preview(self, config: Path | None = None, *extra: str, pack: Path | None = None) -> Result:
        return self.run(["preview", "--non-interactive", "--stack", self.stack, *self._policy_args(config, pack),
                         *extra], event_log=True)

    def up(self, config: Path | None = None, *extra: str) -> Result:
        return self.run(["up", "--yes", "--skip-preview", "--non-interactive", "--stack", self.stack,
                         *self._policy_args(config, None), *extra], event_log=True)

    def analyze(self, config: Path | None = None, *, pack: Path | None = None,
                env: Mapping[str, str] | None = None) -> Result:
        """``pulumi policy analyze --json``: the stack's state checked without running the program.

        ``--json`` prints the events as JSON lines on stdout (the same objects as the event log)."""
        result = self.run(["policy", "analyze", "--json", "--stack", self.stack, *self._policy_args(config, pack)],
                          env=env)
        result.events = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        return result

    def export(self) -> dict[str, Any]:
        result = self.run(["stack", "export", "--stack", self.stack])
        assert result.returncode == 0, result.describe()
        return json.loads(result.stdout)


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory, pulumi_bin: Path, pack_dir: Path) -> Iterator[CliEnv]:
    yield CliEnv(tmp_path_factory.mktemp("pulumi"), pulumi_bin, pack_dir)
