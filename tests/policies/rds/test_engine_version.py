import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies._core.values import UNKNOWN, Secret
from policies.rds.engine_version import major
from tests.conftest import REMOVE, assert_findings, check, merged

NAME = "rds-engine-version"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/instance:Instance"
INSTANCE_BASE = {"engine": "postgres", "engineVersion": "16", "instanceClass": "db.t4g.micro",
                 "allocatedStorage": 20, "autoMinorVersionUpgrade": True}
CLUSTER_BASE = {"engine": "aurora-postgresql", "engineVersion": "15", "engineMode": "provisioned",
                "skipFinalSnapshot": True}

CASES = [
    ("instance-major-only", INSTANCE, {}, None),
    ("instance-no-version-takes-the-default", INSTANCE, {"engineVersion": REMOVE}, None),
    ("postgres-minor", INSTANCE, {"engineVersion": "15.4"},
     ['engineVersion is "15.4", a minor version of postgres; expected the major version "15" while minor '
      "versions upgrade automatically",
      'fails with "Cannot find version 15.4 for postgres"',
      'the next update tries to go back ("Cannot upgrade postgres from ... to 15.4")', 'Fix: engine_version="15"']),
    ("auto-upgrade-default-is-on", INSTANCE, {"engineVersion": "14.7", "autoMinorVersionUpgrade": REMOVE},
     ['Fix: engine_version="14"']),
    ("auto-upgrade-off-keeps-the-pin", INSTANCE, {"engineVersion": "14.7", "autoMinorVersionUpgrade": False}, None),
    ("auto-upgrade-off-as-text", INSTANCE, {"engineVersion": "14.7", "autoMinorVersionUpgrade": "false"}, None),
    ("auto-upgrade-unknown", INSTANCE, {"engineVersion": "14.7", "autoMinorVersionUpgrade": UNKNOWN}, None),
    ("old-postgres-counts-two-numbers", INSTANCE, {"engineVersion": "9.6.24"}, ['Fix: engine_version="9.6"']),
    ("old-postgres-major", INSTANCE, {"engineVersion": "9.6"}, None),
    ("mysql-minor", INSTANCE, {"engine": "mysql", "engineVersion": "8.0.39"},
     ['"8.0.39", a minor version of mysql', 'Fix: engine_version="8.0"']),
    ("mysql-major", INSTANCE, {"engine": "mysql", "engineVersion": "8.0"}, None),
    ("mariadb-minor", INSTANCE, {"engine": "mariadb", "engineVersion": "10.11.8"}, ['engine_version="10.11"']),
    ("mariadb-major", INSTANCE, {"engine": "mariadb", "engineVersion": "10.11"}, None),
    ("oracle-is-not-checked", INSTANCE, {"engine": "oracle-se2", "engineVersion": "19.0.0.0.ru-2024-01.rur-2024-01.r1"},
     None),
    ("sqlserver-is-not-checked", INSTANCE, {"engine": "sqlserver-ex", "engineVersion": "15.00.4345.5.v1"}, None),
    ("aurora-engine-on-an-instance-follows-its-cluster", INSTANCE,
     {"engine": "aurora-postgresql", "engineVersion": "15.4"}, None),
    ("read-replica-follows-its-source", INSTANCE, {"engineVersion": "15.4", "replicateSourceDb": "orders-dev"}, None),
    ("replica-source-unknown", INSTANCE, {"engineVersion": "15.4", "replicateSourceDb": UNKNOWN}, None),
    ("version-unknown", INSTANCE, {"engineVersion": UNKNOWN}, None),
    ("engine-unknown", INSTANCE, {"engine": UNKNOWN, "engineVersion": "15.4"}, None),
    ("version-secret-is-not-shown", INSTANCE, {"engineVersion": Secret("15.4")}, None),
    ("version-not-a-string", INSTANCE, {"engineVersion": 15.4}, None),
    ("version-with-a-suffix", INSTANCE, {"engineVersion": "15.4-custom"}, None),
    ("version-with-non-ascii-digits", INSTANCE, {"engineVersion": "15.\u0664"}, None),
    ("aurora-postgresql-minor", CLUSTER, {"engineVersion": "15.3"},
     ['"15.3", a minor version of aurora-postgresql', 'Cannot find version 15.3 for aurora-postgresql',
      'Fix: engine_version="15" (and none on its aws.rds.ClusterInstance resources']),
    ("aurora-postgresql-major", CLUSTER, {}, None),
    ("cluster-auto-upgrade-off", CLUSTER, {"engineVersion": "15.3", "autoMinorVersionUpgrade": False}, None),
    ("aurora-mysql-release", CLUSTER, {"engine": "aurora-mysql", "engineVersion": "8.0.mysql_aurora.3.04.0"},
     ['"8.0.mysql_aurora.3.04.0", a minor version of aurora-mysql', 'Fix: engine_version="8.0" (and none on its']),
    ("aurora-mysql-major", CLUSTER, {"engine": "aurora-mysql", "engineVersion": "8.0"}, None),
    ("aurora-mysql-release-line", CLUSTER, {"engine": "aurora-mysql", "engineVersion": "8.0.mysql_aurora.3"}, None),
    ("global-database-member", CLUSTER, {"engineVersion": "15.3", "globalClusterIdentifier": "orders-global"}, None),
    ("global-membership-unknown", CLUSTER, {"engineVersion": "15.3", "globalClusterIdentifier": UNKNOWN}, None),
    ("cross-region-replica-cluster", CLUSTER,
     {"engineVersion": "15.3", "replicationSourceIdentifier": "arn:aws:rds:us-east-1:111122223333:cluster:orders"},
     None),
    ("cluster-from-snapshot", CLUSTER, {"engineVersion": "15.3", "snapshotIdentifier": "orders-final"}, None),
    ("cluster-point-in-time", CLUSTER,
     {"engineVersion": "15.3",
      "restoreToPointInTime": {"sourceClusterIdentifier": "orders", "useLatestRestorableTime": True}}, None),
    ("cluster-from-s3", CLUSTER, {"engine": "aurora-mysql", "engineVersion": "8.0.mysql_aurora.3.04.0",
                                  "s3Import": {"bucketName": "backups", "sourceEngine": "mysql"}}, None),
    ("instance-from-snapshot", INSTANCE, {"engineVersion": "15.4", "snapshotIdentifier": "orders-final"}, None),
    ("instance-point-in-time", INSTANCE,
     {"engineVersion": "15.4", "restoreToPointInTime": {"sourceDbInstanceIdentifier": "orders"}}, None),
    ("aurora-mysql-2", CLUSTER, {"engine": "aurora-mysql", "engineVersion": "5.7.mysql_aurora.2.11.2"},
     ['Fix: engine_version="5.7"']),
    ("absurdly-long-major-is-not-read", INSTANCE, {"engineVersion": "9" * 5000 + ".1"}, None),
]


@pytest.mark.parametrize(("type_", "changes", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(type_, changes, expected):
    base = CLUSTER_BASE if type_ == CLUSTER else INSTANCE_BASE
    assert_findings(check(NAME, type_, merged(base, **changes)), expected)


def test_engines_option_narrows_the_check():
    props = merged(INSTANCE_BASE, engine="mysql", engineVersion="8.0.39")
    assert check(NAME, INSTANCE, props, config={"engines": ["postgres"]}) == []
    assert len(check(NAME, INSTANCE, props, config={"engines": ["mysql"]})) == 1


def test_cluster_instances_are_not_checked():
    props = {"engine": "aurora-postgresql", "engineVersion": "15.3", "instanceClass": "db.r6g.large"}
    assert check(NAME, "aws:rds/clusterInstance:ClusterInstance", props) == []


@pytest.mark.parametrize(("engine", "version", "expected"), [
    ("postgres", "15.4", "15"), ("postgres", "15", "15"), ("postgres", "10.21", "10"), ("postgres", "9.6.24", "9.6"),
    ("aurora-postgresql", "16.1", "16"), ("mysql", "8.0.39", "8.0"), ("mysql", "5.7", "5.7"),
    ("mariadb", "10.6.14", "10.6"), ("postgres", "15.4-R2", None), ("mysql", "", None), ("mysql", "8..0", None),
    ("aurora-mysql", "8.0.mysql_aurora.3.04.0", "8.0"), ("aurora-mysql", "5.7.mysql_aurora.2.11.2", "5.7"),
    ("aurora-mysql", "8.0.mysql_aurora.3", "8.0.mysql_aurora.3"), ("aurora-mysql", "5.7.12", "5.7"),
    ("aurora-mysql", "8.0.mysql_aurora.3.x", None), ("aurora-mysql", "8.mysql_aurora.3.04.0", None),
    ("aurora-mysql", "8.0.1.mysql_aurora.3.04.0", None), ("mysql", "8.0.mysql_aurora.3.04.0", None),
])
def test_major(engine, version, expected):
    assert major(engine, version) == expected


def test_only_aurora_fixes_mention_the_cluster_instances():
    (multi_az,) = check(NAME, CLUSTER, merged(CLUSTER_BASE, engine="postgres", engineVersion="16.3"))
    (aurora,) = check(NAME, CLUSTER, merged(CLUSTER_BASE, engineVersion="16.3"))
    assert "ClusterInstance" not in multi_az.message
    assert multi_az.fix == 'engine_version="16"'
    assert "ClusterInstance" in aurora.message


_PART = st.text(alphabet="0123456789\u0664a-", min_size=0, max_size=4)
_VERSIONS = st.one_of(
    st.text(alphabet="0123456789.-_amyqlsuro\u0664", max_size=30),
    st.lists(_PART, min_size=1, max_size=5).map(".".join),
    st.tuples(st.lists(_PART, min_size=1, max_size=3), st.lists(_PART, min_size=0, max_size=4)).map(
        lambda t: ".".join(t[0]) + ".mysql_aurora." + ".".join(t[1])),
)


@settings(max_examples=500, deadline=None)
@given(engine=st.sampled_from(["postgres", "mysql", "mariadb", "aurora-postgresql", "aurora-mysql"]),
       version=_VERSIONS)
def test_major_is_a_prefix_of_the_version_or_none(engine, version):
    found = major(engine, version)
    assert found is None or version == found or version.startswith(found + ".")
