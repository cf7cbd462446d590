"""The local runner: check Pulumi Python programs against the pack without the CLI, credentials or a stack.

1. The program runs under the SDK's mocks in a fresh process of its own, with its directory as
   working directory; a callable runs in-process. Every resource is recorded as the engine sees it
   (``captured.py``, running ``capture.py`` through ``program_process.py``).
2. The pack is started as the engine starts it (:class:`aws_conventions.engine.PackProcess`) and
   driven over the Analyzer protocol with the engine's calls in the engine's order: ``ConfigureStack``,
   ``Configure``, then per resource ``Remediate`` and ``Analyze`` on its inputs, then ``AnalyzeStack``
   once on every resource's outputs (``evaluation.py``). The pack starts while the first program runs,
   and serves the programs after it (:class:`Checker`, this module).
3. The diagnostics become :class:`Findings`, located in the program's source where possible
   (``locations.py``); ``report.py`` writes them as text, JSON or SARIF, ``__main__.py`` is the
   command line.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import yaml

from . import captured as captured_mod
from . import diagnose
from .engine import PACK_DIR, PackError, PackProcess, PackStartError
from .evaluation import Evaluation, configure, policies_of
from .findings import CheckFailure, Diagnosis, Finding, Findings
from .installation import requirements_problem
from .policy_core import PACK_NAME
from .program import (
    Program,
    ProgramError,
    ProgramTarget,
    ProgramTimeout,
    StackConfig,
    UsageError,
    default_stack,
    load_policy_config,
    load_program,
    stack_config,
)
from .progress import Progress

__all__ = ["Checker", "Finding", "Findings", "PackError", "ProgramError", "ProgramTimeout", "Progress", "UsageError",
           "check", "check_all"]


def check(target: ProgramTarget | Program, *, stack: str | None = None,
          config: Mapping[str, Any] | Sequence[str] | None = None,
          policy_config: str | os.PathLike[str] | Mapping[str, Any] | None = None, preview: bool = True,
          python: str | None = None, pack_dir: Path = PACK_DIR, progress: Progress | None = None,
          timeout: float | None = None, keep_going: bool = False) -> Findings:
    """Run ``target`` under mocks and evaluate the pack on what it registers.

    Raises :class:`UsageError` when the check cannot start, :class:`ProgramError` when the program
    fails or registers nothing (:class:`ProgramTimeout` when it, or its evaluation, takes longer than
    ``timeout`` seconds; a callable runs in-process, without a timeout) and :class:`PackError` when
    the pack fails (:class:`PackStartError` before the program runs, when this interpreter, which runs
    the pack, lacks one of its requirements). Each carries ``findings``, the report of the failed check.

    ``keep_going``: when the program fails for a cause the runner explains and knows the fix of, run it
    again with that fix applied (``workarounds.py``), so that one check reports every explained failure
    and the policies' findings behind them; ``pulumi preview`` stops at the first.
    """
    if (problem := requirements_problem()) is not None:
        raise PackStartError(problem)
    with Checker(pack_dir=pack_dir, progress=progress) as checker:
        return checker.check(target, stack=stack, config=config, policy_config=policy_config, preview=preview,
                             python=python, timeout=timeout, keep_going=keep_going)


def check_all(targets: Sequence[ProgramTarget | Program], *, stack: str | None = None,
              config: Mapping[str, Any] | Sequence[str] | None = None,
              policy_config: str | os.PathLike[str] | Mapping[str, Any] | None = None, preview: bool = True,
              python: str | None = None, pack_dir: Path = PACK_DIR, progress: Progress | None = None,
              timeout: float | None = None, on_report: Callable[[Findings], None] | None = None,
              keep_going: bool = False) -> list[Findings]:
    """Check several programs, one after another, with one pack process. Returns one report per
    program, in order (each also given to ``on_report`` as soon as it is made); a program that could
    not be checked has ``failure`` set, and exit code 2, instead of raising. ``timeout`` is per program."""
    reports = []
    with Checker(pack_dir=pack_dir, progress=progress) as checker:
        for index, target in enumerate(targets, 1):
            if progress is not None and len(targets) > 1:
                progress.program_started(_display(target), index, len(targets))
            try:
                report = checker.check(target, stack=stack, config=config, policy_config=policy_config,
                                       preview=preview, python=python, timeout=timeout, keep_going=keep_going)
            except (UsageError, ProgramError, PackError) as e:
                assert e.findings is not None
                report = e.findings
            reports.append(report)
            if on_report is not None:
                on_report(report)
    return reports


class Checker:
    """Checks programs one after another with one pack process.

    The pack starts while the first program runs and serves every program after it: before each
    program's resources, ``ConfigureStack`` and ``Configure`` give it that program's stack, project,
    stack config and policy config, and reset everything it holds from the program before (the pack
    keeps no other state between calls). A pack that failed or ran out of time is stopped, and the
    next program starts a new one. Use as a context manager: leaving it stops the pack.
    """

    def __init__(self, *, pack_dir: Path = PACK_DIR, progress: Progress | None = None) -> None:
        self.pack_dir = pack_dir
        self.progress = progress
        self._pack: PackProcess | None = None
        self._starter: threading.Thread | None = None
        self._start_failed: list[BaseException] = []

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def check(self, target: ProgramTarget | Program, *, stack: str | None = None,
              config: Mapping[str, Any] | Sequence[str] | None = None,
              policy_config: str | os.PathLike[str] | Mapping[str, Any] | None = None, preview: bool = True,
              python: str | None = None, timeout: float | None = None, keep_going: bool = False) -> Findings:
        """As :func:`check`, with this checker's pack."""
        run = _Run(target, stack, preview, time.monotonic(), timeout or None, keep_going=keep_going)
        try:
            return self._check(run, config, policy_config, python)
        except (UsageError, ProgramError, PackError) as e:
            before = e.findings if isinstance(e, ProgramError) else None  # what it declared before it failed
            e.findings = run.report(_failure_of(e), run.pack or self._pack, before)
            raise
        finally:
            if self.progress:
                self.progress.done()

    def _check(self, run: _Run, config: Mapping[str, Any] | Sequence[str] | None,
               policy_config: str | os.PathLike[str] | Mapping[str, Any] | None, python: str | None) -> Findings:
        run.diagnoses = _project_diagnoses(run.target)
        try:
            program = run.program = run.target if isinstance(run.target, Program) else load_program(run.target)
        except UsageError as e:
            run.explained = True  # the project checks may say why the program cannot be loaded
            main = _proposed_main(run) if "entry point" in str(e) else None
            if main is None:
                raise
            program = run.program = load_program(run.target, main=main)  # type: ignore[arg-type]
            run.worked_around.append(f"{str(e).removeprefix(f'{run.target}: ')} (ran main: {main}, "
                                     "the entry project-main proposes)")
        stack = run.stack = run.stack or default_stack(program)
        cfg = stack_config(program, stack, config)
        if program.function is None:
            run.diagnoses += diagnose.stack_config_rules(program.root, _spec(program.root), stack, cfg.values)
        policy_cfg = load_policy_config(policy_config)
        on_progress = self.progress.program if self.progress else (lambda _: None)
        spec = captured_mod.spec_of(program, stack, run.preview, cfg, self.progress is not None)
        self._launch(run.preview)
        try:
            captured = self._captured(run, program, spec, python, on_progress)
        except ProgramError as e:
            if e.partial is not None and not isinstance(e, ProgramTimeout) and captured_mod.declares(e.partial):
                e.findings = self._before_failure(run, program, stack, cfg, policy_cfg, e.partial)
            raise
        return self._evaluate(run, program, stack, cfg, policy_cfg, captured)

    def _before_failure(self, run: _Run, program: Program, stack: str, cfg: StackConfig,
                        policy_cfg: Mapping[str, Any], partial: Mapping[str, Any]) -> Findings | None:
        """The resource policies' findings on what a failed program registered before it failed: the
        engine analyzes each resource as the program registers it, so a preview reports them beside the
        program's error (no stack policy runs: the program never finished). None when the pack cannot
        give them: the program's error is the report then."""
        try:
            return self._evaluate(run, program, stack, cfg, policy_cfg, partial, finished=False)
        except (UsageError, ProgramError, PackError):
            return None

    def _evaluate(self, run: _Run, program: Program, stack: str, cfg: StackConfig, policy_cfg: Mapping[str, Any],
                  captured: Mapping[str, Any], finished: bool = True) -> Findings:
        """The pack's findings on what the program registered (``finished``: and on the whole stack)."""
        progress = self.progress
        pack = run.pack = self._ready(run)
        ran = time.monotonic()
        pack.stack, pack.project, pack.dry_run, pack.stack_config = stack, program.project, run.preview, cfg.values
        try:
            reconciled = configure(pack, policy_cfg, cfg.secret_keys, run.left())
            evaluation = Evaluation(pack, program, cfg, stack, captured, run.left)
            evaluation.analyze(progress, stack=finished)
        except grpc.RpcError as e:
            self._discard()
            if e.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise ProgramTimeout(f"checking {program.display} did not finish within {run.timeout:g} s "
                                     f"(--timeout): the policy pack was still evaluating it") from e
            detail = (e.details() or "").strip().splitlines()
            raise PackError(f"the policy pack stopped answering while checking {program.display}: {e.code().name}"
                            + (f": {detail[0]}" if detail else "")) from e
        findings = evaluation.findings(policies_of(pack, reconciled), run.preview)
        findings.timing = {"programSeconds": round(ran - run.began, 3),
                           "policySeconds": round(time.monotonic() - ran, 3)}
        findings.diagnoses = run.diagnoses
        findings.worked_around = run.worked_around
        return findings

    def _captured(self, run: _Run, program: Program, spec: Mapping[str, Any], python: str | None,
                  on_progress: Callable[[int], None]) -> dict[str, Any]:
        """What the program registered; with ``keep_going``, after applying the fix of each failure the
        runner explains and can fix, one at a time (at most :data:`MAX_FIXES`)."""
        fixes: list[dict[str, str]] = []
        config = dict(spec["config"])
        placeholders: dict[str, int] = {}  # the config keys the runner gave a value: where run.worked_around says so
        relisted: set[str] = set()  # those given a value the program's error lists, once each: a run per key at most
        while True:
            try:
                return captured_mod.run(program, {**spec, "config": config, "fixes": fixes}, python, on_progress,
                                        run.deadline, run.timeout)
            except ProgramError as e:
                missing = _MISSING_CONFIG.search(e.summary) if run.keep_going else None
                if missing and missing.group(1) not in config and len(run.worked_around) < MAX_FIXES:
                    config[missing.group(1)] = _config_placeholder(missing.group(1), config, run.stack or "")
                    placeholders[missing.group(1)] = len(run.worked_around)
                    run.worked_around.append(_unset(missing.group(1), config))
                    continue
                typed = _CONFIG_TYPE.search(e.summary) if run.keep_going else None
                if typed and typed.group(1) in placeholders and typed.group(2) in _TYPED_PLACEHOLDERS \
                        and config[typed.group(1)] != _TYPED_PLACEHOLDERS[typed.group(2)]:
                    config[typed.group(1)] = _TYPED_PLACEHOLDERS[typed.group(2)]  # the program reads it as that type
                    run.worked_around[placeholders[typed.group(1)]] = _unset(typed.group(1), config)
                    continue
                listed = _listed_fix(e, program, config, placeholders.keys() - relisted) if run.keep_going else None
                if listed:
                    relisted.add(listed[0])
                    config[listed[0]] = listed[1]  # the program validates it against the values it lists
                    run.worked_around[placeholders[listed[0]]] = _unset(listed[0], config)
                    continue
                if e.explain:  # it raised or died: the project checks and the known causes may say why
                    explained = diagnose.explain(e.details, program.root)
                    e.diagnoses = run.diagnoses = diagnose.with_explanations(run.diagnoses, explained)
                    run.explained = True
                    fix = diagnose.workaround(e.details, program.root) if run.keep_going and explained else None
                    if fix is not None and fix not in fixes and len(run.worked_around) < MAX_FIXES:
                        fixes.append(fix)
                        run.worked_around.append(_cause(e, program) + (
                            " (read as unknown: what it declares is not checked)" if _stands_in(fix) else ""))
                        continue
                if not isinstance(e, ProgramTimeout) and self._starter is not None:
                    self._starter.join(run.left())  # the report names the pack, which it reads once started
                raise

    def _launch(self, preview: bool) -> None:
        """Start the pack in the background unless one is starting or running. It starts for no
        stack in particular (``ConfigureStack`` names each program's)."""
        if self._pack is not None:
            starting = self._starter is not None and self._starter.is_alive()
            if starting or (not self._start_failed and self._pack.wait(0) is None):
                return
            self._discard()
        pack = PackProcess(self.pack_dir, stack="", project="", dry_run=preview)
        failed: list[BaseException] = []

        def start() -> None:
            try:
                pack.start()
            except PackError as e:
                failed.append(e)
            except Exception as e:  # noqa: BLE001 - a start that fails in any way is the pack failing
                failed.append(PackStartError(f"the policy pack did not start: {type(e).__name__}: {e}"))

        self._pack, self._start_failed = pack, failed
        self._starter = threading.Thread(target=start, name="pack", daemon=True)
        self._starter.start()

    def _ready(self, run: _Run) -> PackProcess:
        """The started pack; raises what stopped it from starting."""
        assert self._pack is not None and self._starter is not None
        self._starter.join(run.left())
        if self._starter.is_alive():
            self._discard()
            raise ProgramTimeout(f"checking {run.display} did not finish within {run.timeout:g} s (--timeout): "
                                 f"the policy pack had not started")
        if self._start_failed:
            error = self._start_failed[0]
            self._discard()
            raise error
        return self._pack

    def _discard(self) -> None:
        """Stop the pack; the next program starts a new one."""
        pack, starter = self._pack, self._starter
        self._pack = self._starter = None
        if starter is not None:
            starter.join(_START_WAIT)  # its process exists by then, so that stopping it ends the start
        if pack is not None:
            pack.close()
        if starter is not None:
            starter.join(_START_WAIT)

    def close(self) -> None:
        """Stop the pack and what it started."""
        self._discard()


STAND_INS = ("absent", "absent-module", "fragment", "missing-name")
"""The runner's fixes that stand in for what a program does not have: what it would declare goes unchecked
(a missing name that another module of the project defines is that module's, not a stand-in)."""
MAX_FIXES = 24
"""Failures one ``keep_going`` check works around before it reports the program as failed: a first draft
can hold more than a dozen, and each costs one more run of the program."""
_MISSING_CONFIG = re.compile(r"requires the stack config '([^']+)', which is not set")
_CONFIG_TYPE = re.compile(r"Configuration '([^']+)' value '[^']*' is not a valid '(\w+)'")
_TYPED_PLACEHOLDERS = {"int": "1", "float": "1.0", "bool": "false"}
"""What a config key the runner gave ``placeholder`` gets instead when the program reads it as a number or
a boolean (``require_int``)."""
_SUFFIX_KEYS = frozenset({"environmentsuffix", "envsuffix", "suffix", "environment", "env", "stage"})
_BRACKETED = re.compile(r"[\[{(][^\[\]{}()\n]{1,2000}[\]})]")
"""A list, set or tuple with no brackets inside, for :func:`_accepted` to parse: one bounded class from a
bracket to the next, so that a search takes time linear in the line (which :func:`_listed_fix` caps too)."""
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,62}")
_EPHEMERAL = ("dev", "development", "test")
"""The listed values a placeholder key gets first: the environments a check stands for."""


def _cause(error: ProgramError, program: Program) -> str:
    """The failure's one line without the program's name."""
    return error.summary.removeprefix(f"the program {program.display} failed: ")


def _proposed_main(run: _Run) -> str | None:
    """With ``keep_going``, the entry a program directory whose own does not exist should name (the
    project-main check's fix)."""
    if not run.keep_going or isinstance(run.target, Program) or callable(run.target):
        return None
    return diagnose.proposed_main(Path(run.target)) if Path(run.target).is_dir() else None


def _stands_in(fix: Mapping[str, Any]) -> bool:
    """Whether the fix stands in for what the program does not have (see :data:`STAND_INS`)."""
    return fix["kind"] in STAND_INS and not fix.get("from")


def _unset(key: str, config: Mapping[str, Any]) -> str:
    """The report's line for a required config key the stack does not set, with the value it was given."""
    return f"the stack config '{key}' is not set (checked with {key}={config[key]})"


def _listed_fix(error: ProgramError, program: Program, config: Mapping[str, Any],
               keys: set[str]) -> tuple[str, str] | None:
    """The key (one of ``keys``, those the runner gave a placeholder) and the value to run again with when
    the program rejected the placeholder with an error that lists the values it accepts (``Environment must
    be one of ['dev', 'staging', 'prod'], got: pr8782``): a draft validates an environment name that the
    stack sets as another key, or not at all. None unless one line of the error's own text (not the
    traceback's source lines) holds both the placeholder and such a list."""
    lines = [line[:2000] for line in (_cause(error, program), *error.details.splitlines()) if line[:1].strip()]
    for key in sorted(keys):
        placeholder = str(config[key])
        if not placeholder or placeholder in _TYPED_PLACEHOLDERS.values():  # a number or flag lists no names
            continue
        given = re.compile(rf"(?<![\w-]){re.escape(placeholder)}(?![\w-])")
        for line in filter(given.search, lines):
            value = next((v for m in _BRACKETED.finditer(line) if (v := _accepted(m.group(), placeholder))), None)
            if value:
                return key, value
    return None


def _accepted(text: str, rejected: str) -> str | None:
    """The value to use of a Python/JSON list, set or tuple of strings that leaves out ``rejected``: the
    first identifier-like one, an ephemeral environment's name first. None for any other text."""
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # not a literal, or one nested too deep
        return None
    if not isinstance(node, ast.List | ast.Set | ast.Tuple) or not node.elts:
        return None
    values = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    if len(values) != len(node.elts) or rejected in values:
        return None
    words = [v for v in values if _WORD.fullmatch(v)]
    return next((w for w in _EPHEMERAL if w in words), words[0] if words else None)


def _config_placeholder(key: str, config: Mapping[str, Any], stack: str) -> str:
    """The value a ``keep_going`` check gives a required config key the stack does not set: the
    environment suffix for a key that names one, else ``placeholder``."""
    bare = key.rpartition(":")[2].replace("_", "").replace("-", "").lower()
    if bare in _SUFFIX_KEYS:
        given = [v for k, v in config.items() if k.rpartition(":")[2] == "environmentSuffix"]
        return str(given[0]) if given else stack
    return "placeholder"
_START_WAIT = 5.0
"""Seconds to let a pack that is starting get as far as its process, before stopping it."""


@dataclass
class _Run:
    """One program's check as it goes, for the report when it stops short."""

    target: ProgramTarget | Program
    stack: str | None
    preview: bool
    began: float
    timeout: float | None
    program: Program | None = None
    pack: PackProcess | None = None
    diagnoses: list[Diagnosis] = dataclasses.field(default_factory=list)
    keep_going: bool = False
    worked_around: list[str] = dataclasses.field(default_factory=list)
    """The failures (one line each) run past with the runner's fix applied."""
    explained: bool = False
    """The check stopped where the project checks (``diagnoses``) may explain it: loading the program,
    or the program itself; a report of any other failure holds the error alone."""

    @property
    def deadline(self) -> float | None:
        return self.began + self.timeout if self.timeout else None

    @property
    def display(self) -> str:
        return self.program.display if self.program else _display(self.target)

    def left(self) -> float | None:
        """Seconds left before the deadline (None: no deadline)."""
        return None if self.timeout is None else max(0.0, self.began + self.timeout - time.monotonic())

    def report(self, failure: CheckFailure, pack: PackProcess | None, before: Findings | None = None) -> Findings:
        """The report of a check that failed; ``before``: the findings on what the program declared first."""
        diagnoses = self.diagnoses if self.explained else []
        if before is not None:
            return dataclasses.replace(before, diagnoses=diagnoses, failure=failure, worked_around=self.worked_around)
        return Findings(findings=[], resources=[], policies=[], pack_name=_pack_name(pack),
                        pack_version=_pack_version(pack), program=self.program or _placeholder(self.target),
                        stack=self.stack or "", preview=self.preview, diagnoses=diagnoses, failure=failure,
                        worked_around=self.worked_around)


def _failure_of(error: UsageError | ProgramError | PackError) -> CheckFailure:
    if isinstance(error, ProgramTimeout):
        return CheckFailure("timeout", error.summary)
    if isinstance(error, ProgramError):
        return CheckFailure("program", error.summary, error.details)
    first, _, rest = str(error).partition("\n")
    return CheckFailure("usage" if isinstance(error, UsageError) else "pack", first, rest.strip())


def _display(target: ProgramTarget | Program) -> str:
    if isinstance(target, Program):
        return target.display
    return getattr(target, "__qualname__", repr(target)) if callable(target) else str(target)


def _placeholder(target: ProgramTarget | Program) -> Program:
    """The program as far as it is known when it could not be loaded, for the report."""
    if isinstance(target, Program):
        return target
    if callable(target):
        return Program(root=Path.cwd(), project="", function=target, display=_display(target))
    path = Path(target)
    root = path if path.is_dir() else path.parent
    return Program(root=root, project=str(_spec(root).get("name") or root.name), display=str(target))


def _project_diagnoses(target: ProgramTarget | Program) -> list[Diagnosis]:
    """The project checks on a program directory (or the one holding a program file), before it runs."""
    if callable(target) or (isinstance(target, Program) and target.function is not None):
        return []
    path = target.root if isinstance(target, Program) else Path(target)
    root = path if path.is_dir() else path.parent
    return diagnose.check_project(root) if (root / "Pulumi.yaml").is_file() else []


def _spec(root: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load((root / "Pulumi.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _pack_name(pack: PackProcess | None) -> str:
    """The pack's name as it reports it, or this pack's when it has not started."""
    info = getattr(pack, "info", None)
    return info.name if info is not None else PACK_NAME


def _pack_version(pack: PackProcess | None) -> str:
    info = getattr(pack, "info", None)
    return info.version if info is not None else ""
