import pytest

from policies._core.values import UNKNOWN, Secret
from tests.conftest import REMOVE, assert_findings, check, merged

NAME = "rds-managed-master-password"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/instance:Instance"
CLUSTER_BASE = {"engine": "aurora-postgresql", "masterUsername": "app", "manageMasterUserPassword": True,
                "skipFinalSnapshot": True}
INSTANCE_BASE = {"engine": "postgres", "instanceClass": "db.t4g.micro", "username": "app",
                 "manageMasterUserPassword": True, "allocatedStorage": 20}

CASES = [
    ("cluster-compliant", CLUSTER, {}, None),
    ("global-database-member-is-not-supported-by-aws", CLUSTER,
     {"masterPassword": Secret("x"), "manageMasterUserPassword": REMOVE, "globalClusterIdentifier": "orders-global"},
     None),
    ("global-membership-unknown", CLUSTER,
     {"masterPassword": Secret("x"), "manageMasterUserPassword": REMOVE, "globalClusterIdentifier": UNKNOWN}, None),
    ("serverless-v1-is-not-supported-by-aws", CLUSTER,
     {"masterPassword": Secret("x"), "manageMasterUserPassword": REMOVE, "engineMode": "serverless"}, None),
    ("provisioned-engine-mode-is-checked", CLUSTER,
     {"masterPassword": Secret("x"), "manageMasterUserPassword": REMOVE, "engineMode": "provisioned"},
     ["masterPassword is set"]),
    ("cluster-literal-password", CLUSTER, {"masterPassword": Secret("hunter2"), "manageMasterUserPassword": REMOVE},
     ["masterPassword is set ([secret]: pulumi-aws marks it secret whether it is a literal or generated)",
      "Fix: manage_master_user_password=True instead of master_password=...",
      "cluster.master_user_secrets[0].secret_arn"]),
    ("cluster-plain-password-not-printed", CLUSTER, {"masterPassword": "hunter2", "manageMasterUserPassword": REMOVE},
     ["masterPassword is set"]),
    ("cluster-generated-password", CLUSTER, {"masterPassword": UNKNOWN, "manageMasterUserPassword": REMOVE},
     ["masterPassword is set (to a value computed during the deployment, e.g. a RandomPassword)"]),
    ("cluster-write-only-password", CLUSTER, {"masterPasswordWo": Secret("hunter2"), "masterPasswordWoVersion": 1,
                                              "manageMasterUserPassword": REMOVE},
     ["masterPasswordWo is set", "instead of master_password_wo=..."]),
    ("cluster-password-and-managed", CLUSTER, {"masterPassword": Secret("hunter2")}, ["masterPassword is set"]),
    ("cluster-managed-absent", CLUSTER, {"manageMasterUserPassword": REMOVE},
     ["manageMasterUserPassword is not set; expected true", "Fix: manage_master_user_password=True;"]),
    ("cluster-managed-false", CLUSTER, {"manageMasterUserPassword": False}, ["manageMasterUserPassword is false"]),
    ("cluster-managed-unknown", CLUSTER, {"manageMasterUserPassword": UNKNOWN}, None),
    ("cluster-managed-string", CLUSTER, {"manageMasterUserPassword": "true"}, None),
    ("cluster-managed-wrong-type", CLUSTER, {"manageMasterUserPassword": {"on": True}},
     ["manageMasterUserPassword is {\"on\": true}"]),
    ("cluster-managed-secret-false", CLUSTER, {"manageMasterUserPassword": Secret(False)},
     ["manageMasterUserPassword is [secret]"]),
    ("cluster-secondary-without-credentials", CLUSTER,
     {"masterUsername": REMOVE, "manageMasterUserPassword": REMOVE, "globalClusterIdentifier": "global"}, None),
    ("instance-compliant", INSTANCE, {}, None),
    ("instance-password", INSTANCE, {"password": Secret("hunter2"), "manageMasterUserPassword": REMOVE},
     ["password is set ([secret]", "instead of password=...", "instance.master_user_secrets[0].secret_arn"]),
    ("instance-write-only-password", INSTANCE, {"passwordWo": Secret("hunter2"), "manageMasterUserPassword": REMOVE},
     ["passwordWo is set"]),
    ("instance-managed-absent", INSTANCE, {"manageMasterUserPassword": REMOVE},
     ["manageMasterUserPassword is not set"]),
    ("instance-replica", INSTANCE, {"username": REMOVE, "manageMasterUserPassword": REMOVE,
                                    "replicateSourceDb": "orders-dev"}, None),
    ("instance-from-snapshot", INSTANCE, {"username": REMOVE, "manageMasterUserPassword": REMOVE,
                                          "snapshotIdentifier": "orders-final"}, None),
]


@pytest.mark.parametrize(("type_", "changes", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(type_, changes, expected):
    base = CLUSTER_BASE if type_ == CLUSTER else INSTANCE_BASE
    findings = check(NAME, type_, merged(base, **changes))
    found = assert_findings(findings, expected)
    if found is None:
        return
    assert "hunter2" not in found.message


def test_cluster_instances_and_other_databases_are_ignored():
    assert check(NAME, "aws:rds/clusterInstance:ClusterInstance", {"instanceClass": "db.r6g.large"}) == []
    assert check(NAME, "aws:docdb/cluster:Cluster", {"masterPassword": "hunter2"}) == []
