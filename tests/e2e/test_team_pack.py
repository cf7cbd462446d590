"""A team's own pack built on this one (``examples/team-pack``), started as the engine starts it.

It reuses every policy of this pack but one, with two defaults changed (``with_defaults``), and adds
a rule written with the pulumi-policy SDK (``acme-allowed-regions``) and one written with this pack's
API (``acme-cost-center-tag``); this pack's analyzer serves them all.
"""

import json

import pytest
from google.protobuf import json_format

from aws_conventions.engine import PACK_DIR, PackProcess, StackResource, diagnostics_of, not_applicable_of
from aws_conventions.evaluation import reconcile
from policies import POLICIES
from policies._core.protocol import PB_TO_LEVEL
from policies._core.values import UNKNOWN, Secret
from tests.conftest import check

TEAM_PACK = PACK_DIR / "examples" / "team-pack"
LAMBDA = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
TRACED = {"tracingConfig": {"mode": "Active"}}
TAGGED = {"tags": {"CostCenter": "payments"}}


def provider(region):
    return {"type": "pulumi:providers:aws", "name": "default", "properties": {"region": region}}


@pytest.fixture(scope="module")
def pack():
    with PackProcess(TEAM_PACK, stack="pr7", project="shop", stack_config={"aws:region": "us-east-1"}) as p:
        p.configure_stack()
        yield p


@pytest.fixture(autouse=True)
def engine_config(pack):
    """What the engine sends when no policy pack config is given: every policy's defaults."""
    pack.configure(reconcile(pack.info, {}))


def policy_info(pack, name):
    return next(p for p in pack.info.policies if p.name == name)


def schema(pack, name):
    return json_format.MessageToDict(policy_info(pack, name).configSchema)


def analyzed(pack, type_, props, *, name="api-pr7", region="us-east-1"):
    """The diagnostics and the not-applicable reasons of one ``Analyze``."""
    request = pack.analyze_request(type_, props, name=name, provider=provider(region))
    response = pack.stub.Analyze(request)
    return diagnostics_of(response, request.urn), not_applicable_of(response)


def by_policy(diagnostics):
    return {d.policy: d for d in diagnostics}


def test_the_pack_is_the_teams_with_its_version_and_name(pack):
    assert (pack.info.name, pack.info.version, pack.info.displayName) == ("acme-aws", "1.0.0", "Acme AWS policies")


def test_it_serves_the_reused_policies_but_the_excluded_one_and_both_of_its_own(pack):
    names = [p.name for p in pack.info.policies]
    reused = [p.name for p in POLICIES if p.name != "dynamodb-on-demand"]
    assert names == [*reused, "acme-cost-center-tag", "acme-allowed-regions"]


def test_the_changed_defaults_are_the_published_defaults(pack):
    registry = {p.name: p for p in POLICIES}
    assert registry["xray-tracing"].enforcement_level == "advisory"
    assert PB_TO_LEVEL[policy_info(pack, "xray-tracing").enforcementLevel] == "mandatory"
    assert schema(pack, "log-retention")["properties"]["maxDays"]["default"] == 365
    assert schema(pack, "log-retention")["properties"]["minDays"]["default"] == 1, "other fields keep theirs"


def test_the_sdk_policy_is_described_as_the_sdk_declares_it(pack):
    info = policy_info(pack, "acme-allowed-regions")
    assert PB_TO_LEVEL[info.enforcementLevel] == "mandatory", "the pack's default: the policy sets no level"
    assert info.severity == 3  # POLICY_SEVERITY_HIGH
    assert info.policy_type == 1  # POLICY_TYPE_RESOURCE
    assert info.url == "", "the SDK policy gives no URL, and gets none of this pack's"
    assert schema(pack, "acme-allowed-regions") == {"properties": {"allowedRegions": {
        "type": "array", "items": {"type": "string"}, "default": ["us-east-1", "eu-west-1"],
        "description": "The regions Acme operates in."}}}


def test_the_pack_api_policy_has_its_options_and_waivers_and_its_own_docs(pack):
    info = policy_info(pack, "acme-cost-center-tag")
    assert set(schema(pack, "acme-cost-center-tag")["properties"]) == {"tagKey", "costCenters", "waivers"}
    assert info.url == "https://docs.acme.example/aws-policies#acme-cost-center-tag"


def test_both_added_policies_and_the_reused_ones_report(pack):
    diags, _ = analyzed(pack, LAMBDA, {"name": "api-pr7"}, region="ap-south-1")
    found = by_policy(diags)
    assert set(found) == {"xray-tracing", "acme-cost-center-tag", "acme-allowed-regions"}
    assert found["xray-tracing"].level == "mandatory", "the changed default level"
    assert found["acme-cost-center-tag"].detail.startswith(
        "aws:lambda/function:Function 'api-pr7': tags.CostCenter is not set; expected a CostCenter tag")
    assert "is deployed to ap-south-1; Acme runs in us-east-1, eu-west-1 only." in found["acme-allowed-regions"].message
    assert found["acme-allowed-regions"].level == "mandatory"


def test_a_resource_that_follows_every_rule_gets_no_diagnostic(pack):
    diags, _ = analyzed(pack, LAMBDA, {"name": "api-pr7", **TRACED, **TAGGED})
    assert diags == []


def test_the_changed_config_default_holds(pack):
    group = {"name": "/aws/lambda/api-pr7", "retentionInDays": 731, **TAGGED}
    assert check("log-retention", LOG_GROUP, group) == [], "this pack's own default accepts two years"
    diags, _ = analyzed(pack, LOG_GROUP, group)
    assert [d.policy for d in diags] == ["log-retention"]
    assert "retentionInDays is 731; expected between 1 and 365 days" in diags[0].message
    diags, _ = analyzed(pack, LOG_GROUP, {**group, "retentionInDays": 365})
    assert diags == []


def test_the_excluded_policy_does_not_run(pack):
    table = {"name": "orders-pr7", "billingMode": "PROVISIONED", "pointInTimeRecovery": {"enabled": True}}
    diags, not_applicable = analyzed(pack, "aws:dynamodb/table:Table", table, name="orders-pr7")
    assert "dynamodb-on-demand" not in {d.policy for d in diags} | set(not_applicable)


def test_config_for_the_sdk_policy_reaches_get_config(pack):
    pack.configure(reconcile(pack.info, {"acme-allowed-regions": {"allowedRegions": ["ap-south-1"]}}))
    diags, _ = analyzed(pack, LAMBDA, {"name": "api-pr7", **TRACED, **TAGGED}, region="ap-south-1")
    assert diags == []
    diags, _ = analyzed(pack, LAMBDA, {"name": "api-pr7", **TRACED, **TAGGED}, region="us-east-1")
    assert [d.detail.split("\n")[0] for d in diags] == [
        "aws:lambda/function:Function 'api-pr7' is deployed to us-east-1; Acme runs in ap-south-1 only."]


def test_a_policy_pack_config_still_overrides_the_changed_defaults(pack):
    pack.configure(reconcile(pack.info, {"xray-tracing": "advisory", "acme-cost-center-tag": {
        "costCenters": ["payments"]}}))
    diags, _ = analyzed(pack, LAMBDA, {"name": "api-pr7", "tags": {"CostCenter": "marketing"}})
    found = by_policy(diags)
    assert found["xray-tracing"].level == "advisory"
    assert "tags.CostCenter is 'marketing'; expected one of payments." in found["acme-cost-center-tag"].message


def test_an_exception_in_an_sdk_validate_is_a_finding_not_a_failed_preview(pack):
    # Region names that are not strings: a config the engine's schema check would reject, sent as is.
    pack.configure({"acme-allowed-regions": {"allowedRegions": [1, 2]}})
    diags, _ = analyzed(pack, LAMBDA, {"name": "api-pr7", **TRACED, **TAGGED}, region="ap-south-1")
    assert len(diags) == 1 and diags[0].policy == "acme-allowed-regions"
    assert "The policy could not evaluate this resource (TypeError at __main__.py:" in diags[0].message


def test_unknown_values_make_the_policies_not_applicable_with_the_reason(pack):
    diags, not_applicable = analyzed(pack, LAMBDA, {"name": "api-pr7", "tags": UNKNOWN, **TRACED}, region=UNKNOWN)
    assert diags == []
    assert not_applicable["acme-allowed-regions"] == "string value at .region can't be known during preview"
    assert not_applicable["acme-cost-center-tag"].startswith("tags unknown until the update")


def test_a_secret_region_is_never_printed(pack):
    diags, _ = analyzed(pack, LAMBDA, {"name": "api-pr7", **TRACED, **TAGGED}, region=Secret("ap-southeast-7"))
    assert [d.policy for d in diags] == ["acme-allowed-regions"]
    assert "ap-southeast-7" not in diags[0].message and "is deployed to [secret];" in diags[0].message


def test_a_waiver_tag_applies_to_the_teams_policy_and_waiver_tags_knows_it(pack):
    tags = {"policy-waiver:acme-cost-center-tag": "shared by every team expires=2099-12-31"}
    diags, not_applicable = analyzed(pack, LAMBDA, {"name": "api-pr7", "tags": tags, **TRACED})
    assert diags == [], "waived, and waiver-tags does not call the tag unknown"
    assert not_applicable["acme-cost-center-tag"].startswith("waived by ")


def test_the_reused_stack_policies_still_report(pack):
    diags = pack.analyze_stack([StackResource("pulumi:pulumi:Stack", "shop-pr7", {}),
                                StackResource(LAMBDA, "api-pr7", {"name": "api-pr7", **TRACED, **TAGGED})])
    found = by_policy(diags)
    assert {"lambda-log-group", "stack-exports"} <= set(found)
    assert found["lambda-log-group"].urn.endswith("::api-pr7")


def test_analyzer_info_publishes_no_initial_config(pack):
    # The team pack changes defaults with with_defaults, so the engine needs no initial config.
    assert json.loads(json_format.MessageToJson(pack.info)).get("initialConfig") is None
