"""waiver-tags: waiver tags are well formed, name a policy of this pack, and have not expired.

Why: a waiver that does not parse, names a policy that does not exist, or has expired silently
stops doing what its author meant; the finding it hid comes back, or never was hidden.

Reported: for each ``policy-waiver:<policy-name>`` tag in ``tags`` or ``tagsAll``: a tag naming no
policy of this pack; a value that is not a string, has no ``expires=YYYY-MM-DD``, an expiry that is
not a date, or no reason before ``expires=``; a waiver whose expiry day has passed.

Not reported: tags unknown during a preview, and a ``tags`` map that is secret as a whole; other
tags; waivers in the policy config, which the config schema checks when the pack is configured.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._core import waivers
from .._core.policy import ADVISORY, ALL_AWS_TYPES, Finding, PolicyContext, ResourcePolicy, stated
from .._core.resource import Resource

FORMAT = f"tags={{\"{waivers.TAG_PREFIX}<policy-name>\": \"<reason> expires=YYYY-MM-DD\"}}"


def _policy_names(ctx: PolicyContext) -> frozenset[str]:
    """The policies of the pack that runs this one (a pack built on this one has its own), else the
    registry's."""
    if ctx.policy_names:
        return ctx.policy_names
    from .. import POLICIES  # the registry imports this module, so look it up at call time

    return frozenset(p.name for p in POLICIES)


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    tagged = waivers.tag_waivers(resource)
    if not tagged:
        return
    names = _policy_names(ctx)
    for policy_name, value in sorted(tagged.items()):
        key = f"{waivers.TAG_PREFIX}{policy_name}"
        if policy_name not in names:
            yield stated(resource.label, f"the tag '{key}' names no policy of this pack, so it waives "
                          f"nothing.", "use one of the policy names in the README's policy table.",
                          property=f"tags.{key}")
            continue
        waiver = waivers.parse_tag(policy_name, value)
        if waiver.problem:
            yield stated(resource.label, f"the waiver tag '{key}' is not applied: {waiver.problem}.",
                          f"{FORMAT}", property=f"tags.{key}")
        elif not waiver.active(ctx.today):
            yield stated(resource.label, f"the waiver tag '{key}' expired on {waiver.expires} "
                          f"({waiver.reason}).", "fix the resource and remove the tag, or renew the "
                          "expiry date.", property=f"tags.{key}")


POLICY = ResourcePolicy(
    name="waiver-tags",
    description="Waiver tags are well formed, name a policy of this pack, and have not expired.",
    severity="low",
    enforcement_level=ADVISORY,
    remediation_steps=(f"Write a waiver as {FORMAT} on the resource; AWS rejects ';' and ',' in most "
                       "tag values. Remove waivers that expired once the resource is fixed."),
    tags=("waivers",),
    types=frozenset({ALL_AWS_TYPES}),
    check=check,
    prefilter=waivers.TAG_PREFIX.encode(),
)
