"""The whole Analyzer protocol, with the pack started as the engine starts it: resource options
and stack tags, not-applicable reasons, Remediate, pack metadata, secrets, RE2, Handshake and
Cancel."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest
from google.protobuf import empty_pb2, json_format

from aws_conventions.engine import PackProcess, StackResource, not_applicable_of, waived_of
from policies import POLICIES, make_urn
from policies._core.policy import ResourcePolicy
from policies._core.values import SECRET_SIG, SIG_KEY, UNKNOWN, Secret

ECHO = Path(__file__).resolve().parent / "echo_pack"
BUCKET = "aws:s3/bucket:Bucket"
TABLE = "aws:dynamodb/table:Table"
KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
OPTIONS = {"protect": True, "ignoreChanges": ["tags"], "deleteBeforeReplace": True,
           "additionalSecretOutputs": ["arn"], "aliases": ["urn:pulumi:dev::tap::aws:s3/bucket:Bucket::old"],
           "customTimeouts": {"delete": 600}, "parent": "urn:pulumi:dev::tap::tap:index:TapStack::main"}
RESOURCE_POLICIES = {p.name for p in POLICIES if isinstance(p, ResourcePolicy) and p.enforcement_level != "disabled"}
"""The resource policies on by default: a disabled one is not evaluated, so not reported not applicable either."""


@pytest.fixture(scope="module")
def pack():
    with PackProcess(stack="pr42", project="tap") as p:
        p.configure_stack()
        yield p


@pytest.fixture(autouse=True)
def default_config(pack):
    pack.configure({})


# --- resource options and stack tags --------------------------------------------------------------


def test_resource_options_and_stack_tags_reach_the_policies():
    with PackProcess(ECHO, stack="dev", project="tap") as echo:
        echo.configure_stack(tags={"environment-class": "ephemeral", "pulumi:project": "tap"})
        request = echo.analyze_request(BUCKET, {}, name="b", options=OPTIONS)
        [diag] = echo.stub.Analyze(request).diagnostics
        assert ("protect=True ignore=tags dbr=True secret_outputs=arn "
                "aliases=urn:pulumi:dev::tap::aws:s3/bucket:Bucket::old delete_timeout=600.0 "
                "parent=urn:pulumi:dev::tap::tap:index:TapStack::main "
                "tags=[('environment-class', 'ephemeral'), ('pulumi:project', 'tap')]") in diag.message
        stack = echo.analyze_stack([StackResource(BUCKET, "kept", {}, options={"protect": True}),
                                    StackResource(BUCKET, "free", {})])
        assert sorted(d.detail for d in stack) == ["free: protect=False", "kept: protect=True"]


def test_a_stack_tag_states_the_environment_class():
    with PackProcess(stack="prod", project="tap") as p:
        p.configure_stack(tags={"environment-class": "ephemeral"})
        [diag] = [d for d in p.analyze(TABLE, {"name": "t-prod", "billingMode": "PAY_PER_REQUEST",
                                                "pointInTimeRecovery": {"enabled": True},
                                                "deletionProtectionEnabled": True}, name="t-prod")
                  if d.policy == "destroyability"]
        assert "the environment is ephemeral (from the stack tag 'environment-class'" in diag.message


# --- not applicable -------------------------------------------------------------------------------


def test_policies_that_do_not_watch_a_type_are_not_applicable_with_the_reason(pack):
    response = pack.stub.Analyze(pack.analyze_request(KEY, {"enableKeyRotation": True, "description": "k"},
                                                      name="key-pr42"))
    reasons = not_applicable_of(response)
    assert not response.diagnostics
    watching = {p.name for p in POLICIES if isinstance(p, ResourcePolicy) and (KEY in p.types or "aws:*" in p.types)}
    assert set(reasons) == RESOURCE_POLICIES - watching
    assert reasons["dynamodb-on-demand"] == f"it checks {TABLE}; not {KEY}"
    assert "kms-key-rotation" not in reasons  # it watched the key, and the key passed
    assert waived_of(response) == []


def test_a_type_no_policy_watches_answers_every_resource_policy_not_applicable(pack):
    response = pack.stub.Analyze(pack.analyze_request("random:index/randomId:RandomId", {}, name="r"))
    reasons = not_applicable_of(response)
    assert set(reasons) == RESOURCE_POLICIES
    assert reasons["stringified-output"] == ("it checks resources of the AWS provider only, "
                                             "not random:index/randomId:RandomId")


def test_a_value_unknown_in_preview_is_not_applicable_not_passed(pack):
    reasons = not_applicable_of(pack.stub.Analyze(pack.analyze_request(
        TABLE, {"name": "t-pr42", "billingMode": UNKNOWN, "pointInTimeRecovery": {"enabled": True}}, name="t-pr42")))
    assert reasons["dynamodb-on-demand"] == ("billingMode unknown until the update (preview); "
                                             "checked when the value is known")
    assert "dynamodb-point-in-time-recovery" not in reasons


def test_without_any_suffix_the_suffix_policies_are_not_applicable():
    with PackProcess(stack="", project="") as p:  # no ConfigureStack, no URN stack name either
        response = p.stub.Analyze(p.analyze_request(TABLE, {"name": "t"}, name="t", urn="urn:pulumi:::x"))
        reasons = not_applicable_of(response)
        assert reasons["environment-suffix-naming"].startswith("no environment suffix resolved")
        assert "environment-suffix-naming" not in {d.policyName for d in response.diagnostics}


def test_without_configure_stack_the_stack_name_comes_from_the_urns():
    with PackProcess(stack="", project="") as p:  # as `pulumi policy analyze` starts a pack
        urn = make_urn(TABLE, "orders", stack="pr7", project="tap")
        p.analyze(TABLE, {"name": "orders"}, name="orders", urn=urn)  # held until the end of the preview
        naming = [d for d in p.analyze_stack([]) if d.policy == "environment-suffix-naming"]
        assert naming and all("suffix 'pr7' (from the stack name)" in d.message for d in naming)


# --- Remediate ------------------------------------------------------------------------------------


def test_a_waived_resource_is_not_remediated(pack):
    pack.configure({"kms-key-rotation": "remediate"})
    props = {"description": "k", "enableKeyRotation": False,
             "tags": {"policy-waiver:kms-key-rotation": "imported key, rotated by hand expires=2099-12-31"}}
    response = pack.stub.Remediate(pack.analyze_request(KEY, props, name="key-pr42"))
    assert [r.policyName for r in response.remediations] == []
    reason = not_applicable_of(response)["kms-key-rotation"]
    assert reason.startswith("waived by the tag 'policy-waiver:kms-key-rotation'")


def test_remediated_secrets_stay_secret_and_unknowns_keep_their_type(pack):
    pack.configure({"kms-key-rotation": "remediate"})
    request = pack.analyze_request(KEY, {"description": Secret("k"), "enableKeyRotation": Secret(False)},
                                   name="key-pr42")
    request.properties.fields["policy"].string_value = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"  # an unknown list
    [remediation] = pack.stub.Remediate(request).remediations
    props = json_format.MessageToDict(remediation.properties)
    assert props["enableKeyRotation"] == {SIG_KEY: SECRET_SIG, "value": True}
    assert props["description"] == {SIG_KEY: SECRET_SIG, "value": "k"}
    assert props["policy"] == "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"


def test_remediate_reports_policies_that_do_not_remediate(pack):
    pack.configure({"kms-key-rotation": "remediate"})
    response = pack.stub.Remediate(pack.analyze_request(KEY, {"enableKeyRotation": True}, name="key-pr42"))
    reasons = not_applicable_of(response)
    assert reasons["dynamodb-on-demand"] == f"it checks {TABLE}; not {KEY}"
    assert reasons["waiver-tags"] == "the policy's enforcement level is advisory, not remediate"
    assert "kms-key-rotation" not in reasons


def test_a_bag_nested_hundreds_deep_gets_an_answer_from_every_rpc(pack):
    pack.configure({"all": "remediate"})
    deep: dict = {"leaf": "x"}
    for _ in range(340):
        deep = {"d": deep}
    request = pack.analyze_request(KEY, {"enableKeyRotation": False, "policy": deep}, name="key-pr42")
    pack.stub.Remediate(request)  # would raise grpc.RpcError on a gRPC error
    pack.stub.Analyze(request)
    pack.stub.AnalyzeStack(pack.stack_request([StackResource(KEY, "key-pr42", {"policy": deep})]))


# --- secrets --------------------------------------------------------------------------------------


def test_a_secret_config_value_is_never_printed():
    config = {"tap:environmentSuffix": "zq9secretsuffix", "aws:region": "xx-hidden-9"}
    with PackProcess(stack="dev", project="tap", stack_config=config) as p:
        p.configure_stack(secret_keys=["tap:environmentSuffix", "aws:region"])
        diags = p.analyze(TABLE, {"name": "orders", "billingMode": "PROVISIONED"}, name="orders")
        diags += p.analyze_stack([StackResource("aws:cfg/recorder:Recorder", "r1", {"name": "r1"}),
                                  StackResource("aws:cfg/recorder:Recorder", "r2", {"name": "r2"})])
        text = "\n".join(d.message for d in diags)
        assert "environment-suffix-naming" in {d.policy for d in diags}
        assert "zq9secretsuffix" not in text and "xx-hidden-9" not in text
        assert "[secret] (from the stack config 'tap:environmentSuffix')" in text


def test_a_secret_inline_policy_list_keeps_its_sids_and_actions_secret(pack):
    document = ('{"Version": "2012-10-17", "Statement": [{"Sid": "ZzTopSecretSid", "Effect": "Allow", '
                '"Action": ["s3:GetObjectt", "*"], "Resource": "*"}]}')
    props = {"name": "role-pr42", "assumeRolePolicy": "{}",
             "inlinePolicies": Secret([{"name": "inline", "policy": document}])}
    diags = pack.analyze(ROLE, props, name="role-pr42")
    assert {"iam-least-privilege", "iam-unknown-action"} <= {d.policy for d in diags}
    text = "\n".join(d.message for d in diags)
    assert "ZzTopSecretSid" not in text and "GetObjectt" not in text


# --- metadata -------------------------------------------------------------------------------------


def test_pack_metadata_and_policy_urls_that_resolve(pack):
    info = pack.info
    assert (info.provider, info.displayName) == ("aws", "AWS conventions")
    assert "aws" in info.tags and "### kms-key-rotation" in info.readme
    readme = None
    for policy in info.policies:
        assert policy.displayName and policy.displayName[0].isupper()
        url = urlparse(policy.url)
        assert url.scheme == "file" and url.fragment == policy.name
        path = Path(url2pathname(url.path))
        readme = readme or path.read_text(encoding="utf-8")
        assert f"\n### {policy.name}\n" in readme  # the anchor exists
    frameworks = {p.name: (p.framework.name, p.framework.reference) for p in info.policies if p.framework.name}
    assert frameworks["kms-key-rotation"] == ("AWS Foundational Security Best Practices", "KMS.4")
    assert frameworks["ecr-scan-on-push"][1] == "ECR.1"
    assert {p.name: p.displayName for p in info.policies}["iam-least-privilege"] == "IAM least privilege"


# --- RE2 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"^([a-z0-9]+-?)+$"])
def test_a_catastrophic_pattern_against_a_long_suffix_stays_fast(pattern):
    suffix = "a" * 25 + "!"  # 26 characters that make a backtracking engine try every split
    assert len(suffix) == 26
    with PackProcess(stack=suffix, project="tap") as p:
        p.configure_stack()
        p.configure({"destroyability": {"ephemeralPattern": pattern}})
        props = {"name": f"b-{suffix}", "forceDestroy": False}
        p.analyze(BUCKET, props, name=f"b-{suffix}")  # warm up
        began = time.perf_counter()
        for i in range(20):
            p.analyze(BUCKET, props, name=f"b{i}-{suffix}")
        assert (time.perf_counter() - began) / 20 < 0.1


def test_an_re2_pattern_python_rejects_is_accepted(pack):
    pack.configure({"destroyability": {"ephemeralPattern": r"^pr[0-9]+\z"}})  # \z: RE2, not Python's re


# --- Handshake and Cancel -------------------------------------------------------------------------


def test_cancel_lets_the_pack_exit_promptly():
    with PackProcess(stack="dev", project="tap") as p:
        p.stub.GetPluginInfo(empty_pb2.Empty())
        p.cancel()
        assert p.wait(timeout=10) == 0
