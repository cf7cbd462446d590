"""hard-coded-region: references that must be in the resource's region are, and zones are the resource's own.

Why: a region written out in a program (``AWS_REGION = "us-west-2"``, an ARN or an endpoint typed
in full, a list of availability zones) holds only while the stack deploys there. Deployed to
another region through its provider or ``aws:region``, the program still points at the old one: a
key policy whose ``kms:ViaService`` names another region's service denies every request, a Lambda
permission or a web ACL association names an API that is not there, a log driver sends to a region
the stack has no log group in, and a subnet asks for another region's zone (``Value (eu-south-2a)
for parameter availabilityZone is invalid``).

Reported: a value that names a region the stack deploys nothing to (the regions of its resources,
which pulumi-aws 7 fills from their providers, of its providers and of ``aws:region``, and
``allowedRegions``), where the value cannot rightly be in another region:

* an ARN that names one of the stack's own resources (its id or name, in an update), in a policy
  document, a permission's ``sourceArn``, an event target's ``arn``, a subscription's ``endpoint``,
  a state machine's ``definition`` or one of the inputs below;
* an ARN AWS takes only in the resource's own region: a KMS key for encryption (``kmsKeyId``,
  ``kmsKeyArn``, ``kmsMasterKeyId``), an alarm's SNS actions, a web ACL association's ARNs, a
  listener's certificate, a function's layers, an event source mapping's source, an API Gateway
  integration's or authorizer's ``lambda:path`` URI;
* in a KMS key's policy, a service principal or ``kms:ViaService`` endpoint (a key serves its own
  region's services); a VPC endpoint's ``com.amazonaws.<region>.<service>``; a Lambda image in
  another region's ECR; a container's ``awslogs-region``; a dashboard widget's ``region``;

and an availability zone (``availabilityZone``, ``availabilityZones``, ``availabilityZoneName``,
``preferredAvailabilityZones``, ``preferredCacheClusterAzs``, at any depth) outside the resource's own
region, whatever ``allowedRegions`` says. A region named on two resources or more is one mistake (a
constant of the program) and is reported once, at the stack.

Not reported:

* a region the stack deploys to: a literal that equals the provider's region cannot be told from a
  value the provider or a data source gave (``aws.get_availability_zones()`` answers with the same
  names);
* references to what the stack does not create, which may live in any region (a central event bus,
  a topic another team owns, a cross-region subscription, a central ECR registry for ECS); an IAM
  statement's ``Condition`` (``aws:SourceArn`` admits a caller, and points nowhere) and
  ``Principal``, except in a KMS key's policy;
* inputs meant for another region: under a word replica, replication, copy, peer, primary, global
  or cross in the property's path (``replicaKmsKeyId``, ``copyActions``), and types whose job is
  another region (``aws.kms.ReplicaKey``, ``aws.rds.InstanceAutomatedBackupsReplication``,
  ``aws.rds.GlobalCluster``); tags and descriptions at any depth; CloudFront,
  Route 53 (but its resolver), Global Accelerator and Shield, which are global; the outputs of
  components (their resources' values are checked there);
* region names (as opposed to zones) while a provider's region is unknown, and anything on a
  resource whose own region is unknown or secret; values unknown during a preview; values inside
  secrets; strings over 200,000 characters;
* AMI ids: an id from a data source and one written out look alike, and whether an id exists in a
  region takes an AWS call;
* other inputs: the policy reads only those above (which inputs each type has comes from the
  installed pulumi_aws), so that a stack costs a look at a few inputs of some resources; a region in
  an environment variable or other free text may be meant.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from .._core.aws_types import physical_names, region_inputs
from .._core.policy import ADVISORY, Finding, Option, PolicyContext, StackPolicy, stated
from .._core.regex import LazyPattern
from .._core.resource import Resource
from .._core.stack import StackView
from .._core.text import and_more
from .._core.values import ABSENT, Secret
from ..account.scope import REGION_CONFIG, region_of

REGION = (r"(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso[a-z]?)?-"
          r"(?:east|west|north|south|central|northeast|northwest|southeast|southwest)-\d{1,2}")
"""A region code, as AWS names them (``us-east-1``, ``ap-southeast-2``, ``us-gov-west-1``)."""
_NAMED = LazyPattern(
    r"arn:aws[a-z-]*:(?P<service>[a-z0-9-]+):(?P<arn>" + REGION + r"):(?P<rest>(?:(?!arn:)[^\s\"',\]\}\)])*)"
    r"|\.dkr\.ecr\.(?P<ecr>" + REGION + r")\.amazonaws\.com"
    r"|com\.amazonaws\.(?P<endpoint>" + REGION + r")\.[a-z0-9-]+"
    r"|(?<![a-z0-9])[a-z0-9-]+\.(?P<host>" + REGION + r")\.(?:[a-z0-9-]+\.)*(?:amazonaws\.com|on\.aws)"
    r"|\"(?P<key_name>awslogs-region|region)\"\s*:\s*\"(?P<key>" + REGION + r")\"")
"""Where a string names a region: an ARN (up to the next ARN inside it), an ECR image, a VPC endpoint
service, an AWS host (``logs.us-west-2.amazonaws.com``, ``x.execute-api.us-west-2.amazonaws.com``),
a log driver's or dashboard widget's region. Each piece is a bounded class: matching is linear."""
_ZONE = LazyPattern(r"(" + REGION + r")(?:[a-z]|(?:-[a-z0-9]+)+)")
"""An availability zone (``us-east-1a``), local zone (``us-west-2-lax-1a``) or Wavelength zone, and its region."""
ZONE_KEYS = frozenset({"availabilityZone", "availabilityZones", "availabilityZoneName", "preferredAvailabilityZones",
                       "preferredCacheClusterAzs"})
_DIRECTIONS = ("-east-", "-west-", "-north", "-south", "-central-")
"""What every region's code holds (``us-east-1``, ``ap-northeast-2``, ``eu-central-1``)."""
_MEANT_ELSEWHERE = LazyPattern(
    r"(?:^|[^a-z])(?:replica|replicas|replicate|replication|primary|global|copy|peer|cross)(?![a-z])")
"""Words of a camelCase path or type (``replicaKmsKeyId``, ``snapshotCopy``) whose purpose is another region."""
_CROSS_REGION_TYPE = LazyPattern(r"^(?:Replica|Global)[A-Z]|(?:Replication|ReplicationConfig|ReplicationConfiguration|"
                                 r"Copy|Replica)$")
"""Types whose job is another region (``ReplicaKey``, ``SnapshotCopy``, ``BucketReplicationConfig``,
``InstanceAutomatedBackupsReplication``, ``GlobalCluster``); an ElastiCache ``ReplicationGroup`` is not."""
_WORD_START = LazyPattern(r"([A-Z])")
_NOT_READ = frozenset({"region", "tags", "tagsAll", "description", "tagSpecifications"})
_GLOBAL_TYPES = ("aws:cloudfront/", "aws:globalaccelerator/", "aws:shield/", "aws:route53/")
_REGIONAL_ROUTE53 = "aws:route53/resolver"
SAME_REGION_INPUTS = {
    "aws:wafv2/webAclAssociation:WebAclAssociation": frozenset({"resourceArn", "webAclArn"}),
    "aws:lb/listener:Listener": frozenset({"certificateArn"}),
    "aws:alb/listener:Listener": frozenset({"certificateArn"}),
    "aws:lb/listenerCertificate:ListenerCertificate": frozenset({"certificateArn"}),
    "aws:lambda/function:Function": frozenset({"layers"}),
    "aws:lambda/eventSourceMapping:EventSourceMapping": frozenset({"eventSourceArn", "functionName"}),
    "aws:cloudwatch/metricAlarm:MetricAlarm": frozenset({"alarmActions", "okActions", "insufficientDataActions"}),
}
"""Inputs AWS takes only in the resource's own region (of the types that name ARNs most)."""
READ_EVERYWHERE = ("policy", "sourceArn", "kmsKeyId", "kmsKeyArn", "kmsMasterKeyId")
"""Inputs read on every regional type: resource and key policies, a permission's source, encryption keys."""
READ_BY_TYPE = {
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("serviceName",),
    "aws:lambda/function:Function": ("imageUri",),
    "aws:ecs/taskDefinition:TaskDefinition": ("containerDefinitions",),
    "aws:cloudwatch/dashboard:Dashboard": ("dashboardBody",),
    "aws:apigateway/integration:Integration": ("uri",),
    "aws:apigateway/authorizer:Authorizer": ("authorizerUri",),
    "aws:cloudwatch/eventTarget:EventTarget": ("arn",),
    "aws:sns/topicSubscription:TopicSubscription": ("endpoint",),
    "aws:ec2/launchTemplate:LaunchTemplate": ("placement",),
    "aws:dynamodb/table:Table": ("serverSideEncryption",),
    "aws:sfn/stateMachine:StateMachine": ("definition",),
}
"""Each type's other inputs that name what must be in its region, or one of the stack's own resources."""
_KMS_INPUT = LazyPattern(r"kms(?:Master)?Key(?:Id|Arn)?")
"""An encryption key input: AWS encrypts with a key of the resource's own region."""
KEY_TYPES = ("aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy")
MAX_TEXT = 200_000
MAX_NODES = 20_000
MAX_PATH = 120
CONDENSE_AFTER = 2
_MAX_SHOWN = 3
_MAX_LISTED = 5

FIXES = {
    "zone": ("azs = aws.get_availability_zones(state=\"available\", opts=pulumi.InvokeOptions(provider=provider)) "
             "(the resource's provider, if it has one), then availability_zone=azs.names[0] (azs.names[i] for the "
             "i-th of several)"),
    "resource": ("use the output of the resource it names (table.arn, api.execution_arn, ...) instead of an ARN "
                 "built with a region written out"),
    "arn": ("take it from a resource of the same region (key.arn, topic.arn), or build it with region = "
            "aws.get_region(opts=pulumi.InvokeOptions(provider=provider)).region"),
    "host": ("build it with region = aws.get_region(opts=pulumi.InvokeOptions(provider=provider)).region, e.g. "
             "f\"logs.{region}.amazonaws.com\""),
    "invoke": "uri=function.invoke_arn (the function's own output, which names its region)",
    "ecr": ("image_uri=pulumi.Output.concat(repository.repository_url, \":latest\"), with a repository of the "
            "function's region"),
    "awslogs-region": "\"awslogs-region\": region, with region = aws.get_region().region (the task's provider)",
    "region": "\"region\": region in each widget, with region = aws.get_region().region",
}
ALLOWED_HINT = "; if the other region is meant, list it in this policy's allowedRegions"


class Named(NamedTuple):
    """A value of a resource that names a region: where, what (shown), which region, and of what kind."""

    path: str
    text: str
    region: str
    kind: str
    """``zone``, ``resource`` (an ARN naming the stack's own), ``arn``, ``invoke`` (an API Gateway
    ``lambda:path`` URI), ``host``, ``endpoint``, ``ecr``, ``awslogs-region`` or ``region`` (a dashboard
    widget's)."""


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    extra = tuple(ctx.config["allowedRegions"])
    configured = ctx.stack.config_text(REGION_CONFIG)
    own_names = _OwnNames(view)
    stack_regions: _StackRegions | None = None  # read once a value names a region its resource is not in
    by_region: dict[str, list[tuple[Resource, list[Named]]]] = {}
    for resource, keys in _candidates(view):
        fields = resource.props.struct.fields
        region = fields["region"].string_value if "region" in fields else ""
        near = tuple(r for r in (region, configured, *extra) if r)
        if not any(_worth_reading(key, fields[key], near) for key in keys):
            continue
        texts = [t for t in _strings(resource, keys) if t[1] in ZONE_KEYS or _may_name_another(t[3], near)]
        if not texts:
            continue
        own = _own_region(resource, ctx)
        if own is None:
            continue
        named = list(_named(resource, texts, own_names))
        if stack_regions is None and any(n.kind != "zone" for n in named):
            stack_regions = _StackRegions(view, ctx)
        allowed = stack_regions.allowed(extra) if stack_regions is not None else None
        wrong = [n for n in named if (n.region != own if n.kind == "zone" else allowed is not None
                                      and n.region not in allowed)]
        if wrong:
            by_region.setdefault(wrong[0].region, []).append((resource, wrong))
    shown = _shown(stack_regions.regions or () if stack_regions is not None else ())
    for region, listed in sorted(by_region.items()):
        listed.sort(key=lambda found: found[0].urn)  # the stack's order depends on the order of registration
        if len(listed) >= CONDENSE_AFTER and view.root is not None:
            yield _condensed(view.root, region, listed, shown)
        else:
            yield from (_finding(resource, named, shown, ctx) for resource, named in listed)


class _StackRegions:
    """The regions the stack deploys to (None while a provider's region is unknown or secret)."""

    def __init__(self, view: StackView, ctx: PolicyContext) -> None:
        base = _provider_regions(view, ctx)
        self.regions = None if base is None else _deployed_to(view, base)

    def allowed(self, extra: tuple[str, ...]) -> set[str] | None:
        return None if self.regions is None else self.regions | set(extra)


def _worth_reading(key: str, value: Any, near: tuple[str, ...]) -> bool:
    """Whether an input (undecoded) may hold what this policy reports: a zone input, an object or a list,
    or a string that may name a region other than ``near``; a string is read in place, without a decode."""
    if key in ZONE_KEYS or value.WhichOneof("kind") != "string_value":
        return True
    return _may_name_another(value.string_value, near)


def _may_name_another(text: str, known: tuple[str, ...]) -> bool:
    """Whether a string may name a region other than ``known``: a word every region's code holds
    (``-west-``) left once the known ones are taken out. C-speed searches, so that the stack's own
    region, in most of its values, costs no regular expression."""
    if not _has_direction(text):
        return False
    for region in known:
        text = text.replace(region, "")
    return _has_direction(text)


def _has_direction(text: str) -> bool:
    """Whether the text holds a word of :data:`_DIRECTIONS` (spelt out: a generator costs more than the searches)."""
    return "-east-" in text or "-west-" in text or "-north" in text or "-south" in text or "-central-" in text


def _candidates(view: StackView) -> Iterator[tuple[Resource, list[str]]]:
    """The AWS resources that have one of the inputs this policy reads (see :func:`_inputs`), and which."""
    for token, resources in view.by_type().items():
        inputs = _inputs(token) if token.startswith("aws:") else ()  # components' outputs are their resources'
        if inputs:
            for resource in resources:
                fields = resource.props.struct.fields
                present = [key for key in inputs if key in fields]
                if present:
                    yield resource, present


@lru_cache(maxsize=2048)
def _inputs(token: str) -> tuple[str, ...]:
    """The top-level inputs of a type that can hold what this policy reports: encryption keys, policy
    documents, source ARNs and zones on every type, and each type's own (``serviceName``, ``layers``...)."""
    if _global(token) or _CROSS_REGION_TYPE.search(token.rsplit(":", 1)[-1]):
        return ()
    wanted = (*READ_EVERYWHERE, *ZONE_KEYS, *SAME_REGION_INPUTS.get(token, ()), *READ_BY_TYPE.get(token, ()))
    has = region_inputs(token)  # of those, the type's own inputs (from the installed pulumi_aws)
    return wanted if has is None else tuple(k for k in wanted if k in has)


def _provider_regions(view: StackView, ctx: PolicyContext) -> set[str] | None:
    """``aws:region`` and the stack's providers' regions; None while one is unknown or secret."""
    regions: set[str] = set()
    configured = ctx.stack.config_text(REGION_CONFIG)
    if configured:
        regions.add(configured)
    seen: set[int] = set()
    for resource in view.resources:
        provider = resource.provider
        if provider is not None and id(provider) not in seen:
            seen.add(id(provider))
            if not _add_region(regions, provider.props.raw("region")):
                return None
        if resource.type.startswith("pulumi:providers:aws") and "region" in resource.props:
            if not _add_region(regions, resource.props.raw("region")):
                return None
    return regions


def _global(token: str) -> bool:
    return token.startswith(_GLOBAL_TYPES) and not token.startswith(_REGIONAL_ROUTE53)


def _own_region(resource: Resource, ctx: PolicyContext) -> str | None:
    """Where the resource deploys; None while unknown or secret, or when nothing names a region."""
    if "region" in resource.props and isinstance(resource.props.raw("region"), Secret):
        return None
    own = region_of(resource, ctx.stack)
    return own[0] if own is not None and own[0] else None


def _deployed_to(view: StackView, base: set[str]) -> set[str]:
    """The regions the stack deploys to: ``base`` (``aws:region`` and its providers'), and each regional
    resource's own (its provider's, or one it sets)."""
    regions = set(base)
    for resource in view.resources:
        if resource.type.startswith("aws:") and "region" in resource.props:
            own = resource.props.raw("region")
            if isinstance(own, str) and own:
                regions.add(own)
    return regions


def _add_region(regions: set[str], value: Any) -> bool:
    """Add a provider's region; False when it cannot be read (unknown, secret)."""
    if value is ABSENT or value is None or value == "":
        return True
    if not isinstance(value, str):
        return False
    regions.add(value)
    return True


class _OwnNames:
    """The ids and physical names of the stack's AWS resources, gathered on first use."""

    def __init__(self, view: StackView) -> None:
        self.view = view
        self._names: set[str] | None = None

    def __contains__(self, token: str) -> bool:
        if self._names is None:
            self._names = set()
            for resource in self.view.resources:
                if resource.type.startswith("aws:"):
                    for key in ("id", *physical_names(resource.type)):
                        value = resource.props.raw(key) if key in resource.props else None
                        if isinstance(value, str) and len(value) >= 3:
                            self._names.add(value)
        return token in self._names


def _named(resource: Resource, texts: list[tuple[str, str, str, str]], own_names: _OwnNames) -> Iterator[Named]:
    same_region = SAME_REGION_INPUTS.get(resource.type, frozenset())
    key_policy = resource.type in KEY_TYPES
    for path, leaf, top, text in texts:
        if leaf in ZONE_KEYS:
            zone = _ZONE.fullmatch(text)
            if zone is not None:
                yield Named(path, text, zone.group(1), "zone")
            continue
        if len(text) > MAX_TEXT:
            continue
        scanned = _document(text, key_policy)
        for match in _NAMED.finditer(scanned):
            named = _classify(match, resource, leaf, top, same_region, key_policy, own_names)
            if named is not None:
                yield Named(path, _excerpt(match), *named)


def _classify(match: re.Match[str], resource: Resource, leaf: str, top: str, same_region: frozenset[str],
              key_policy: bool, own_names: _OwnNames) -> tuple[str, str] | None:
    """``(region, kind)`` when the region named here must be the resource's own, else None."""
    if match.group("arn"):
        rest = match.group("rest")
        if match.group("service") == "apigateway" and rest.startswith("lambda:path"):
            return match.group("arn"), "invoke"  # API Gateway calls a function through its own region
        if any(part in own_names for part in _parts(rest)):
            return match.group("arn"), "resource"
        required = top in same_region or _KMS_INPUT.fullmatch(leaf) is not None
        return (match.group("arn"), "arn") if required else None
    if match.group("ecr"):
        return (match.group("ecr"), "ecr") if resource.type == "aws:lambda/function:Function" else None
    if match.group("endpoint"):
        return (match.group("endpoint"), "endpoint") if top == "serviceName" else None
    if match.group("host"):
        if key_policy:
            return match.group("host"), "host"
        first = match.group(0).split(".", 1)[0]
        return (match.group("host"), "resource") if first in own_names else None
    if match.group("key_name") == "region" and top != "dashboardBody":
        return None
    return match.group("key"), match.group("key_name")


def _parts(rest: str) -> set[str]:
    """What an ARN's resource part may name: each ``:`` segment and each ``/`` part of one
    (``table/orders-pr1*``: ``table/orders-pr1``, ``table``, ``orders-pr1``), without trailing ``*``."""
    parts = set()
    for segment in rest.split(":"):
        parts.add(segment.rstrip("*"))
        parts.update(p.rstrip("*") for p in segment.split("/"))
    return {p for p in parts if len(p) >= 3}


def _document(text: str, key_policy: bool) -> str:
    """The text to search: an IAM policy document without its conditions and principals (they admit
    callers, and point nowhere), but a KMS key's, whose principals and kms:ViaService name the services
    it serves."""
    if not text.startswith("{") or '"Statement"' not in text:
        return text
    try:
        document = json.loads(text)
    except ValueError:
        return text
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return text
    kept = []
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        part = {k: statement[k] for k in ("Resource", "NotResource") if k in statement}
        if key_policy:
            part["Principal"] = statement.get("Principal")
            part["ViaService"] = [v for op in (statement.get("Condition") or {}).values() if isinstance(op, dict)
                                  for k, v in op.items() if isinstance(k, str) and k.lower() == "kms:viaservice"]
        kept.append(part)
    return json.dumps(kept)


def _strings(resource: Resource, keys: list[str]) -> Iterator[tuple[str, str, str, str]]:
    """``(path, leaf key, top-level key, text)`` of every string under the given inputs, outside secrets
    and keys not read; a key is judged once where the walk meets it, so the walk is linear in the bag."""
    budget = MAX_NODES
    for top in keys:
        stack: list[tuple[Any, str, str]] = [(resource.props.raw(top), top, top)]
        while stack and budget > 0:
            value, path, leaf = stack.pop()
            budget -= 1
            if isinstance(value, str):
                yield path, leaf, top, value
            elif isinstance(value, dict):
                for key, child in value.items():
                    if isinstance(key, str) and key not in _NOT_READ and not _meant_elsewhere(key):
                        stack.append((child, _joined(path, key), key))
            elif isinstance(value, list):
                stack.extend((child, _joined(path, f"[{i}]"), leaf) for i, child in enumerate(value))
            # Secrets, unknowns, assets and scalars hold nothing to read.


def _joined(path: str, key: str) -> str:
    if len(path) >= MAX_PATH:
        return path
    joined = path + key if key.startswith("[") else f"{path}.{key}"
    return joined if len(joined) <= MAX_PATH else joined[:MAX_PATH - 3] + "..."


@lru_cache(maxsize=4096)
def _meant_elsewhere(name: str) -> bool:
    """Whether a word of a key or type (``replicaKmsKeyId``: replica, kms, key, id) says another region."""
    return _MEANT_ELSEWHERE.search(_WORD_START.sub(r" \1", name[:MAX_PATH]).lower()) is not None


def _excerpt(match: re.Match[str]) -> str:
    """What was matched, at most 120 characters."""
    piece = match.group(0)
    return piece if len(piece) <= 120 else piece[:117] + "..."


def _shown(regions: Iterable[str]) -> str:
    listed = sorted(regions)
    if not listed:
        return "regions that are not known yet"
    return f"'{listed[0]}' only" if len(listed) == 1 else " and ".join(f"'{r}'" for r in listed)


def _fix(named: Iterable[Named]) -> str:
    by_kind = {n.kind: n for n in named}
    fix = "; ".join(_fix_of(n) for n in by_kind.values())
    return fix + (ALLOWED_HINT if any(k != "zone" for k in by_kind) else "")


def _fix_of(named: Named) -> str:
    """The kind's fix; a VPC endpoint's with its own service (``com.amazonaws.{region}.dynamodb``)."""
    if named.kind == "endpoint":
        service = named.text.replace(named.region, "{region}")
        return f"service_name=f\"{service}\" with region = aws.get_region().region"
    return FIXES[named.kind]


def _finding(resource: Resource, named: list[Named], shown: str, ctx: PolicyContext) -> Finding:
    own = _own_region(resource, ctx)
    where = f"'{own}'"
    zones = [n for n in named if n.kind == "zone"]
    others = [n for n in named if n.kind != "zone"]
    parts = []
    if zones:
        listed = and_more([f"{n.path} '{n.text}' (a zone of {n.region})" for n in zones], _MAX_SHOWN)
        parts.append(f"{listed}, but it deploys to region {where}; expected zones of {where}: AWS accepts only its "
                     f"own region's (\"Value ({zones[0].text}) for parameter availabilityZone is invalid\")")
    if others:
        listed = and_more([f"{n.path} names region '{n.region}' ('{n.text}')" for n in others], _MAX_SHOWN)
        regional = "region" in resource.props  # pulumi-aws 7 gives global types (IAM) none
        expected = f"the region the resource deploys to ({where})" if regional else "a region the stack deploys to"
        parts.append(f"{listed}, where the stack deploys to {shown}; expected {expected}: what it names there is "
                     f"not where the stack is")
    return stated(resource.label, "; and ".join(parts) + ".", _fix(named), urn=resource.urn, property=named[0].path)


def _condensed(root: Resource, region: str, found: list[tuple[Resource, list[Named]]], shown: str) -> Finding:
    listed = and_more([f"{r.label} ({n[0].path})" for r, n in found], _MAX_LISTED)
    named = [n for _, ns in found for n in ns]
    if all(n.kind == "zone" for n in named):
        what = (f"{len(found)} resources take zones of region '{region}' outside their own region: {listed}. One "
                f"list of zones written out is behind them; expected each resource's zones looked up in its region")
    else:
        what = (f"{len(found)} resources name region '{region}', where the stack deploys to {shown}: {listed}. One "
                f"value of the program (a region written out) is behind them; expected the stack's region, from the "
                f"provider, so that the program deploys to any region")
    return stated(root.label, what + ".", _fix(named), urn=root.urn)


POLICY = StackPolicy(
    name="hard-coded-region",
    description=("References that AWS takes only in the resource's region (ARNs of the stack's own resources, "
                 "keys, service endpoints, log drivers) name a region the stack deploys to, and availability "
                 "zones are in their resource's region."),
    severity="medium",
    enforcement_level=ADVISORY,
    remediation_steps=(
        "Read the region from the provider (aws.get_region(opts=pulumi.InvokeOptions(provider=provider)).region) "
        "or use the outputs of the resources an ARN names (.arn, .execution_arn); look zones up with "
        "aws.get_availability_zones(state=\"available\"). List a region the stack refers to on purpose in "
        "allowedRegions."),
    tags=("portability", "reliability", "region"),
    options=(
        Option("allowedRegions", "array", [],
               "Regions values may name besides those the stack deploys to (a central logging or backup region); "
               "zones are always judged against their resource's own region.",
               {"items": {"type": "string", "pattern": "^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$"}}),
    ),
    check=check,
)
