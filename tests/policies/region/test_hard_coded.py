import json

import pytest

from policies import STACK_TYPE, Resource
from policies._core.context import StackContext
from policies._core.resource import Provider
from policies._core.values import UNKNOWN, Props, Secret
from tests.conftest import assert_findings, check_stack

NAME = "hard-coded-region"
EAST = StackContext(stack="pr1", project="tap", config={"aws:region": "us-east-1"})
SUBNET = "aws:ec2/subnet:Subnet"
ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
TASK = "aws:ecs/taskDefinition:TaskDefinition"


def provider(name, region):
    return Provider("pulumi:providers:aws", f"urn:pulumi:pr1::tap::pulumi:providers:aws::{name}", name,
                    Props.from_dict({"region": region}))


def resource(type_, props, name="it", region="us-east-1", via=None):
    """A resource as the engine sends it after pulumi-aws 7's Check: with its provider's region."""
    own = {} if region is None else {"region": region}
    return Resource.of(type_, {**own, **props}, name=name, provider=via)


def key_policy(via_service):
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:Decrypt",
        "Resource": "*", "Condition": {"StringEquals": {"kms:ViaService": via_service}}}]}
    return resource(KEY_POLICY, {"keyId": "k", "policy": json.dumps(document)}, name="key-policy")


def task(region):
    containers = [{"name": "app", "image": "nginx", "logConfiguration": {"logDriver": "awslogs", "options": {
        "awslogs-group": "/ecs/app", "awslogs-region": region, "awslogs-stream-prefix": "app"}}}]
    return resource(TASK, {"family": "app", "containerDefinitions": json.dumps(containers)}, name="app-task")


def stack(*resources):
    return [Resource.of(STACK_TYPE, {}, name="tap-pr1"), *resources]


CASES = [
    # (id, resources, config, substrings of each finding in order, or None for silence)
    ("zone-of-another-region", [resource(SUBNET, {"availabilityZone": "eu-south-2a"}, name="public-a")], {},
     [["aws:ec2/subnet:Subnet 'public-a': availabilityZone 'eu-south-2a' (a zone of eu-south-2), but it deploys "
       "to region 'us-east-1'; expected zones of 'us-east-1'", "for parameter availabilityZone is invalid",
       "Fix: azs = aws.get_availability_zones(state=\"available\")"]]),
    ("zone-of-its-region", [resource(SUBNET, {"availabilityZone": "us-east-1b"})], {}, None),
    ("a-zone-list", [resource("aws:autoscaling/group:Group", {"availabilityZones": ["us-east-1a", "us-west-2b"]})],
     {}, [["availabilityZones[1] 'us-west-2b' (a zone of us-west-2)"]]),
    ("a-local-zone", [resource(SUBNET, {"availabilityZone": "us-west-2-lax-1a"})], {},
     [["'us-west-2-lax-1a' (a zone of us-west-2)"]]),
    ("a-nested-zone", [resource("aws:ec2/launchTemplate:LaunchTemplate",
                                {"placement": {"availabilityZone": "eu-west-1a"}})], {},
     [["placement.availabilityZone 'eu-west-1a'"]]),
    ("an-arn-of-another-region", [resource(ASSOCIATION, {
        "resourceArn": "arn:aws:apigateway:us-west-2::/restapis/a1b2c3/stages/prod",
        "webAclArn": "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/api/1"}, name="waf-assoc")], {},
     [["aws:wafv2/webAclAssociation:WebAclAssociation 'waf-assoc': resourceArn names region 'us-west-2' "
       "('arn:aws:apigateway:us-west-2::/restapis/a1b2c3/stages/prod'), where the stack deploys to 'us-east-1' "
       "only; expected the region the resource deploys to ('us-east-1')", "region = aws.get_region().region"]]),
    ("an-arn-of-its-region", [resource(ASSOCIATION, {
        "resourceArn": "arn:aws:apigateway:us-east-1::/restapis/a1b2c3/stages/prod"})], {}, None),
    ("a-service-in-a-key-policy", [key_policy("secretsmanager.us-west-2.amazonaws.com")], {},
     [["policy names region 'us-west-2' ('secretsmanager.us-west-2.amazonaws.com')"]]),
    ("a-service-of-its-region", [key_policy("secretsmanager.us-east-1.amazonaws.com")], {}, None),
    ("a-log-driver", [task("us-west-2")], {}, [["containerDefinitions names region 'us-west-2' "
                                                 "('\"awslogs-region\": \"us-west-2\"')"]]),
    ("a-log-driver-of-its-region", [task("us-east-1")], {}, None),
    ("a-dashboard-widget", [resource("aws:cloudwatch/dashboard:Dashboard", {"dashboardName": "d", "dashboardBody":
                                     json.dumps({"widgets": [{"type": "metric", "properties": {
                                         "region": "eu-central-1", "metrics": []}}]})})], {},
     [["dashboardBody names region 'eu-central-1'"]]),
    ("an-allowed-region", [key_policy("secretsmanager.us-west-2.amazonaws.com")], {"allowedRegions": ["us-west-2"]},
     None),
    ("replicas-and-copies-are-meant-elsewhere", [
        resource("aws:dynamodb/table:Table", {"name": "t", "replicas": [
            {"regionName": "us-west-2", "kmsKeyArn": "arn:aws:kms:us-west-2:123456789012:key/1"}]}),
        resource("aws:rds/instance:Instance", {"replicateSourceDb": "arn:aws:rds:us-west-2:123456789012:db:main"}),
        resource("aws:backup/plan:Plan", {"rules": [{"copyActions": [
            {"destinationVaultArn": "arn:aws:backup:us-west-2:123456789012:backup-vault:dr"}]}]}),
        resource("aws:kms/replicaKey:ReplicaKey", {"primaryKeyArn": "arn:aws:kms:us-west-2:123456789012:key/1"}),
        resource("aws:ec2/vpcPeeringConnection:VpcPeeringConnection", {"peerRegion": "us-west-2"})], {}, None),
    ("certificates-for-cloudfront-live-in-us-east-1", [resource(
        "aws:apigateway/domainName:DomainName",
        {"certificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/1"}, region="eu-west-1")],
     {}, None),
    ("a-certificate-of-another-region", [resource(
        "aws:lb/listener:Listener", {"certificateArn": "arn:aws:acm:us-west-2:123456789012:certificate/1"})], {},
     [["certificateArn names region 'us-west-2'"]]),
    ("cloudfront-is-global", [resource("aws:cloudfront/distribution:Distribution", {
        "defaultCacheBehavior": {"lambdaFunctionAssociations": [
            {"lambdaArn": "arn:aws:lambda:us-west-2:123456789012:function:edge:1"}]}}, region=None)], {}, None),
    ("tags-and-descriptions-are-labels", [resource("aws:sqs/queue:Queue", {
        "description": "mirrors arn:aws:sqs:us-west-2:123456789012:q", "tags": {"Arn": "arn:aws:sqs:us-west-2:1:q"}})],
     {}, None),
    ("a-secret-value", [resource(ASSOCIATION, {
        "resourceArn": Secret("arn:aws:apigateway:us-west-2::/restapis/a1b2c3/stages/prod")})], {}, None),
    ("an-unknown-value", [resource(ASSOCIATION, {"resourceArn": UNKNOWN})], {}, None),
    ("an-iam-policy-is-global", [resource("aws:iam/policy:Policy", {"policy": json.dumps({"Statement": [{
        "Effect": "Allow", "Action": "logs:PutLogEvents",
        "Resource": "arn:aws:logs:us-west-2:*:log-group:/aws/apigateway/*"}]})}, region=None)], {},
     [["policy names region 'us-west-2' ('arn:aws:logs:us-west-2:*:log-group:/aws/apigateway/*'), where the stack "
       "deploys to 'us-east-1' only; expected a region the stack deploys to, from its provider"]]),
    ("a-components-outputs-are-its-resources", [Resource.of(
        "tap:stack:TapStack", {"api_url": "https://a1b2c3.execute-api.us-west-2.amazonaws.com/prod"})], {}, None),
    ("an-ami-is-not-judged", [resource("aws:ec2/instance:Instance", {"ami": "ami-0c55b159cbfafe1f0"})], {}, None),
]


@pytest.mark.parametrize(("resources", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(resources, config, expected):
    findings = check_stack(NAME, stack(*resources), config=config, stack=EAST)
    if expected is None:
        assert findings == []
        return
    assert len(findings) == len(expected), [f.message for f in findings]
    for finding, parts in zip(findings, expected, strict=True):
        assert_findings([finding], parts)


def test_a_region_of_another_provider_of_the_stack_is_the_stacks():
    west = provider("west", "us-west-2")
    replica_arn = "arn:aws:sns:us-west-2:123456789012:alerts"
    resources = [resource("aws:cloudwatch/metricAlarm:MetricAlarm", {"alarmActions": [replica_arn]}),
                 resource("aws:sns/topic:Topic", {"name": "alerts"}, region="us-west-2", via=west)]
    assert check_stack(NAME, stack(*resources), stack=EAST) == []
    assert check_stack(NAME, stack(resources[0]), stack=EAST) != [], "without the provider in us-west-2"


def test_a_zone_of_the_stacks_other_region_is_still_not_the_resources():
    west = provider("west", "us-west-2")
    resources = [resource(SUBNET, {"availabilityZone": "us-east-1a"}, name="dr-a", region="us-west-2", via=west),
                 resource(SUBNET, {"availabilityZone": "us-east-1a"}, name="main-a")]
    assert_findings(check_stack(NAME, stack(*resources), stack=EAST),
                    "subnet:Subnet 'dr-a': availabilityZone 'us-east-1a' (a zone of us-east-1), but it deploys to "
                    "region 'us-west-2'")


def test_a_region_named_on_four_resources_is_one_mistake_reported_at_the_stack():
    resources = [key_policy("secretsmanager.us-west-2.amazonaws.com"), task("us-west-2"),
                 resource(ASSOCIATION, {"resourceArn": "arn:aws:apigateway:us-west-2::/restapis/a/stages/p"}),
                 resource(SUBNET, {"availabilityZone": "us-west-2a"}, name="public-a")]
    [finding] = check_stack(NAME, stack(*resources), stack=EAST)
    assert finding.urn.endswith("::tap-pr1")
    assert_findings([finding], ["pulumi:pulumi:Stack 'tap-pr1': 4 resources name region 'us-west-2', where the "
                                "stack deploys to 'us-east-1' only:", "'key-policy' (policy)",
                                "One value of the program"])


@pytest.mark.parametrize("region", [UNKNOWN, Secret("us-east-1")])
def test_a_provider_region_that_cannot_be_read_keeps_it_quiet(region):
    hidden = Provider("pulumi:providers:aws", "urn:pulumi:pr1::tap::pulumi:providers:aws::p", "p",
                      Props.from_dict({"region": region}))
    resources = [resource(SUBNET, {"availabilityZone": "eu-south-2a"}, via=hidden)]
    assert check_stack(NAME, stack(*resources), stack=EAST) == []


def test_no_region_known_keeps_it_quiet():
    nowhere = StackContext(stack="pr1", project="tap", config={})
    resources = [resource(ASSOCIATION, {"resourceArn": "arn:aws:apigateway:us-west-2::/restapis/a/stages/p"},
                          region=None)]
    assert check_stack(NAME, stack(*resources), stack=nowhere) == []


def test_the_resources_own_region_counts_without_config():
    """pulumi-aws 7 fills each regional resource's region from its provider, which may read AWS_REGION."""
    nowhere = StackContext(stack="pr1", project="tap", config={})
    resources = [resource(ASSOCIATION, {"resourceArn": "arn:aws:apigateway:us-west-2::/restapis/a/stages/p"},
                          region="eu-west-1")]
    assert_findings(check_stack(NAME, stack(*resources), stack=nowhere),
                    "where the stack deploys to 'eu-west-1' only")


def test_allowed_regions_are_region_codes():
    from policies._core.config import ConfigError
    from tests.conftest import analyzer_for

    with pytest.raises(ConfigError, match="allowedRegions"):
        analyzer_for(NAME, {"allowedRegions": ["us-east-1; drop"]})
