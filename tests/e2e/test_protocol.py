"""The pack started as the engine starts it (``python -u -m pulumi.policy``), driven over gRPC."""

import grpc
import pytest

from aws_conventions.engine import PackProcess
from policies import PACK_VERSION, POLICIES
from policies._core.values import UNKNOWN, Secret

TABLE = "aws:dynamodb/table:Table"
PITR = {"pointInTimeRecovery": {"enabled": True}}
LAMBDA = "aws:lambda/function:Function"


@pytest.fixture(scope="module")
def pack():
    with PackProcess(stack="dev", project="tap", stack_config={"tap:environmentSuffix": "pr42"}) as p:
        p.configure_stack()
        yield p


@pytest.fixture(autouse=True)
def default_config(pack):
    pack.configure({})


def test_analyzer_info_describes_every_policy(pack):
    info = pack.info
    assert info.name == "aws-conventions"
    assert info.version == PACK_VERSION
    assert info.supportsConfig
    assert [p.name for p in info.policies] == [p.name for p in POLICIES]
    for wire, policy in zip(info.policies, POLICIES, strict=True):
        assert wire.description == policy.description
        assert wire.remediation_steps == policy.remediation_steps
        assert wire.url.endswith(f"#{policy.name}")
        assert set(wire.configSchema.properties.keys()) == {o.name for o in policy.all_options}


def previewed(pack, type_, props, name):
    """What a preview reports on one resource: ``Analyze``, then ``AnalyzeStack`` at the end, which
    releases the naming findings the pack holds back to condense (see policies/_core/condense.py)."""
    return pack.analyze(type_, props, name=name) + pack.analyze_stack([])


def test_stack_config_from_the_engine_sets_the_suffix(pack):
    props = {"name": "orders-dev", "billingMode": "PAY_PER_REQUEST", "pointInTimeRecovery": {"enabled": True}}
    assert pack.analyze(TABLE, props, name="orders-pr42") == [], "held until the end of the preview"
    diags = pack.analyze_stack([])
    assert [d.policy for d in diags] == ["environment-suffix-naming"]
    assert diags[0].level == "mandatory"
    assert "'pr42' (from the stack config 'tap:environmentSuffix')" in diags[0].message
    assert diags[0].message.startswith(POLICIES[0].description + "\n")
    assert diags[0].urn.endswith("::orders-pr42")


def test_compliant_resource_gets_no_diagnostics(pack):
    props = {"name": "fn-pr42", "tracingConfig": {"mode": "Active"}}
    assert pack.analyze(LAMBDA, props, name="fn-pr42") == []


def test_unknowns_in_preview_give_no_noise(pack):
    props = {"name": UNKNOWN, "tracingConfig": UNKNOWN}
    assert pack.analyze(LAMBDA, props, name="fn-pr42") == []


def test_secret_values_are_never_printed(pack):
    props = {"name": Secret("orders-topsecret"), "billingMode": Secret("PROVISIONED"), **PITR}
    diags = previewed(pack, TABLE, props, "orders-pr42")
    assert {d.policy for d in diags} == {"environment-suffix-naming", "dynamodb-on-demand"}
    for d in diags:
        assert "topsecret" not in d.message and "PROVISIONED" not in d.message.split("\n", 1)[1].split(";")[0]
        assert "[secret]" in d.message


def test_enforcement_levels_from_config(pack):
    pack.configure({"dynamodb-on-demand": "mandatory", "environment-suffix-naming": "disabled"})
    diags = previewed(pack, TABLE, {"name": "orders", "billingMode": "PROVISIONED", **PITR}, "orders")
    assert [(d.policy, d.level) for d in diags] == [("dynamodb-on-demand", "mandatory")]


def test_policy_config_changes_behaviour(pack):
    pack.configure({"log-retention": {"enforcementLevel": "advisory", "maxDays": 30}})
    diags = pack.analyze("aws:cloudwatch/logGroup:LogGroup", {"name": "/aws/lambda/x-pr42", "retentionInDays": 90},
                         name="logs-pr42")
    assert [(d.policy, d.level) for d in diags] == [("log-retention", "advisory")]
    assert "between 1 and 30 days" in diags[0].message


@pytest.mark.parametrize(("config", "expected"), [
    ({"log-retention": {"maxDays": "thirty"}},
     "policy 'log-retention': config field 'maxDays' must be of type integer"),
    ({"log-retention": {"maxDays": 99999}}, "policy 'log-retention': config field 'maxDays' must be at most 3653"),
    ({"xray-tracing": {"sevices": []}}, "policy 'xray-tracing': unknown config field 'sevices'"),
    ({"no-such-policy": "mandatory"}, "unknown policy 'no-such-policy'"),
])
def test_invalid_config_is_rejected_naming_policy_and_field(pack, config, expected):
    with pytest.raises(grpc.RpcError) as err:
        pack.configure(config)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert expected in err.value.details()


def test_resources_of_unwatched_types_get_nothing(pack):
    assert pack.analyze("pulumi:providers:aws", {"region": "us-east-1"}, name="default") == []


def test_waived_findings_come_back_as_not_applicable_with_the_reason(pack):
    tags = {"policy-waiver:dynamodb-on-demand": "steady load expires=2099-12-31"}
    diags, waived = pack.evaluate(TABLE, {"name": "orders-pr42", "billingMode": "PROVISIONED", "tags": tags,
                                          **PITR}, name="orders-pr42")
    assert diags == []
    assert [(w.policy, w.reason) for w in waived] == [
        ("dynamodb-on-demand", "waived by the tag 'policy-waiver:dynamodb-on-demand' until 2099-12-31: steady load")]


def test_config_waiver_over_the_protocol(pack):
    pack.configure({"dynamodb-on-demand": {"waivers": [
        {"resource": "orders-*", "reason": "steady load", "expires": "2099-12-31"}]}})
    diags, waived = pack.evaluate(TABLE, {"name": "orders-pr42", "billingMode": "PROVISIONED", **PITR},
                                  name="orders-pr42")
    assert diags == [] and [w.policy for w in waived] == ["dynamodb-on-demand"]


def test_a_policys_own_level_wins_over_all_whatever_the_order(pack):
    pack.configure({"dynamodb-on-demand": "advisory", "all": "mandatory"})
    diags = previewed(pack, TABLE, {"name": "orders-pr42", "billingMode": "PROVISIONED", **PITR}, "orders-pr42")
    assert [(d.policy, d.level) for d in diags] == [("dynamodb-on-demand", "advisory")]


def test_a_cause_repeated_across_resources_is_reported_once_at_the_end(pack):
    for i in range(6):
        assert pack.analyze(TABLE, {"name": f"orders-{i}-prod", "billingMode": "PAY_PER_REQUEST", **PITR},
                            name=f"orders-{i}") == []
    (diag,) = pack.analyze_stack([])
    assert diag.policy == "environment-suffix-naming" and diag.level == "mandatory"
    assert "6 names carry 'prod' instead of the environment suffix 'pr42'" in diag.message
    assert "and 1 more" in diag.message and 'os.environ.get("ENVIRONMENT_SUFFIX")' in diag.message


def test_below_the_threshold_each_resource_is_reported_on_itself(pack):
    for i in range(2):
        pack.analyze(TABLE, {"name": f"orders-{i}", "billingMode": "PAY_PER_REQUEST", **PITR}, name=f"orders-{i}")
    diags = pack.analyze_stack([])
    assert sorted(d.urn.rsplit("::", 1)[1] for d in diags) == ["orders-0", "orders-1"]
    assert all("name is 'orders-" in d.message for d in diags)


def test_a_held_finding_is_not_counted_as_passed_on_its_resource(pack):
    response = pack.stub.Analyze(pack.analyze_request(TABLE, {"name": "orders", "billingMode": "PAY_PER_REQUEST",
                                                             **PITR}, name="orders"))
    assert list(response.diagnostics) == []
    (entry,) = [n for n in response.not_applicable if n.policy_name == "environment-suffix-naming"]
    assert entry.reason.startswith("reported at the end of the preview")
    assert [d.policy for d in pack.analyze_stack([])] == ["environment-suffix-naming"]
