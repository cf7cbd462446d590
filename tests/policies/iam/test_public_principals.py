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
])
def test_every_resource_policy_type(type_, props):
    findings = check(NAME, type_, {**props, "policy": doc(public(Action="*", Resource="*"))})
    assert len(findings) == 1
    assert f"{type_} 'example-dev': policy statement 1 grants * to everyone" in findings[0].message


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
    findings = check(NAME, ROLE, merged(ROLE_BASE, **changes))
    found = assert_findings(findings, expected)
    if found is None:
        return
    assert found.property == "assumeRolePolicy"


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
    findings = check(NAME, PERMISSION, merged(PERMISSION_BASE, **changes))
    found = assert_findings(findings, expected)
    if found is None:
        return
    assert found.property == "principal"


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
