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

import datetime as dt
import gc
import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent import futures
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as pb
from pulumi.runtime.proto import analyzer_pb2_grpc, plugin_pb2

from . import applicability as na
from . import compose, condense, masking, waivers
from . import config as config_mod
from . import info as info_mod
from .context import StackContext
from .policy import (
    ALL_AWS_TYPES,
    ALL_TYPES,
    DISABLED,
    ENFORCEMENT_LEVELS,
    MANDATORY,
    REMEDIATE,
    Finding,
    NotApplicable,
    Policy,
    PolicyContext,
    ResourcePolicy,
    StackPolicy,
)
from .protocol import GRPC_OPTIONS, LEVEL_TO_PB, PB_TO_LEVEL, SEVERITY_TO_PB
from .resource import Provider, Resource, StackResource
from .stack import StackView
from .values import Props, encode_like

if TYPE_CHECKING:
    from pulumi_policy import EnforcementLevel

    from .sdk import SdkPolicy

_CANCEL_GRACE_S = 1.0
_SERVICE = pb.DESCRIPTOR.services_by_name["Analyzer"].full_name


class Analyzer(analyzer_pb2_grpc.AnalyzerServicer):
    """The pack's policies behind the engine's Analyzer protocol.

    ``policies`` may mix this pack's policies with pulumi-policy SDK policies (``sdk.adapt``), which
    get ``enforcement_level`` when they set none. ``initial_config`` is a pack config, as the SDK's
    ``PolicyPack`` takes it, applied under whatever ``Configure`` sends; ``about`` is what Pulumi
    Cloud shows of the pack (this pack's by default). A pack that cannot be served (two policies of
    one name, an invalid ``initial_config``) raises at construction.
    """

    def __init__(self, name: str, policies: Sequence[Policy | SdkPolicy], *, version: str = "0.0.1",
                 description: str = "", stack: StackContext | None = None,
                 today: dt.date | None = None, enforcement_level: str | EnforcementLevel | None = None,
                 initial_config: Mapping[str, Any] | None = None, about: info_mod.About | None = None) -> None:
        self.name = name
        self.version = version
        self.description = description
        level = config_mod.level_name(enforcement_level)
        self.policies = [p if isinstance(p, (ResourcePolicy, StackPolicy)) else _adapt(p, level) for p in policies]
        compose.check_pack(name, self.policies)
        self.about = about or info_mod.About()
        self._initial = config_mod.pack_config(initial_config)
        self.stack = stack or StackContext.from_environ()
        self.today = today or dt.date.today()
        self._levels: dict[str, str] = {p.name: p.enforcement_level for p in self.policies}
        self._configs: dict[str, dict[str, Any]] = {p.name: p.defaults for p in self.policies}
        self._stack_configured = False
        self._lock = threading.Lock()
        self._info_lock = threading.Lock()
        self._built_info: pb.AnalyzerInfo | None = None
        self.cancelled = threading.Event()
        self._rebuild()
        if self._initial:
            try:
                self.configure({})
            except config_mod.ConfigError as e:
                raise config_mod.ConfigError(f"invalid initial_config of policy pack '{name}':\n{e}") from None

    # -- configuration ------------------------------------------------------------------

    def configure(self, policy_config: Mapping[str, tuple[str | None, Mapping[str, Any] | None]]) -> None:
        """Apply ``{policy: (enforcement level or None, properties)}``; raise ConfigError listing
        every problem (unknown policies, unknown fields, wrong types, out-of-range values). The
        pack's ``initial_config`` lies under it."""
        layered = config_mod.layer(self._initial, policy_config)
        by_name = {p.name: p for p in self.policies}
        levels = {p.name: p.enforcement_level for p in self.policies}
        configs = {p.name: p.defaults for p in self.policies}
        errors: list[str] = []
        everything = layered.get("all")
        if everything and everything[0]:  # "all" first, so that a policy's own level wins
            levels = {name: everything[0] for name in levels}
        for name, (level, props) in layered.items():
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
            resolved, problems = policy.resolve_config(props)
            problems += _waiver_date_problems(name, resolved.get("waivers"))
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
        self._stack_configured = True
        self._rebuild()

    def _adopt_urn(self, request: pb.AnalyzeRequest | pb.AnalyzerResource) -> None:
        """Without ``ConfigureStack`` (``pulumi policy analyze``, ``pulumi policy publish``), take the
        stack and project from the first URN, so that suffix-based policies still have a stack name."""
        if self._stack_configured or (self.stack.stack and self.stack.project):
            return
        urn = request.urn
        if not urn:
            return
        with self._lock:
            if not self._stack_configured:
                self.configure_stack(StackContext.from_urn(urn, self.stack))

    def _rebuild(self) -> None:
        names = frozenset(p.name for p in self.policies)
        self._contexts = {p.name: PolicyContext(self._configs[p.name], self.stack, self.today, names)
                          for p in self.policies}
        self._waivers = {p.name: waivers.config_waivers(self._configs[p.name].get("waivers") or ())
                         for p in self.policies}
        active = [p for p in self.policies if self._levels[p.name] != DISABLED]
        self._resource_policies = [p for p in active if isinstance(p, ResourcePolicy)]
        self._stack_policies = [p for p in active if isinstance(p, StackPolicy)]
        self._dispatch: dict[str, tuple[ResourcePolicy, ...]] = {}
        self._plans: dict[str, tuple[tuple[ResourcePolicy, PolicyContext, bool], ...]] = {}
        self._skipped: dict[str, bytes] = {}
        self._suffix_needers = frozenset(p.name for p in self.policies if na.uses_suffix(p))
        self._not_remediated: dict[str, tuple[pb.PolicyNotApplicable, ...]] = {}
        self._held = condense.HeldFindings()
        self._secret_config = tuple(self.stack.secret_values())

    def policies_for(self, type_: str) -> tuple[ResourcePolicy, ...]:
        """The active resource policies that declared ``type_`` (cached per type token)."""
        found = self._dispatch.get(type_)
        if found is None:
            is_aws = type_.startswith("aws:")
            found = tuple(p for p in self._resource_policies
                          if type_ in p.types or (is_aws and ALL_AWS_TYPES in p.types) or ALL_TYPES in p.types)
            self._dispatch[type_] = found
        return found

    # -- evaluation (also used directly by unit tests) ----------------------------------

    def evaluate_resource(self, resource: Resource) -> Evaluation:
        """Every finding of the policies that watch this resource's type, waivers applied, one per
        cause (see :func:`condense.one_per_cause`)."""
        return self._evaluate(resource, self._plan_for(resource.type))

    def _evaluate(self, resource: Resource, plan: tuple[tuple[ResourcePolicy, PolicyContext, bool], ...],
                  ) -> Evaluation:
        result = Evaluation()
        props = resource.props
        # Which keys a policy reads matters only when one may be unknown: a bag without any
        # unknown marker (most, and every bag in an update) skips the bookkeeping.
        unknowns = props.may_hold_unknown()
        wire = props.wire()
        log = props.read_log  # what a check read is what its run adds to the log
        for policy, context, no_suffix in plan:
            start = len(log)
            if policy.prefilter and policy.prefilter not in wire:
                findings = []  # what the check would conclude, without the call
            else:
                try:
                    findings = list(policy.check(resource, context))
                except NotApplicable as e:
                    resource.unchecked[policy.name] = e.reason
                    continue
                except Exception as e:  # noqa: BLE001 - a policy's crash must not fail the user's preview
                    findings = [_crash_finding(policy, e)]
            if findings:
                self._settle(policy, findings, resource, result)
            elif no_suffix:
                resource.unchecked[policy.name] = na.NO_SUFFIX
            elif unknowns and len(log) > start:
                unknown = props.unknown_among(log[start:])
                if unknown:
                    resource.unchecked[policy.name] = na.unknown_inputs(unknown)
        if len(result.findings) > 1:
            result.findings = condense.one_per_cause(result.findings)
        return result

    def _plan_for(self, type_: str) -> tuple[tuple[ResourcePolicy, PolicyContext, bool], ...]:
        """Per policy that watches ``type_``: its context, and whether it lacks the environment suffix
        it needs (then a policy that finds nothing says so). Cached per type token."""
        found = self._plans.get(type_)
        if found is None:
            found = self._plans[type_] = tuple(
                (p, self._contexts[p.name], p.name in self._suffix_needers and self._contexts[p.name].suffix is None)
                for p in self.policies_for(type_))
        return found

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

    def _run(self, policy: StackPolicy, view: StackView) -> list[Finding]:
        try:
            return list(policy.check(view, self._contexts[policy.name]))
        except NotApplicable:
            return []
        except Exception as e:  # noqa: BLE001 - a policy's crash must not fail the user's preview
            return [_crash_finding(policy, e)]

    def release_held(self, view: StackView | None = None) -> list[tuple[Policy, str, Finding]]:
        """The findings held back during a preview's ``Analyze`` calls, settled against the stack
        (``view``) and condensed per cause."""
        return self._held.release(lambda p: self._contexts[p.name], view)

    def remediate_resource(self, resource: Resource) -> list[tuple[ResourcePolicy, dict[str, Any]]]:
        """``(policy, the full properties after its fix)`` for each remediation applied."""
        return self.run_remediations(resource).properties()

    def run_remediations(self, resource: Resource) -> Remediated:
        """Run remediations in registry order; each sees the properties the previous produced.

        A waived resource is not remediated; a value that was secret stays secret and an unknown
        keeps its type (``encode_like``); a remediation that fails leaves a diagnostic."""
        result = Remediated(resource.props.struct)
        for policy in self.policies_for(resource.type):
            if self._levels[policy.name] != REMEDIATE or policy.remediate is None:
                continue
            waiver = waivers.find(policy.name, resource, self._waivers[policy.name])
            if waiver is not None and waiver.active(self.today):
                result.not_applicable.append((policy, waiver.describe()))
                continue
            resource.props.record_reads()
            try:
                changes = policy.remediate(resource, self._contexts[policy.name])
            except NotApplicable as e:
                result.not_applicable.append((policy, e.reason))
                continue
            except Exception as e:  # noqa: BLE001 - never fail the user's preview
                result.failed.append((policy, _crash_finding(policy, e).message))
                continue
            finally:
                reads = resource.props.reads()
            if not changes:
                unknown = resource.props.unknown_among(reads)
                reason = na.unknown_inputs(unknown) if unknown else resource.unchecked.get(policy.name)
                if reason is not None:
                    result.not_applicable.append((policy, reason))
                continue
            resource = result.apply(policy, resource, changes)
        return result

    # -- the gRPC service ----------------------------------------------------------------
    # Every RPC answers; none raises (``_answers``): a failure inside the pack becomes an
    # advisory diagnostic or an empty answer, never a gRPC error that fails the preview.

    def Analyze(self, request: pb.AnalyzeRequest, context: grpc.ServicerContext) -> pb.AnalyzeResponse:
        return pb.AnalyzeResponse.FromString(self.analyze_wire(request, context))

    def analyze_wire(self, request: pb.AnalyzeRequest, context: grpc.ServicerContext | None = None) -> bytes:
        """``Analyze``'s answer serialised, which is what ``serve`` sends: the not-applicable entries
        that depend only on the type are serialised once per type and the rest appended (protobuf
        reads concatenated messages as one, their repeated fields joined in order)."""
        return _answer(self._analyze, request,
                       lambda e: self._pack_failure(e, request.type).SerializeToString())

    def _analyze(self, request: pb.AnalyzeRequest) -> bytes:
        if not self._stack_configured:
            self._adopt_urn(request)
        type_ = request.type
        skipped = self._skipped_for(type_)
        plan = self._plan_for(type_)
        if not plan:
            return skipped
        resource = _resource_of(request)
        result = self._evaluate(resource, plan)
        findings = result.findings
        if not findings and not result.waived:  # the common case: at most not-applicable entries
            unchecked = resource.unchecked
            if not unchecked:
                return skipped
            return skipped + pb.AnalyzeResponse(not_applicable=[
                pb.PolicyNotApplicable(policy_name=name, reason=reason) for name, reason in unchecked.items()
            ]).SerializeToString()
        held: list[str] = []
        # The findings were just rendered from this bag: they can quote only what was read.
        secrets = self._secrets((resource,)) if findings else ()
        if findings:
            found = {p.name for p, _, _ in findings}
            findings = self._held.hold(resource, findings, secrets, preview=self.stack.dry_run)
            held = sorted(found - {p.name for p, _, _ in findings})
        why_held = condense.HELD_REASON if self.stack.dry_run else condense.HELD_REASON_UPDATE
        entries = [(name, why_held) for name in held]
        entries += [(policy.name, reason) for policy, reason in result.waived]
        reported = {p.name for p, _, _ in findings}.union(name for name, _ in entries)
        entries += [(name, reason) for name, reason in resource.unchecked.items() if name not in reported]
        if not findings and not entries:
            return skipped
        response = pb.AnalyzeResponse(not_applicable=[
            pb.PolicyNotApplicable(policy_name=name, reason=reason) for name, reason in entries])
        if findings:
            # Like the SDK, leave the URN empty: the engine attributes it to the analyzed resource.
            response.diagnostics.extend(self._diagnostic(policy, level, finding, "", secrets)
                                        for policy, level, finding in findings)
        return skipped + response.SerializeToString()

    def _skipped_for(self, type_: str) -> bytes:
        """The not-applicable entries of the resource policies that do not watch ``type_``, as a
        serialised ``AnalyzeResponse`` (built once per type)."""
        found = self._skipped.get(type_)
        if found is None:
            watching = {p.name for p in self.policies_for(type_)}
            found = pb.AnalyzeResponse(not_applicable=[
                pb.PolicyNotApplicable(policy_name=p.name, reason=na.not_watched(p, type_))
                for p in self._resource_policies if p.name not in watching]).SerializeToString()
            self._skipped[type_] = found
        return found

    def AnalyzeStack(self, request: pb.AnalyzeStackRequest, context: grpc.ServicerContext) -> pb.AnalyzeResponse:
        return _answer(self._analyze_stack, request, lambda e: self._pack_failure(e, "the stack"))

    def _analyze_stack(self, request: pb.AnalyzeStackRequest) -> pb.AnalyzeResponse:
        response = pb.AnalyzeResponse()
        if not self._stack_policies and self._held.empty():
            return response
        if request.resources:
            self._adopt_urn(request.resources[0])
        providers: dict[str, Provider] = {}
        view = StackView([_stack_resource_of(r, providers) for r in request.resources])
        result = self.evaluate_stack(view)
        result.findings.extend(self.release_held(view))
        # Held findings were masked against their own bags; the rest were rendered from the view.
        secrets = self._secrets(view.resources) if result.findings else ()
        for policy, level, finding in result.findings:
            response.diagnostics.append(self._diagnostic(policy, level, finding, finding.urn or "", secrets))
        for policy, reason in result.waived:
            response.not_applicable.append(pb.PolicyNotApplicable(policy_name=policy.name, reason=reason))
        failed = {p.name for p, _, _ in result.findings} | {p.name for p, _ in result.waived}
        for policy in self._stack_policies:
            if policy.name not in failed and policy.name in self._suffix_needers \
                    and self._contexts[policy.name].suffix is None:
                response.not_applicable.append(pb.PolicyNotApplicable(policy_name=policy.name, reason=na.NO_SUFFIX))
        for name, reason in view.unchecked.items():
            if name not in failed:
                response.not_applicable.append(pb.PolicyNotApplicable(policy_name=name, reason=reason))
        return response

    def Remediate(self, request: pb.AnalyzeRequest, context: grpc.ServicerContext) -> pb.RemediateResponse:
        return _answer(self._remediate, request, lambda e: pb.RemediateResponse())

    def _remediate(self, request: pb.AnalyzeRequest) -> pb.RemediateResponse:
        self._adopt_urn(request)
        response = pb.RemediateResponse(not_applicable=self._not_remediated_for(request.type))
        if not any(self._levels[p.name] == REMEDIATE for p in self.policies_for(request.type)):
            return response
        result = self.run_remediations(_resource_of(request))
        for policy, struct in result.applied:
            response.remediations.append(pb.Remediation(
                policyName=policy.name, policyPackName=self.name, policyPackVersion=self.version,
                description=policy.description, properties=struct))
        for policy, message in result.failed:
            response.remediations.append(pb.Remediation(
                policyName=policy.name, policyPackName=self.name, policyPackVersion=self.version,
                description=policy.description, diagnostic=message))
        for policy, reason in result.not_applicable:
            response.not_applicable.append(pb.PolicyNotApplicable(policy_name=policy.name, reason=reason))
        return response

    def _not_remediated_for(self, type_: str) -> tuple[pb.PolicyNotApplicable, ...]:
        """Resource policies that cannot remediate ``type_``: not watching it, not at the remediate
        level, or without an automatic fix. Prebuilt per type."""
        found = self._not_remediated.get(type_)
        if found is None:
            watching = {p.name for p in self.policies_for(type_)}
            entries = []
            for p in self._resource_policies:
                level = self._levels[p.name]
                reason = (na.not_watched(p, type_) if p.name not in watching
                          else na.not_remediating(level) if level != REMEDIATE
                          else na.NO_REMEDIATION if p.remediate is None else "")
                if reason:
                    entries.append(pb.PolicyNotApplicable(policy_name=p.name, reason=reason))
            found = self._not_remediated[type_] = tuple(entries)
        return found

    def GetAnalyzerInfo(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> pb.AnalyzerInfo:
        return _answer(lambda _: self.info(), request, lambda e: pb.AnalyzerInfo(name=self.name, version=self.version))

    def info(self) -> pb.AnalyzerInfo:
        """What ``GetAnalyzerInfo`` answers, built once: it depends only on the policies' metadata and
        the environment the pack started in."""
        with self._info_lock:
            if self._built_info is None:
                self._built_info = self._info()
            return self._built_info

    def _info(self) -> pb.AnalyzerInfo:
        about = self.about
        info = pb.AnalyzerInfo(name=self.name, version=self.version, supportsConfig=True,
                               description=self.description, displayName=about.display_name,
                               provider=about.provider, readme=about.readme_text(),
                               repository=about.repository_url())
        info.tags.extend(about.tags)
        for policy in self.policies:
            item = pb.PolicyInfo(
                name=policy.name, description=policy.description,
                displayName=info_mod.display_name(policy),
                enforcementLevel=LEVEL_TO_PB[policy.enforcement_level],
                policy_type=(pb.PolicyType.POLICY_TYPE_RESOURCE if isinstance(policy, ResourcePolicy)
                             else pb.PolicyType.POLICY_TYPE_STACK),
                severity=SEVERITY_TO_PB[policy.severity],
                remediation_steps=policy.remediation_steps, url=policy.url)
            if policy.framework is not None:
                f = policy.framework
                item.framework.CopyFrom(pb.PolicyComplianceFramework(
                    name=f.name, version=f.version, reference=f.reference, specification=f.specification))
            item.tags.extend(policy.tags)
            schema = policy.config_schema()
            if schema:
                item.configSchema.properties.update(schema)
            if policy.required_config:
                item.configSchema.required.extend(policy.required_config)
            info.policies.append(item)
        self._initial_info(info)
        return info

    def _initial_info(self, info: pb.AnalyzerInfo) -> None:
        """``initialConfig``, as the SDK sends it. The engine reads an entry without a level as
        advisory, so an entry that sets only fields states the level the policy has anyway."""
        every = self._initial.get("all", (None, {}))[0]
        by_name = {p.name: p for p in self.policies}
        for name, (level, props) in self._initial.items():
            level = level or every or (by_name[name].enforcement_level if name in by_name else None)
            if level is None:
                continue
            entry = info.initialConfig[name]
            entry.enforcementLevel = LEVEL_TO_PB[level]
            if props:
                entry.properties.update(props)

    def GetPluginInfo(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=self.version)

    def Handshake(self, request: pb.AnalyzerHandshakeRequest, context: grpc.ServicerContext,
                  ) -> pb.AnalyzerHandshakeResponse:
        """The engine's first call. The pack calls nothing on the engine, and the pack directory is
        where it was started: there is nothing to keep."""
        return pb.AnalyzerHandshakeResponse()

    def Cancel(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> empty_pb2.Empty:
        """The engine is shutting down: let ``serve`` stop the server and the process exit now,
        rather than when the engine gets round to killing it."""
        self.cancelled.set()
        return empty_pb2.Empty()

    def Configure(self, request: pb.ConfigureAnalyzerRequest, context: grpc.ServicerContext) -> empty_pb2.Empty:
        from google.protobuf import json_format  # here only: startup is on every preview's path

        given = {}
        for name, cfg in request.policyConfig.items():
            level = PB_TO_LEVEL.get(cfg.enforcementLevel)
            given[name] = (level, json_format.MessageToDict(cfg.properties))
        try:
            self.configure(given)
        except config_mod.ConfigError as e:
            # The engine's JSON Schema check catches wrong types, ranges, formats and unknown
            # fields inside objects first; what reaches here (an unknown top-level field, which
            # the engine's root schema cannot forbid) is named by policy and field.
            context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                          f"invalid config for policy pack '{self.name}':\n{e}")
        return empty_pb2.Empty()

    def ConfigureStack(self, request: pb.AnalyzerStackConfigureRequest, context: grpc.ServicerContext,
                       ) -> pb.AnalyzerStackConfigureResponse:
        env = StackContext.from_environ()
        self.configure_stack(StackContext(
            stack=request.stack or env.stack, project=request.project or env.project,
            organization=request.organization or env.organization,
            dry_run=request.dry_run if request.stack else env.dry_run,
            config=dict(request.config) or env.config, environ=env.environ,
            secret_keys=frozenset(request.config_secret_keys), tags=dict(request.tags)))
        return pb.AnalyzerStackConfigureResponse()

    def _secrets(self, resources: Iterable[Resource]) -> list[str]:
        """Every value a message must not quote: secret config values, and strings held in
        secrets by the properties of ``resources`` that the checks read."""
        found = set(self._secret_config)
        providers: set[int] = set()
        for r in resources:
            found |= masking.read_secret_strings(r.props)
            if r.provider is not None and id(r.provider.props) not in providers:
                providers.add(id(r.provider.props))  # one provider serves many resources: read it once
                found |= masking.secret_strings(r.provider.props)
        return sorted(found)

    def _diagnostic(self, policy: Policy, level: str, finding: Finding, urn: str,
                    secrets: Sequence[str] = ()) -> pb.AnalyzeDiagnostic:
        message = masking.mask(finding.message, secrets) if secrets else finding.message
        # Like the SDK: the description, then the message on its own line (none when it is empty).
        message = f"{policy.description}\n{message}" if message else policy.description
        return pb.AnalyzeDiagnostic(
            policyName=policy.name, policyPackName=self.name, policyPackVersion=self.version,
            description=policy.description, message=message,
            urn=urn, enforcementLevel=LEVEL_TO_PB[level], severity=SEVERITY_TO_PB[policy.severity])

    def _pack_failure(self, error: BaseException, subject: str) -> pb.AnalyzeResponse:
        """An advisory diagnostic for a failure outside any policy (a request the pack could not
        decode): the type of the error only, never its text, which may hold a value."""
        response = pb.AnalyzeResponse()
        for policy in self.policies[:1]:
            response.diagnostics.append(pb.AnalyzeDiagnostic(
                policyName=policy.name, policyPackName=self.name, policyPackVersion=self.version,
                description=policy.description, enforcementLevel=pb.ADVISORY,
                message=(f"The policy pack could not evaluate {subject} ({type(error).__name__}); "
                         f"its policies did not check it.")))
        return response


class Remediated:
    """What ``remediate_resource`` did: the full properties after each applied fix, the fixes that
    failed (a diagnostic), and the policies that did not remediate (a reason)."""

    __slots__ = ("_struct", "applied", "failed", "not_applicable")

    def __init__(self, struct: struct_pb2.Struct) -> None:
        self._struct = struct
        self.applied: list[tuple[ResourcePolicy, struct_pb2.Struct]] = []
        self.failed: list[tuple[ResourcePolicy, str]] = []
        self.not_applicable: list[tuple[ResourcePolicy, str]] = []

    def apply(self, policy: ResourcePolicy, resource: Resource, changes: Mapping[str, Any]) -> Resource:
        """The resource with ``changes`` written over its wire-format properties: untouched keys are
        copied as they came; changed ones keep the secret marking and unknown types they had."""
        struct = struct_pb2.Struct()
        struct.CopyFrom(self._struct)
        for key, value in changes.items():
            struct.update({key: encode_like(value, self._struct.fields.get(key))})
        self._struct = struct
        self.applied.append((policy, struct))
        return Resource(resource.type, resource.urn, resource.name, Props(struct), provider=resource.provider,
                        options=resource.options)

    def properties(self) -> list[tuple[ResourcePolicy, dict[str, Any]]]:
        """``(policy, properties)`` decoded, for tests and the runner."""
        return [(p, Props(s).to_dict()) for p, s in self.applied]


_Q = TypeVar("_Q")
_R = TypeVar("_R")


def _answer(handler: Callable[[_Q], _R], request: _Q, fallback: Callable[[BaseException], _R]) -> _R:
    """``handler(request)``, or ``fallback(error)`` if anything in it raises (a RecursionError on a
    bag nested hundreds deep, a bug): the engine must get an answer, not a gRPC error."""
    try:
        return handler(request)
    except Exception as e:  # noqa: BLE001 - an RPC of the pack never fails the preview
        return fallback(e)


def _adapt(policy: SdkPolicy, enforcement_level: str | None) -> Policy:
    """A pulumi-policy SDK policy wrapped as one of this pack's (anything else refused), by ``sdk``,
    which is imported only then: a pack of this pack's own policies starts without it."""
    from . import sdk

    return sdk.adapt(policy, enforcement_level)


def _resource_of(r: pb.AnalyzeRequest) -> Resource:
    """The view of an ``AnalyzeRequest``."""
    provider = _provider_of(r.provider) if r.HasField("provider") else None
    options = r.options if r.HasField("options") else None
    return Resource(r.type, r.urn, r.name, Props(r.properties), provider,
                    (options.parent or None) if options is not None else None, options=options)


def _stack_resource_of(r: pb.AnalyzerResource, providers: dict[str, Provider]) -> Resource:
    """The view of an ``AnalyzerResource`` from ``AnalyzeStack``; ``providers`` is shared per request."""
    provider = None
    if r.HasField("provider"):
        message = r.provider
        urn = message.urn
        provider = providers.get(urn)
        if provider is None:
            provider = providers[urn] = _provider_of(message)
    return StackResource(r, provider)


def _provider_of(p: pb.AnalyzerProviderResource) -> Provider:
    return Provider(p.type, p.urn, p.name, Props(p.properties))


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
    return finding._replace(message=f"{finding.message}\n{note}")


def _waiver_date_problems(policy_name: str, entries: Any) -> list[str]:
    return [f"policy '{policy_name}': config field 'waivers' item {i} expires {entry.get('expires')!r} "
            f"is not a valid date YYYY-MM-DD"
            for i, entry in enumerate(entries or ())
            if isinstance(entry, dict) and waivers.parse_date(str(entry.get("expires", ""))) is None]


def _crash_finding(policy: Policy, error: Exception) -> Finding:
    tb, frames = error.__traceback__, []
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    # Where the policy raised: the SDK's property proxy raises on behalf of a pulumi-policy SDK policy.
    own = [f for f in frames if "pulumi_policy" not in Path(f.tb_frame.f_code.co_filename).parts]
    tb = (own or frames)[-1] if frames else None
    where = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}" if tb else ""
    return Finding(f"The policy could not evaluate this resource ({type(error).__name__}{where}); "
                   f"the resource was not checked by it. Please report this with the resource's type.")


def _warm_up(analyzer: Analyzer) -> None:
    """Build the analyzer info, then move everything built so far (policies, tables, the info) out of
    the garbage collector's reach: it lives as long as the process, and a full collection during a
    large stack would otherwise walk it again each time. The collector is enabled then: the pack's
    ``__main__.py`` disables it while the policies are imported."""
    _answer(lambda _: analyzer.info(), None, lambda e: None)
    gc.freeze()
    gc.enable()


def serve(analyzer: Analyzer) -> None:
    """Start the gRPC server, print its port for the engine, and block until ``Cancel`` or an
    interrupt (what ``PolicyPack`` does)."""
    # One worker thread: the GIL runs one call at a time anyway, and the same thread for every call
    # finds its state still in the CPU's cache (a pool hands calls to its threads in turn).
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1),
                         options=GRPC_OPTIONS)
    # Consulted first: Analyze, the call made once per resource, answers with the bytes it built.
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(_SERVICE, {
        "Analyze": grpc.unary_unary_rpc_method_handler(
            analyzer.analyze_wire, request_deserializer=pb.AnalyzeRequest.FromString)}),))
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server(analyzer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.buffer.write(f"{port}\n".encode())
    sys.stdout.flush()
    # The engine connects and handshakes before it asks for the analyzer info: build it meanwhile.
    threading.Thread(target=_warm_up, args=(analyzer,), daemon=True).start()
    try:
        analyzer.cancelled.wait()
    except KeyboardInterrupt:
        pass
    # A short grace lets the Cancel answer, and any call in flight, reach the engine.
    server.stop(_CANCEL_GRACE_S).wait()


class PolicyPack:
    """Starts the pack as a Pulumi analyzer plugin and blocks; ``__main__.py`` constructs it.

    Takes what the SDK's ``PolicyPack`` takes: ``policies`` of this pack and of the pulumi-policy
    SDK, a default ``enforcement_level`` for SDK policies that set none, an ``initial_config``, and
    what Pulumi Cloud shows of the pack (this pack's unless given). The version is ``version`` (this
    pack passes its ``PACK_VERSION``), else the ``version:`` of the ``PulumiPolicy.yaml`` of the
    pack's directory, as the CLI reads it for a pack built on this one.
    """

    def __init__(self, name: str, policies: Sequence[Policy | SdkPolicy], description: str = "",
                 enforcement_level: str | EnforcementLevel | None = None,
                 initial_config: Mapping[str, Any] | None = None, display_name: str | None = None,
                 readme: str | None = None, provider: str | None = None, tags: list[str] | None = None,
                 repository: str | None = None, *, version: str | None = None) -> None:
        about = info_mod.About(display_name=info_mod.DISPLAY_NAME if display_name is None else display_name,
                               provider=info_mod.PROVIDER if provider is None else provider,
                               tags=info_mod.TAGS if tags is None else tuple(tags),
                               readme=readme, repository=repository)
        serve(Analyzer(name, policies, version=version or pack_version(_pack_dir()), description=description or "",
                       enforcement_level=enforcement_level, initial_config=initial_config, about=about))


def pack_version(pack_dir: Path) -> str:
    """The ``version:`` of the pack directory's ``PulumiPolicy.yaml``, which the CLI reports too."""
    try:
        match = re.search(r"^version:\s*['\"]?([^'\"\s]+)", (pack_dir / "PulumiPolicy.yaml").read_text(), re.M)
    except OSError:
        match = None
    return match.group(1) if match else "0.0.1"


def _pack_dir() -> Path:
    """The directory of the ``__main__.py`` being run: the pack's, however the language host starts it
    (``python -m pulumi.policy ADDRESS DIR`` or ``python DIR``, in whatever working directory)."""
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return Path(main).parent if main else Path.cwd()
