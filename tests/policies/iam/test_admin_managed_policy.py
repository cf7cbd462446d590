"""iam-admin-managed-policy: admin-like AWS managed policies attached by any of the ways programs do it."""

from __future__ import annotations

import pytest

from policies._core.values import UNKNOWN, Secret
from tests.conftest import REMOVE, assert_findings, check, merged

NAME = "iam-admin-managed-policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE = "aws:iam/role:Role"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess"
BASE = {"role": "app-role-dev", "policyArn": READ_ONLY}

CASES = [
    ("compliant", {}, {}, None),
    ("administrator-access", {"policyArn": ADMIN}, {},
     ["policyArn attaches the AWS managed policy AdministratorAccess (arn:aws:iam::aws:policy/AdministratorAccess), "
      "which grants every action on every resource", "Fix: attach an aws.iam.Policy"]),
    ("power-user", {"policyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}, {},
     ["PowerUserAccess", "every action outside IAM and Organizations management"]),
    ("iam-full-access", {"policyArn": "arn:aws:iam::aws:policy/IAMFullAccess"}, {},
     ["IAMFullAccess", "grant itself anything"]),
    ("job-function-path", {"policyArn": "arn:aws:iam::aws:policy/job-function/SystemAdministrator"}, {},
     ["SystemAdministrator", "far broader access than an application needs"]),
    ("other-partition", {"policyArn": "arn:aws-us-gov:iam::aws:policy/AdministratorAccess"}, {},
     ["AdministratorAccess"]),
    ("customer-policy-with-the-same-name", {"policyArn": "arn:aws:iam::123456789012:policy/AdministratorAccess"},
     {}, None),
    ("service-full-access", {"policyArn": "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"}, {},
     ["CloudWatchLogsFullAccess", "which grants every CloudWatchLogs action on every resource of the account"]),
    ("amazon-service-full-access", {"policyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"}, {},
     ["grants every S3 action on every resource"]),
    ("service-read-only", {"policyArn": READ_ONLY}, {}, None),
    ("glob-configured", {"policyArn": READ_ONLY}, {"adminPolicies": ["*DynamoDB*"]},
     ["AmazonDynamoDBReadOnlyAccess", "far broader access"]),
    ("configured-list", {"policyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"},
     {"adminPolicies": ["AmazonS3FullAccess"]}, ["AmazonS3FullAccess"]),
    ("configured-list-replaces-default", {"policyArn": ADMIN}, {"adminPolicies": ["AmazonS3FullAccess"]}, None),
    ("case-insensitive-name", {"policyArn": ADMIN}, {"adminPolicies": ["administratoraccess"]},
     ["AdministratorAccess"]),
    ("ignored-resource", {"policyArn": ADMIN}, {"ignoreResources": ["break-glass-*"]}, None),
    ("unknown", {"policyArn": UNKNOWN}, {}, None),
    ("absent", {"policyArn": REMOVE}, {}, None),
    ("wrong-type", {"policyArn": 5}, {}, None),
    ("secret", {"policyArn": Secret(ADMIN)}, {},
     ["policyArn attaches an admin-like AWS managed policy (not shown: the ARN is a secret)"]),
]


@pytest.mark.parametrize(("changes", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(changes, config, expected):
    findings = check(NAME, ATTACHMENT, merged(BASE, **changes), config=config, name="break-glass-dev")
    found = assert_findings(findings, expected)
    if found is None:
        return
    assert found.property == "policyArn"


def test_secret_arn_is_not_shown():
    (finding,) = check(NAME, ATTACHMENT, merged(BASE, policyArn=Secret(ADMIN)))
    assert "AdministratorAccess" not in finding.message


@pytest.mark.parametrize("type_", [
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment", "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "aws:iam/policyAttachment:PolicyAttachment"])
def test_every_attachment_type(type_):
    (finding,) = check(NAME, type_, {"policyArn": ADMIN})
    assert finding.message.startswith(f"{type_} 'example-dev': policyArn attaches the AWS managed policy "
                                      "AdministratorAccess")


@pytest.mark.parametrize(("arns", "expected"), [
    pytest.param([READ_ONLY], [], id="narrow"),
    pytest.param([READ_ONLY, ADMIN], ["managedPolicyArns[1]"], id="one-admin"),
    pytest.param([UNKNOWN, ADMIN, "arn:aws:iam::aws:policy/PowerUserAccess"],
                 ["managedPolicyArns[1]", "managedPolicyArns[2]"], id="unknown-entries-skipped"),
    pytest.param(UNKNOWN, [], id="unknown-list"),
    pytest.param([Secret(ADMIN)], ["managedPolicyArns[0] attaches an admin-like"], id="secret-entry"),
    pytest.param(Secret([ADMIN]), ["managedPolicyArns[0] attaches an admin-like"], id="secret-list"),
])
def test_role_managed_policy_arns(arns, expected):
    findings = check(NAME, ROLE, {"assumeRolePolicy": "{}", "managedPolicyArns": arns})
    assert [f.property for f in findings] == [e.split(" ")[0] for e in expected]
    for finding, text in zip(findings, expected, strict=True):
        assert text in finding.message


@pytest.mark.parametrize("type_", [
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive"])
def test_exclusive_attachments(type_):
    (finding,) = check(NAME, type_, {"policyArns": [READ_ONLY, ADMIN]})
    assert "policyArns[1] attaches the AWS managed policy AdministratorAccess" in finding.message


def test_other_resource_types_are_ignored():
    assert check(NAME, "aws:iam/policy:Policy", {"policy": "{}", "arn": ADMIN}) == []
