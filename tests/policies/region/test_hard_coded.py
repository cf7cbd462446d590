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
       "Fix: azs = aws.get_availability_zones(state=\"available\", opts=pulumi.InvokeOptions(provider=provider))"]]),
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
       "only; expected the region the resource deploys to ('us-east-1')",
       "aws.get_region(opts=pulumi.InvokeOptions(provider=provider)).region",
       "if the other region is meant, list it in this policy's allowedRegions"]]),
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
    ("an-iam-policy-naming-the-stacks-table-elsewhere", [
        resource("aws:dynamodb/table:Table", {"name": "orders-pr1"}, name="orders"),
        resource("aws:iam/policy:Policy", {"policy": json.dumps({"Statement": [{
            "Effect": "Allow", "Action": "dynamodb:GetItem",
            "Resource": "arn:aws:dynamodb:us-west-2:123456789012:table/orders-pr1*"}]})}, region=None)], {},
     [["policy names region 'us-west-2' ('arn:aws:dynamodb:us-west-2:123456789012:table/orders-pr1*'), where the "
       "stack deploys to 'us-east-1' only; expected a region the stack deploys to", "use the output of the "
       "resource it names"]]),
    ("an-iam-policy-naming-what-the-stack-does-not-create", [resource("aws:iam/policy:Policy", {"policy": json.dumps(
        {"Statement": [{"Effect": "Allow", "Action": "kms:Encrypt",
                        "Resource": "arn:aws:kms:us-west-2:123456789012:key/replica"}]})}, region=None)], {}, None),
    ("a-condition-admits-a-caller", [resource("aws:sqs/queuePolicy:QueuePolicy", {"queueUrl": "q", "policy": json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                        "Resource": "*", "Condition": {"ArnEquals": {
                            "aws:SourceArn": "arn:aws:sns:us-west-2:123456789012:central"}}}]})})], {}, None),
    ("a-key-policy-principal", [resource(KEY_POLICY, {"keyId": "k", "policy": json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"Service": "logs.us-west-2.amazonaws.com"}, "Action": "kms:Encrypt*",
        "Resource": "*"}]})})], {}, [["policy names region 'us-west-2' ('logs.us-west-2.amazonaws.com')"]]),
    ("an-alarm-notifies-its-regions-topics-only", [resource("aws:cloudwatch/metricAlarm:MetricAlarm", {
        "alarmActions": ["arn:aws:sns:us-west-2:123456789012:oncall"]})], {},
     [["alarmActions[0] names region 'us-west-2'"]]),
    ("an-encryption-key-of-another-region", [resource("aws:sqs/queue:Queue", {
        "kmsMasterKeyId": "arn:aws:kms:us-west-2:123456789012:key/1"})], {}, [["kmsMasterKeyId names region"]]),
    ("a-central-event-bus", [resource("aws:cloudwatch/eventTarget:EventTarget", {
        "rule": "r", "arn": "arn:aws:events:us-west-2:123456789012:event-bus/central"})], {}, None),
    ("a-permission-for-the-stacks-api-elsewhere", [
        resource("aws:apigateway/restApi:RestApi", {"id": "a1b2c3d4e5", "name": "api-pr1"}, name="api"),
        resource("aws:lambda/permission:Permission", {
            "sourceArn": "arn:aws:execute-api:us-west-2:123456789012:a1b2c3d4e5/*/*"}, name="invoke")], {},
     [["sourceArn names region 'us-west-2' ('arn:aws:execute-api:us-west-2:123456789012:a1b2c3d4e5/*/*')"]]),
    ("a-permission-for-another-regions-topic", [resource("aws:lambda/permission:Permission", {
        "sourceArn": "arn:aws:sns:us-west-2:123456789012:central"})], {}, None),
    ("a-vpc-endpoint-service", [resource("aws:ec2/vpcEndpoint:VpcEndpoint", {
        "serviceName": "com.amazonaws.us-west-2.s3", "vpcId": "v"})], {}, [["serviceName names region 'us-west-2'"]]),
    ("an-ecs-image-from-a-central-registry", [resource(TASK, {"containerDefinitions": json.dumps(
        [{"name": "app", "image": "123456789012.dkr.ecr.us-west-2.amazonaws.com/app:1"}])})], {}, None),
    ("a-lambda-image-from-another-region", [resource("aws:lambda/function:Function", {
        "packageType": "Image", "imageUri": "123456789012.dkr.ecr.us-west-2.amazonaws.com/app:1"})], {},
     [["imageUri names region 'us-west-2'", "image_uri=pulumi.Output.concat(repository.repository_url"]]),
    ("a-vpc-endpoint-service-fix-keeps-the-service", [resource("aws:ec2/vpcEndpoint:VpcEndpoint", {
        "serviceName": "com.amazonaws.us-west-2.dynamodb", "vpcId": "v"})], {},
     [["Fix: service_name=f\"com.amazonaws.{region}.dynamodb\" with region = aws.get_region().region"]]),
    ("an-integration-uri-of-another-region", [resource("aws:apigateway/integration:Integration", {
        "uri": "arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/"
               "arn:aws:lambda:us-east-1:123456789012:function:f/invocations"})], {},
     [["uri names region 'us-west-2' ('arn:aws:apigateway:us-west-2:lambda:path/2015-03-31/functions/')",
       "Fix: uri=function.invoke_arn"]]),
    ("nested-tags-are-labels", [resource("aws:ec2/launchTemplate:LaunchTemplate", {"tagSpecifications": [
        {"resourceType": "instance", "tags": {"Source": "arn:aws:sns:us-west-2:1:x"}}],
        "tags": {"Region": "us-west-2"}})], {}, None),
    ("a-type-meant-for-another-region", [resource("aws:rds/instanceAutomatedBackupsReplication:"
                                                   "InstanceAutomatedBackupsReplication", {
        "sourceDbInstanceArn": "arn:aws:rds:us-west-2:123456789012:db:main",
        "kmsKeyId": "arn:aws:kms:us-west-2:1:key/1"})],
     {}, None),
    ("global-types", [resource("aws:route53/healthCheck:HealthCheck", {"fqdn": "a.execute-api.us-west-2.amazonaws.com"},
                               region=None),
                      resource("aws:shield/protection:Protection", {"resourceArn": "arn:aws:elasticloadbalancing:"
                                                                                   "us-west-2:1:loadbalancer/app/x"},
                               region=None)], {}, None),
    ("allowed-regions-do-not-excuse-zones", [resource(SUBNET, {"availabilityZone": "us-west-2a"})],
     {"allowedRegions": ["us-west-2"]}, [["availabilityZone 'us-west-2a' (a zone of us-west-2)"]]),
    ("a-cache-zone-list", [resource("aws:elasticache/replicationGroup:ReplicationGroup", {
        "preferredCacheClusterAzs": ["us-east-1a", "eu-west-1b"]})], {},
     [["preferredCacheClusterAzs[1] 'eu-west-1b'"]]),
    ("a-secret-own-region", [resource(SUBNET, {"availabilityZone": "eu-south-2a"}, region=Secret("eu-central-1"))], {},
     None),
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


def test_two_subnets_given_one_list_of_zones_are_one_mistake():
    subnets = [resource(SUBNET, {"availabilityZone": f"us-west-2{z}"}, name=f"public-{z}") for z in "ab"]
    [finding] = check_stack(NAME, stack(*subnets), stack=EAST)
    assert_findings([finding], ["pulumi:pulumi:Stack 'tap-pr1': 2 resources take zones of region 'us-west-2' outside "
                                "their own region: aws:ec2/subnet:Subnet 'public-a' (availabilityZone), "
                                "aws:ec2/subnet:Subnet 'public-b' (availabilityZone)",
                                "Fix: azs = aws.get_availability_zones("])


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
def test_a_provider_region_that_cannot_be_read_leaves_region_names_alone_but_not_zones(region):
    hidden = Provider("pulumi:providers:aws", "urn:pulumi:pr1::tap::pulumi:providers:aws::p", "p",
                      Props.from_dict({"region": region}))
    arn = resource(ASSOCIATION, {"resourceArn": "arn:aws:apigateway:us-west-2::/restapis/a/stages/p"}, via=hidden)
    assert check_stack(NAME, stack(arn), stack=EAST) == [], "the stack may deploy to us-west-2 through it"
    zone = resource(SUBNET, {"availabilityZone": "eu-south-2a"}, via=hidden)
    assert_findings(check_stack(NAME, stack(zone), stack=EAST), "availabilityZone 'eu-south-2a'")


def test_a_nested_zone_in_a_multi_region_stack():
    west = provider("west", "us-west-2")
    template = resource("aws:ec2/launchTemplate:LaunchTemplate", {"placement": {"availabilityZone": "us-east-1a"}},
                        name="dr-template", region="us-west-2", via=west)
    assert_findings(check_stack(NAME, stack(template), stack=EAST),
                    "placement.availabilityZone 'us-east-1a' (a zone of us-east-1), but it deploys to region "
                    "'us-west-2'")


def test_a_long_key_is_cut_in_the_message():
    key = "k" * 5000
    named = resource("aws:cloudwatch/metricAlarm:MetricAlarm", {"alarmActions": [
        {key: "arn:aws:sns:us-west-2:123456789012:oncall"}] * 50})
    [finding] = check_stack(NAME, stack(named), stack=EAST)
    assert len(finding.message) < 2000


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
