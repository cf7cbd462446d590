"""security-group-open-ingress: only the configured public ports are open to the whole internet.

Why: a security group rule from ``0.0.0.0/0`` or ``::/0`` exposes the port to every address; SSH,
RDP, database and admin ports open that way are found by scanners within minutes of creation. A
web tier needs 80 and 443 (``publicPorts``); everything else should come from the VPC, a load
balancer's or bastion's security group, or a prefix list, and SSH is better replaced by Systems
Manager Session Manager.

Reported: an ingress rule, inline in ``aws.ec2.SecurityGroup`` or ``aws.ec2.DefaultSecurityGroup`` or
a separate ``aws.ec2.SecurityGroupRule`` (``type="ingress"``) or
``aws.vpc.SecurityGroupIngressRule``, whose source includes ``0.0.0.0/0`` or ``::/0`` and whose port
range (all ports for protocol ``-1``/``all``) includes a port not in ``publicPorts``.

Not reported: values unknown during a preview; egress rules; ICMP (its "ports" are message types);
sources narrower than the whole internet, security groups and prefix lists.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._core.policy import MANDATORY, Finding, Option, PolicyContext, ResourcePolicy, violation
from .._core.resource import Resource
from .._core.values import Prop, Secret, contains_unknown, prop_of

SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

WORLD = frozenset({"0.0.0.0/0", "::/0"})
PORTED = frozenset({"tcp", "udp", "6", "17"})
"""Protocols whose rules name a port range; any other (``-1``/``all``, ESP, GRE...) opens every port."""
ICMP = frozenset({"icmp", "icmpv6", "1", "58"})
FIX = ("cidr_blocks=[vpc.cidr_block], or security_groups=[alb_sg.id] for traffic from a load balancer "
       "(Session Manager instead of SSH)")


def _world(rule: Mapping[str, Any], fields: tuple[str, ...]) -> tuple[list[str], bool] | None:
    """The whole-internet sources the rule names and whether any is secret; None while one is unknown."""
    found, secret = [], False
    for name in fields:
        value = rule.get(name)
        for source in value if isinstance(value, list) else [value]:
            if contains_unknown(source):
                return None
            if isinstance(source, Secret):
                source, secret = source.value, True
            if isinstance(source, str) and source.strip() in WORLD:
                found.append(source.strip())
    return found, secret


def _ports(rule: Prop, protocol_field: str) -> tuple[int, int] | None:
    """The port range the rule opens (every port unless TCP or UDP); None for ICMP or while unknown."""
    protocol = rule.get(protocol_field)
    text = str(protocol.value).lower() if protocol.known else None
    if text is None or text in ICMP:
        return None
    if text not in PORTED:
        return 0, 65535
    low, high = rule.get("fromPort").as_int(), rule.get("toPort").as_int()
    return None if low is None or high is None else (low, high)


def _describe(low: int, high: int) -> str:
    if (low, high) == (0, 65535):
        return "every port"
    return f"port {low}" if low == high else f"ports {low}-{high}"


def _check_rule(resource: Resource, rule: Prop, path: str, fields: tuple[str, ...], protocol_field: str,
                public: list[int]) -> Iterator[Finding]:
    """``path`` names the rule in messages: ``ingress[0]`` inline, the source field on a rule resource."""
    value = rule.as_dict()
    world = _world(value, fields) if value is not None else None
    ports = _ports(rule, protocol_field) if world else None
    if not world or not world[0] or ports is None:
        return
    low, high = ports
    if sum(1 for p in set(public) if low <= p <= high) == high - low + 1:
        return
    sources = "[secret]" if rule.secret or world[1] else " and ".join(sorted(set(world[0])))
    allowed = ", ".join(map(str, sorted(public))) or "none"
    yield violation(resource, path, f"open to the internet on {_describe(low, high)} from {sources}",
                    f"only the public ports ({allowed}) open to 0.0.0.0/0 or ::/0", FIX)


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    public = [int(p) for p in ctx.config["publicPorts"]]  # JSON config numbers may arrive as floats
    if resource.type in (SECURITY_GROUP, DEFAULT_GROUP):
        for i, rule in enumerate(resource.get("ingress").as_list() or []):
            yield from _check_rule(resource, prop_of(f"ingress[{i}]", rule), f"ingress[{i}]",
                                   ("cidrBlocks", "ipv6CidrBlocks"), "protocol", public)
        return
    whole = prop_of("", resource.props.to_dict())
    if resource.type == INGRESS_RULE:
        path = "cidrIpv6" if resource.get("cidrIpv4").absent else "cidrIpv4"
        yield from _check_rule(resource, whole, path, ("cidrIpv4", "cidrIpv6"), "ipProtocol", public)
    elif resource.get("type").as_str() == "ingress":
        path = "ipv6CidrBlocks" if resource.get("cidrBlocks").absent else "cidrBlocks"
        yield from _check_rule(resource, whole, path, ("cidrBlocks", "ipv6CidrBlocks"), "protocol", public)


POLICY = ResourcePolicy(
    name="security-group-open-ingress",
    description=("Security groups open only the configured public ports (80 and 443 by default) to 0.0.0.0/0 "
                 "or ::/0."),
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Narrow the rule's source: cidr_blocks=[vpc.cidr_block] for traffic from inside the VPC, "
        "security_groups=[alb_sg.id] (or aws.vpc.SecurityGroupIngressRule(referenced_security_group_id=...)) "
        "for traffic from a load balancer or bastion, or a prefix list. Reach instances with Systems Manager "
        "Session Manager instead of opening SSH. A port that must be public goes in publicPorts."),
    tags=("network", "security"),
    types=frozenset({SECURITY_GROUP, DEFAULT_GROUP, GROUP_RULE, INGRESS_RULE}),
    options=(
        Option("publicPorts", "array", [80, 443], "Ports that may be open to 0.0.0.0/0 and ::/0.",
               {"items": {"type": "integer", "minimum": 0, "maximum": 65535}, "uniqueItems": True}),
    ),
    check=check,
)
