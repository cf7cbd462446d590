"""The pack's side of checking one program, as the engine drives it: ``ConfigureStack`` and
``Configure`` with the policy config reconciled as the engine reconciles it, then per resource
``Remediate`` and ``Analyze``, then ``AnalyzeStack`` once; the pack's answers become :class:`Findings`."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import grpc
from google.protobuf import json_format

from .captured import Captured, records_of
from .engine import Diagnostic, PackProcess, StackResource, diagnostics_of, waived_of
from .findings import LEVEL_RANK, CheckedResource, Finding, Findings, PolicyInfo, Remediation, Waived
from .locations import Locator
from .policy_core import STACK_TYPE, Props, protocol, show
from .program import Program, StackConfig, UsageError
from .progress import Progress


def configure(pack: PackProcess, policy_cfg: Mapping[str, Any], secret_keys: Sequence[str],
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
        problems = (e.details() or "").split("\n", 1)[-1].strip()
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


def policies_of(pack: PackProcess, reconciled: Mapping[str, Mapping[str, Any]]) -> list[PolicyInfo]:
    """The pack's policies, with the enforcement level the policy config gives them."""
    return [PolicyInfo(name=p.name, description=p.description,
                       level=reconciled.get(p.name, {}).get("enforcementLevel")
                       or protocol.PB_TO_LEVEL.get(p.enforcementLevel, "advisory"),
                       severity=protocol.PB_TO_SEVERITY.get(p.severity, ""), url=p.url, remediation=p.remediation_steps,
                       tags=tuple(p.tags))
            for p in pack.info.policies]


class Evaluation:
    """The pack's answers on one captured program, in the engine's order."""

    def __init__(self, pack: PackProcess, program: Program, cfg: StackConfig, stack: str,
                 captured: Mapping[str, Any], left: Callable[[], float | None] = lambda: None) -> None:
        self.pack = pack
        self.left = left
        """Seconds left for each call to the pack (None: no limit)."""
        self.program = program
        self.stack = stack
        self.records = records_of(captured, cfg, stack, program.project)
        self.by_urn = {r.urn: r for r in self.records}
        self.root_urn = next((r.urn for r in self.records if r.kind == "stack"), "")
        self.outputs = {r.urn: dict(r.outputs) for r in self.records}
        self.outputs.update(captured.get("outputs", {}))
        self.locator = Locator(program)
        self.diagnostics: list[Diagnostic] = []
        self.remediations: list[Remediation] = []
        self.waived: list[tuple[str, str, str]] = []

    def analyze(self, progress: Progress | None, stack: bool = True) -> None:
        """``Analyze`` each resource, then (``stack``: the program finished) ``AnalyzeStack``."""
        analyzed = [r for r in self.records if r.kind != "read"]
        for done, r in enumerate(analyzed, 1):
            self._analyze(r)
            if progress:
                progress.analysis(done, len(analyzed))
        if not stack:
            return
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


def _changes(before: Props, after: Props) -> tuple[tuple[str, str, str], ...]:
    """The top-level inputs a remediation changed, rendered safely (secrets masked)."""
    keys = sorted(set(before.keys()) | set(after.keys()))
    return tuple((k, show(before.raw(k)), show(after.raw(k))) for k in keys if before.raw(k) != after.raw(k))
