"""Wrap the pack's policies in pulumi-policy's classes (the stock SDK path)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import serialize_properties

from policies._core import config as config_mod
from policies._core import info
from policies._core.context import StackContext
from policies._core.policy import ALL_AWS_TYPES, Policy, PolicyContext, ResourcePolicy
from policies._core.resource import Resource
from policies._core.stack import StackView
from policies._core.values import Props


def _view(type_: str, urn: str, name: str, props: Any, **links: Any) -> Resource:
    return Resource(type_, urn, name, Props.from_dict(serialize_properties(props)), **links)


def _framework(policy: Policy) -> PolicyComplianceFramework | None:
    f = policy.framework
    return None if f is None else PolicyComplianceFramework(f.name, f.version, f.reference, f.specification)


def to_stock(policy: Policy) -> ResourceValidationPolicy | StackValidationPolicy:
    def context(args: Any) -> PolicyContext:
        cfg, _ = config_mod.resolve(policy.name, policy.options, dict(args.get_config()))
        return PolicyContext(cfg, StackContext.from_environ())

    common = dict(
        name=policy.name, description=policy.description,
        enforcement_level=EnforcementLevel(policy.enforcement_level),
        config_schema=PolicyConfigSchema(policy.config_schema()),
        severity=Severity(policy.severity), tags=list(policy.tags),
        remediation_steps=policy.remediation_steps, url=policy.url,
        display_name=info.display_name(policy), framework=_framework(policy),
    )
    if isinstance(policy, ResourcePolicy):
        def validate(args: Any, report_violation: Any) -> None:
            if args.resource_type not in policy.types and not (
                    ALL_AWS_TYPES in policy.types and args.resource_type.startswith("aws:")):
                return
            resource = _view(args.resource_type, args.urn, args.name, args.props)
            for finding in policy.check(resource, context(args)):
                report_violation(finding.message, None)

        return ResourceValidationPolicy(validate=validate, **common)

    def validate_stack(args: Any, report_violation: Any) -> None:
        views = [_view(r.resource_type, r.urn, r.name, r.props,
                       parent=r.parent.urn if r.parent else None,
                       dependencies=tuple(d.urn for d in r.dependencies),
                       property_dependencies={k: tuple(d.urn for d in v)
                                              for k, v in r.property_dependencies.items()})
                 for r in args.resources]
        for finding in policy.check(StackView(views), context(args)):
            report_violation(finding.message, finding.urn)

    return StackValidationPolicy(validate=validate_stack, **common)
