import pytest

from policies._core.values import UNKNOWN, Secret
from tests.conftest import REMOVE, assert_findings, check, merged

NAME = "security-group-open-ingress"
GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"

HTTPS = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"], "ipv6CidrBlocks": ["::/0"]}
SSH = {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}
BASES = {
    GROUP: {"vpcId": "vpc-1", "ingress": [HTTPS, {**SSH, "cidrBlocks": ["10.0.0.0/16"]}],
            "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]},
    RULE: {"type": "ingress", "securityGroupId": "sg-1", "protocol": "tcp", "fromPort": 443, "toPort": 443,
           "cidrBlocks": ["0.0.0.0/0"]},
    INGRESS: {"securityGroupId": "sg-1", "ipProtocol": "tcp", "fromPort": 80, "toPort": 80, "cidrIpv4": "0.0.0.0/0"},
}
FIX = "Fix: cidr_blocks=[vpc.cidr_block], or security_groups=[alb_sg.id]"

CASES = [
    # (id, type, changes to its BASE, config, substrings of the one finding, or None for silence)
    ("compliant-group", GROUP, {}, {}, None),
    ("compliant-rule", RULE, {}, {}, None),
    ("compliant-ingress-rule", INGRESS, {}, {}, None),
    ("ssh-open", GROUP, {"ingress": [HTTPS, SSH]}, {},
     ["ingress[1] is open to the internet on port 22 from 0.0.0.0/0; expected only the public ports (80, 443)", FIX]),
    ("ssh-open-ipv6", GROUP, {"ingress": [{**SSH, "cidrBlocks": [], "ipv6CidrBlocks": ["::/0"]}]}, {},
     ["ingress[0] is open to the internet on port 22 from ::/0"]),
    ("range-over-public-ports", GROUP, {"ingress": [{**HTTPS, "fromPort": 80}]}, {},
     ["ports 80-443 from 0.0.0.0/0 and ::/0"]),
    ("all-protocols", GROUP, {"ingress": [{"protocol": "-1", "fromPort": 0, "toPort": 0,
                                           "cidrBlocks": ["0.0.0.0/0"]}]}, {}, ["on every port from 0.0.0.0/0"]),
    ("configured-public-port", GROUP, {"ingress": [{**SSH, "fromPort": 8443, "toPort": 8443}]},
     {"publicPorts": [443, 8443]}, None),
    ("config-numbers-as-floats", GROUP, {"ingress": [{**SSH, "fromPort": 8443, "toPort": 8443}]},
     {"publicPorts": [443.0]}, ["port 8443", "only the public ports (443)"]),
    ("no-public-ports", GROUP, {}, {"publicPorts": []}, ["only the public ports (none)"]),
    ("icmp", GROUP, {"ingress": [{"protocol": "icmp", "fromPort": 8, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]},
     {}, None),
    ("ingress-absent", GROUP, {"ingress": REMOVE}, {}, None),
    ("ingress-unknown", GROUP, {"ingress": UNKNOWN}, {}, None),
    ("source-unknown", GROUP, {"ingress": [{**SSH, "cidrBlocks": [UNKNOWN]}]}, {}, None),
    ("port-unknown", GROUP, {"ingress": [{**SSH, "fromPort": UNKNOWN}]}, {}, None),
    ("secret-source", GROUP, {"ingress": [{**SSH, "cidrBlocks": [Secret("0.0.0.0/0")]}]}, {},
     ["port 22 from [secret]"]),
    ("wrong-type-rule", GROUP, {"ingress": ["22"]}, {}, None),
    ("port-wrong-type", GROUP, {"ingress": [{**SSH, "fromPort": "ssh"}]}, {}, None),
    ("string-ports", GROUP, {"ingress": [{**SSH, "fromPort": "22", "toPort": "22"}]}, {}, ["port 22"]),
    ("default-group", DEFAULT_GROUP, {"ingress": [SSH]}, {}, ["ingress[0] is open to the internet on port 22"]),
    ("rule-ssh", RULE, {"fromPort": 22, "toPort": 22}, {}, ["cidrBlocks is open to the internet on port 22"]),
    ("rule-egress", RULE, {"type": "egress", "fromPort": 0, "toPort": 65535}, {}, None),
    ("rule-type-unknown", RULE, {"type": UNKNOWN, "fromPort": 22, "toPort": 22}, {}, None),
    ("rule-from-vpc", RULE, {"fromPort": 22, "toPort": 22, "cidrBlocks": ["10.0.0.0/8"]}, {}, None),
    ("rule-ipv6-only", RULE, {"fromPort": 3306, "toPort": 3306, "cidrBlocks": REMOVE, "ipv6CidrBlocks": ["::/0"]},
     {}, ["ipv6CidrBlocks is open to the internet on port 3306 from ::/0"]),
    ("ingress-rule-postgres", INGRESS, {"fromPort": 5432, "toPort": 5432}, {},
     ["cidrIpv4 is open to the internet on port 5432 from 0.0.0.0/0"]),
    ("ingress-rule-all", INGRESS, {"ipProtocol": "-1", "fromPort": REMOVE, "toPort": REMOVE}, {}, ["every port"]),
    ("ingress-rule-ipv6", INGRESS, {"cidrIpv4": REMOVE, "cidrIpv6": "::/0", "fromPort": 22, "toPort": 22}, {},
     ["cidrIpv6 is open to the internet on port 22 from ::/0"]),
    ("ingress-rule-from-group", INGRESS, {"cidrIpv4": REMOVE, "referencedSecurityGroupId": "sg-2",
                                          "fromPort": 22, "toPort": 22}, {}, None),
    ("ingress-rule-protocol-unknown", INGRESS, {"ipProtocol": UNKNOWN, "fromPort": 22, "toPort": 22}, {}, None),
    ("ingress-rule-secret-cidr", INGRESS, {"cidrIpv4": Secret("0.0.0.0/0"), "fromPort": 22, "toPort": 22}, {},
     ["from [secret]"]),
]


@pytest.mark.parametrize(("type_", "changes", "config", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_cases(type_, changes, config, expected):
    findings = check(NAME, type_, merged(BASES.get(type_, {}), **changes), config=config)
    assert_findings(findings, expected)


def test_each_open_rule_is_one_finding():
    findings = check(NAME, GROUP, merged(BASES[GROUP], ingress=[SSH, HTTPS, {**SSH, "fromPort": 3389,
                                                                                "toPort": 3389}]))
    assert [f.property for f in findings] == ["ingress[0]", "ingress[2]"]
    assert findings[1].found == "open to the internet on port 3389 from 0.0.0.0/0"


def test_other_types_are_ignored():
    egress = {"securityGroupId": "sg-1", "ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"}
    assert check(NAME, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", egress) == []
