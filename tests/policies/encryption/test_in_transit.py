import pytest

from policies._core.values import UNKNOWN, Secret
from tests.conftest import REMOVE, assert_findings, check, merged

NAME = "encryption-in-transit"
GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
BASE = {"replicationGroupId": "sessions-dev", "description": "sessions", "engine": "valkey",
        "engineVersion": "8.0", "nodeType": "cache.t4g.micro", "numCacheClusters": 2,
        "atRestEncryptionEnabled": True, "transitEncryptionEnabled": True}

CASES = [
    ("encrypted", {}, None),
    ("not-set-is-off", {"transitEncryptionEnabled": REMOVE},
     ["transitEncryptionEnabled is not set (CreateReplicationGroup leaves it off); expected true",
      "Fix: transit_encryption_enabled=True (clients then connect with TLS: ssl=True in redis-py)"]),
    ("off", {"transitEncryptionEnabled": False}, ["transitEncryptionEnabled is false; expected true"]),
    ("off-as-text", {"transitEncryptionEnabled": "false"}, ["transitEncryptionEnabled is 'false'"]),
    ("on-as-text", {"transitEncryptionEnabled": "true"}, None),
    ("unknown", {"transitEncryptionEnabled": UNKNOWN}, None),
    ("secret-value-not-shown", {"transitEncryptionEnabled": Secret(False)}, ["transitEncryptionEnabled is [secret]"]),
    ("redis-7", {"engine": "redis", "engineVersion": "7.1", "transitEncryptionEnabled": False},
     ["transitEncryptionEnabled is false"]),
    ("redis-6-wildcard", {"engine": "redis", "engineVersion": "6.x", "transitEncryptionEnabled": False},
     ["transitEncryptionEnabled is false"]),
    ("redis-3.2.6-is-the-first", {"engine": "redis", "engineVersion": "3.2.6", "transitEncryptionEnabled": False},
     ["transitEncryptionEnabled is false"]),
    ("redis-3.2.4-cannot", {"engine": "redis", "engineVersion": "3.2.4", "transitEncryptionEnabled": False}, None),
    ("redis-2.8-cannot", {"engine": "redis", "engineVersion": "2.8.24", "transitEncryptionEnabled": False}, None),
    ("version-unknown-is-checked", {"engineVersion": UNKNOWN, "transitEncryptionEnabled": False},
     ["transitEncryptionEnabled is false"]),
    ("version-absent-is-checked", {"engineVersion": REMOVE, "transitEncryptionEnabled": False},
     ["transitEncryptionEnabled is false"]),
    ("absurd-version", {"engineVersion": "9" * 5000, "transitEncryptionEnabled": False},
     ["transitEncryptionEnabled is false"]),
    ("global-datastore-member", {"globalReplicationGroupId": "ldgr-sessions", "transitEncryptionEnabled": REMOVE},
     None),
    ("global-membership-unknown", {"globalReplicationGroupId": UNKNOWN, "transitEncryptionEnabled": REMOVE}, None),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(changes, expected):
    assert_findings(check(NAME, GROUP, merged(BASE, **changes)), expected)


def test_other_caches_are_not_checked():
    assert check(NAME, "aws:elasticache/serverlessCache:ServerlessCache", {"engine": "valkey"}) == []
    memcached = {"engine": "memcached", "transitEncryptionEnabled": False}
    assert check(NAME, "aws:elasticache/cluster:Cluster", memcached) == []


def test_no_automatic_remediation():
    from policies.encryption.in_transit import POLICY
    assert POLICY.remediate is None
