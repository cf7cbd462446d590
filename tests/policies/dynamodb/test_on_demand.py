import pytest

from policies._core.values import UNKNOWN, Secret
from tests.conftest import REMOVE, assert_findings, check, merged

NAME = "dynamodb-on-demand"
TABLE = "aws:dynamodb/table:Table"
BASE = {"name": "transactions-dev", "hashKey": "id", "attributes": [{"name": "id", "type": "S"}],
        "billingMode": "PAY_PER_REQUEST"}

CASES = [
    ("compliant", {}, {}, None),
    ("provisioned-filled-by-provider", {"billingMode": "PROVISIONED", "readCapacity": 5, "writeCapacity": 5}, {},
     ["billingMode is 'PROVISIONED'", 'billing_mode="PAY_PER_REQUEST"']),
    ("absent-in-tests-means-provisioned", {"billingMode": REMOVE}, {}, ["not set (DynamoDB defaults to PROVISIONED)"]),
    ("unknown", {"billingMode": UNKNOWN}, {}, None),
    ("secret-on-demand", {"billingMode": Secret("PAY_PER_REQUEST")}, {}, None),
    ("secret-provisioned", {"billingMode": Secret("PROVISIONED")}, {}, ["billingMode is [secret]"]),
    ("wrong-type", {"billingMode": 1}, {}, ["billingMode is 1"]),
    ("exempt-by-physical-name", {"billingMode": "PROVISIONED"}, {"exemptTables": ["transactions-*"]}, None),
    ("exempt-pattern-other-table", {"billingMode": "PROVISIONED"}, {"exemptTables": ["orders-*"]}, ["PROVISIONED"]),
]


@pytest.mark.parametrize(("changes", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(changes, config, expected):
    findings = check(NAME, TABLE, merged(BASE, **changes), config=config)
    assert_findings(findings, expected)


def test_exempt_by_logical_name():
    props = merged(BASE, billingMode="PROVISIONED", name=REMOVE)
    assert check(NAME, TABLE, props, name="legacy-dev", config={"exemptTables": ["legacy-*"]}) == []


def test_global_tables_and_other_types_are_ignored():
    assert check(NAME, "aws:dynamodb/globalTable:GlobalTable", {"name": "g"}) == []


def provisioned_table(scaled: bool):
    def program() -> None:
        import pulumi_aws as aws

        table = aws.dynamodb.Table("orders-dev", billing_mode="PROVISIONED", read_capacity=5, write_capacity=5,
                                   hash_key="pk", attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S")],
                                   point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True))
        if scaled:
            aws.appautoscaling.Target("orders-read-scaling", service_namespace="dynamodb",
                                      resource_id=table.name.apply(lambda n: f"table/{n}"),
                                      scalable_dimension="dynamodb:table:ReadCapacityUnits",
                                      min_capacity=5, max_capacity=50)
    return program


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize(("scaled", "preview", "reported"), [
    (False, True, True), (True, True, False),
    # An update holds this advisory finding to the end too, where the auto-scaling target explains it.
    (False, False, True), (True, False, False),
])
def test_provisioned_capacity_with_auto_scaling_is_a_choice(scaled, preview, reported):
    from aws_conventions.testing import check_program

    findings = [f for f in check_program(provisioned_table(scaled), stack="dev", preview=preview)
                if f.policy == NAME]
    assert bool(findings) is reported
