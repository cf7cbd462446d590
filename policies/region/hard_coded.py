"""hard-coded-region: values that name a region name one the stack deploys to, and zones are the resource's own.

Why: a region written out in a program (``AWS_REGION = "us-west-2"``, an ARN or an endpoint typed
in full, a list of availability zones) holds only while the stack deploys there. Deployed to
another region through its provider or ``aws:region``, the program still points at the old one: a
key policy whose ``kms:ViaService`` names another region's service denies every request, an
association with a web ACL or an API of another region fails with ``WAFNonexistentItemException``
or ``NotFoundException``, a log driver sends to a log group that is not there, and a subnet or an
instance asks for a zone of another region (``Value (eu-south-2a) for parameter availabilityZone is
invalid``).

Reported: a resource whose inputs name a region the stack deploys nothing to, in an ARN
(``arn:aws:<service>:<region>:``), an AWS endpoint or service principal (``logs.<region>.amazonaws.com``),
a container's ``awslogs-region`` or a dashboard widget's ``region``; and a resource whose
availability zone (``availabilityZone``, ``availabilityZones``, ``availabilityZoneName``,
``preferredAvailabilityZones``, at any depth) is not in its own region. The stack deploys to the
regions of its resources (pulumi-aws 7 gives each regional resource its provider's region), of its
providers and of the ``aws:region`` stack config, and to ``allowedRegions``. A region named on four
or more resources is one mistake (a constant of the program) and is reported once, at the stack.

Not reported:

* a region the stack deploys to: a literal that equals the provider's region cannot be told from a
  value the provider or a data source gave (``aws.get_availability_zones()`` answers with the same
  names), so a program that writes out the region it deploys to is not reported;
* anything while a provider's region is unknown or secret, or when no region is known at all;
  values unknown during a preview; values inside secrets;
* what is meant to name another region: inputs whose name says replica, replication, copy, peer,
  primary, global or cross (``replicaKmsKeyId``, ``replicateSourceDb``, ``copyActions``,
  ``peerRegion``, ``globalClusterIdentifier``); ACM certificates, web ACLs and Lambda functions in
  us-east-1 (CloudFront and edge-optimized APIs take only those); CloudFront distributions (global);
  tags and descriptions; the outputs of components (their resources' values are checked there);
* AMI ids: an id from a data source and one written out look alike, and whether an id exists in a
  region takes an AWS call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import NamedTuple

from .._core.policy import ADVISORY, Finding, Option, PolicyContext, StackPolicy, stated
from .._core.regex import LazyPattern
from .._core.resource import Resource
from .._core.stack import StackView
from .._core.text import and_more
from .._core.values import ABSENT, walk
from ..account.scope import REGION_CONFIG, region_of

REGION = (r"(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-"
          r"(?:east|west|north|south|central|northeast|northwest|southeast|southwest)-\d{1,2}")
"""A region code, as AWS names them (``us-east-1``, ``ap-southeast-2``, ``us-gov-west-1``)."""
_NAMED = LazyPattern(
    r"arn:aws[a-z-]*:(?P<service>[a-z0-9-]+):(?P<arn>" + REGION + r"):"
    r"|[.-](?P<host>" + REGION + r")\.amazonaws\.com"
    r"|\"(?:awslogs-region|region)\"\s*:\s*\"(?P<key>" + REGION + r")\"")
"""Where a region in a string is one the value depends on: an ARN's, an endpoint's or service
principal's, a log driver's or a dashboard widget's."""
_ZONE = LazyPattern(r"(" + REGION + r")(?:-[a-z]+-\d+)?[a-z]")
"""An availability zone (``us-east-1a``) or local zone (``us-west-2-lax-1a``) and its region."""
ZONE_KEYS = frozenset({"availabilityZone", "availabilityZones", "availabilityZoneName", "preferredAvailabilityZones"})
_MEANT_ELSEWHERE = LazyPattern(
    r"(?:^|[^a-z])(?:replica|replicas|replicate|replication|primary|global|copy|peer|cross)(?![a-z])")
"""Inputs whose purpose is another region (a replica's, a copy's, a peer's), as words of a camelCase
path: their values are not read."""
_NOT_READ = frozenset({"region", "tags", "tagsAll", "description"})
_GLOBAL_ONLY = ("aws:cloudfront/",)
_US_EAST_1_SERVICES = frozenset({"acm", "wafv2", "lambda"})
"""ARNs that must be in us-east-1 where CloudFront or an edge-optimized API uses them."""
CONDENSE_AFTER = 4
_MAX_SHOWN = 3
_MAX_LISTED = 5


class Named(NamedTuple):
    """A value of a resource that names a region: where, what (shown), which region, and whether it is a zone."""

    path: str
    text: str
    region: str
    zone: bool


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    scanned = _scanned(view)
    regions = _deployed_to(view, ctx, scanned)
    if regions is None:
        return
    allowed = {r.encode() for r in regions | set(ctx.config["allowedRegions"])}
    zoned = len(regions) > 1  # a zone of one of the stack's regions may still be another resource's
    by_region: dict[str, list[tuple[Resource, list[Named]]]] = {}
    for resource, found in scanned:
        if found <= allowed and not (zoned and any(k in resource.props for k in ZONE_KEYS)):
            continue
        own = _own_region(resource, ctx)
        wrong = [n for n in _named(resource) if (n.zone and own is not None and n.region != own)
                 or (not n.zone and n.region.encode() not in allowed)]
        if wrong:
            by_region.setdefault(wrong[0].region, []).append((resource, wrong))
    shown = _shown(regions)
    for region, listed in sorted(by_region.items()):
        if len(listed) >= CONDENSE_AFTER and view.root is not None:
            yield _condensed(view.root, region, listed, shown)
        else:
            yield from (_finding(resource, named, shown, ctx) for resource, named in listed)


@cache
def _in_bag() -> re.Pattern[bytes]:
    """A region anywhere in a serialised property bag: the C-speed search that spares most bags a
    decode (compiled on first use: the pack starts for every preview)."""
    return re.compile(rb"(?<![a-z0-9])(" + REGION.encode() + rb")(?![0-9])")


def _scanned(view: StackView) -> list[tuple[Resource, set[bytes]]]:
    """The AWS resources whose bag names a region anywhere, with the regions it names: one C-speed
    search of each serialised bag, so that the rest of the stack is never decoded."""
    scanned = []
    in_bag = _in_bag()
    for resource in view.resources:
        if not resource.type.startswith("aws:") or resource.type.startswith(_GLOBAL_ONLY):
            continue  # components' outputs are their resources' values, reported there
        found = set(in_bag.findall(resource.props.wire()))
        if found:
            scanned.append((resource, found))
    return scanned


def _own_region(resource: Resource, ctx: PolicyContext) -> str | None:
    """Where the resource deploys; None while unknown or when nothing names a region."""
    own = region_of(resource, ctx.stack)
    return own[0] if own is not None and own[0] else None


def _deployed_to(view: StackView, ctx: PolicyContext, scanned: list[tuple[Resource, set[bytes]]]) -> set[str] | None:
    """The regions the stack deploys to; None while a provider's region is unknown or none is known."""
    regions: set[str] = set()
    configured = ctx.stack.config_text(REGION_CONFIG)
    if configured:
        regions.add(configured)
    seen: set[int] = set()
    for resource in view.resources:
        provider = resource.provider
        if provider is not None and id(provider) not in seen:
            seen.add(id(provider))
            region = provider.props.raw("region")
            if region is not ABSENT:
                if not isinstance(region, str):
                    return None
                regions.add(region)
        if resource.type.startswith("pulumi:providers:aws") and "region" in resource.props:
            region = resource.props.raw("region")
            if not isinstance(region, str):
                return None
            regions.add(region)
    # Each regional resource's own region (its provider's, or one it sets): read only where a bag
    # names a region not among those yet, which is where it can differ.
    known = {r.encode() for r in regions}
    for resource, found in scanned:
        if not found <= known and "region" in resource.props:
            own = resource.props.raw("region")
            if isinstance(own, str):
                regions.add(own)
                known.add(own.encode())
    return regions or None


def _named(resource: Resource) -> Iterator[Named]:
    for key in resource.props.keys():
        if key in _NOT_READ or _meant_elsewhere(key):
            continue
        value = resource.props.raw(key)
        for node in walk(value, key, paths=True):
            if node.secret_at is not None or node.deep or not isinstance(node.value, str):
                continue
            if _meant_elsewhere(node.path):
                continue
            yield from _in_string(node.value, node.path)


def _meant_elsewhere(path: str) -> bool:
    """Whether a word of the path (``replicaKmsKeyId``: replica, kms, key, id) says another region."""
    return _MEANT_ELSEWHERE.search(_WORD_START.sub(r" \1", path).lower()) is not None


_WORD_START = LazyPattern(r"([A-Z])")
_INDEX = LazyPattern(r"\[\d+\]$")


def _in_string(text: str, path: str) -> Iterator[Named]:
    leaf = _INDEX.sub("", path).rsplit(".", 1)[-1]
    if leaf in ZONE_KEYS:
        zone = _ZONE.fullmatch(text)
        if zone is not None:
            yield Named(path, text, zone.group(1), True)
        return
    if len(text) > 100_000:
        return
    for match in _NAMED.finditer(text):
        region = match.group("arn") or match.group("host") or match.group("key")
        if match.group("arn") and region == "us-east-1" and match.group("service") in _US_EAST_1_SERVICES:
            continue
        yield Named(path, _excerpt(text, match.start(), match.end()), region, False)


def _excerpt(text: str, start: int, end: int) -> str:
    """The ARN or host around a match (the match itself for a key), at most 120 characters."""
    if text[start] == '"':
        return text[start:end]
    left = max(text.rfind(c, 0, start) for c in _BOUNDS) + 1
    right = min((i for i in (text.find(c, end) for c in _BOUNDS) if i >= 0), default=len(text))
    piece = text[left:right]
    return piece if len(piece) <= 120 else piece[:117] + "..."


_BOUNDS = " \"',[]{}()"


def _shown(regions: Iterable[str]) -> str:
    listed = sorted(regions)
    return f"'{listed[0]}' only" if len(listed) == 1 else " and ".join(f"'{r}'" for r in listed)


ZONE_FIX = ("azs = aws.get_availability_zones(state=\"available\") in the resource's region (with its provider), "
            "then availability_zone=azs.names[0] (azs.names[i] for the i-th of several)")
REGION_FIX = ("take the region from the provider instead of writing it out: region = aws.get_region().region "
              "(with the resource's provider, if it has one), e.g. f\"logs.{region}.amazonaws.com\"; for an ARN, "
              "use the .arn output of the resource it names")


def _finding(resource: Resource, named: list[Named], shown: str, ctx: PolicyContext) -> Finding:
    own = _own_region(resource, ctx)
    where = f"'{own}'"
    zones = [n for n in named if n.zone]
    others = [n for n in named if not n.zone]
    parts = []
    if zones:
        listed = and_more([f"{n.path} '{n.text}' (a zone of {n.region})" for n in zones], _MAX_SHOWN)
        parts.append(f"{listed}, but it deploys to region {where}; expected zones of {where}: AWS accepts only its "
                     f"own region's (\"Value ({zones[0].text}) for parameter availabilityZone is invalid\")")
    if others:
        listed = and_more([f"{n.path} names region '{n.region}' ('{n.text}')" for n in others], _MAX_SHOWN)
        regional = own is not None and "region" in resource.props  # pulumi-aws 7 gives global types (IAM) none
        expected = f"the region the resource deploys to ({where})" if regional else "a region the stack deploys to"
        parts.append(f"{listed}, where the stack deploys to {shown}; expected {expected}, from its provider: a value "
                     f"written for another region points at endpoints and resources that are not where the stack is")
    fix = "; ".join(([ZONE_FIX] if zones else []) + ([REGION_FIX] if others else []))
    return stated(resource.label, "; and ".join(parts) + ".", fix, urn=resource.urn, property=named[0].path)


def _condensed(root: Resource, region: str, found: list[tuple[Resource, list[Named]]], shown: str) -> Finding:
    listed = and_more([f"{r.label} ({n[0].path})" for r, n in found], _MAX_LISTED)
    zones = all(n.zone for _, named in found for n in named)
    what = f"zones of region '{region}'" if zones else f"region '{region}'"
    return stated(
        root.label,
        f"{len(found)} resources name {what}, where the stack deploys to {shown}: {listed}. One value of the "
        f"program (a region or zone list written out) is behind them; expected the stack's region, from the "
        f"provider, so that the program deploys to any region.",
        ZONE_FIX if zones else REGION_FIX, urn=root.urn)


POLICY = StackPolicy(
    name="hard-coded-region",
    description=("Values that name a region (ARNs, endpoints, log drivers) name one the stack deploys to, and "
                 "availability zones are in their resource's region."),
    severity="medium",
    enforcement_level=ADVISORY,
    remediation_steps=(
        "Read the region from the provider (aws.get_region().region, with the resource's provider) or build "
        "ARNs from the .arn outputs of the resources they name; look zones up with "
        "aws.get_availability_zones(state=\"available\"). List a region the stack refers to on purpose in "
        "allowedRegions."),
    tags=("portability", "reliability", "region"),
    options=(
        Option("allowedRegions", "array", [],
               "Regions values may name besides those the stack deploys to (a central logging or backup region).",
               {"items": {"type": "string", "pattern": "^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$"}}),
    ),
    check=check,
)
