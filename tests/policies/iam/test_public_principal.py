"""iam-public-principal: trust policies, resource policies and Lambda permissions that grant to everyone."""

from __future__ import annotations

import json

import pytest

from policies._core.values import UNKNOWN, Secret
from tests.conftest import REMOVE, assert_findings, check, merged

NAME = "iam-public-principal"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ROLE = "aws:iam/role:Role"
KEY = "aws:kms/key:Key"
PERMISSION = "aws:lambda/permission:Permission"
OBJECTS = "arn:aws:s3:::orders-dev/*"
CLOUDFRONT = {"Sid": "CloudFront", "Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"},
              "Action": "s3:GetObject", "Resource": OBJECTS,
              "Condition": {"StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/E1"}}}
TLS_ONLY = {"Sid": "TlsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": OBJECTS,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": [*statements]})


def public(**extra):
    return {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": OBJECTS, **extra}


BUCKET_BASE = {"bucket": "orders-dev", "policy": doc(CLOUDFRONT, TLS_ONLY)}

BUCKET_CASES = [
    ("compliant", {}, {}, None),
    ("public-read", {"policy": doc(CLOUDFRONT, public(Sid="PublicRead"))}, {},
     ["policy statement 2 (Sid 'PublicRead') grants s3:GetObject to everyone (Principal '*') without a "
      "Condition that limits who", "aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID"]),
    ("aws-star-map", {"policy": doc(public(Principal={"AWS": "*"}))}, {}, ["to everyone (Principal '*')"]),
    ("aws-star-in-list", {"policy": doc(public(Principal={"AWS": ["arn:aws:iam::1:root", "*"]}))}, {},
     ["to everyone"]),
    ("many-actions-capped", {"policy": doc(public(Action=[f"s3:Get{x}" for x in "ABCDEFG"]))}, {},
     ["grants s3:GetA, s3:GetB, s3:GetC, s3:GetD, s3:GetE and 2 more to everyone"]),
    ("org-condition", {"policy": doc(public(Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}))}, {},
     None),
    ("source-account-condition", {"policy": doc(public(Condition={"StringEquals": {"aws:SourceAccount": "1"}}))},
     {}, None),
    ("tls-condition-does-not-limit-who", {"policy": doc(public(Condition={"Bool": {"aws:SecureTransport": "true"}}))},
     {}, ["grants s3:GetObject to everyone"]),
    ("referer-condition-does-not-limit-who", {"policy": doc(public(Condition={
        "StringLike": {"aws:Referer": "https://example.com/*"}}))}, {}, ["to everyone"]),
    ("unknown-condition", {"policy": {"Statement": [public(Condition=UNKNOWN)]}}, {}, None),
    ("not-principal", {"policy": doc({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"},
                                      "Action": "s3:GetObject", "Resource": OBJECTS})}, {},
     ["grants s3:GetObject to everyone except the NotPrincipal"]),
    ("deny-is-never-reported", {"policy": doc(TLS_ONLY, {**TLS_ONLY, "Condition": {}})}, {}, None),
    ("unknown-principal", {"policy": {"Statement": [public(Principal={"AWS": UNKNOWN})]}}, {}, None),
    ("unknown-document", {"policy": UNKNOWN}, {}, None),
    ("object-document", {"policy": {"Statement": public()}}, {}, ["policy statement 1 grants s3:GetObject"]),
    ("secret-document", {"policy": Secret(doc(public(Sid="Hidden")))}, {},
     ["policy statement 1 grants access to everyone (Principal '*')"]),
    ("invalid-json", {"policy": "{not json"}, {}, ["policy cannot be read as an IAM policy document: it is not "
                                                   "valid JSON"]),
    ("statement-number", {"policy": json.dumps({"Statement": 5})}, {}, ["its Statement is a number"]),
    ("malformed", {"policy": doc({"Principal": "*", "Action": "s3:GetObject"})}, {},
     ["has statements IAM would reject: statement 1: Effect is missing"]),
    ("invalid-document-off", {"policy": "{"}, {"findings": ["resource-policy"]}, None),
    ("resource-policy-off", {"policy": doc(public())}, {"findings": ["trust-policy"]}, None),
    ("ignored-resource", {"policy": doc(public())}, {"ignoreResources": ["website-*"]}, None),
]


@pytest.mark.parametrize(("changes", "config", "expected"), [c[1:] for c in BUCKET_CASES],
                         ids=[c[0] for c in BUCKET_CASES])
def test_bucket_policy(changes, config, expected):
    findings = check(NAME, BUCKET_POLICY, merged(BUCKET_BASE, **changes), config=config, name="website-dev")
    assert_findings(findings, expected)


def test_secret_resource_policy_is_not_shown():
    (finding,) = check(NAME, BUCKET_POLICY, merged(BUCKET_BASE, policy=Secret(doc(public(Sid="HiddenSid")))))
    assert "HiddenSid" not in finding.message and "GetObject" not in finding.message


@pytest.mark.parametrize(("type_", "props"), [
    ("aws:sqs/queuePolicy:QueuePolicy", {"queueUrl": "q"}),
    ("aws:sqs/queue:Queue", {}),
    ("aws:sns/topicPolicy:TopicPolicy", {"arn": "t"}),
    ("aws:sns/topic:Topic", {}),
    ("aws:ecr/repositoryPolicy:RepositoryPolicy", {"repository": "r"}),
    ("aws:secretsmanager/secretPolicy:SecretPolicy", {"secretArn": "s"}),
    ("aws:secretsmanager/secret:Secret", {}),
    ("aws:kms/key:Key", {}),
    ("aws:s3/bucket:Bucket", {}),
    ("aws:apigateway/restApi:RestApi", {"name": "api-dev"}),
    ("aws:apigateway/restApiPolicy:RestApiPolicy", {"restApiId": "a1b2c3"}),
])
def test_every_resource_policy_type(type_, props):
    findings = check(NAME, type_, {**props, "policy": doc(public(Action="*", Resource="*"))})
    assert len(findings) == 1
    assert f"{type_} 'example-dev': policy statement 1 grants * to everyone" in findings[0].message


REST_API = "aws:apigateway/restApi:RestApi"
REST_API_POLICY = "aws:apigateway/restApiPolicy:RestApiPolicy"
VPCE = "vpce-0a1b2c3d4e5f67890"


def invoke(effect="Allow", **extra):
    return {"Effect": effect, "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
            **extra}


ONLY_VPCE = invoke("Deny", Condition={"StringNotEquals": {"aws:SourceVpce": VPCE}})
API_BASE = {"name": "orders-api-dev", "endpointConfiguration": {"types": "PRIVATE"},
            "policy": doc(ONLY_VPCE, invoke())}

API_CASES = [
    ("private-api-pattern", {}, None),
    ("allow-without-the-deny", {"policy": doc(invoke(Sid="Invoke"))},
     ["aws:apigateway/restApi:RestApi 'example-dev': policy statement 1 (Sid 'Invoke') grants execute-api:Invoke "
      "to everyone (Principal '*') without a Condition that limits who",
      'Fix: add a Condition on who may call: "Condition": {"StringEquals": {"aws:SourceVpce": vpc_endpoint.id}}',
      '{"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*", '
      '"Condition": {"StringNotEquals": {"aws:SourceVpce": vpc_endpoint.id}}}']),
    ("aws-star-principal", {"policy": doc({**invoke(), "Principal": {"AWS": "*"}})}, ["to everyone"]),
    ("allow-on-source-vpce", {"policy": doc(invoke(Condition={"StringEquals": {"aws:SourceVpce": VPCE}}))}, None),
    ("allow-on-source-vpc", {"policy": doc(invoke(Condition={"StringEquals": {"aws:SourceVpc": "vpc-1"}}))}, None),
    ("allow-on-source-ip", {"policy": doc(invoke(Condition={"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}))},
     None),
    ("allow-on-org", {"policy": doc(invoke(Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}))}, None),
    ("deny-outside-an-ip-range", {"policy": doc(invoke("Deny", Condition={
        "NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}), invoke())}, None),
    ("deny-if-exists-variant", {"policy": doc(invoke("Deny", Condition={
        "StringNotEqualsIfExists": {"aws:SourceVpce": VPCE}}), invoke())}, None),
    ("deny-with-unknown-condition", {"policy": {"Statement": [invoke("Deny", Condition=UNKNOWN), invoke()]}}, None),
    ("deny-of-one-ip-does-not-narrow", {"policy": doc(invoke("Deny", Condition={
        "IpAddress": {"aws:SourceIp": "198.51.100.7/32"}}), invoke())}, ["statement 2 grants execute-api:Invoke"]),
    ("deny-over-plain-http-does-not-narrow", {"policy": doc(invoke("Deny", Condition={
        "Bool": {"aws:SecureTransport": "false"}}), invoke())}, ["statement 2 grants execute-api:Invoke"]),
    ("deny-with-a-second-test-does-not-narrow", {"policy": doc(invoke("Deny", Condition={
        "StringNotEquals": {"aws:SourceVpce": VPCE}, "Bool": {"aws:SecureTransport": "false"}}), invoke())},
     ["statement 2 grants"]),
    ("deny-without-condition-is-not-a-narrowing", {"policy": doc(invoke("Deny"), invoke())},
     ["statement 2 grants"]),
    ("deny-for-a-named-principal-does-not-narrow", {"policy": doc({
        **ONLY_VPCE, "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}, invoke())}, ["statement 2 grants"]),
    ("deny-of-one-stage-does-not-cover-all", {"policy": doc({**ONLY_VPCE, "Resource": "execute-api:/prod/*"},
                                                            invoke())}, ["statement 2 grants"]),
    ("deny-of-invoke-does-not-cover-every-action", {"policy": doc(ONLY_VPCE, invoke(Action="execute-api:*"))},
     ["statement 2 grants execute-api:* to everyone"]),
    ("deny-of-every-action-covers-invoke", {"policy": doc({**ONLY_VPCE, "Action": "execute-api:*"}, invoke())},
     None),
    ("deny-pattern-covers-allow-pattern", {"policy": doc({**ONLY_VPCE, "Action": "execute-api:*"},
                                                         invoke(Action="execute-api:*"))}, None),
    ("deny-with-not-action-is-not-reasoned-about", {"policy": doc({
        **{k: v for k, v in ONLY_VPCE.items() if k != "Action"}, "NotAction": "execute-api:ManageConnections"},
        invoke())}, ["statement 2 grants"]),
    ("star-resource-is-the-whole-api", {"policy": doc(ONLY_VPCE, invoke(Resource="*"))}, None),
    ("api-arn-is-the-whole-api", {"policy": doc(
        {**ONLY_VPCE, "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3/*"},
        invoke(Resource="execute-api:/*/*/*"))}, None),
    ("unknown-deny-resource", {"policy": {"Statement": [{**ONLY_VPCE, "Resource": UNKNOWN}, invoke()]}}, None),
    ("unknown-deny-principal", {"policy": {"Statement": [{**ONLY_VPCE, "Principal": {"AWS": UNKNOWN}}, invoke()]}},
     None),
    ("unknown-document", {"policy": UNKNOWN}, None),
    ("no-policy", {"policy": REMOVE}, None),
    ("secret-document", {"policy": Secret(doc(invoke(Sid="Hidden")))},
     ["policy statement 1 grants access to everyone (Principal '*')"]),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in API_CASES], ids=[c[0] for c in API_CASES])
def test_rest_api_policy(changes, expected):
    found = assert_findings(check(NAME, REST_API, merged(API_BASE, **changes)), expected)
    assert found is None or found.property == "policy"


def test_rest_api_policy_resource_is_checked_alike():
    props = {"restApiId": "a1b2c3", "policy": doc(invoke())}
    (found,) = check(NAME, REST_API_POLICY, props)
    assert "RestApiPolicy 'example-dev': policy statement 1 grants execute-api:Invoke to everyone" in found.message
    assert check(NAME, REST_API_POLICY, {**props, "policy": doc(ONLY_VPCE, invoke())}) == []


@pytest.mark.parametrize(("deny", "expected"), [
    pytest.param({}, None, id="deny-covers-the-allow"),
    pytest.param({"Action": "s3:PutObject"}, ["grants s3:GetObject to everyone"], id="deny-of-another-action"),
    pytest.param({"Resource": "arn:aws:s3:::orders-dev/private/*"}, ["grants s3:GetObject to everyone"],
                 id="deny-of-a-narrower-prefix"),
    pytest.param({"Resource": "*"}, None, id="deny-of-every-resource"),
])
def test_a_deny_that_narrows_applies_to_other_resource_policies(deny, expected):
    """A bucket readable only through a VPC endpoint, as AWS documents it."""
    only_vpce = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": OBJECTS,
                 "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}}, **deny}
    assert_findings(check(NAME, BUCKET_POLICY, merged(BUCKET_BASE, policy=doc(only_vpce, public()))), expected)


ACCOUNT_ROOT = {"Sid": "Enable IAM User Permissions", "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*", "Resource": "*"}
VIA_SERVICE = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
               "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012",
                                                               "kms:ViaService": "s3.us-east-1.amazonaws.com"}}}


@pytest.mark.parametrize(("statements", "expected"), [
    pytest.param([ACCOUNT_ROOT], None, id="default-key-policy"),
    pytest.param([ACCOUNT_ROOT, VIA_SERVICE], None, id="via-service-condition"),
    pytest.param([ACCOUNT_ROOT, {**VIA_SERVICE, "Condition": {}}],
                 "policy statement 2 grants kms:Decrypt, kms:GenerateDataKey* to everyone", id="public-key"),
])
def test_kms_key_policy(statements, expected):
    findings = check(NAME, KEY, {"description": "data key", "policy": doc(*statements)})
    assert_findings(findings, expected)


LAMBDA_TRUST = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
GITHUB = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
ROLE_BASE = {"assumeRolePolicy": doc(LAMBDA_TRUST)}

TRUST_CASES = [
    ("compliant", {}, None),
    ("anyone", {"assumeRolePolicy": doc({"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"},
                                         "Action": "sts:AssumeRole"})},
     ["assumeRolePolicy statement 1 (Sid 'Anyone') lets everyone (Principal '*') assume the role without a "
      "Condition that limits who", "sts:ExternalId"]),
    ("anyone-with-external-id", {"assumeRolePolicy": doc({"Effect": "Allow", "Principal": {"AWS": "*"},
                                                          "Action": "sts:AssumeRole", "Condition": {
                                                              "StringEquals": {"sts:ExternalId": "x"}}})}, None),
    ("account-root", {"assumeRolePolicy": doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::1:root"},
                                               "Action": "sts:AssumeRole"})}, None),
    ("github-without-condition", {"assumeRolePolicy": doc({"Effect": "Allow", "Principal": {"Federated": GITHUB},
                                                           "Action": "sts:AssumeRoleWithWebIdentity"})},
     [f"lets any identity of the web identity provider '{GITHUB}' assume the role", ":sub"]),
    ("github-with-condition", {"assumeRolePolicy": doc({
        "Effect": "Allow", "Principal": {"Federated": GITHUB}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/repo:*"}}})}, None),
    ("saml-without-condition", {"assumeRolePolicy": doc({
        "Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::1:saml-provider/Okta"},
        "Action": "sts:AssumeRoleWithSAML"})}, None),
    ("deny-anyone", {"assumeRolePolicy": doc(LAMBDA_TRUST, {"Effect": "Deny", "Principal": "*",
                                                            "Action": "sts:AssumeRole"})}, None),
    ("unknown", {"assumeRolePolicy": UNKNOWN}, None),
    ("inline-policies-are-not-trust-policies", {"inlinePolicies": [{"name": "p", "policy": doc(
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})}]}, None),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in TRUST_CASES], ids=[c[0] for c in TRUST_CASES])
def test_trust_policy(changes, expected):
    _assert_on(ROLE, ROLE_BASE, changes, expected, "assumeRolePolicy")


def _assert_on(type_, base, changes, expected, property_):
    """The expected finding (or none) on ``base`` with ``changes``, reported on ``property_``."""
    found = assert_findings(check(NAME, type_, merged(base, **changes)), expected)
    assert found is None or found.property == property_


PERMISSION_BASE = {"action": "lambda:InvokeFunction", "function": "api-dev", "principal": "apigateway.amazonaws.com",
                   "sourceArn": "arn:aws:execute-api:us-east-1:123456789012:abc/*/*"}

PERMISSION_CASES = [
    ("compliant", {}, None),
    ("star-without-source", {"principal": "*", "sourceArn": REMOVE},
     ["principal is '*' with no source_arn, source_account or principal_org_id: any AWS account can invoke",
      'source_arn=pulumi.Output.concat(api.execution_arn, "/*/*")']),
    ("star-with-source-arn", {"principal": "*"}, None),
    ("star-with-source-account", {"principal": "*", "sourceArn": REMOVE, "sourceAccount": "123456789012"}, None),
    ("star-with-org", {"principal": "*", "sourceArn": REMOVE, "principalOrgId": "o-abc"}, None),
    ("star-with-unknown-source", {"principal": "*", "sourceArn": UNKNOWN}, None),
    ("unknown-principal", {"principal": UNKNOWN, "sourceArn": REMOVE}, None),
    ("service-without-source", {"sourceArn": REMOVE}, None),
    ("secret-star", {"principal": Secret("*"), "sourceArn": REMOVE}, ["principal is '*'"]),
    ("function-url-none-is-left-to-lambda-function-url-auth", {
        "principal": "*", "sourceArn": REMOVE, "action": "lambda:InvokeFunctionUrl", "functionUrlAuthType": "NONE"},
     None),
    ("function-url-iam-with-star", {"principal": "*", "sourceArn": REMOVE, "action": "lambda:InvokeFunctionUrl",
                                    "functionUrlAuthType": "AWS_IAM"}, ["principal is '*'"]),
    ("function-url-auth-unknown", {"principal": "*", "sourceArn": REMOVE, "functionUrlAuthType": UNKNOWN}, None),
    ("public-url-second-permission-invoke-function", {"principal": "*", "sourceArn": REMOVE,
                                                      "invokedViaFunctionUrl": True}, None),
    ("invoked-via-url-unknown", {"principal": "*", "sourceArn": REMOVE, "invokedViaFunctionUrl": UNKNOWN}, None),
    ("invoked-via-url-false-is-still-public", {"principal": "*", "sourceArn": REMOVE, "invokedViaFunctionUrl": False},
     ["principal is '*'", 'action="lambda:InvokeFunctionUrl" with function_url_auth_type="NONE"',
      'action="lambda:InvokeFunction" with invoked_via_function_url=True']),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in PERMISSION_CASES],
                         ids=[c[0] for c in PERMISSION_CASES])
def test_lambda_permission(changes, expected):
    _assert_on(PERMISSION, PERMISSION_BASE, changes, expected, "principal")


def test_lambda_permission_finding_can_be_switched_off():
    props = merged(PERMISSION_BASE, principal="*", sourceArn=REMOVE)
    assert check(NAME, PERMISSION, props, config={"findings": ["resource-policy", "trust-policy"]}) == []


def test_identity_policies_are_not_checked():
    everyone = doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})
    assert check(NAME, "aws:iam/rolePolicy:RolePolicy", {"role": "r", "policy": everyone}) == []


def test_a_stringified_output_in_a_document_is_reported_once():
    """The stringified-output policy owns that mistake; with it off, this policy reports it."""
    bag = merged(ROLE_BASE, assumeRolePolicy="Calling __str__ on an Output[T] is not supported.")
    assert check(NAME, ROLE, bag) == []
    (found,) = check(NAME, ROLE, bag, disabled=("stringified-output",))
    assert "assumeRolePolicy cannot be read" in found.message
