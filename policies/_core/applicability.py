"""Why a policy did not check a resource: what the pack reports as ``not_applicable``.

The engine counts a policy as passed on a resource unless the pack reports it failed or not
applicable (``pkg/resource/analyzer/summary.go``), and Pulumi Cloud shows those counts. So the
pack says, with a reason, where a policy did not look: a type it does not watch, a value that is
unknown until the update, no environment suffix to check against, a waiver, an enforcement level
that does not remediate. The reasons that depend only on the type are built once per type.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from .policy import ALL_AWS_TYPES, Policy, ResourcePolicy

WAIVED_PREFIX = "waived by "
"""Every waiver reason starts so (``Waiver.describe``); the runner counts those as waived."""

NO_SUFFIX = ("no environment suffix resolved (no policy config 'environmentSuffix', no stack config "
             "key 'environmentSuffix', no ENVIRONMENT_SUFFIX variable and no stack name)")
NO_REMEDIATION = "the policy has no automatic fix; it is checked as mandatory"


def not_watched(policy: ResourcePolicy, type_: str) -> str:
    """The reason a resource policy skips a type it does not declare."""
    if ALL_AWS_TYPES in policy.types:
        return f"it checks resources of the AWS provider only, not {type_}"
    watched = sorted(policy.types)
    if len(watched) == 1:
        return f"it checks {watched[0]}; not {type_}"
    return f"it checks {len(watched)} other types; not {type_}"  # short: it goes with every resource


def unknown_inputs(keys: Iterable[str]) -> str:
    """The reason for a check that read values computed during the update."""
    return _unknown_inputs(tuple(sorted(set(keys))))


@lru_cache(maxsize=256)
def _unknown_inputs(keys: tuple[str, ...]) -> str:
    # Cached: the same few inputs are unknown on every resource of a type.
    return f"{', '.join(keys)} unknown until the update (preview); checked when the value is known"


def not_remediating(level: str) -> str:
    return f"the policy's enforcement level is {level}, not remediate"


def is_waiver(reason: str) -> bool:
    return reason.startswith(WAIVED_PREFIX)


def uses_suffix(policy: Policy) -> bool:
    """Whether the policy's checks depend on the environment suffix (it has the option)."""
    return any(o.name == "environmentSuffix" for o in policy.options)
