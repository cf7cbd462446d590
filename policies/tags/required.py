"""required-tags: every resource that takes tags carries the tag keys the organisation requires.

Why: cost allocation, ownership and clean-up tooling find resources by their tags (``CostCenter``,
``Owner``, ``Environment``...). A resource without them is paid for by nobody in the cost report,
and a clean-up job that deletes what no team owns may delete it, or never find it. Which keys are
required is the organisation's rule, so the policy is off until a team turns it on with its keys:
``{"required-tags": {"enforcementLevel": "mandatory", "tags": ["CostCenter", "Owner"]}}``.

Reported: once enabled, a resource of a type that takes AWS tags (a ``tags`` map merged with the
provider's default tags, from the installed pulumi_aws; and ``aws.autoscaling.Group``'s list of
``{key, value}`` tags, which takes no default tags) whose own tags and its provider's
``default_tags`` together lack one of the ``tags`` keys, or give it an empty value (AWS accepts
one; a cost report learns nothing from it). Keys are compared as AWS does, case and all. A key the
provider's ``ignore_tags`` leaves to others counts as present; an object's
``override_provider.default_tags`` replaces the provider's. The finding names the keys missing
(never a value); the fix sets them where every resource gets them: the stack config
``aws:defaultTags`` for the default provider, ``default_tags`` for an explicit one. Four resources
or more that lack keys are reported once, at the stack, during a preview, with how many lack each.

Not reported: a resource whose ``tags`` are unknown during a preview, or whose provider's default
tags are (not applicable, with the reason); a resource without a provider in view; types whose
``tags`` are not AWS tags (``aws.inspector.ResourceGroup`` selects resources by them); resources
that match ``exempt``. Default tags that the provider reads from ``TF_AWS_DEFAULT_TAGS_*``
environment variables are not in view: ``exempt`` them, or set them in the stack config.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from .._core import aws_types
from .._core.policy import (
    ALL_AWS_TYPES,
    DISABLED,
    Finding,
    Held,
    NotApplicable,
    Option,
    PolicyContext,
    ResourcePolicy,
    stated,
)
from .._core.resource import Provider, Resource
from .._core.text import and_more
from .._core.values import UNKNOWN, Secret, contains_unknown

CAUSE = "required-tags:missing"
"""One cause for every resource: whichever keys each lacks, the fix is the provider's default tags."""
GROUP = "aws:autoscaling/group:Group"
"""Tags as a list of ``{key, value, propagateAtLaunch}``, and no provider default tags (no ``tagsAll``)."""


class Defaults(NamedTuple):
    """What a provider adds to every resource's tags, and the keys it leaves to others (``ignore_tags``)."""

    keys: frozenset[str]
    ignored: frozenset[str] = frozenset()
    ignored_prefixes: tuple[str, ...] = ()

    def covers(self, key: str) -> bool:
        return key in self.keys or key in self.ignored or key.startswith(self.ignored_prefixes)


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    required = ctx.derived(_required)
    group = resource.type == GROUP
    if not required or not (group or aws_types.taggable(resource.type)) or resource.provider is None \
            or resource.name_matches(ctx.config["exempt"]):
        return
    tags = resource.get("tags")
    own = None if tags.unknown else _keys(tags.value)
    if own is None:
        return
    defaults = Defaults(frozenset()) if group else resource.provider.derived(_defaults)
    override = resource.get("overrideProvider", "defaultTags")
    if not group and not override.absent:
        overridden = _default_tags(override.value if override.known else UNKNOWN)
        defaults = None if overridden is None else (defaults or Defaults(frozenset()))._replace(keys=overridden)
    if defaults is None:
        raise NotApplicable("the provider's default tags are unknown until they are applied")
    missing = [key for key in required if key not in own and not defaults.covers(key)]
    if missing:
        yield _finding(resource, missing, required)


def _required(ctx: PolicyContext) -> list[str]:
    return list(dict.fromkeys(ctx.config["tags"]))


def _keys(value: Any) -> frozenset[str] | None:
    """The tag keys with a non-empty value, from a map or a list of ``{key, value}``; None when unknown."""
    value = _plain(value)
    if value is None:
        return frozenset()
    if value is UNKNOWN or contains_unknown(value):
        return None
    if isinstance(value, Mapping):
        return frozenset(k for k, v in ((_plain(k), v) for k, v in value.items())
                         if isinstance(k, str) and _non_empty(v))
    if isinstance(value, list):
        tags = [_plain(t) for t in value]
        return frozenset(key for key, tag in ((_plain(t.get("key")), t) for t in tags if isinstance(t, Mapping))
                         if isinstance(key, str) and _non_empty(tag.get("value")))
    return frozenset()


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Secret) else value


def _non_empty(value: Any) -> bool:
    """A value that tells something: not missing, empty or only spaces (AWS accepts an empty value,
    which tells a cost report nothing)."""
    value = _plain(value)
    return value is UNKNOWN or (value is not None and str(value).strip() != "")


def _default_tags(value: Any) -> frozenset[str] | None:
    """The keys of a ``default_tags`` block (``{"tags": {...}}``): an object, or the JSON text provider
    inputs are sent as (for the default provider, the stack config ``aws:defaultTags``)."""
    value = _decoded(value)
    if value is UNKNOWN:
        return None
    return _keys(value.get("tags")) if isinstance(value, Mapping) else frozenset()


def _decoded(value: Any) -> Any:
    """A provider input as sent: nested inputs arrive as JSON text (None when it does not parse)."""
    value = _plain(value)
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return None


def _defaults(provider: Provider) -> Defaults | None:
    keys = _default_tags(provider.props.raw("defaultTags"))
    if keys is None:
        return None
    ignore = _decoded(provider.props.raw("ignoreTags"))
    if not isinstance(ignore, Mapping):
        return Defaults(keys)
    return Defaults(keys, frozenset(_strings(ignore.get("keys"))), tuple(_strings(ignore.get("keyPrefixes"))))


def _strings(value: Any) -> list[str]:
    value = _plain(value)
    return [s for s in (_plain(v) for v in value) if isinstance(s, str) and s] if isinstance(value, list) else []


def _fix(resource: Resource | None, missing: list[str]) -> str:
    pairs = ", ".join(f"{json.dumps(key)}: \"<value>\"" for key in missing)
    if resource is not None and resource.type == GROUP:
        tags = ", ".join(f"aws.autoscaling.GroupTagArgs(key={json.dumps(key)}, value=\"<value>\", "
                         f"propagate_at_launch=True)" for key in missing)
        return f"tags=[..., {tags}] (an Auto Scaling group does not take the provider's default tags)"
    provider = resource.provider if resource is not None else None
    if provider is not None and not provider.is_default:
        where = (f"default_tags=aws.ProviderDefaultTagsArgs(tags={{..., {pairs}}}) on the aws.Provider "
                 f"'{provider.name}'")
    else:
        first = missing[0]
        where = (f"pulumi config set --path 'aws:defaultTags.tags.{first}' <value>"
                 + (" (and each other key)" if len(missing) > 1 else "")
                 + f", or default_tags=aws.ProviderDefaultTagsArgs(tags={{{pairs}}}) on an explicit aws.Provider")
    return f"{where}, so that every resource carries them; or tags={{..., {pairs}}} on the resource"


def _finding(resource: Resource, missing: list[str], required: list[str]) -> Finding:
    return stated(resource.label,
                  f"its tags, with its provider's default tags, lack {and_more(missing, 5)}; expected every key "
                  f"the policy requires ({and_more(required, 5)}), each with a value.",
                  _fix(resource, missing), property="tags", found=", ".join(missing), expected=", ".join(required),
                  cause=CAUSE)


def condense(cause: str, held: list[Held], ctx: PolicyContext) -> Finding:
    """One finding for the stack's missing tags: the fix is one place, the provider's default tags."""
    counts: dict[str, int] = {}
    for _, _, finding in held:
        for key in finding.found.split(", "):
            counts[key] = counts.get(key, 0) + 1
    missing = [key for key in ctx.config["tags"] if key in counts] or list(counts)
    lacking = and_more([f"{key} ({counts[key]})" for key in missing], 5)
    names = [label.split(" ", 1)[-1] for _, label, _ in held]
    return stated("", f"{len(held)} resources lack required tag keys, {lacking}: {and_more(names, 5)}.",
                  _fix(None, missing), property="tags", found=str(len(held)), expected=", ".join(missing),
                  cause=cause)


POLICY = ResourcePolicy(
    name="required-tags",
    description="Every resource that takes tags carries the tag keys the organisation requires (opt-in).",
    severity="low",
    enforcement_level=DISABLED,
    remediation_steps=(
        "Set the required keys once in the provider's default tags (the stack config aws:defaultTags, or "
        "default_tags=aws.ProviderDefaultTagsArgs(tags={...}) on an explicit aws.Provider), so that every resource "
        "carries them; or add them to the resource's tags."),
    tags=("tagging", "cost"),
    options=(
        Option("tags", "array", [], "The tag keys every taggable resource must carry, e.g. [\"CostCenter\", "
               "\"Owner\"] (case-sensitive, as AWS compares them).",
               {"items": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[^,]+$"}}),
        Option("exempt", "array", [], "Glob patterns of logical or physical names of resources that need not "
               "carry them.", {"items": {"type": "string"}}),
    ),
    types=frozenset({ALL_AWS_TYPES}),
    check=check,
    condense=condense,
)
