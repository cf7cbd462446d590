import pytest

from policies._core.context import StackContext
from policies._core.resource import Resource
from policies._core.values import UNKNOWN, Secret
from tests.conftest import REMOVE, analyzer_for, assert_findings, check, merged

NAME = "dynamodb-point-in-time-recovery"
TABLE = "aws:dynamodb/table:Table"
BASE = {"name": "orders-dev", "billingMode": "PAY_PER_REQUEST", "hashKey": "pk",
        "attributes": [{"name": "pk", "type": "S"}], "pointInTimeRecovery": {"enabled": True}}
FIX = "Fix: point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True)"

CASES = [
    ("compliant", {}, {}, None),
    ("off", {"pointInTimeRecovery": {"enabled": False}}, {"ephemeralPattern": "^never$"},
     ["pointInTimeRecovery.enabled is false; expected true", FIX]),
    ("off-on-purpose-in-an-ephemeral-environment", {"pointInTimeRecovery": {"enabled": False}}, {}, None),
    ("absent", {"pointInTimeRecovery": REMOVE}, {},
     ["pointInTimeRecovery.enabled is not set (point-in-time recovery is off by default)"]),
    ("unknown", {"pointInTimeRecovery": UNKNOWN}, {}, None),
    ("enabled-unknown", {"pointInTimeRecovery": {"enabled": UNKNOWN}}, {}, None),
    ("secret-off", {"pointInTimeRecovery": {"enabled": Secret(False)}}, {}, ["enabled is [secret]"]),
    ("absent-is-reported-in-an-ephemeral-environment-too", {"pointInTimeRecovery": REMOVE}, {},
     ["is not set (point-in-time recovery is off by default)"]),
    ("wrong-type", {"pointInTimeRecovery": {"enabled": "sometimes"}}, {}, ["enabled is 'sometimes'"]),
    ("list-shape", {"pointInTimeRecovery": [{"enabled": True}]}, {}, None),
    ("exempt", {"pointInTimeRecovery": REMOVE}, {"exemptTables": ["orders-*"]}, None),
    ("period-ok", {"pointInTimeRecovery": {"enabled": True, "recoveryPeriodInDays": 7}}, {"minRecoveryPeriodDays": 7},
     None),
    ("period-too-short", {"pointInTimeRecovery": {"enabled": True, "recoveryPeriodInDays": 3}},
     {"minRecoveryPeriodDays": 7},
     ["pointInTimeRecovery.recoveryPeriodInDays is 3; expected at least 7 days (35 when not set)",
      "recovery_period_in_days=35"]),
    ("period-wrong-type", {"pointInTimeRecovery": {"enabled": True, "recoveryPeriodInDays": "week"}}, {},
     ["recoveryPeriodInDays is 'week'"]),
    ("period-unknown", {"pointInTimeRecovery": {"enabled": True, "recoveryPeriodInDays": UNKNOWN}},
     {"minRecoveryPeriodDays": 7}, None),
]


@pytest.mark.parametrize(("changes", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(changes, config, expected):
    findings = check(NAME, TABLE, merged(BASE, **changes), config=config)
    assert_findings(findings, expected)


@pytest.mark.parametrize(("changes", "config", "expected"), [
    ({"pointInTimeRecovery": REMOVE}, {}, {"enabled": True}),
    ({"pointInTimeRecovery": {"enabled": False, "recoveryPeriodInDays": 7}}, {},
     {"enabled": True, "recoveryPeriodInDays": 7}),
    ({}, {}, None),
    ({"pointInTimeRecovery": UNKNOWN}, {}, None),
    ({"pointInTimeRecovery": Secret({"enabled": False})}, {}, None),
    ({"pointInTimeRecovery": REMOVE}, {"exemptTables": ["orders-*"]}, None),
], ids=["absent", "off-keeps-period", "compliant", "unknown", "secret-block", "exempt"])
def test_remediation(changes, config, expected):
    props = merged(BASE, **changes)
    applied = analyzer_for(NAME, config, level="remediate").remediate_resource(Resource.of(TABLE, props))
    if expected is None:
        assert applied == []
        return
    assert [p.name for p, _ in applied] == [NAME]
    assert applied[0][1] == {**props, "pointInTimeRecovery": expected}


def test_other_types_are_ignored():
    assert check(NAME, "aws:dynamodb/tableReplica:TableReplica", {"globalTableArn": "arn"}) == []


LOCAL = "http://localhost:4566"


def _provider(endpoints):
    from policies._core.resource import Provider
    from policies._core.values import Props

    return Provider("pulumi:providers:aws", "urn:pulumi:dev::p::pulumi:providers:aws::local", "local",
                    Props.from_dict({"region": "us-east-1", "endpoints": endpoints}))


@pytest.mark.parametrize(("environ", "tags", "endpoints", "reported"), [
    ({"AWS_ENDPOINT_URL": LOCAL}, {}, None, False),
    ({"AWS_ENDPOINT_URL_DYNAMODB": "http://localstack:4566"}, {}, None, False),
    ({"AWS_ENDPOINT_URL_S3": LOCAL}, {}, None, True),  # only S3 goes to the emulator
    ({"AWS_ENDPOINT_URL": "https://dynamodb.us-east-1.amazonaws.com"}, {}, None, True),
    ({}, {"environment-class": "emulator"}, None, False),
    ({}, {}, [{"dynamodb": "http://127.0.0.1:4566"}], False),
    ({}, {}, '[{"dynamodb": "https://localhost.localstack.cloud:4566"}]', False),  # as JSON text
    ({}, {}, [{"s3": LOCAL}], True),
    ({}, {}, [{"dynamodb": Secret(LOCAL)}], True),  # a secret endpoint is not read
    ({}, {}, UNKNOWN, True),
], ids=["sdk-variable", "service-variable", "other-service-variable", "aws-endpoint", "stack-tag",
        "provider-endpoint", "provider-endpoint-json", "provider-other-service", "secret-endpoint",
        "unknown-endpoints"])
def test_not_applicable_on_an_emulator(environ, tags, endpoints, reported):
    analyzer = analyzer_for(NAME, stack=StackContext.from_environ({"PULUMI_STACK": "dev", **environ})._replace(
        tags=tags))
    provider = _provider(endpoints) if endpoints is not None else None
    resource = Resource.of(TABLE, merged(BASE, pointInTimeRecovery=REMOVE), name="orders", provider=provider)
    findings = [f for p, _, f in analyzer.analyze_resource(resource) if p.name == NAME]
    assert bool(findings) is reported
    if not reported:
        assert resource.unchecked[NAME].startswith("the table is deployed to an AWS emulator (")
        assert resource.unchecked[NAME].endswith("): nothing there to recover")
        remediating = analyzer_for(NAME, level="remediate", stack=analyzer.stack)
        assert remediating.remediate_resource(Resource.of(TABLE, merged(BASE, pointInTimeRecovery=REMOVE),
                                                          provider=provider)) == []


def test_the_emulator_is_named_in_the_reason():
    analyzer = analyzer_for(NAME, stack=StackContext.from_environ({"PULUMI_STACK": "dev",
                                                                    "AWS_ENDPOINT_URL": LOCAL}))
    resource = Resource.of(TABLE, merged(BASE, pointInTimeRecovery=REMOVE))
    analyzer.analyze_resource(resource)
    assert f"AWS_ENDPOINT_URL is {LOCAL}" in resource.unchecked[NAME]
