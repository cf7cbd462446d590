"""The local runner: check Pulumi Python programs against the pack without the CLI, credentials or a stack.

1. The program runs under the SDK's mocks (``capture.py``) in a fresh process of its own, with its
   directory as working directory (``program_process.py``); a callable runs in-process. Every
   resource is recorded as the engine sees it.
2. The pack is started as the engine starts it and driven over the Analyzer protocol by
   :class:`aws_conventions.engine.PackProcess`, with the engine's calls in the engine's order:
   ``ConfigureStack``, ``Configure``, then per resource ``Remediate`` and ``Analyze`` on its inputs,
   then ``AnalyzeStack`` once on every resource's outputs. The pack starts while the first program
   runs, and serves the programs after it (:class:`Checker`).
3. The diagnostics become :class:`Findings`, located in the program's source where possible.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import yaml
from google.protobuf import json_format

from . import capture as capture_mod
from . import diagnose, program_process
from .engine import (
    PACK_DIR,
    Diagnostic,
    PackError,
    PackProcess,
    PackStartError,
    StackResource,
    diagnostics_of,
    waived_of,
)
from .findings import (
    LEVEL_RANK,
    CheckedResource,
    CheckFailure,
    Diagnosis,
    Finding,
    Findings,
    Location,
    PolicyInfo,
    Remediation,
    Waived,
)
from .installation import POLICIES_DIR, requirements_problem
from .policy_core import SECRET_SIG, SIG_KEY, STACK_TYPE, Props, make_urn, protocol, show, urns
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

__all__ = ["Checker", "Finding", "Findings", "PackError", "ProgramError", "ProgramTimeout", "Progress", "UsageError",
           "check", "check_all"]

AWS_TYPES = POLICIES_DIR / "_data" / "aws_types.json"
"""The pack's AWS type table (``tools/aws_catalog.py``): which properties hold a physical name."""
_SKIP_DIRS = frozenset({"venv", ".venv", "env", "site-packages", "__pycache__", "node_modules", "build", "dist"})


# -- running the program ------------------------------------------------------------------------


@dataclass(frozen=True)
class Captured:
    """One resource the program registered, as the engine receives it (see ``capture.py``)."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    """The provider reference, ``<provider urn>::<provider id>``; empty for the default provider."""
    dependencies: tuple[str, ...]
    property_dependencies: Mapping[str, Sequence[str]]
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    source: Mapping[str, Any] | None = None
    frames: tuple[str, ...] = ()
    read: bool = False
    protect: bool = False

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> Captured:
        return cls(urn=record["urn"], type=record["type"], name=record["name"], custom=record["custom"],
                   parent=record["parent"], provider=record["provider"],
                   dependencies=tuple(record["dependencies"]),
                   property_dependencies=record["propertyDependencies"], inputs=record["inputs"],
                   outputs=record["outputs"], source=record.get("source"), frames=tuple(record.get("frames", ())),
                   read=bool(record.get("read")), protect=bool(record.get("protect")))

    @property
    def options(self) -> dict[str, Any]:
        """The resource options the engine sends with it, as far as the program's registration tells."""
        return {"protect": self.protect, "parent": self.parent}

    @property
    def kind(self) -> str:
        if self.type == STACK_TYPE and not self.parent:
            return "stack"
        if self.type.startswith(urns.PROVIDER_PREFIX):
            return "provider"
        if self.read:
            return "read"
        return "custom" if self.custom else "component"


@functools.cache
def autonames() -> dict[str, list[str]]:
    """Type token to physical-name properties, from the pack's AWS type table, for autonaming."""
    from .policy_core import aws_types

    tokens = json.loads(AWS_TYPES.read_text(encoding="utf-8"))["types"]
    return {token: names for token in tokens if (names := list(aws_types.physical_names(token)))}


def _capture_in_process(program: Program, spec: dict[str, Any], on_progress: Callable[[int], None],
                        ) -> dict[str, Any]:
    every = spec["progressEvery"]
    assert program.function is not None
    try:
        return capture_mod.capture(
            program.function, root=spec["root"], project=spec["project"], stack=spec["stack"],
            preview=spec["preview"], config=spec["config"], secret_keys=spec["secretKeys"],
            on_register=lambda n: on_progress(n) if every and n % every == 0 else None,
            autonames=spec["autonames"])
    except capture_mod.ProgramFailed as e:
        raise ProgramError(f"the program {program.display} failed: {e.summary}", e.details) from e


# -- checking --------------------------------------------------------------------------------


def check(target: ProgramTarget | Program, *, stack: str | None = None,
          config: Mapping[str, Any] | Sequence[str] | None = None,
          policy_config: str | os.PathLike[str] | Mapping[str, Any] | None = None, preview: bool = True,
          python: str | None = None, pack_dir: Path = PACK_DIR, progress: Progress | None = None,
          timeout: float | None = None) -> Findings:
    """Run ``target`` under mocks and evaluate the pack on what it registers.

    Raises :class:`UsageError` when the check cannot start, :class:`ProgramError` when the program
    fails or registers nothing (:class:`ProgramTimeout` when it, or its evaluation, takes longer than
    ``timeout`` seconds; a callable runs in-process, without a timeout) and :class:`PackError` when
    the pack fails (:class:`PackStartError` before the program runs, when this interpreter, which runs
    the pack, lacks one of its requirements). Each carries ``findings``, the report of the failed check.
    """
    if (problem := requirements_problem()) is not None:
        raise PackStartError(problem)
    with Checker(pack_dir=pack_dir, progress=progress) as checker:
        return checker.check(target, stack=stack, config=config, policy_config=policy_config, preview=preview,
                             python=python, timeout=timeout)


def check_all(targets: Sequence[ProgramTarget | Program], *, stack: str | None = None,
              config: Mapping[str, Any] | Sequence[str] | None = None,
              policy_config: str | os.PathLike[str] | Mapping[str, Any] | None = None, preview: bool = True,
              python: str | None = None, pack_dir: Path = PACK_DIR, progress: Progress | None = None,
              timeout: float | None = None, on_report: Callable[[Findings], None] | None = None,
              ) -> list[Findings]:
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
                                       preview=preview, python=python, timeout=timeout)
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
              python: str | None = None, timeout: float | None = None) -> Findings:
        """As :func:`check`, with this checker's pack."""
        run = _Run(target, stack, preview, time.monotonic(), timeout or None)
        try:
            return self._check(run, config, policy_config, python)
        except (UsageError, ProgramError, PackError) as e:
            e.findings = run.report(_failure_of(e), run.pack or self._pack)  # type: ignore[union-attr]
            raise
        finally:
            if self.progress:
                self.progress.done()

    def _check(self, run: _Run, config: Mapping[str, Any] | Sequence[str] | None,
               policy_config: str | os.PathLike[str] | Mapping[str, Any] | None, python: str | None) -> Findings:
        run.diagnoses = _project_diagnoses(run.target)
        try:
            program = run.program = run.target if isinstance(run.target, Program) else load_program(run.target)
        except UsageError:
            run.explained = True  # the project checks may say why the program cannot be loaded
            raise
        stack = run.stack = run.stack or default_stack(program)
        cfg = stack_config(program, stack, config)
        if program.function is None:
            run.diagnoses += diagnose.stack_config_rules(program.root, _spec(program.root), stack, cfg.values)
        policy_cfg = load_policy_config(policy_config)
        progress = self.progress
        on_progress = progress.program if progress else (lambda _: None)
        spec = {"program": str(program.entry) if program.entry else "", "root": str(program.root),
                "project": program.project, "stack": stack, "preview": run.preview, "config": cfg.values,
                "secretKeys": cfg.secret_keys, "progressEvery": 50 if progress else 0, "autonames": autonames()}
        self._launch(run.preview)
        try:
            if program.function is not None:
                captured = _capture_in_process(program, spec, on_progress)
            else:
                captured = program_process.run(program, spec, python or program.python, on_progress, run.deadline,
                                               run.timeout)
            _require_resources(program, captured)
        except ProgramError as e:
            if e.explain:  # it raised or died: the project checks and the known causes may say why
                e.diagnoses = run.diagnoses = run.diagnoses + diagnose.explain(e.details, program.root)
                run.explained = True
            if not isinstance(e, ProgramTimeout) and self._starter is not None:
                self._starter.join(run.left())  # the report names the pack, which it reads once started
            raise
        pack = run.pack = self._ready(run)
        ran = time.monotonic()
        pack.stack, pack.project, pack.dry_run, pack.stack_config = stack, program.project, run.preview, cfg.values
        try:
            reconciled = _configure(pack, policy_cfg, cfg.secret_keys, run.left())
            evaluation = _Evaluation(pack, program, cfg, stack, captured, run.left)
            evaluation.analyze(progress)
        except grpc.RpcError as e:
            self._discard()
            if e.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
                raise ProgramTimeout(f"checking {program.display} did not finish within {run.timeout:g} s "
                                     f"(--timeout): the policy pack was still evaluating it") from e
            detail = (e.details() or "").strip().splitlines()
            raise PackError(f"the policy pack stopped answering while checking {program.display}: {e.code().name}"
                            + (f": {detail[0]}" if detail else "")) from e
        findings = evaluation.findings(_policies(pack, reconciled), run.preview)
        findings.timing = {"programSeconds": round(ran - run.began, 3),
                           "policySeconds": round(time.monotonic() - ran, 3)}
        findings.diagnoses = run.diagnoses
        return findings

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

    def report(self, failure: CheckFailure, pack: PackProcess | None) -> Findings:
        return Findings(findings=[], resources=[], policies=[], pack_name=_pack_name(pack),
                        pack_version=_pack_version(pack), program=self.program or _placeholder(self.target),
                        stack=self.stack or "", preview=self.preview,
                        diagnoses=self.diagnoses if self.explained else [], failure=failure)


def _failure_of(error: UsageError | ProgramError | PackError) -> CheckFailure:
    if isinstance(error, ProgramTimeout):
        return CheckFailure("timeout", error.summary)
    if isinstance(error, ProgramError):
        return CheckFailure("program", error.summary, error.details)
    first, _, rest = str(error).partition("\n")
    return CheckFailure("usage" if isinstance(error, UsageError) else "pack", first, rest.strip())


def _require_resources(program: Program, captured: Mapping[str, Any]) -> None:
    """A program that registers nothing but its stack has nothing to check: most often ``main:``
    names a file that only defines the stack's classes, or the code that declares them did not run."""
    if any(r.get("type") != STACK_TYPE or r.get("parent") for r in captured["resources"]):
        return
    entry = f" (it ran {program.entry.name}: does that file declare them?)" if program.entry else ""
    raise ProgramError(f"the program {program.display} registered no resources: there is nothing to check{entry}",
                       explain=False)


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
    """The pack's name as it reports it, or as ``policies.PACK_NAME`` has it when it has not started."""
    info = getattr(pack, "info", None)
    return info.name if info is not None else "aws-conventions"


def _pack_version(pack: PackProcess | None) -> str:
    info = getattr(pack, "info", None)
    return info.version if info is not None else ""


def _configure(pack: PackProcess, policy_cfg: Mapping[str, Any], secret_keys: Sequence[str],
               timeout: float | None) -> dict[str, dict[str, Any]]:
    """``ConfigureStack``, then ``Configure`` with the reconciled policy config, as the engine does.
    Returns that config."""
    pack.configure_stack(secret_keys=secret_keys, timeout=timeout)
    reconciled = reconcile(pack.info, policy_cfg)
    try:
        pack.configure(reconciled, timeout=timeout)
    except grpc.RpcError as e:
        if e.code() != grpc.StatusCode.INVALID_ARGUMENT:
            raise
        problems = e.details().split("\n", 1)[-1].strip()
        raise UsageError(f"invalid policy config: {problems}") from e
    return reconciled


def reconcile(info: Any, policy_cfg: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The config the engine sends to ``Configure`` (its ``ReconcilePolicyPackConfig``): every policy
    with its default enforcement level and schema defaults, then the pack's initial config, then the
    given config, each layer applying ``all`` before the policies it names."""
    result: dict[str, dict[str, Any]] = {}
    for p in info.policies:
        schema = json_format.MessageToDict(p.configSchema.properties) if p.HasField("configSchema") else {}
        defaults = {k: v["default"] for k, v in schema.items() if isinstance(v, dict) and "default" in v}
        result[p.name] = {"enforcementLevel": protocol.PB_TO_LEVEL.get(p.enforcementLevel, "advisory"), **defaults}
    initial = {name: {"enforcementLevel": protocol.PB_TO_LEVEL.get(c.enforcementLevel, "advisory"),
                      **json_format.MessageToDict(c.properties)} for name, c in info.initialConfig.items()}
    for layer in (initial, policy_cfg):
        every = layer.get("all")
        every_level = every.get("enforcementLevel") if isinstance(every, dict) else every
        if every_level:
            for entry in result.values():
                entry["enforcementLevel"] = every_level
        for name, given in layer.items():
            entry = result.setdefault(name, {})
            if isinstance(given, str):
                entry["enforcementLevel"] = given
            else:
                entry.update({k: v for k, v in given.items() if k != "enforcementLevel" or v})
    return result


def _policies(pack: PackProcess, reconciled: Mapping[str, Mapping[str, Any]]) -> list[PolicyInfo]:
    """The pack's policies, with the enforcement level the policy config gives them."""
    return [PolicyInfo(name=p.name, description=p.description,
                       level=reconciled.get(p.name, {}).get("enforcementLevel")
                       or protocol.PB_TO_LEVEL.get(p.enforcementLevel, "advisory"),
                       severity=protocol.PB_TO_SEVERITY.get(p.severity, ""), url=p.url, remediation=p.remediation_steps,
                       tags=tuple(p.tags))
            for p in pack.info.policies]


class _Evaluation:
    """The pack's answers on one captured program, in the engine's order."""

    def __init__(self, pack: PackProcess, program: Program, cfg: StackConfig, stack: str,
                 captured: Mapping[str, Any], left: Callable[[], float | None] = lambda: None) -> None:
        self.pack = pack
        self.left = left
        """Seconds left for each call to the pack (None: no limit)."""
        self.program = program
        self.stack = stack
        records = [Captured.of(r) for r in captured["resources"]]
        records = _with_default_providers(records, captured.get("versions", {}), cfg, stack, program.project)
        # The SDK registers resources concurrently, so their order varies from run to run; the engine
        # promises no order either. A fixed one keeps the findings the same from run to run.
        self.records = sorted(records, key=lambda r: (r.kind != "stack", r.kind != "provider", r.urn))
        self.by_urn = {r.urn: r for r in self.records}
        self.root_urn = next((r.urn for r in self.records if r.kind == "stack"), "")
        self.outputs = {r.urn: dict(r.outputs) for r in self.records}
        self.outputs.update(captured.get("outputs", {}))
        self.locator = _Locator(program)
        self.diagnostics: list[Diagnostic] = []
        self.remediations: list[Remediation] = []
        self.waived: list[tuple[str, str, str]] = []

    def analyze(self, progress: Progress | None) -> None:
        analyzed = [r for r in self.records if r.kind != "read"]
        for done, r in enumerate(analyzed, 1):
            self._analyze(r)
            if progress:
                progress.analysis(done, len(analyzed))
        response = self.pack.stub.AnalyzeStack(self.pack.stack_request(  # type: ignore[union-attr]
            StackResource(type=r.type, name=r.name, properties=self.outputs[r.urn], urn=r.urn, parent=r.parent,
                          dependencies=r.dependencies, property_dependencies=r.property_dependencies,
                          provider=self._provider_of(r), options=r.options)
            for r in self.records), timeout=self.left())
        # A stack policy's finding without a URN is the stack's, as the engine reports it.
        self.diagnostics.extend(diagnostics_of(response, self.root_urn))
        self.waived.extend((w.policy, w.reason, self.root_urn) for w in waived_of(response))

    def _analyze(self, r: Captured) -> None:
        """``Remediate``, then ``Analyze`` on the remediated inputs, which the outputs then follow."""
        request = self.pack.analyze_request(r.type, r.inputs, name=r.name, urn=r.urn, provider=self._provider_of(r),
                                            options=r.options)
        for change in self.pack.stub.Remediate(request, timeout=self.left()).remediations:  # type: ignore[union-attr]
            if change.diagnostic:
                self.diagnostics.append(Diagnostic(change.policyName, "advisory", change.diagnostic, r.urn,
                                                   pack=change.policyPackName))
                continue
            changes = _changes(Props(request.properties), Props(change.properties))
            request.properties.CopyFrom(change.properties)
            self.outputs[r.urn].update(json_format.MessageToDict(change.properties))
            self.remediations.append(Remediation(change.policyName, r.urn, r.type, r.name, self.locator.locate(r),
                                                 changes))
        response = self.pack.stub.Analyze(request, timeout=self.left())  # type: ignore[union-attr]
        self.diagnostics.extend(diagnostics_of(response, r.urn))
        self.waived.extend((w.policy, w.reason, r.urn) for w in waived_of(response))

    def _provider_of(self, r: Captured) -> dict[str, Any] | None:
        provider = self.by_urn.get(r.provider.rsplit("::", 1)[0]) if r.provider else None
        if provider is None:
            return None
        return {"type": provider.type, "name": provider.name, "urn": provider.urn, "properties": provider.inputs}

    def findings(self, policies: list[PolicyInfo], preview: bool) -> Findings:
        described = {p.name: p for p in policies}
        found = []
        for d in self.diagnostics:
            r = self._resource(d.urn)
            info = described.get(d.policy)
            found.append(Finding(
                policy=d.policy, level=d.level if d.level in LEVEL_RANK else "advisory",
                severity=protocol.PB_TO_SEVERITY.get(d.severity, "") or (info.severity if info else ""),
                message=d.detail if info and d.message.startswith(info.description + "\n") else d.message,
                description=info.description if info else "", urn=r.urn if r else d.urn,
                resource_type=r.type if r else STACK_TYPE, resource_name=r.name if r else "",
                location=self.locator.locate(r) if r else None))
        waived = []
        for policy, reason, urn in self.waived:
            r = self._resource(urn)
            waived.append(Waived(policy, reason, urn, r.type if r else STACK_TYPE, r.name if r else "",
                                 self.locator.locate(r) if r else None))
        resources = [CheckedResource(r.urn, r.type, r.name, r.kind, r.parent, self.locator.locate(r))
                     for r in self.records]
        return Findings(
            findings=sorted(found, key=lambda f: (f.urn, f.policy, f.message)),
            resources=sorted(resources, key=lambda c: c.urn), policies=policies, pack_name=self.pack.info.name,
            pack_version=self.pack.info.version, program=self.program, stack=self.stack, preview=preview,
            remediations=self.remediations,
            waived=sorted(waived, key=lambda w: (w.urn, w.policy, w.reason)))

    def _resource(self, urn: str) -> Captured | None:
        """The resource a diagnostic names; the root stack for a stack policy's finding without one,
        as the engine reports it."""
        return self.by_urn.get(urn) or self.by_urn.get(self.root_urn)


def _with_default_providers(records: Iterable[Captured], versions: Mapping[str, str], cfg: StackConfig,
                            stack: str, project: str) -> list[Captured]:
    """Add the default provider the engine registers before the first resource of each package that
    names no provider (``default_7_51_1``, its inputs the package's stack config), and point those
    resources at it."""
    out: list[Captured] = []
    defaults: dict[str, str] = {}
    for r in records:
        package = r.type.split(":", 1)[0]
        if r.custom and not r.provider and r.type.count(":") == 2 and package != "pulumi":
            if package not in defaults:
                provider = _default_provider(package, versions.get(package, ""), cfg, stack, project)
                out.append(provider)
                defaults[package] = provider.urn
            r = dataclasses.replace(r, provider=f"{defaults[package]}::default-provider-id")
        out.append(r)
    return out


def _default_provider(package: str, version: str, cfg: StackConfig, stack: str, project: str) -> Captured:
    name = f"default_{version.replace('.', '_')}" if version else "default"
    inputs: dict[str, Any] = {}
    for key, value in sorted(cfg.values.items()):
        if key.startswith(package + ":"):
            inputs[key.split(":", 1)[1]] = {SIG_KEY: SECRET_SIG, "value": value} if key in cfg.secret_keys else value
    if version:
        inputs["version"] = version
    type_ = f"{urns.PROVIDER_PREFIX}{package}"
    return Captured(urn=make_urn(type_, name, stack, project), type=type_, name=name, custom=True, parent="",
                    provider="", dependencies=(), property_dependencies={}, inputs=inputs, outputs=inputs)


# -- progress and locations ------------------------------------------------------------------


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


class _Locator:
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
        if _SKIP_DIRS.intersection(relative.parts):
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
                if _SKIP_DIRS.intersection(relative.parts) or any(p.startswith(".") for p in relative.parts):
                    continue
                try:
                    self._files.append((relative.as_posix(), path.read_text(encoding="utf-8").splitlines()))
                except (OSError, UnicodeDecodeError):
                    continue
        return self._files


def _changes(before: Props, after: Props) -> tuple[tuple[str, str, str], ...]:
    """The top-level inputs a remediation changed, rendered safely (secrets masked)."""
    keys = sorted(set(before.keys()) | set(after.keys()))
    return tuple((k, show(before.raw(k)), show(after.raw(k))) for k in keys if before.raw(k) != after.raw(k))
