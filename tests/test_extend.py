"""Building a pack on this one, in process: select, with_defaults, initial_config, the start-up checks,
and policies of the pulumi-policy SDK beside the pack's own."""

import subprocess
import sys
import textwrap

import pytest
from google.protobuf import empty_pb2, json_format
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy

from aws_conventions.engine import PackProcess, PackStartError
from policies import POLICIES, select, with_defaults
from policies._core.analyzer import Analyzer
from policies._core.config import ConfigError
from policies._core.context import StackContext
from policies._core.resource import Provider, Resource
from policies._core.values import UNKNOWN, Props
from tests.conftest import ROOT

NAMES = [p.name for p in POLICIES]
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def analyzer(policies, **kwargs):
    return Analyzer("team", policies, stack=StackContext(stack="dev", project="tap"), **kwargs)


def findings(a, type_, props):
    return [(p.name, level) for p, level, _ in a.evaluate_resource(Resource.of(type_, props, name="x-dev")).findings]


# -- select ------------------------------------------------------------------------------------------


def test_select_keeps_the_registry_order_of_the_names_given():
    assert [p.name for p in select(POLICIES, ["waiver-tags", "log-retention"])] == ["log-retention", "waiver-tags"]


def test_select_leaves_out_the_excluded():
    assert [p.name for p in select(POLICIES, exclude=["dynamodb-on-demand"])] == [
        n for n in NAMES if n != "dynamodb-on-demand"]


def test_select_names_a_policy_that_does_not_exist():
    with pytest.raises(ValueError, match="no policy named 'log-retension'; the policies are: environment-suffix"):
        select(POLICIES, exclude=["log-retension"])


# -- with_defaults -----------------------------------------------------------------------------------


def test_with_defaults_changes_the_level_and_field_defaults_given_and_nothing_else():
    changed = {p.name: p for p in with_defaults(POLICIES, {
        "xray-tracing": "mandatory", "log-retention": {"enforcementLevel": "advisory", "maxDays": 365}})}
    assert [p.name for p in changed.values()] == NAMES
    assert changed["xray-tracing"].enforcement_level == "mandatory"
    assert changed["log-retention"].enforcement_level == "advisory"
    assert changed["log-retention"].defaults == {"minDays": 1, "maxDays": 365, "defaultDays": 14, "waivers": []}
    assert changed["log-retention"].config_schema()["maxDays"]["default"] == 365
    assert changed["kms-key-rotation"] is next(p for p in POLICIES if p.name == "kms-key-rotation")
    registry = {p.name: p for p in POLICIES}
    assert registry["xray-tracing"].enforcement_level == "advisory", "the registry is left as it was"
    assert registry["log-retention"].defaults["maxDays"] == 3653


def test_the_changed_default_is_what_the_policy_checks():
    group = {"name": "/aws/lambda/api-dev", "retentionInDays": 731}
    assert findings(analyzer(POLICIES), LOG_GROUP, group) == []
    assert findings(analyzer(with_defaults(POLICIES, {"log-retention": {"maxDays": 365}})), LOG_GROUP, group) == [
        ("log-retention", "mandatory")]


def test_with_defaults_accepts_the_sdks_enforcement_levels():
    [policy] = with_defaults(select(POLICIES, ["xray-tracing"]), {"xray-tracing": EnforcementLevel.MANDATORY})
    assert policy.enforcement_level == "mandatory"


def test_with_defaults_names_every_mistake_by_policy_and_field():
    with pytest.raises(ConfigError) as raised:
        with_defaults(POLICIES, {
            "log-retension": "mandatory", "xray-tracing": "strict",
            "log-retention": {"maxDays": "a year", "minDays": 30, "defaultDays": 7},
            "dynamodb-on-demand": {"waivers": []}, "kms-key-rotation": {"rotationDays": 90}})
    lines = str(raised.value).splitlines()
    assert lines[0].startswith("no policy named 'log-retension'")
    assert "policy 'xray-tracing': enforcementLevel must be one of advisory, mandatory, remediate, disabled, " \
           "got 'strict'" in lines
    assert "policy 'log-retention': config field 'maxDays' must be of type integer, got string 'a year'" in lines
    assert "policy 'dynamodb-on-demand': config field 'waivers' has no default to change; set it in the policy " \
           "pack config" in lines
    assert any(line.startswith("policy 'kms-key-rotation': unknown config field 'rotationDays'") for line in lines)


def test_with_defaults_checks_fields_against_each_other():
    with pytest.raises(ConfigError, match="policy 'log-retention': "):
        with_defaults(POLICIES, {"log-retention": {"minDays": 90, "maxDays": 30}})


# -- start-up checks ---------------------------------------------------------------------------------


def test_two_policies_of_one_name_stop_the_pack_at_construction():
    with pytest.raises(ValueError, match=r"policy pack 'team': 2 policies are named 'log-retention': a policy's "
                                         r"name must be unique in its pack \(leave the reused one out"):
        analyzer([*POLICIES, next(p for p in POLICIES if p.name == "log-retention")])


def test_a_pack_that_is_no_pack_is_refused():
    with pytest.raises(ValueError, match="the pack name 'my pack' may hold only"):
        Analyzer("my pack", POLICIES)
    with pytest.raises(ValueError, match="it has no policies"):
        Analyzer("team", [])
    with pytest.raises(TypeError, match="got function"):
        Analyzer("team", [lambda args, report: None])
    sdk_policy = ResourceValidationPolicy(name="mine", description="Mine.", validate=lambda args, report: None)
    with pytest.raises(ValueError, match="policy 'mine': enforcement level 'strict' is not one of advisory, "):
        Analyzer("team", [sdk_policy], enforcement_level="strict")


def test_a_duplicate_name_is_a_clear_error_when_the_engine_starts_the_pack(tmp_path):
    (tmp_path / "__main__.py").write_text(textwrap.dedent(f"""\
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from pulumi_policy import ResourceValidationPolicy
        from policies import POLICIES, PolicyPack

        PolicyPack("team", [*POLICIES, ResourceValidationPolicy(
            name="waiver-tags", description="Ours.", validate=lambda args, report: None)])
        """))
    with pytest.raises(PackStartError, match="2 policies are named 'waiver-tags'"):
        PackProcess(tmp_path, start_timeout=30).start()


# -- initial_config ----------------------------------------------------------------------------------


def test_initial_config_applies_until_the_engine_configures_and_under_what_it_sends():
    a = analyzer(POLICIES, initial_config={"log-retention": {"maxDays": 365},
                                           "xray-tracing": EnforcementLevel.MANDATORY})
    group = {"name": "/aws/lambda/api-dev", "retentionInDays": 731}
    assert findings(a, LOG_GROUP, group) == [("log-retention", "mandatory")]
    assert findings(a, "aws:lambda/function:Function", {"name": "api-dev"}) == [("xray-tracing", "mandatory")]
    a.configure({"log-retention": ("advisory", {})})
    assert findings(a, LOG_GROUP, group) == [("log-retention", "advisory")], "the field stays, the level changes"
    a.configure({"all": ("advisory", {})})
    assert findings(a, "aws:lambda/function:Function", {"name": "api-dev"}) == [("xray-tracing", "advisory")]


def test_initial_config_is_published_with_a_level_for_every_entry():
    a = analyzer(POLICIES, initial_config={"log-retention": {"maxDays": 365}, "xray-tracing": "mandatory"})
    info = json_format.MessageToDict(a.GetAnalyzerInfo(empty_pb2.Empty(), None))
    # The engine reads an entry without a level as advisory: the policy's own level is stated.
    assert info["initialConfig"] == {"log-retention": {"enforcementLevel": "MANDATORY", "properties": {"maxDays": 365}},
                                     "xray-tracing": {"enforcementLevel": "MANDATORY"}}


def test_an_invalid_initial_config_stops_the_pack_at_construction():
    with pytest.raises(ConfigError, match="invalid initial_config of policy pack 'team':\npolicy 'log-retention': "
                                          "config field 'maxDays' must be of type integer"):
        analyzer(POLICIES, initial_config={"log-retention": {"maxDays": "365"}})


# -- SDK policies --------------------------------------------------------------------------------------


class Versioned(ResourceValidationPolicy):
    """A policy written as a subclass, as the SDK also allows."""

    def __init__(self):
        super().__init__(name="versioned", description="Buckets are versioned.")

    def validate(self, args, report_violation):
        if args.resource_type == "aws:s3/bucket:Bucket" and not args.props.get("versioning"):
            report_violation("no versioning")


def test_an_sdk_subclass_runs_beside_the_packs_policies_with_the_packs_default_level():
    a = analyzer([*select(POLICIES, ["xray-tracing"]), Versioned()], enforcement_level="mandatory")
    assert findings(a, "aws:s3/bucket:Bucket", {}) == [("versioned", "mandatory")]
    assert findings(a, "aws:s3/bucket:Bucket", {"versioning": {"enabled": True}}) == []
    assert findings(a, "aws:lambda/function:Function", {}) == [("xray-tracing", "advisory")]


def test_an_sdk_policy_sees_every_resource_type():
    seen = []
    policy = ResourceValidationPolicy(name="seen", description="Records.",
                                      validate=lambda args, report: seen.append(args.resource_type))
    a = analyzer([policy])
    for type_ in ("aws:s3/bucket:Bucket", "tap:index:TapStack", "pulumi:providers:aws", "random:index/id:Id"):
        a.evaluate_resource(Resource.of(type_, {}))
    assert seen == ["aws:s3/bucket:Bucket", "tap:index:TapStack", "pulumi:providers:aws", "random:index/id:Id"]


def test_the_pack_does_not_import_the_sdk_or_its_adapter_unless_it_is_given_sdk_policies():
    code = ("import sys; from policies import POLICIES; from policies._core.analyzer import Analyzer; "
            "Analyzer('aws-conventions', POLICIES).info(); "
            "print(*(m for m in ('pulumi_policy', 'policies._core.sdk', 'google.protobuf.json_format') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_an_sdk_remediation_that_reads_an_unknown_value_is_not_applicable_with_the_reason():
    def in_region(args):
        return {**args.props, "region": args.provider.props["region"]}

    a = analyzer([ResourceValidationPolicy(name="pin-region", description="Pins.", remediate=in_region,
                                           enforcement_level=EnforcementLevel.REMEDIATE)])
    provider = Provider("pulumi:providers:aws", "urn:pulumi:dev::tap::pulumi:providers:aws::default", "default",
                        Props.from_dict({"region": UNKNOWN}))
    result = a.run_remediations(Resource.of("aws:s3/bucket:Bucket", {"bucket": "b"}, provider=provider))
    assert result.applied == []
    assert [(p.name, reason) for p, reason in result.not_applicable] == [
        ("pin-region", "string value at .region can't be known during preview")]
    provider = Provider(provider.type, provider.urn, provider.name, Props.from_dict({"region": "eu-west-1"}))
    [(policy, props)] = a.remediate_resource(Resource.of("aws:s3/bucket:Bucket", {"bucket": "b"}, provider=provider))
    assert (policy.name, props) == ("pin-region", {"bucket": "b", "region": "eu-west-1"})


def test_an_sdk_policy_without_a_display_name_gets_one_made_from_its_name():
    a = analyzer([ResourceValidationPolicy(name="owner-tag", description="Owned.", validate=lambda args, r: None)])
    [info] = a.GetAnalyzerInfo(empty_pb2.Empty(), None).policies
    assert (info.displayName, info.enforcementLevel, info.severity, info.url) == ("Owner tag", 0, 0, "")
