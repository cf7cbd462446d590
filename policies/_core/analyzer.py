"""The Analyzer gRPC service the Pulumi engine talks to.

It answers like ``pulumi_policy``'s own server (same ``GetAnalyzerInfo``, ``Configure``,
enforcement levels, diagnostic text), with three differences that make it fast and safe:

* each request is decoded once, lazily, into a :class:`Resource` view (secrets and unknowns kept
  as markers), instead of once per policy;
* a resource goes only to the policies that declared its type token;
* a policy that raises does not fail the user's preview: the crash is reported as an advisory
  diagnostic naming the policy and the exception type (never its text, which may hold a value).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sys
import time
from collections.abc import Mapping
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto import analyzer_pb2_grpc, plugin_pb2

from . import condense, waivers
from . import config as config_mod
from .context import StackContext
from .policy import (
    ADVISORY,
    ALL_AWS_TYPES,
    DISABLED,
    ENFORCEMENT_LEVELS,
    MANDATORY,
    REMEDIATE,
    Finding,
    Policy,
    PolicyContext,
    ResourcePolicy,
    StackPolicy,
)
from .resource import Provider, Resource
from .stack import StackView
from .values import Props, encode

_MAX_MESSAGE = 400 * 1024 * 1024
_LEVEL_TO_PB = {ADVISORY: pb.ADVISORY, MANDATORY: pb.MANDATORY, REMEDIATE: pb.REMEDIATE,
                DISABLED: pb.DISABLED}
_PB_TO_LEVEL = {v: k for k, v in _LEVEL_TO_PB.items()}
_SEVERITY_TO_PB = {"low": pb.POLICY_SEVERITY_LOW, "medium": pb.POLICY_SEVERITY_MEDIUM,
                   "high": pb.POLICY_SEVERITY_HIGH, "critical": pb.POLICY_SEVERITY_CRITICAL}
_AWS_PROVIDER_TYPE = "pulumi:providers:aws"


def pack_version(pack_dir: Path | None = None) -> str:
    """The ``version`` of ``PulumiPolicy.yaml``, which is what the CLI reports too."""
    path = (pack_dir or Path(__file__).resolve().parents[2]) / "PulumiPolicy.yaml"
    try:
        match = re.search(r"^version:\s*['\"]?([^'\"\s]+)", path.read_text(), re.M)
    except OSError:
        match = None
    return match.group(1) if match else "0.0.1"


class Analyzer(analyzer_pb2_grpc.AnalyzerServicer):
    """The pack's policies behind the engine's Analyzer protocol."""

    def __init__(self, name: str, policies: list[Policy], *, version: str | None = None,
                 description: str = "", stack: StackContext | None = None,
                 today: dt.date | None = None) -> None:
        self.name = name
        self.version = version or pack_version()
        self.description = description
        self.policies = list(policies)
        self.stack = stack or StackContext.from_environ()
        self.today = today or dt.date.today()
        self._levels: dict[str, str] = {p.name: p.enforcement_level for p in self.policies}
        self._configs: dict[str, dict[str, Any]] = {p.name: p.defaults for p in self.policies}
        self._rebuild()

    # -- configuration ------------------------------------------------------------------

    def configure(self, policy_config: Mapping[str, tuple[str | None, Mapping[str, Any] | None]]) -> None:
        """Apply ``{policy: (enforcement level or None, properties)}``; raise ConfigError listing
        every problem (unknown policies, unknown fields, wrong types, out-of-range values)."""
        by_name = {p.name: p for p in self.policies}
        levels = {p.name: p.enforcement_level for p in self.policies}
        configs = {p.name: p.defaults for p in self.policies}
        errors: list[str] = []
        everything = policy_config.get("all")
        if everything and everything[0]:  # "all" first, so that a policy's own level wins
            levels = dict.fromkeys(levels, everything[0])
        for name, (level, props) in policy_config.items():
            policy = by_name.get(name)
            if policy is None:
                if name != "all":
                    errors.append(f"unknown policy '{name}' in the pack config "
                                  f"(see the policy table in the README)")
                continue
            if level is not None:
                if level not in ENFORCEMENT_LEVELS:
                    errors.append(f"policy '{name}': enforcementLevel must be one of "
                                  f"{', '.join(ENFORCEMENT_LEVELS)}, got {level!r}")
                else:
                    levels[name] = level
            resolved, problems = config_mod.resolve(name, policy.all_options, props)
            problems += _waiver_date_problems(name, resolved["waivers"])
            if not problems and policy.validate is not None:
                problems += [f"policy '{name}': {p}" for p in policy.validate(resolved)]
            configs[name] = resolved
            errors.extend(problems)
        if errors:
            raise config_mod.ConfigError("\n".join(errors))
        self._levels, self._configs = levels, configs
        self._rebuild()

    def configure_stack(self, stack: StackContext) -> None:
        self.stack = stack
        self._rebuild()

    def _rebuild(self) -> None:
        self._contexts = {p.name: PolicyContext(self._configs[p.name], self.stack, self.today) for p in self.policies}
        self._waivers = {p.name: waivers.config_waivers(self._configs[p.name]["waivers"]) for p in self.policies}
        active = [p for p in self.policies if self._levels[p.name] != DISABLED]
        self._resource_policies = [p for p in active if isinstance(p, ResourcePolicy)]
        self._stack_policies = [p for p in active if isinstance(p, StackPolicy)]
        self._dispatch: dict[str, tuple[ResourcePolicy, ...]] = {}
        self._held = condense.HeldFindings()

    def policies_for(self, type_: str) -> tuple[ResourcePolicy, ...]:
        """The active resource policies that declared ``type_`` (cached per type token)."""
        found = self._dispatch.get(type_)
        if found is None:
            is_aws = type_.startswith("aws:")
            found = tuple(p for p in self._resource_policies
                          if type_ in p.types or (is_aws and ALL_AWS_TYPES in p.types))
            self._dispatch[type_] = found
        return found

    # -- evaluation (also used directly by unit tests) ----------------------------------

    def evaluate_resource(self, resource: Resource) -> Evaluation:
        """Every finding of the policies that watch this resource's type, waivers applied, one per
        cause (see :func:`condense.one_per_cause`)."""
        result = Evaluation()
        for policy in self.policies_for(resource.type):
            findings = self._run(policy, resource)
            if findings:
                self._settle(policy, findings, resource, result)
        result.findings = condense.one_per_cause(result.findings)
        return result

    def evaluate_stack(self, view: StackView) -> Evaluation:
        result = Evaluation()
        for policy in self._stack_policies:
            for finding in self._run(policy, view):
                subject = view.by_urn.get(finding.urn) if finding.urn else None
                self._settle(policy, [finding], subject, result)
        return result

    def _settle(self, policy: Policy, findings: list[Finding], resource: Resource | None,
                result: Evaluation) -> None:
        waiver = waivers.find(policy.name, resource, self._waivers[policy.name]) if resource else None
        if waiver is not None and waiver.active(self.today):
            result.waived.append((policy, waiver.describe()))
            return
        if waiver is not None:
            findings = [_with_waiver_note(f, waiver) for f in findings]
        level = self._levels[policy.name]
        level = MANDATORY if level == REMEDIATE else level
        result.findings.extend((policy, level, f) for f in findings)

    def analyze_resource(self, resource: Resource) -> list[tuple[Policy, str, Finding]]:
        return self.evaluate_resource(resource).findings

    def analyze_stack(self, view: StackView) -> list[tuple[Policy, str, Finding]]:
        return self.evaluate_stack(view).findings

    def _run(self, policy: Policy, subject: Any) -> list[Finding]:
        try:
            return list(policy.check(subject, self._contexts[policy.name]))  # type: ignore[misc]
        except Exception as e:  # noqa: BLE001 - a policy's crash must not fail the user's preview
            return [_crash_finding(policy, e)]

    def release_held(self) -> list[tuple[Policy, str, Finding]]:
        """The findings held back during a preview's ``Analyze`` calls, condensed per cause."""
        return self._held.release(lambda p: self._contexts[p.name])

    def remediate_resource(self, resource: Resource) -> list[tuple[ResourcePolicy, dict[str, Any]]]:
        """Run remediations in registry order; each sees the properties the previous produced."""
        applied = []
        for policy in self.policies_for(resource.type):
            if self._levels[policy.name] != REMEDIATE or policy.remediate is None:
                continue
            try:
                changes = policy.remediate(resource, self._contexts[policy.name])
            except Exception:  # noqa: BLE001 - never fail the user's preview
                changes = None
            if not changes:
                continue
            merged = resource.props.to_dict()
            merged.update(changes)
            resource = Resource(resource.type, resource.urn, resource.name, Props.from_dict(merged),
                                provider=resource.provider)
            applied.append((policy, merged))
        return applied

    # -- the gRPC service ----------------------------------------------------------------

    def Analyze(self, request: pb.AnalyzeRequest, context: Any) -> pb.AnalyzeResponse:
        response = pb.AnalyzeResponse()
        if not self.policies_for(request.type):
            return response
        resource = _resource_of(request)
        result = self.evaluate_resource(resource)
        if self.stack.dry_run:
            result.findings = self._held.hold(resource, result.findings)
        for policy, level, finding in result.findings:
            # Like the SDK, leave the URN empty: the engine attributes it to the analyzed resource.
            response.diagnostics.append(self._diagnostic(policy, level, finding, ""))
        for policy, reason in result.waived:
            response.not_applicable.append(pb.PolicyNotApplicable(policy_name=policy.name, reason=reason))
        return response

    def AnalyzeStack(self, request: pb.AnalyzeStackRequest, context: Any) -> pb.AnalyzeResponse:
        response = pb.AnalyzeResponse()
        if not self._stack_policies:
            response.diagnostics.extend(self._diagnostic(policy, level, finding, finding.urn or "")
                                        for policy, level, finding in self.release_held())
            return response
        providers: dict[str, Provider] = {}
        view = StackView([_resource_of(r, providers) for r in request.resources])
        result = self.evaluate_stack(view)
        result.findings.extend(self.release_held())
        for policy, level, finding in result.findings:
            response.diagnostics.append(self._diagnostic(policy, level, finding, finding.urn or ""))
        for policy, reason in result.waived:
            response.not_applicable.append(pb.PolicyNotApplicable(policy_name=policy.name, reason=reason))
        return response

    def Remediate(self, request: pb.AnalyzeRequest, context: Any) -> pb.RemediateResponse:
        response = pb.RemediateResponse()
        for policy, props in self.remediate_resource(_resource_of(request)):
            struct = struct_pb2.Struct()
            struct.update(encode(props))
            response.remediations.append(pb.Remediation(
                policyName=policy.name, policyPackName=self.name, policyPackVersion=self.version,
                description=policy.description, properties=struct))
        return response

    def GetAnalyzerInfo(self, request: empty_pb2.Empty, context: Any) -> pb.AnalyzerInfo:
        info = pb.AnalyzerInfo(name=self.name, version=self.version, supportsConfig=True,
                               description=self.description)
        for policy in self.policies:
            item = pb.PolicyInfo(
                name=policy.name, description=policy.description,
                enforcementLevel=_LEVEL_TO_PB[policy.enforcement_level],
                policy_type=(pb.PolicyType.POLICY_TYPE_RESOURCE if isinstance(policy, ResourcePolicy)
                             else pb.PolicyType.POLICY_TYPE_STACK),
                severity=_SEVERITY_TO_PB[policy.severity],
                remediation_steps=policy.remediation_steps, url=policy.url)
            if policy.display_name:
                item.displayName = policy.display_name
            item.tags.extend(policy.tags)
            schema = policy.config_schema()
            if schema:
                item.configSchema.properties.update(schema)
            info.policies.append(item)
        return info

    def GetPluginInfo(self, request: empty_pb2.Empty, context: Any) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=self.version)

    def Configure(self, request: pb.ConfigureAnalyzerRequest, context: Any) -> empty_pb2.Empty:
        given = {}
        for name, cfg in request.policyConfig.items():
            level = _PB_TO_LEVEL.get(cfg.enforcementLevel)
            given[name] = (level, json_format.MessageToDict(cfg.properties))
        try:
            self.configure(given)
        except config_mod.ConfigError as e:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          f"invalid config for policy pack '{self.name}':\n{e}")
        return empty_pb2.Empty()

    def ConfigureStack(self, request: pb.AnalyzerStackConfigureRequest, context: Any,
                       ) -> pb.AnalyzerStackConfigureResponse:
        env = StackContext.from_environ()
        self.configure_stack(StackContext(
            stack=request.stack or env.stack, project=request.project or env.project,
            organization=request.organization or env.organization,
            dry_run=request.dry_run if request.stack else env.dry_run,
            config=dict(request.config) or env.config, environ=env.environ))
        return pb.AnalyzerStackConfigureResponse()

    def _diagnostic(self, policy: Policy, level: str, finding: Finding, urn: str) -> pb.AnalyzeDiagnostic:
        return pb.AnalyzeDiagnostic(
            policyName=policy.name, policyPackName=self.name, policyPackVersion=self.version,
            description=policy.description, message=f"{policy.description}\n{finding.message}",
            urn=urn, enforcementLevel=_LEVEL_TO_PB[level], severity=_SEVERITY_TO_PB[policy.severity])


def _resource_of(r: Any, providers: dict[str, Provider] | None = None) -> Resource:
    """The view of an ``AnalyzeRequest`` or, with ``providers`` (shared per request), of an
    ``AnalyzerResource`` from ``AnalyzeStack``."""
    provider = None
    if r.HasField("provider"):
        p = r.provider
        provider = providers.get(p.urn) if providers is not None else None
        if provider is None:
            provider = Provider(p.type, p.urn, p.name, Props(p.properties))
            if providers is not None:
                providers[p.urn] = provider
    if providers is None:
        return Resource(r.type, r.urn, r.name, Props(r.properties), provider)
    return Resource(r.type, r.urn, r.name, Props(r.properties), provider, r.parent or None,
                    r.dependencies, r.propertyDependencies)


class Evaluation:
    """Findings to report, and findings waived (policy, reason)."""

    __slots__ = ("findings", "waived")

    def __init__(self) -> None:
        self.findings: list[tuple[Policy, str, Finding]] = []
        self.waived: list[tuple[Policy, str]] = []


def _with_waiver_note(finding: Finding, waiver: waivers.Waiver) -> Finding:
    if waiver.problem:
        note = (f"The waiver in {waiver.source} is not applied: {waiver.problem}. "
                f"Write it as '<reason> expires=YYYY-MM-DD'.")
    else:
        note = (f"The waiver in {waiver.source} expired on {waiver.expires} ({waiver.reason}); "
                f"fix the resource or renew the waiver.")
    return dataclasses.replace(finding, message=f"{finding.message}\n{note}")


def _waiver_date_problems(policy_name: str, entries: Any) -> list[str]:
    return [f"policy '{policy_name}': config field 'waivers' item {i} expires {entry.get('expires')!r} "
            f"is not a valid date YYYY-MM-DD"
            for i, entry in enumerate(entries or ())
            if isinstance(entry, dict) and waivers.parse_date(str(entry.get("expires", ""))) is None]


def _crash_finding(policy: Policy, error: Exception) -> Finding:
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}" if tb else ""
    return Finding(f"The policy could not evaluate this resource ({type(error).__name__}{where}); "
                   f"the resource was not checked by it. Please report this with the resource's type.")


def serve(analyzer: Analyzer) -> None:
    """Start the gRPC server, print its port for the engine, and block (what ``PolicyPack`` does)."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4),
                         options=[("grpc.max_receive_message_length", _MAX_MESSAGE),
                                  ("grpc.max_send_message_length", _MAX_MESSAGE)])
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server(analyzer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.buffer.write(f"{port}\n".encode())
    sys.stdout.flush()
    try:
        while True:
            time.sleep(86400)
    except KeyboardInterrupt:
        server.stop(0)


class PolicyPack:
    """Starts the pack as a Pulumi analyzer plugin and blocks; ``__main__.py`` constructs it."""

    def __init__(self, name: str, policies: list[Policy], description: str = "") -> None:
        serve(Analyzer(name, policies, description=description))
