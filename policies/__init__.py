"""The registry: the one list of every policy in the pack, in the order they run.

Adding a policy: write its module (metadata and check in one place), then list it here.
``tests/test_registry.py`` fails when a policy module is not listed.

A pack of your own builds on this one with what this module exports (``examples/team-pack``):
``POLICIES``, :func:`select` and :func:`with_defaults` to reuse them with other defaults; the
policy API (``ResourcePolicy``, ``StackPolicy``, ``Option``, ``Finding``, ``violation``,
``and_more``...) to write its own, with ``Resource``, ``StackView``, ``STACK_TYPE`` and ``make_urn``
to test them; and ``PolicyPack`` to serve both, with policies of the pulumi-policy SDK too.
"""

from __future__ import annotations

from typing import Any

from ._core.compose import select, with_defaults
from ._core.policy import (
    ADVISORY,
    ALL_AWS_TYPES,
    DISABLED,
    MANDATORY,
    Finding,
    NotApplicable,
    Option,
    Policy,
    PolicyContext,
    ResourcePolicy,
    StackPolicy,
    stated,
    violation,
)
from ._core.resource import Resource
from ._core.stack import StackView
from ._core.text import and_more
from ._core.urns import STACK_TYPE, make_urn
from .account import singleton_duplicates, singleton_owner
from .apigateway import private_api_policy
from .config import dependency_order
from .deprecation import aws_deprecated
from .dynamodb import on_demand, point_in_time_recovery
from .ecr import scan_on_push
from .encryption import at_rest, in_transit
from .exports import key_resource, stack
from .iam import admin_managed_policy, least_privilege, public_principal, unknown_action
from .kms import key_policy, key_rotation
from .lambda_ import async_failure_destination, function_url_auth, reserved_concurrency, runtime_support
from .lifecycle import destroyability
from .logs import lambda_log_group, log_retention
from .naming import aws_name_limits, environment_suffix
from .network import security_group_open_ingress
from .outputs import stringified_output
from .rds import engine_version, managed_master_password
from .region import hard_coded
from .s3 import deprecated_inline_arguments, tls_only
from .tags import required
from .tracing import xray
from .waivers import waiver_tags

PACK_NAME = "aws-conventions"
PACK_VERSION = "0.1.0"
"""The pack's version, reported to the engine (``pulumi policy publish`` publishes it) and the
distribution's version (``pyproject.toml`` reads it). Bump it before publishing: Pulumi Cloud
refuses a version it already has."""
PACK_DESCRIPTION = ("Catches the AWS mistakes Pulumi programs keep making (names without the "
                    "environment suffix, missing tracing and log retention, provisioned DynamoDB, "
                    "unrotated KMS keys, broad IAM, account-level singletons, missing exports) at "
                    "preview time.")

POLICIES: list[Policy] = [
    environment_suffix.POLICY,
    xray.POLICY,
    log_retention.POLICY,
    lambda_log_group.POLICY,
    on_demand.POLICY,
    key_rotation.POLICY,
    key_policy.POLICY,
    least_privilege.POLICY,
    unknown_action.POLICY,
    admin_managed_policy.POLICY,
    public_principal.POLICY,
    singleton_duplicates.POLICY,
    singleton_owner.POLICY,
    dependency_order.POLICY,
    stack.POLICY,
    key_resource.POLICY,
    stringified_output.POLICY,
    function_url_auth.POLICY,
    managed_master_password.POLICY,
    engine_version.POLICY,
    destroyability.POLICY,
    deprecated_inline_arguments.POLICY,
    scan_on_push.POLICY,
    point_in_time_recovery.POLICY,
    at_rest.POLICY,
    in_transit.POLICY,
    tls_only.POLICY,
    security_group_open_ingress.POLICY,
    runtime_support.POLICY,
    aws_name_limits.POLICY,
    aws_deprecated.POLICY,
    async_failure_destination.POLICY,
    private_api_policy.POLICY,
    reserved_concurrency.POLICY,
    required.POLICY,
    hard_coded.POLICY,
    waiver_tags.POLICY,
]


__all__ = [
    "ADVISORY", "ALL_AWS_TYPES", "DISABLED", "MANDATORY", "PACK_DESCRIPTION", "PACK_NAME", "POLICIES", "STACK_TYPE",
    "Finding", "NotApplicable", "Option", "Policy", "PolicyContext", "PolicyPack", "Resource", "ResourcePolicy",
    "StackPolicy", "StackView", "and_more", "make_urn", "select", "stated", "violation", "with_defaults",
]


def __getattr__(name: str) -> Any:
    """``PolicyPack``, imported when asked for: it brings in gRPC, which serving a pack needs and
    reading the registry does not."""
    if name == "PolicyPack":
        from ._core.analyzer import PolicyPack

        return PolicyPack
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
