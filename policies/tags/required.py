"""required-tags: every resource that takes tags carries the tag keys the organisation requires.

Why: cost allocation, ownership and clean-up tooling find resources by their tags (``CostCenter``,
``Owner``, ``Environment``...). A resource without them is paid for by nobody in the cost report,
and a clean-up job that deletes what no team owns may delete it, or never find it. Which keys are
required is the organisation's rule, so the policy is off until a team turns it on with its keys:
``{"required-tags": {"enforcementLevel": "mandatory", "tags": ["CostCenter", "Owner"]}}``.

Reported: once enabled, a resource of a type that takes ``tags`` (from the installed pulumi_aws)
whose own ``tags`` and its provider's ``default_tags`` together lack one of the ``tags`` keys, or
give one an empty value. Keys are compared as AWS does, case and all. ``aws.autoscaling.Group``'s
list of ``{key, value}`` tags counts too. The finding names the keys missing (never a value) and
the fix sets them where the program's tags come from: the provider's ``default_tags``, which every
resource of the stack then carries. A key missing on four resources or more is reported once, at
the stack, during a preview.

Not reported: a resource whose ``tags`` or whose provider's default tags are unknown during a
preview; types that take no tags; resources that match ``exempt``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from .._core import aws_types
from .._core.policy import (
    ALL_AWS_TYPES,
    DISABLED,
    Finding,
    Held,
    Option,
    PolicyContext,
    ResourcePolicy,
    stated,
)
from .._core.resource import Provider, Resource
from .._core.text import and_more
from .._core.values import UNKNOWN, Secret, contains_unknown

_PLACEHOLDER = "..."


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    required: list[str] = ctx.config["tags"]
    if not required or not aws_types.taggable(resource.type) or resource.name_matches(ctx.config["exempt"]):
        return
    tags = resource.get("tags")
    own = None if tags.unknown else _keys(tags.value)
    defaults = resource.provider.derived(_default_keys) if resource.provider is not None else frozenset()
    if own is None or defaults is None:
        return
    given = own | defaults
    missing = [key for key in required if key not in given]
    if missing:
        yield _finding(resource, missing, sorted(given), required)


def _keys(value: Any) -> frozenset[str] | None:
    """The tag keys with a non-empty value, from a map or a list of ``{key, value}``; None when unknown."""
    if isinstance(value, Secret):
        value = value.value
    if value is None:
        return frozenset()
    if value is UNKNOWN or contains_unknown(value):
        return None
    if isinstance(value, Mapping):
        return frozenset(k for k, v in value.items() if isinstance(k, str) and _non_empty(v))
    if isinstance(value, list):
        return frozenset(t["key"] for t in value if isinstance(t, Mapping) and isinstance(t.get("key"), str)
                         and _non_empty(t.get("value")))
    return frozenset()


def _non_empty(value: Any) -> bool:
    if isinstance(value, Secret):
        value = value.value
    return value is UNKNOWN or (value is not None and str(value).strip() != "")


def _default_keys(provider: Provider) -> frozenset[str] | None:
    """The keys of the provider's ``default_tags``: an object, or the JSON text provider inputs are
    sent as (for the default provider, the stack config ``aws:defaultTags``)."""
    raw = provider.props.raw("defaultTags")
    value = raw.value if isinstance(raw, Secret) else raw
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return frozenset()
    if value is UNKNOWN:
        return None
    if not isinstance(value, Mapping):
        return frozenset()
    return _keys(value.get("tags"))


def _fix(missing: list[str]) -> str:
    pairs = ", ".join(f"{json.dumps(key)}: {_PLACEHOLDER}" for key in missing)
    return (f"default_tags=aws.ProviderDefaultTagsArgs(tags={{{pairs}}}) on the aws.Provider the stack's "
            f"resources use (or the stack config aws:defaultTags), or tags={{**tags, {pairs}}} on the resource")


def _finding(resource: Resource, missing: list[str], given: list[str], required: list[str]) -> Finding:
    has = f"it has {and_more(given, 5)}" if given else "it has no tags"
    return stated(resource.label,
                  f"its tags, with its provider's default tags, lack {and_more(missing, 5)} ({has}); expected "
                  f"every key the policy requires ({and_more(required, 5)}), each with a value.",
                  _fix(missing), property="tags", found=", ".join(missing), expected=", ".join(required),
                  cause=f"missing:{','.join(missing)}")


def condense(cause: str, held: list[Held], ctx: PolicyContext) -> Finding:
    """One finding for keys that many resources lack: the fix is one place, the provider's default tags."""
    missing = cause.partition(":")[2].split(",")
    names = [label.rsplit(" ", 1)[-1] for _, label, _ in held]
    return stated("", f"{len(held)} resources lack the required tag {'key' if len(missing) == 1 else 'keys'} "
                      f"{and_more(missing, 5)}: {and_more(names, 5)}.",
                  _fix(missing), property="tags", found=str(len(held)), expected=", ".join(missing), cause=cause)


POLICY = ResourcePolicy(
    name="required-tags",
    description="Every resource that takes tags carries the tag keys the organisation requires (opt-in).",
    severity="low",
    enforcement_level=DISABLED,
    remediation_steps=(
        "Set the required keys once in the provider's default tags (default_tags=aws.ProviderDefaultTagsArgs("
        "tags={...}) on aws.Provider, or the stack config aws:defaultTags), so that every resource carries them; "
        "or add them to the resource's tags."),
    tags=("tagging", "cost"),
    options=(
        Option("tags", "array", [], "The tag keys every taggable resource must carry, e.g. [\"CostCenter\", "
               "\"Owner\"] (case-sensitive, as AWS compares them).",
               {"items": {"type": "string", "minLength": 1, "maxLength": 128}}),
        Option("exempt", "array", [], "Glob patterns of logical or physical names of resources that need not "
               "carry them.", {"items": {"type": "string"}}),
    ),
    types=frozenset({ALL_AWS_TYPES}),
    check=check,
    condense=condense,
)
