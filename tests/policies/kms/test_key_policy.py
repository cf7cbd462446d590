import json

import pytest

from policies._core.values import UNKNOWN, Secret
from tests.conftest import assert_findings, check

NAME = "kms-key-policy"
KEY = "aws:kms/key:Key"
KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy"
ROOT = {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "kms:*", "Resource": "*"}
LOGS = {"Sid": "Logs", "Effect": "Allow", "Principal": {"Service": "logs.us-east-1.amazonaws.com"},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"], "Resource": "*",
        "Condition": {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:us-east-1:123456789012:*"}}}
ROLE = {"AWS": "arn:aws:iam::123456789012:role/api-dev"}


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


CASES = [
    # (id, type, policy, substrings of the one finding, or None for silence)
    ("compliant", KEY, doc(ROOT, LOGS), None),
    ("compliant-key-policy", KEY_POLICY, doc(ROOT, LOGS), None),
    ("bare-account-id", KEY, doc({**ROOT, "Principal": {"AWS": "123456789012"}}), None),
    ("kms-star-to-role", KEY, doc(ROOT, {**ROOT, "Sid": "App", "Principal": ROLE}),
     ["policy statement 2 (Sid 'App') grants kms:* (full control of the key) to "
      "AWS:arn:aws:iam::123456789012:role/api-dev", "account root"]),
    ("star-action-to-service", KEY_POLICY, doc({**LOGS, "Action": "*"}),
     ["grants kms:* (full control of the key) to Service:logs.us-east-1.amazonaws.com"]),
    ("role-decrypts", KEY, doc(ROOT, {**ROOT, "Principal": ROLE, "Action": ["kms:Decrypt"]}), None),
    ("deny-is-fine", KEY, doc(ROOT, {**ROOT, "Effect": "Deny", "Principal": ROLE}), None),
    ("everyone-decrypts", KEY_POLICY, doc(ROOT, {**ROOT, "Sid": "Any", "Principal": "*", "Action": "kms:Decrypt"}),
     ["policy statement 2 (Sid 'Any') lets '*' decrypt with the key without a Condition"]),
    ("everyone-decrypts-conditioned", KEY_POLICY,
     doc(ROOT, {**ROOT, "Principal": "*", "Action": "kms:Decrypt",
                "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012"}}}), None),
    ("everyone-decrypts-on-key-left-to-public-principal", KEY,
     doc(ROOT, {**ROOT, "Principal": "*", "Action": "kms:Decrypt"}), None),
    ("as-object", KEY, {"Version": "2012-10-17", "Statement": [{**ROOT, "Principal": ROLE}]}, ["grants kms:*"]),
    ("unknown", KEY, UNKNOWN, None),
    ("unknown-principal", KEY, {"Version": "2012-10-17", "Statement": [{**ROOT, "Principal": {"AWS": UNKNOWN}}]},
     None),
    ("secret", KEY, Secret(doc({**ROOT, "Sid": "Hidden", "Principal": ROLE})),
     ["grants kms:* (full control of the key) to a principal"]),
    ("unreadable", KEY, "not json", None),
    ("wrong-type", KEY, 42, None),
]


@pytest.mark.parametrize(("type_", "policy_", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(type_, policy_, expected):
    props = {"policy": policy_} if type_ == KEY else {"keyId": "k", "policy": policy_}
    findings = check(NAME, type_, props)
    found = assert_findings(findings, expected)
    if found is None:
        return
    assert "Hidden" not in found.message


def test_absent_policy_is_aws_default():
    assert check(NAME, KEY, {"description": "k"}) == []


def test_other_types_are_ignored():
    assert check(NAME, "aws:kms/grant:Grant", {"granteePrincipal": "*", "operations": ["Decrypt"]}) == []
