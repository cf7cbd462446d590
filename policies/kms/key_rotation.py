"""kms-key-rotation: symmetric KMS keys rotate their key material automatically.

Why: rotation limits how much data one key version protects, and a key that never rotates keeps
encrypting with the same material for its whole life.

Reported: a symmetric encryption key in the AWS key store (``customerMasterKeySpec`` not set or
``SYMMETRIC_DEFAULT``, ``keyUsage`` not set or ``ENCRYPT_DECRYPT``, no ``customKeyStoreId``) whose
``enableKeyRotation`` is not ``true`` (rotation is off by default); and a ``rotationPeriodInDays``
outside ``minRotationDays``..``maxRotationDays`` or not a whole number.

Not reported: asymmetric, HMAC and custom key store keys, for which AWS supports no automatic
rotation; a key whose spec, usage or key store is unknown during a preview; an ``enableKeyRotation``
or a rotation period unknown during a preview; a rotation period that is not set (AWS uses 365 days).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._core.flags import Flag
from .._core.policy import FSBP, MANDATORY, Finding, Framework, Option, PolicyContext, ResourcePolicy, violation
from .._core.resource import Resource

KEY = "aws:kms/key:Key"


def rotatable(resource: Resource) -> bool | None:
    """True for a symmetric encryption key in the AWS key store; None while that is unknown."""
    spec, usage, store = (resource.get("customerMasterKeySpec"), resource.get("keyUsage"),
                          resource.get("customKeyStoreId"))
    if spec.unknown or usage.unknown or store.unknown:
        return None
    return ((spec.absent or spec.as_str() == "SYMMETRIC_DEFAULT")
            and (usage.absent or usage.as_str() == "ENCRYPT_DECRYPT")
            and store.absent)


ROTATION = Flag(("enableKeyRotation",), True, "enable_key_rotation=True", "not set (rotation is off by default)")


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    if not rotatable(resource):
        return
    low, high = ctx.config["minRotationDays"], ctx.config["maxRotationDays"]
    found = ROTATION.finding(resource)
    if found is not None:
        yield found
    period = resource.get("rotationPeriodInDays")
    days = period.as_int()
    if period.known and (days is None or not low <= days <= high):
        yield violation(resource, "rotationPeriodInDays", period.display(),
                        f"between {low} and {high} days", f"rotation_period_in_days={min(max(365, low), high)}")


def remediate(resource: Resource, ctx: PolicyContext) -> Mapping[str, Any] | None:
    if not rotatable(resource):
        return None
    return ROTATION.remediation(resource)


POLICY = ResourcePolicy(
    name="kms-key-rotation",
    description="Symmetric KMS keys have automatic key rotation enabled, with a rotation period within bounds.",
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=("Set enable_key_rotation=True on aws.kms.Key; optionally "
                       "rotation_period_in_days between the configured bounds (AWS allows 90 to 2560)."),
    tags=("encryption", "kms"),
    framework=Framework(FSBP, "1.0.0", "KMS.4", "AWS KMS key rotation should be enabled"),
    types=frozenset({KEY}),
    options=(
        Option("minRotationDays", "integer", 90, "The shortest rotation period allowed.",
               {"minimum": 90, "maximum": 2560}),
        Option("maxRotationDays", "integer", 365, "The longest rotation period allowed.",
               {"minimum": 90, "maximum": 2560}),
    ),
    check=check,
    remediate=remediate,
)
