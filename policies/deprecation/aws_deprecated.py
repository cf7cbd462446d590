"""aws-deprecated: no resource type or argument that the installed pulumi-aws deprecates.

Why: pulumi-aws marks types and arguments it will remove: ``aws.s3.BucketV2`` and the "V2" S3
companions (``BucketVersioningV2``, ``BucketServerSideEncryptionConfigurationV2``, ...) in favour of
their plain-named successors, EC2 instance arguments that force a replacement, and more. Each one
warns on every run and breaks the program on the major version that removes it. The list is the
provider's own: ``tools/aws_catalog.py`` reads the deprecation notes of the installed pulumi_aws into
``policies/_data/aws_deprecations.json`` (a test fails when the file is stale).

Reported: a resource whose type is deprecated, with its successor and the alias that keeps Pulumi
from replacing it; each deprecated argument a resource sets to a known, non-empty value, with the
provider's note. Only for the provider major version the data comes from (the provider resource's
``version``; that version when it is not known). During a preview, a deprecated type used by four
resources or more is reported once, at the stack, with the count, examples and the one fix.

Not reported: the deprecated inline arguments of ``aws.s3.Bucket`` and ``aws.s3.BucketV2``, which
s3-deprecated-inline-arguments reports with the resource that replaces each; arguments whose value
is unknown during a preview or filled in by the provider; resources of another provider major
version, whose deprecations the installed package does not describe.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from .._core import aws_types
from .._core.aws_types import snake
from .._core.policy import ADVISORY, Finding, Held, PolicyContext, ResourcePolicy, stated, violation
from .._core.resource import Resource
from .._core.text import and_more
from ..s3.deprecated_inline_arguments import DEPRECATED as S3_INLINE

_DATA = json.loads((Path(__file__).resolve().parent.parent / "_data" / "aws_deprecations.json")
                   .read_text(encoding="utf-8"))
MAJOR = int(_DATA["pulumi_aws"].split(".", 1)[0])
"""The pulumi-aws major version the deprecations describe."""
TYPES: Mapping[str, Mapping[str, str | None]] = _DATA["types"]
"""Deprecated type token -> its note and successor token."""
INPUTS: Mapping[str, Mapping[str, str]] = {t: p for t, p in _DATA["inputs"].items() if t not in S3_INLINE}
"""Type token -> deprecated input (camelCase) -> the provider's note; the S3 buckets' are another policy's."""


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    major = resource.provider_major() or MAJOR
    if major != MAJOR:
        return
    deprecated = TYPES.get(resource.type)
    if deprecated is not None:
        yield _type_finding(resource, deprecated)
    defaulted = resource.get("__defaults").as_list() or ()
    for name, note in INPUTS.get(resource.type, {}).items():
        prop = resource.get(name)
        if not prop.known or prop.value in (None, "", [], {}) or name in defaulted:
            continue
        yield violation(resource, name, f"set to {prop.display()}",
                        f"not set: {snake(name)} is deprecated in pulumi-aws {MAJOR}", f"remove {snake(name)}=...",
                        note=f"The provider says: {note.rstrip('.')}.")


def _type_finding(resource: Resource, deprecated: Mapping[str, str | None]) -> Finding:
    old = aws_types.python_class(resource.type)
    successor = deprecated.get("replacement")
    if successor is None:
        return stated(resource.label, f"{old} is deprecated in pulumi-aws {MAJOR} ({deprecated['note']}).")
    new = aws_types.python_class(successor)
    return stated(
        resource.label,
        f"{old} is deprecated in pulumi-aws {MAJOR} in favour of {new}.",
        f'{new}("{resource.name}", ..., opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="{resource.type}")])),'
        " so that Pulumi does not replace the resource",
        property="type", found=old, expected=new, cause=f"type:{resource.type}")


def condense(cause: str, held: list[Held], ctx: PolicyContext) -> Finding:
    """One finding for a deprecated type many resources use: the count, examples and the one fix."""
    token = cause.partition(":")[2]
    old, new = held[0][2].found, held[0][2].expected
    names = [label.split(" ", 1)[-1] for _, label, _ in held]
    shown = and_more(names, 5)
    return stated("", f"{len(held)} resources use {old}, deprecated in pulumi-aws {MAJOR} in favour of {new}: "
                      f"{shown}.",
                  f'replace each with {new}(<same name and arguments>, opts=pulumi.ResourceOptions('
                  f'aliases=[pulumi.Alias(type_="{token}")])), so that Pulumi does not replace them',
                  property="type", found=str(len(held)), expected=new, cause=cause)


POLICY = ResourcePolicy(
    name="aws-deprecated",
    description=("Resources use no type or argument that the installed pulumi-aws deprecates (aws.s3.BucketV2 "
                 "and the V2 S3 companions, arguments the provider will remove)."),
    severity="low",
    enforcement_level=ADVISORY,
    remediation_steps=("Replace a deprecated type with its successor and an alias to the old type "
                       "(opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(type_=\"<old type token>\")])); "
                       "remove a deprecated argument as the provider's note says."),
    tags=("deprecation",),
    types=frozenset(TYPES) | frozenset(INPUTS),
    check=check,
    condense=condense,
)
