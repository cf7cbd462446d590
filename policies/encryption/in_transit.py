"""encryption-in-transit: ElastiCache replication groups encrypt the traffic to and between their nodes.

Why: without in-transit encryption, commands, cached values and AUTH tokens cross the network in
clear text between clients and nodes and between a primary and its replicas. ``CreateReplicationGroup``
leaves it off unless asked (the API's default is false), and on engine versions before 7.0.5 it can
only be set when the group is created (pulumi-aws replaces the group to change it), so the first
deployment decides. An AUTH token or an RBAC user group needs it on.

Reported: an ``aws.elasticache.ReplicationGroup`` whose ``transitEncryptionEnabled`` is not true.

Not reported: values unknown during a preview; a member of a global datastore
(``globalReplicationGroupId``: the global datastore decides); an engine version older than 3.2.6,
which cannot encrypt in transit; serverless caches (``aws.elasticache.ServerlessCache``), which
always do. No automatic remediation: clients must switch to TLS in the same change.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._core.flags import Flag
from .._core.policy import FSBP, MANDATORY, Finding, Framework, PolicyContext, ResourcePolicy
from .._core.resource import Resource

REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
FIRST_VERSION = (3, 2, 6)
"""The first Redis OSS version that encrypts in transit (ElastiCache API reference)."""

TRANSIT = Flag(("transitEncryptionEnabled",), True,
               "transit_encryption_enabled=True (clients then connect with TLS: ssl=True in redis-py)",
               "not set (CreateReplicationGroup leaves it off)")


def _applies(resource: Resource) -> bool:
    if resource.sets_any("globalReplicationGroupId"):
        return False  # unknown counts as set: the global datastore may decide
    version = resource.get("engineVersion").as_str()
    if version is None:
        return True
    numbers = []
    for part in version.split(".")[:3]:
        if not (part.isascii() and part.isdigit()) or len(part) > 4:
            break
        numbers.append(int(part))
    return not numbers or tuple(numbers) >= FIRST_VERSION[:len(numbers)]


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    if not _applies(resource):
        return
    found = TRANSIT.finding(resource)
    if found is not None:
        yield found


POLICY = ResourcePolicy(
    name="encryption-in-transit",
    description="ElastiCache replication groups encrypt traffic in transit.",
    severity="medium",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Set transit_encryption_enabled=True on aws.elasticache.ReplicationGroup (before engine 7.0.5 "
        "this replaces the group; from 7.0.5, set transit_encryption_mode=\"preferred\" first, then "
        "\"required\"), and connect clients with TLS."),
    tags=("encryption", "elasticache"),
    framework=Framework(FSBP, "1.0.0", "ElastiCache.5",
                        "ElastiCache replication groups should be encrypted in transit"),
    types=frozenset({REPLICATION_GROUP}),
    check=check,
)
