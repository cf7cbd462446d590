"""The engine's side of the Analyzer protocol: start a policy pack as a plugin and drive it.

This is what ``pulumi preview --policy-pack DIR`` does with a Python pack: it runs
``python -u -m pulumi.policy <engine address> DIR`` with DIR as working directory and
``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN`` and ``PULUMI_CONFIG`` set, reads the
port the pack prints, and calls the Analyzer service. The end-to-end tests, the local runner
and the benchmarks all use this one client.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto import analyzer_pb2_grpc

from .installation import PACK_DIR
from .policy_core import is_waiver, make_urn, protocol, to_struct

if TYPE_CHECKING:
    from .findings import Findings


class PackError(RuntimeError):
    """The pack process failed: it did not start, or stopped answering. ``findings`` is the report
    of the check it stopped (set by the runner)."""

    findings: Findings | None = None


class PackStartError(PackError):
    """The pack process exited or printed no port."""


@dataclass(frozen=True)
class Diagnostic:
    """A violation as the engine receives it."""

    policy: str
    level: str
    message: str
    urn: str
    severity: int = 0
    pack: str = ""

    @property
    def detail(self) -> str:
        """The message without the policy's description line that the SDK puts first."""
        return self.message.split("\n", 1)[1] if "\n" in self.message else self.message


@dataclass(frozen=True)
class Waived:
    """A finding a waiver exempted (reported by the pack as not applicable, with the reason)."""

    policy: str
    reason: str


@dataclass
class StackResource:
    """A resource for ``AnalyzeStack``: outputs plus the links between resources."""

    type: str
    name: str
    properties: Mapping[str, Any] = field(default_factory=dict)
    urn: str = ""
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, Iterable[str]] = field(default_factory=dict)
    provider: Mapping[str, Any] | None = None
    options: Mapping[str, Any] | None = None


class PackProcess:
    """A policy pack started as the Pulumi engine starts it. Use as a context manager."""

    def __init__(self, pack_dir: Path = PACK_DIR, *, stack: str = "dev", project: str = "project",
                 dry_run: bool = True, stack_config: Mapping[str, str] | None = None,
                 env: Mapping[str, str] | None = None, python: str = sys.executable,
                 start_timeout: float = 60.0) -> None:
        self.pack_dir = Path(pack_dir)
        self.stack, self.project, self.dry_run = stack, project, dry_run
        self.stack_config = dict(stack_config or {})
        self._env = dict(env or {})
        self._python = python
        self._timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self.stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self.startup_seconds = 0.0

    def __enter__(self) -> PackProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        env.update({"PULUMI_PROJECT": self.project, "PULUMI_STACK": self.stack,
                    "PULUMI_DRY_RUN": "true" if self.dry_run else "false",
                    "PULUMI_CONFIG": json.dumps(self.stack_config),
                    "PYTHONUNBUFFERED": "1"})
        env.update(self._env)
        began = time.perf_counter()
        self._proc = subprocess.Popen(
            [self._python, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(self.pack_dir)],
            cwd=self.pack_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().decode().strip()
        if not line.isdigit():
            self._proc.kill()
            _, err = self._proc.communicate(timeout=self._timeout)
            raise PackStartError(f"the policy pack did not start: {line}\n{err.decode(errors='replace')}")
        self._channel = grpc.insecure_channel(f"127.0.0.1:{line}", options=protocol.GRPC_OPTIONS)
        grpc.channel_ready_future(self._channel).result(timeout=self._timeout)
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self._handshake()
        self.info = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        self.startup_seconds = time.perf_counter() - began

    def _handshake(self) -> None:
        """The engine's first call (the pack directory is both root and program directory); like
        the engine, accept a pack that does not implement it."""
        try:
            self._stub.Handshake(pb.AnalyzerHandshakeRequest(
                engine_address="127.0.0.1:1", root_directory=str(self.pack_dir),
                program_directory=str(self.pack_dir)))
        except grpc.RpcError as e:
            if e.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise

    def close(self) -> None:
        """Stop the pack and anything it started (its process group), and release the channel."""
        if self._channel is not None:
            self._channel.close()
        if self._proc is not None:
            stop_process_group(self._proc, grace=10)
        for stream in (self._proc.stdout, self._proc.stderr) if self._proc else ():
            if stream is not None:
                stream.close()

    @property
    def pid(self) -> int:
        return self._proc.pid if self._proc else 0

    # -- the engine's calls, in the order it makes them ------------------------------------

    def configure_stack(self, tags: Mapping[str, str] | None = None, secret_keys: Iterable[str] = (),
                        timeout: float | None = None) -> None:
        self._stub.ConfigureStack(pb.AnalyzerStackConfigureRequest(
            stack=self.stack, project=self.project, dry_run=self.dry_run,
            config=self.stack_config, tags=dict(tags or {}), config_secret_keys=list(secret_keys)), timeout=timeout)

    def cancel(self) -> None:
        """What the engine calls when it shuts down; the pack then exits on its own."""
        self._stub.Cancel(empty_pb2.Empty())

    def wait(self, timeout: float) -> int | None:
        """The pack process's exit code, or None if it is still running after ``timeout`` seconds."""
        try:
            return self._proc.wait(timeout=timeout) if self._proc else None
        except subprocess.TimeoutExpired:
            return None

    def configure(self, policy_config: Mapping[str, Any], timeout: float | None = None) -> None:
        """``policy_config`` as in a ``--policy-pack-config`` file: ``{policy: level | {...}}``."""
        request = pb.ConfigureAnalyzerRequest()
        for name, value in policy_config.items():
            entry = request.policyConfig[name]
            props = {"enforcementLevel": value} if isinstance(value, str) else dict(value)
            level = props.pop("enforcementLevel", None)
            if level is not None:
                if level not in protocol.LEVEL_TO_PB:
                    raise ValueError(f"policy '{name}': enforcementLevel must be one of "
                                     f"{', '.join(protocol.LEVEL_TO_PB)}, got {level!r}")
                entry.enforcementLevel = protocol.LEVEL_TO_PB[level]
            entry.properties.update(props)
        self._stub.Configure(request, timeout=timeout)

    def analyze(self, type_: str, properties: Mapping[str, Any] | struct_pb2.Struct, *,
                name: str = "example", urn: str = "", provider: Mapping[str, Any] | None = None,
                ) -> list[Diagnostic]:
        return self.evaluate(type_, properties, name=name, urn=urn, provider=provider)[0]

    def evaluate(self, type_: str, properties: Mapping[str, Any] | struct_pb2.Struct, *,
                 name: str = "example", urn: str = "", provider: Mapping[str, Any] | None = None,
                 ) -> tuple[list[Diagnostic], list[Waived]]:
        """Analyze one resource: its diagnostics and the findings waivers exempted."""
        request = self.analyze_request(type_, properties, name=name, urn=urn, provider=provider)
        response = self._stub.Analyze(request)
        return diagnostics_of(response, request.urn), waived_of(response)

    def analyze_request(self, type_: str, properties: Mapping[str, Any] | struct_pb2.Struct, *,
                        name: str = "example", urn: str = "",
                        provider: Mapping[str, Any] | None = None,
                        options: Mapping[str, Any] | None = None) -> pb.AnalyzeRequest:
        """``options`` as the engine names them: ``{"protect": True, "ignoreChanges": [...]}``."""
        props = properties if isinstance(properties, struct_pb2.Struct) else to_struct(properties)
        request = pb.AnalyzeRequest(type=type_, name=name, properties=props,
                                    urn=urn or make_urn(type_, name, self.stack, self.project))
        if provider is not None:
            request.provider.CopyFrom(_provider(provider))
        if options is not None:
            json_format.ParseDict(options, request.options)
        return request

    def analyze_stack(self, resources: Iterable[StackResource]) -> list[Diagnostic]:
        return self.evaluate_stack(resources)[0]

    def evaluate_stack(self, resources: Iterable[StackResource]) -> tuple[list[Diagnostic], list[Waived]]:
        response = self._stub.AnalyzeStack(self.stack_request(resources))
        return diagnostics_of(response), waived_of(response)

    def stack_request(self, resources: Iterable[StackResource]) -> pb.AnalyzeStackRequest:
        request = pb.AnalyzeStackRequest()
        for r in resources:
            item = request.resources.add()
            item.type, item.name = r.type, r.name
            item.urn = r.urn or make_urn(r.type, r.name, self.stack, self.project)
            item.properties.CopyFrom(to_struct(r.properties))
            item.parent = r.parent
            item.dependencies.extend(r.dependencies)
            for key, urns in r.property_dependencies.items():
                item.propertyDependencies[key].urns.extend(urns)
            if r.provider is not None:
                item.provider.CopyFrom(_provider(r.provider))
            if r.options is not None:
                json_format.ParseDict(r.options, item.options)
        return request

    def remediate(self, type_: str, properties: Mapping[str, Any], *, name: str = "example", urn: str = "",
                  provider: Mapping[str, Any] | None = None) -> list[tuple[str, dict[str, Any]]]:
        """``(policy, the full remediated properties)`` for each remediation, in the order applied."""
        response = self._stub.Remediate(self.analyze_request(type_, properties, name=name, urn=urn,
                                                             provider=provider))
        return [(r.policyName, json_format.MessageToDict(r.properties)) for r in response.remediations]

    @property
    def _stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if self.stub is None:
            raise PackStartError("the pack is not started")
        return self.stub


def stop_process_group(proc: subprocess.Popen[bytes], grace: float) -> None:
    """Stop a process started in a session of its own (``start_new_session=True``) and every process
    left in its group: SIGTERM, then SIGKILL once the leader has exited or ``grace`` seconds have passed.
    The group is signalled even when its leader has already exited: what it started may still run."""
    killpg = getattr(os, "killpg", None)
    if killpg is None:  # no process groups (Windows): the process alone
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        return
    _signal_group(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(proc.pid, signal.SIGKILL)
    proc.wait()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):  # the group is gone already
        pass


def _provider(p: Mapping[str, Any]) -> pb.AnalyzerProviderResource:
    type_ = p.get("type", "pulumi:providers:aws")
    name = p.get("name", "default")
    return pb.AnalyzerProviderResource(type=type_, name=name, urn=p.get("urn", make_urn(type_, name)),
                                       properties=to_struct(p.get("properties", {})))


def diagnostics_of(response: pb.AnalyzeResponse, resource_urn: str = "") -> list[Diagnostic]:
    """The diagnostics of a response; like the engine, attribute those without a URN to the
    analyzed resource (``resource_urn``)."""
    return [Diagnostic(d.policyName, protocol.PB_TO_LEVEL.get(d.enforcementLevel, "advisory"), d.message,
                       d.urn or resource_urn, d.severity, d.policyPackName) for d in response.diagnostics]


def waived_of(response: pb.AnalyzeResponse) -> list[Waived]:
    """The not-applicable entries that are waivers (the others say a policy did not look)."""
    return [Waived(n.policy_name, n.reason) for n in response.not_applicable if is_waiver(n.reason)]


def not_applicable_of(response: pb.AnalyzeResponse | pb.RemediateResponse) -> dict[str, str]:
    """Policy name to the reason it did not apply, waivers included."""
    return {n.policy_name: n.reason for n in response.not_applicable}
