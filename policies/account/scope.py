"""Where a resource acts in AWS: the credentials (so the account) it deploys with, and its region.

Stack policies that join resources by place use this one reading. A resource's region is its own
``region`` property (pulumi-aws v7 gives every regional resource one), else its provider's
``region``, else the stack's ``aws:region`` config; an own ``region`` that is unknown only because the
provider computes it counts as not set. Two resources act in the same account when
their providers carry the same credential settings (none for the default provider). While any of
these is unknown (a preview), the place is unknown and callers stay silent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import NamedTuple

from .._core.context import StackContext
from .._core.resource import Provider, Resource
from .._core.values import Prop, contains_unknown, encode, prop_of

REGION_CONFIG = "aws:region"

CREDENTIAL_SETTINGS = ("accessKey", "profile", "assumeRoles", "assumeRole", "assumeRoleWithWebIdentity",
                       "sharedCredentialsFiles", "sharedConfigFiles", "allowedAccountIds")
"""Provider settings that can point a provider at another account (pulumi-aws ``Provider`` inputs)."""


class Scope(NamedTuple):
    """A place in AWS: ``account`` is a comparison key (never shown), ``region`` None for account-wide."""

    account: str
    region: str | None
    region_label: str
    provider: str

    @property
    def label(self) -> str:
        """How messages name the place, e.g. ``region 'us-east-1'`` or ``the account``."""
        if self.region is None:
            where = "the account"
        elif not self.region:
            where = "the default region (no region is configured)"
        else:
            where = f"region {self.region_label}"
        return f"{where} (provider '{self.provider}')" if self.provider else where


def scope_of(resource: Resource, stack: StackContext, regional: bool = True) -> Scope | None:
    """The resource's account and (when ``regional``) region; None while either is unknown."""
    account = _account(resource)
    if account is None:
        return None
    provider = _explicit_provider(resource)
    if not regional:
        return Scope(account, None, "", provider)
    region = region_of(resource, stack)
    if region is None:
        return None
    value, label = region
    return Scope(account, value, label, provider)


def region_of(resource: Resource, stack: StackContext) -> tuple[str, str] | None:
    """``(region, label for messages)``; ``""`` when nothing names a region; None while unknown."""
    own = resource.get("region")
    if own.unknown and not set_from_outputs(resource, "region"):
        own = prop_of("region", None)
    if not own.absent:
        return _region(own)
    if resource.provider is not None:
        provided = prop_of("region", resource.provider.props.raw("region"))
        if not provided.absent:
            return _region(provided)
    configured = stack.config_text(REGION_CONFIG)
    if configured:
        return configured, repr(configured)
    return "", ""


def set_from_outputs(resource: Resource, key: str) -> bool:
    """Whether the program set the input ``key`` from other resources' outputs. An unknown value without
    such a dependency is one the provider computes (in a preview, a default it fills in later)."""
    deps = resource.property_dependencies
    return bool(deps.get(key)) if isinstance(deps, Mapping) else True


def _region(prop: Prop) -> tuple[str, str] | None:
    value = prop.as_str()
    if value is None:
        return None
    return value, prop.display()


def _account(resource: Resource) -> str | None:
    provider = resource.provider
    return "" if provider is None else provider.derived(_credentials)


def _credentials(provider: Provider) -> str | None:
    """What tells the provider's account apart (its credential settings, as one text); None while unknown."""
    settings = {}
    for key in CREDENTIAL_SETTINGS:
        prop = prop_of(key, provider.props.raw(key))
        if prop.unknown or contains_unknown(prop.value):
            return None
        if not prop.absent:
            settings[key] = encode(prop.value)
    return json.dumps(settings, sort_keys=True, default=repr) if settings else ""


def _explicit_provider(resource: Resource) -> str:
    """The provider's name when it is not the default one, for messages."""
    provider = resource.provider
    if provider is None or provider.is_default:
        return ""
    return provider.name
