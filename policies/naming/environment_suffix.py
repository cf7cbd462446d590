"""environment-suffix-naming: explicit AWS names that must be unique carry the environment suffix.

Why: the same program is deployed once per environment (dev, pr123, prod...) into one account.
A fixed physical name (``name="transactions"``) collides with the other environments' copy, and the
second deployment fails because the name is taken (``EntityAlreadyExists`` for an IAM role,
``ResourceInUseException`` for a DynamoDB table), or, for idempotent APIs such as SNS, silently
shares one topic between environments.

Reported: a known physical-name property (``name``, ``bucket``, ``identifier``..., as the installed
pulumi-aws lists them per type) of a type whose names AWS requires to be unique in the account or
region, that does not hold the suffix as a separate word (case-insensitive; at its end or start when
``position`` says so). The suffix is the policy's ``environmentSuffix``, else a stack config key
``environmentSuffix`` in any namespace, else ``ENVIRONMENT_SUFFIX``, else the stack name, and the
message says which. A secret name is checked too, and shown as ``[secret]``. With
``checkLogicalNames`` on, the logical name of a resource that sets no physical name is reported when
it lacks the suffix.

One mistake, one finding: names built from a fixed word ('prod', 'pr1234'), from template text Python
never filled in ('${ENVIRONMENT_SUFFIX}'), or without any suffix share a cause; during a preview a
cause on four or more resources is reported once, at the stack, with the one fix in the entry point.

Not reported:

* names Pulumi generated (see ``names.py``): ``<logical name>-<7 hex>``, or what the stack's
  ``pulumi:autonaming`` pattern makes when it has a random part or the stack name (a ``verbatim`` or
  ``disabled`` mode, or a pattern without either, makes names that can collide, and those are checked);
* names with a part drawn at random, such as ``RandomId.hex`` or ``RandomString.result`` give it
  (``orders-3fa9c1d2``: see ``names.random_word``): each stack draws its own (a hash of a fixed text
  looks the same, and is missed);
* prefix properties (``namePrefix``, ``bucketPrefix``): the provider completes them with a unique part;
* names unique only within a parent (a model in its REST API, an inline policy in its role, a
  security group in its VPC) and names AWS does not require to be unique (REST APIs, user pools);
* names that are unknown during a preview;
* ``exemptNames`` (by default the role names AWS DMS requires verbatim) and ``exemptTypes``;
* the logical name, unless ``checkLogicalNames`` is on: it is scoped to the stack and never collides
  in AWS;
* anything at all when no suffix can be resolved (no config, no variable, no stack name).
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
    Held,
    Option,
    PolicyContext,
    ResourcePolicy,
    stated,
    violation,
)
from .._core.resource import Resource
from .._core.text import and_more
from . import names

DEFAULT_EXEMPT_TYPES: list[str] = []


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


def _with_suffix(name: str, position: str, drop: str | None = None) -> str:
    base = _without(name, drop) if drop else name
    base = base.rstrip("-_./")
    if position == "start":
        return "{environment_suffix}-" + base
    return base + "-{environment_suffix}"


def _without(name: str, word: str) -> str:
    """``name`` without ``word`` and one separator next to it (``prod-api`` -> ``api``)."""
    match = re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", name, re.I)
    if match is None:
        return name
    start, end = match.span()
    if start > 0 and name[start - 1] in "-_.":
        start -= 1
    elif end < len(name) and name[end] in "-_.":
        end += 1
    return name[:start] + name[end:] or name


def _cause(value: str, suffix: Suffix) -> tuple[str, str | None]:
    """The cause key of a name without the suffix, and the foreign text it carries instead."""
    text = names.placeholder(value)
    if text:
        return f"placeholder:{text}", text
    token = names.environment_token(value, suffix.value)
    if token:
        return f"token:{token}", token
    return "missing", None


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    cfg = ctx.config
    if resource.type in cfg["exemptTypes"] or not names.can_collide(resource.type):
        return
    suffix = ctx.suffix
    if suffix is None:
        return
    position = cfg["position"]
    autonaming = ctx.derived(names.autonaming)
    explicit = False
    for prop_name in aws_types.physical_names(resource.type):
        prop = resource.get(prop_name)
        if prop.unknown:
            explicit = True
            continue
        value = prop.as_str()
        if value is None or prop_name.endswith("Prefix"):
            explicit = explicit or value is not None
            continue
        if not prop.secret and autonaming.generated(value, resource.name, ctx.stack.stack):
            continue
        explicit = True
        if value in cfg["exemptNames"] or carries(value, suffix.value, position) or names.random_word(value):
            continue
        cause, foreign = _cause(value, suffix)
        shown = "[secret]" if prop.secret else value
        yield violation(
            resource, prop_name, "[secret]" if prop.secret else f"'{value}'",
            f"the environment suffix {suffix}{_where(position)}",
            f'{aws_types.snake(prop_name)}=f"{_with_suffix(shown, position, foreign)}"',
            cause=cause, note="AWS requires this name to be unique, so each environment needs its own.")
    if cfg["checkLogicalNames"] and not explicit and aws_types.physical_names(resource.type):
        if not carries(resource.name, suffix.value, position):
            yield _logical_finding(resource, suffix, position)


def _logical_finding(resource: Resource, suffix: Suffix, position: str) -> Finding:
    cause, foreign = _cause(resource.name, suffix)
    fix = f"{aws_types.python_class(resource.type)}(f\"{_with_suffix(resource.name, position, foreign)}\", ...)"
    return violation(resource, "the logical name", f"'{resource.name}'",
                     f"the environment suffix {suffix}{_where(position)}", fix, cause=cause,
                     note="(checkLogicalNames is on.)")


def _where(position: str) -> str:
    return {"end": " at its end", "start": " at its start"}.get(position, " as a separate word")


def condense(cause: str, held: list[Held], ctx: PolicyContext) -> Finding:
    """One finding for a cause repeated across resources: the count, examples, and the one fix."""
    suffix = ctx.suffix
    shown = and_more([f"{label} ({f.property} {f.found})" for _, label, f in held], 5)
    kind, _, text = cause.partition(":")
    weakest = suffix is not None and suffix.source == "the stack name"
    if kind == "placeholder":
        what = (f"{len(held)} names hold the text '{text}', which nothing filled in: Python expands only "
                f"f-strings, and Pulumi does not expand it in Pulumi.yaml config defaults or stack config")
        fix = ("if Pulumi.yaml declares it as a config default (default: " + text + "), remove that default; "
               + _entry_point_fix() + "; and build each name with an f-string, e.g. "
               + _example_fix(held[0][2], text))
    elif kind == "token":
        what = (f"{len(held)} names carry '{text}' instead of the environment suffix {suffix}: they are "
                f"built from a fixed value or from a setting this deployment does not set, so every environment "
                f"that way deploys the same names")
        if weakest:
            what += (f". Neither ENVIRONMENT_SUFFIX nor a stack config environmentSuffix is set here, so a program "
                     f"that falls back to a fixed '{text}' when they are unset deploys that environment's names "
                     f"from any stack that forgets them")
        fix = _entry_point_fix() + "; then build each name from it, e.g. " + _example_fix(held[0][2], text)
    else:
        what = (f"{len(held)} explicit names do not carry the environment suffix {suffix}, so every "
                f"environment deploys the same names")
        fix = _entry_point_fix() + ' and build each name as f"<name>-{environment_suffix}" (or leave it unset)'
    return stated("", f"{what}: {shown}.", fix, found=str(len(held)),
                  expected=f"the environment suffix {suffix}", cause=cause)


def _example_fix(finding: Finding, foreign: str) -> str:
    if finding.found == "[secret]":
        return finding.fix
    return f'{finding.fix.split("=", 1)[0]}=f"{_with_suffix(finding.found.strip(chr(39)), "anywhere", foreign)}"'


def _entry_point_fix() -> str:
    return ("where the program reads its settings (the entry point, tap.py or __main__.py, or its config "
            "module), read the suffix the pipeline sets, falling back to the stack's own name (never to a "
            "fixed word another environment uses), and pass it down: environment_suffix = "
            "pulumi.Config().get(\"environmentSuffix\") or os.environ.get(\"ENVIRONMENT_SUFFIX\") or "
            "pulumi.get_stack(); TapStack(\"TapStack\", TapStackArgs(environment_suffix=environment_suffix))")


POLICY = ResourcePolicy(
    name="environment-suffix-naming",
    description=("Explicit AWS names that must be unique carry the environment suffix, so that one "
                 "program can be deployed side by side for several environments without name collisions."),
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Pass the environment suffix into your component (TapStackArgs(environment_suffix=...)) and "
        "build every explicit physical name from it, e.g. "
        "aws.dynamodb.Table(\"transactions\", name=f\"transactions-{environment_suffix}\"). "
        "Leaving the physical name unset is fine: Pulumi generates a unique one."),
    tags=("naming", "multi-environment"),
    types=frozenset({ALL_AWS_TYPES}),
    options=(
        Option("environmentSuffix", "string", "",
               "The suffix to require. Empty: the stack config key environmentSuffix (any namespace), "
               "then the ENVIRONMENT_SUFFIX environment variable, then the stack name."),
        Option("position", "string", "anywhere",
               "Where the suffix must stand in a name: anywhere (as a separate word), end or start.",
               {"enum": ["anywhere", "end", "start"]}),
        Option("checkLogicalNames", "boolean", False,
               "Also require the suffix in the logical name of resources that set no physical name. "
               "Off by default: logical names are scoped to the stack and never collide in AWS."),
        Option("exemptTypes", "array", DEFAULT_EXEMPT_TYPES,
               "Type tokens not checked.", {"items": {"type": "string"}}),
        Option("exemptNames", "array", names.AWS_FIXED_NAMES,
               "Physical names AWS requires verbatim (not checked).", {"items": {"type": "string"}}),
    ),
    check=check,
    condense=condense,
)
