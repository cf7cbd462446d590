import pytest

from policies._core.values import UNKNOWN, Secret
from tests.conftest import REMOVE, assert_findings, check, merged

NAME = "kms-key-rotation"
KEY = "aws:kms/key:Key"
BASE = {"description": "data key", "enableKeyRotation": True, "deletionWindowInDays": 7}

CASES = [
    ("compliant", {}, {}, None),
    ("rotation-off", {"enableKeyRotation": False}, {}, ["enableKeyRotation is false", "enable_key_rotation=True"]),
    ("rotation-absent", {"enableKeyRotation": REMOVE}, {}, ["not set (rotation is off by default)"]),
    ("rotation-unknown", {"enableKeyRotation": UNKNOWN}, {}, None),
    ("rotation-secret-off", {"enableKeyRotation": Secret(False)}, {}, ["enableKeyRotation is [secret]"]),
    ("rotation-wrong-type", {"enableKeyRotation": "yes"}, {}, ["enableKeyRotation is 'yes'"]),
    ("explicit-symmetric", {"customerMasterKeySpec": "SYMMETRIC_DEFAULT", "keyUsage": "ENCRYPT_DECRYPT",
                            "enableKeyRotation": False}, {}, ["enableKeyRotation is false"]),
    ("asymmetric-never-flagged", {"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY",
                                  "enableKeyRotation": REMOVE}, {}, None),
    ("hmac-never-flagged", {"customerMasterKeySpec": "HMAC_256", "keyUsage": "GENERATE_VERIFY_MAC",
                            "enableKeyRotation": REMOVE}, {}, None),
    ("ecc-never-flagged", {"customerMasterKeySpec": "ECC_NIST_P256", "enableKeyRotation": REMOVE}, {}, None),
    ("custom-key-store-never-flagged", {"customKeyStoreId": "cks-1", "enableKeyRotation": REMOVE}, {}, None),
    ("spec-unknown-silent", {"customerMasterKeySpec": UNKNOWN, "enableKeyRotation": REMOVE}, {}, None),
    ("period-in-bounds", {"rotationPeriodInDays": 180}, {}, None),
    ("period-too-long", {"rotationPeriodInDays": 730}, {}, ["rotationPeriodInDays is 730", "between 90 and 365"]),
    ("period-config", {"rotationPeriodInDays": 730}, {"maxRotationDays": 730}, None),
    ("period-wrong-type", {"rotationPeriodInDays": "soon"}, {}, ["rotationPeriodInDays is 'soon'"]),
    ("period-unknown", {"rotationPeriodInDays": UNKNOWN}, {}, None),
]


@pytest.mark.parametrize(("changes", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(changes, config, expected):
    findings = check(NAME, KEY, merged(BASE, **changes), config=config)
    assert_findings(findings, expected)


def test_replica_keys_and_aliases_are_ignored():
    assert check(NAME, "aws:kms/alias:Alias", {"name": "alias/x-dev", "targetKeyId": "k"}) == []
