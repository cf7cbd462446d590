import pytest

from policies._core.resource import Resource
from policies._core.values import UNKNOWN
from tests.conftest import check_stack

NAME = "apigateway-private-api-policy"
API, POLICY, DEPLOYMENT = ("aws:apigateway/restApi:RestApi", "aws:apigateway/restApiPolicy:RestApiPolicy",
                           "aws:apigateway/deployment:Deployment")
DOCUMENT = '{"Version": "2012-10-17", "Statement": []}'


def api(types="PRIVATE", **props):
    return Resource.of(API, {"name": "orders-dev", "endpointConfiguration": {"types": types}, **props},
                       name="orders-api")


def api_policy(api_urn=None, **kwargs):
    pdeps = {"restApiId": [api_urn]} if api_urn else {}
    return Resource.of(POLICY, {"restApiId": UNKNOWN if api_urn else "abc123", "policy": DOCUMENT},
                       name="orders-api-policy", property_dependencies=pdeps, **kwargs)


def deployment(api_urn, dependencies=()):
    return Resource.of(DEPLOYMENT, {"restApi": UNKNOWN}, name="orders-deployment",
                       property_dependencies={"restApi": [api_urn]}, dependencies=list(dependencies))


def test_a_private_api_without_any_policy_is_reported_on_the_api():
    private = api()
    (finding,) = check_stack(NAME, [private, deployment(private.urn)])
    assert finding.urn == private.urn
    assert "endpointConfiguration.types is PRIVATE and the API has no resource policy" in finding.message
    assert "Private REST API doesn't have a resource policy attached to it" in finding.message
    assert "aws.apigateway.RestApiPolicy(" in finding.fix and "aws:SourceVpce" in finding.fix


@pytest.mark.parametrize("resources", [
    pytest.param(lambda: [api(policy=DOCUMENT)], id="inline-policy"),
    pytest.param(lambda: [api(policy=UNKNOWN)], id="inline-policy-unknown"),
    pytest.param(lambda: [api(types="REGIONAL")], id="regional"),
    pytest.param(lambda: [api(types=["EDGE"])], id="edge-as-pulumi-aws-6-lists-it"),
    pytest.param(lambda: [Resource.of(API, {"name": "x", "endpointConfiguration": UNKNOWN}, name="x")],
                 id="endpoint-unknown"),
    pytest.param(lambda: [Resource.of(API, {"name": "x"}, name="x")], id="no-endpoint-configuration"),
    pytest.param(lambda: [api(), Resource.of(POLICY, {"restApiId": UNKNOWN, "policy": DOCUMENT}, name="p")],
                 id="a-policy-whose-api-is-unknown"),
    pytest.param(lambda: [api(id="abc123"), api_policy()], id="policy-by-known-id"),
])
def test_quiet(resources):
    assert check_stack(NAME, resources()) == []


@pytest.mark.parametrize(("given", "reported"), [
    ({"endpointConfiguration": [], "name": []}, True),  # the program set other inputs, not policy
    ({"endpointConfiguration": [], "policy": ["urn:pulumi:dev::p::aws:ec2/vpcEndpoint:VpcEndpoint::e"]}, False),
    ({}, False),  # no property dependencies at all: nothing tells
])
def test_a_policy_output_unknown_in_a_preview(given, reported):
    private = Resource.of(API, {"name": "orders-dev", "endpointConfiguration": {"types": "PRIVATE"},
                                "policy": UNKNOWN}, name="orders-api", property_dependencies=given)
    assert bool(check_stack(NAME, [private])) is reported


def test_pulumi_aws_6_lists_the_endpoint_type():
    assert len(check_stack(NAME, [api(types=["PRIVATE"])])) == 1


def test_a_policy_for_another_api_does_not_count():
    private = api(id="abc123")
    other = Resource.of(POLICY, {"restApiId": "zzz999", "policy": DOCUMENT}, name="other-policy")
    assert len(check_stack(NAME, [private, other])) == 1


@pytest.mark.parametrize(("ordered", "reported"), [("none", True), ("direct", False), ("through-parent", False)])
def test_a_deployment_must_come_after_the_attached_policy(ordered, reported):
    private = api()
    attached = api_policy(private.urn)
    extra = []
    if ordered == "none":
        deploy = deployment(private.urn)
    elif ordered == "direct":
        deploy = deployment(private.urn, dependencies=[attached.urn])
    else:
        component = Resource.of("tap:api:Api", {}, name="api", dependencies=[attached.urn])
        deploy = Resource.of(DEPLOYMENT, {"restApi": UNKNOWN}, name="orders-deployment", parent=component.urn,
                             property_dependencies={"restApi": [private.urn]})
        extra = [component]
    findings = check_stack(NAME, [private, attached, deploy, *extra])
    assert bool(findings) is reported
    if reported:
        (finding,) = findings
        assert finding.urn == deploy.urn
        assert "is not created after the API's resource policy aws:apigateway/restApiPolicy" in finding.message
        assert "depends_on=[api_policy]" in finding.fix


def test_a_deployment_of_another_api_is_not_reported():
    private, other = api(), Resource.of(API, {"name": "public"}, name="public-api")
    assert check_stack(NAME, [private, api_policy(private.urn), deployment(other.urn)]) == []
