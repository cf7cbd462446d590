"""environment-suffix-naming: every AWS resource's names carry the environment suffix.

Why: the same program is deployed once per environment (dev, pr123, prod...) into one account.
A fixed physical name (``name="transactions"``) collides with the other environments' copy,
and the second deployment fails with "already exists".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .._core import aws_types
from .._core.context import Suffix
from .._core.policy import (
    ALL_AWS_TYPES,
    MANDATORY,
    Finding,
    Option,
    PolicyContext,
    ResourcePolicy,
)
from .._core.resource import Resource

DEFAULT_EXEMPT_TYPES = [
    # Names scoped to a parent that already carries the suffix, or fixed by AWS conventions.
    "aws:lambda/alias:Alias",
    "aws:lambda/permission:Permission",
    "aws:apigateway/stage:Stage",
    "aws:apigatewayv2/stage:Stage",
    "aws:route53/record:Record",
]


@lru_cache(maxsize=256)
def _pattern(suffix: str, position: str) -> re.Pattern[str]:
    token = re.escape(suffix)
    before, after = r"(?<![a-z0-9])", r"(?![a-z0-9])"
    if position == "end":
        return re.compile(f"{before}{token}[^a-z0-9]*$", re.I)
    if position == "start":
        return re.compile(f"^[^a-z0-9]*{token}{after}", re.I)
    return re.compile(f"{before}{token}{after}", re.I)


def carries(name: str, suffix: str, position: str) -> bool:
    """True when ``name`` holds ``suffix`` as a separate token (case-insensitive) where required."""
    return _pattern(suffix, position).search(name) is not None


def _with_suffix(name: str, position: str) -> str:
    base = name.rstrip("-_./")
    if position == "start":
        return "{environment_suffix}-" + base
    return base + "-{environment_suffix}"


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    cfg = ctx.config
    if resource.type in cfg["exemptTypes"]:
        return
    suffix = ctx.suffix
    if suffix is None:
        return
    position = cfg["position"]
    physical_set = False
    for prop_name in aws_types.physical_names(resource.type):
        prop = resource.get(prop_name)
        if prop.unknown:
            physical_set = True
            continue
        value = prop.str()
        if value is None:
            continue
        physical_set = True
        if not carries(value, suffix.value, position):
            shown = "[secret]" if prop.secret else value
            yield Finding(
                f"{resource.label}: {prop_name} is {prop.display()}; expected it to carry the "
                f"environment suffix {suffix}{_where(position)}.\n"
                f"Fix: {aws_types.snake(prop_name)}=f\"{_with_suffix(shown, position)}\"",
                property=prop_name)
    if physical_set and not cfg["checkLogicalNames"]:
        return
    if not carries(resource.name, suffix.value, position):
        yield _logical_finding(resource, suffix, position, autonamed=not physical_set)


def _logical_finding(resource: Resource, suffix: Suffix, position: str, autonamed: bool) -> Finding:
    why = (" It sets no physical name, so Pulumi derives one from the logical name."
           if autonamed and aws_types.physical_names(resource.type) else "")
    fix = f"{aws_types.python_class(resource.type)}(f\"{_with_suffix(resource.name, position)}\", ...)"
    return Finding(
        f"{resource.label}: the logical name '{resource.name}' does not carry the environment "
        f"suffix {suffix}{_where(position)}.{why}\nFix: {fix}")


def _where(position: str) -> str:
    return {"end": " at its end", "start": " at its start"}.get(position, " as a separate word")


POLICY = ResourcePolicy(
    name="environment-suffix-naming",
    description=("AWS resource names carry the environment suffix, so that one program can be "
                 "deployed side by side for several environments without name collisions."),
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Pass the environment suffix into your component (TapStackArgs(environment_suffix=...)) and "
        "build every physical name and logical name from it, e.g. "
        "aws.dynamodb.Table(f\"transactions-{environment_suffix}\", name=f\"transactions-{environment_suffix}\"). "
        "Leaving the physical name unset is fine: Pulumi derives it from the logical name."),
    tags=("naming", "multi-environment"),
    types=frozenset({ALL_AWS_TYPES}),
    options=(
        Option("environmentSuffix", "string", "",
               "The suffix to require. Empty: the stack config key environmentSuffix (any namespace), "
               "then the ENVIRONMENT_SUFFIX environment variable, then the stack name."),
        Option("position", "string", "anywhere",
               "Where the suffix must stand in a name: anywhere (as a separate word), end or start.",
               {"enum": ["anywhere", "end", "start"]}),
        Option("checkLogicalNames", "boolean", True,
               "Also require the suffix in logical names when a physical name is set. Logical names "
               "are always checked when no physical name is set, since autonaming derives from them."),
        Option("exemptTypes", "array", DEFAULT_EXEMPT_TYPES,
               "Type tokens not checked, e.g. names scoped to a parent that carries the suffix.",
               {"items": {"type": "string"}}),
    ),
    check=check,
)
