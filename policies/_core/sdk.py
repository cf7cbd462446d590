"""Policies written with the pulumi-policy SDK, run by this pack's analyzer.

A pack may list ``pulumi_policy.ResourceValidationPolicy`` and ``StackValidationPolicy`` objects
(or subclasses) beside this pack's policies. :func:`adapt` wraps each in a :class:`ResourcePolicy`
or :class:`StackPolicy` that gives it what the SDK's own server gives it:

* ``ResourceValidationArgs`` / ``StackValidationArgs`` built as the SDK builds them: properties
  decoded by its ``deserialize_properties`` (secret values unwrapped) behind its
  ``unknown_checking_proxy``; resource options, provider, parent and dependencies; stack tags;
  ``get_config()``, the policy's config from ``Configure`` (its schema defaults and the pack's
  ``initial_config`` until the engine sends one);
* each of its validate functions, awaited when one returns a coroutine;
  ``report_violation(message, urn=None)`` makes a finding (the URN counts for stack policies);
  ``args.not_applicable(reason)`` makes the policy not applicable to the resource or stack;
* its enforcement level (else the pack's default), severity, config schema and ``required``,
  display name (one made from its name when it gives none, as for this pack's policies), tags, URL,
  framework and remediation steps in ``GetAnalyzerInfo``; its ``remediate`` at the remediate level.

Where this pack deliberately answers differently from the SDK's server, it does for these policies
too: a validate that raises gives the pack's "could not evaluate" finding instead of failing the
preview; a value unknown during a preview makes the policy not applicable, with the SDK's own
reason, instead of an advisory "can't run policy" diagnostic; and no message or reason quotes a
secret of the resource, its provider or the stack config.

``pulumi_policy`` is imported only once the pack is given one of its objects: it is not a run-time
dependency of this pack.
"""

from __future__ import annotations

import asyncio
import functools
import types
from collections.abc import Iterable, Mapping
from inspect import isawaitable
from typing import TYPE_CHECKING, Any, TypeAlias

from google.protobuf import json_format, struct_pb2

from . import masking
from .config import level_name
from .policy import (
    ADVISORY,
    ALL_TYPES,
    Finding,
    Framework,
    Option,
    Policy,
    PolicyContext,
    ResourcePolicy,
    StackPolicy,
)
from .resource import Provider, Resource
from .stack import StackView
from .values import Props

if TYPE_CHECKING:
    from pulumi_policy import ReportViolation, ResourceValidationPolicy, StackValidationPolicy
    from pulumi_policy.policy import (
        PolicyProviderResource,
        PolicyResource,
        PolicyResourceOptions,
        ResourceValidationArgs,
    )

    from .policy import Remediation, ResourceCheck, StackCheck

    SdkPolicy: TypeAlias = ResourceValidationPolicy | StackValidationPolicy

_SDK_MODULE = "pulumi_policy.policy"
RESOURCE_KIND, STACK_KIND = "ResourceValidationPolicy", "StackValidationPolicy"
NO_VALIDATION = "Policy does not implement validate"
"""The SDK's reason for a policy that only remediates."""


def sdk_kind(obj: Any) -> str | None:
    """:data:`RESOURCE_KIND` or :data:`STACK_KIND` when ``obj`` is an object of that SDK class or a
    subclass; told by class name and module, so that asking does not import the SDK."""
    for cls in type(obj).__mro__:
        if cls.__module__ == _SDK_MODULE and cls.__name__ in (RESOURCE_KIND, STACK_KIND):
            return cls.__name__
    return None


def adapt(policy: Policy | SdkPolicy, enforcement_level: str | None = None) -> Policy:
    """``policy`` as a policy of this pack: a pack policy as it is, an SDK policy wrapped. An SDK
    policy without an enforcement level gets ``enforcement_level`` (the pack's default), else advisory."""
    if isinstance(policy, (ResourcePolicy, StackPolicy)):
        return policy
    kind = sdk_kind(policy)
    if kind is None:
        raise TypeError(f"a policy must be a ResourcePolicy or StackPolicy of this pack, or a pulumi_policy "
                        f"ResourceValidationPolicy or StackValidationPolicy; got {type(policy).__name__}")
    schema = policy.config_schema
    level = policy.enforcement_level
    common: dict[str, Any] = dict(
        name=policy.name, description=policy.description, severity=level_name(policy.severity) or "",
        enforcement_level=level_name(level) if level is not None else (enforcement_level or ADVISORY),
        remediation_steps=policy.remediation_steps or "", tags=tuple(policy.tags or ()),
        display_name=policy.display_name or "", framework=_framework(policy.framework),
        required_config=tuple(schema.required or ()) if schema is not None else (),
        schema=dict(schema.properties) if schema is not None else {}, docs_url=policy.url or "", sdk=policy)
    from pulumi_policy import ResourceValidationPolicy  # already loaded: ``policy`` is one of its objects

    if isinstance(policy, ResourceValidationPolicy):
        return SdkResourcePolicy(**common, types=frozenset({ALL_TYPES}), check=_resource_check(policy),
                                 remediate=_remediation(policy) if policy.has_remediation() else None)
    return SdkStackPolicy(**common, check=_stack_check(policy))


class _FromSdk:
    """What both kinds share: the config schema as the SDK policy declares it (not the pack's
    options, and no ``waivers`` field), and its config taken as the engine sends it, which the
    engine has checked against that schema."""

    __slots__ = ()

    schema: Mapping[str, Any]
    docs_url: str

    @property
    def url(self) -> str:
        """The SDK policy's own URL, or none."""
        return self.docs_url

    @property
    def all_options(self) -> tuple[Option, ...]:
        return ()

    @property
    def defaults(self) -> dict[str, Any]:
        return {k: v["default"] for k, v in self.schema.items() if isinstance(v, Mapping) and "default" in v}

    def config_schema(self) -> dict[str, Any]:
        return dict(self.schema)

    def resolve_config(self, given: Mapping[str, Any] | None) -> tuple[dict[str, Any], list[str]]:
        config = self.defaults
        config.update((k, v) for k, v in (given or {}).items() if k != "enforcementLevel")
        return config, []


class SdkResourcePolicy(_FromSdk, ResourcePolicy):
    """A ``pulumi_policy.ResourceValidationPolicy``; it sees every resource, as in the SDK."""

    __slots__ = ("schema", "sdk")

    def __init__(self, *, schema: Mapping[str, Any] | None = None, sdk: Any = None, **rest: Any) -> None:
        super().__init__(**rest)
        _set(self, "schema", dict(schema or {}))
        _set(self, "sdk", sdk)


class SdkStackPolicy(_FromSdk, StackPolicy):
    """A ``pulumi_policy.StackValidationPolicy``."""

    __slots__ = ("schema", "sdk")

    def __init__(self, *, schema: Mapping[str, Any] | None = None, sdk: Any = None, **rest: Any) -> None:
        super().__init__(**rest)
        _set(self, "schema", dict(schema or {}))
        _set(self, "sdk", sdk)


_set = object.__setattr__


def _framework(framework: Any) -> Framework | None:
    if framework is None:
        return None
    parts = (framework.name, framework.version, framework.reference, framework.specification)
    return Framework(*(p or "" for p in parts)) if any(parts) else None


# -- running them ----------------------------------------------------------------------------


@functools.cache
def _sdk() -> types.SimpleNamespace:
    """The SDK's classes and helpers, imported on first use."""
    from pulumi_policy import deserialize, policy, proxy

    return types.SimpleNamespace(policy=policy, deserialize=deserialize.deserialize_properties,
                                 serialize=deserialize.serialize_properties,
                                 proxy=proxy.unknown_checking_proxy, Unknown=proxy.UnknownValueError,
                                 NotApplicable=policy._NotApplicableError)


def _resource_check(policy: ResourceValidationPolicy) -> ResourceCheck:
    def check(resource: Resource, ctx: PolicyContext) -> list[Finding]:
        if not policy.has_validation():
            resource.unchecked[policy.name] = NO_VALIDATION
            return []
        sdk = _sdk()
        findings: list[Finding] = []
        try:
            _awaited(policy.validate(_resource_args(resource, ctx), _reporter(findings, keep_urn=False)))
        except sdk.Unknown as e:
            resource.unchecked[policy.name] = e.message
        except sdk.NotApplicable as e:
            resource.unchecked[policy.name] = _masked(e.reason or "", ctx, [resource])
        return findings

    return check


def _stack_check(policy: StackValidationPolicy) -> StackCheck:
    def check(view: StackView, ctx: PolicyContext) -> list[Finding]:
        sdk = _sdk()
        findings: list[Finding] = []
        args = sdk.policy.StackValidationArgs(_stack_resources(view), dict(ctx.config), _tags(ctx))
        try:
            _awaited(policy.validate(args, _reporter(findings, keep_urn=True)))
        except sdk.Unknown as e:
            view.unchecked[policy.name] = e.message
        except sdk.NotApplicable as e:
            view.unchecked[policy.name] = _masked(e.reason or "", ctx, view.resources)
        return findings

    return check


def _remediation(policy: ResourceValidationPolicy) -> Remediation:
    def remediate(resource: Resource, ctx: PolicyContext) -> dict[str, Any] | None:
        sdk = _sdk()
        try:
            result = _awaited(policy.remediate(_resource_args(resource, ctx, keep_secrets=True)))
        except sdk.Unknown as e:
            resource.unchecked[policy.name] = e.message
            return None
        except sdk.NotApplicable as e:
            resource.unchecked[policy.name] = _masked(e.reason or "", ctx, [resource])
            return None
        if not result:
            return None
        struct = struct_pb2.Struct()
        struct.update(sdk.serialize(result))
        # The SDK's remediation replaces the properties: a key it left out is cleared.
        return {**dict.fromkeys(resource.props.keys()), **Props(struct).to_dict()}

    return remediate


def _reporter(findings: list[Finding], keep_urn: bool) -> ReportViolation:
    def report_violation(message: str, urn: str | None = None) -> None:
        if message and not isinstance(message, str):
            raise TypeError("Expected message to be a string")
        if urn is not None and not isinstance(urn, str):
            raise TypeError("Expected urn to be a string")
        findings.append(Finding(message or "", urn=(urn or None) if keep_urn else None))

    return report_violation


def _awaited(result: Any) -> Any:
    if not isawaitable(result):
        return result
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(result)
    finally:
        loop.close()


def _props(props: Props, keep_secrets: bool = False) -> Any:
    """The properties as the SDK hands them to a policy (``keep_secrets``: as to a remediation)."""
    sdk = _sdk()
    return sdk.proxy(sdk.deserialize(json_format.MessageToDict(props.struct), keep_secrets))


def _tags(ctx: PolicyContext) -> Mapping[str, str]:
    return types.MappingProxyType(dict(ctx.stack.tags))


def _resource_args(resource: Resource, ctx: PolicyContext, keep_secrets: bool = False) -> ResourceValidationArgs:
    from pulumi_policy.policy import ResourceValidationArgs

    return ResourceValidationArgs(
        resource.type, _props(resource.props, keep_secrets), resource.urn, resource.name, _options(resource),
        _provider(resource.provider), dict(ctx.config), _tags(ctx))


def _options(resource: Resource) -> PolicyResourceOptions:
    from pulumi_policy.policy import PolicyCustomTimeouts, PolicyResourceOptions

    o = resource.options
    timeouts = PolicyCustomTimeouts(o.custom_timeouts.create, o.custom_timeouts.update, o.custom_timeouts.delete)
    return PolicyResourceOptions(
        o.protect, list(o.ignore_changes), o.delete_before_replace if o.delete_before_replace_defined else None,
        list(o.aliases), timeouts, list(o.additional_secret_outputs), o.parent or None)


def _provider(provider: Provider | None) -> PolicyProviderResource | None:
    from pulumi_policy.policy import PolicyProviderResource

    if provider is None:
        return None
    return PolicyProviderResource(provider.type, _props(provider.props), provider.urn, provider.name)


def _stack_resources(view: StackView) -> list[PolicyResource]:
    """Every resource as a ``PolicyResource``, its parent and dependencies linked to the others (those
    outside the stack left out), as the SDK links them."""
    from pulumi_policy.policy import PolicyResource

    made = [(r, PolicyResource(r.type, _props(r.props), r.urn, r.name, _options(r), _provider(r.provider),
                               None, [], {})) for r in view.resources]
    by_urn = {p.urn: p for _, p in made}
    for r, p in made:
        if r.parent and r.parent in by_urn:
            p.parent = by_urn[r.parent]
        p.dependencies.extend(by_urn[d] for d in r.dependencies if d in by_urn)
        for key, urns in r.property_dependencies.items():
            p.property_dependencies[key] = [by_urn[d] for d in urns if d in by_urn]
    return [p for _, p in made]


def _masked(text: str, ctx: PolicyContext, resources: Iterable[Resource]) -> str:
    """A reason written by a policy, with every secret of ``resources`` (their providers included)
    and of the stack config masked, as the analyzer masks messages."""
    if not text:
        return text
    secrets = set(ctx.stack.secret_values())
    for r in resources:
        secrets |= masking.secret_strings(r.props)
        if r.provider is not None:
            secrets |= masking.secret_strings(r.provider.props)
    return masking.mask(text, secrets)
