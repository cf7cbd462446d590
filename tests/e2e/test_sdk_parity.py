"""Policies written with the pulumi-policy SDK answer the same under this pack's server as under
the SDK's own (``tests/e2e/sdk_packs``: the same policies behind each ``PolicyPack``), both started
as the engine starts them and configured as the engine configures them; and where this pack
deliberately answers otherwise (a validate that raises, a value unknown during a preview, a secret
in a message), it does so as it does for its own policies.
"""

import grpc
import pytest
from google.protobuf import json_format

from aws_conventions.engine import PACK_DIR, PackProcess, StackResource, not_applicable_of
from aws_conventions.evaluation import reconcile
from policies import make_urn
from policies._core.values import UNKNOWN, Secret

PACKS = PACK_DIR / "tests" / "e2e" / "sdk_packs"
BUCKET, QUEUE, TOPIC = "aws:s3/bucket:Bucket", "aws:sqs/queue:Queue", "aws:sns/topic:Topic"
FUNCTION, LOG_GROUP = "aws:lambda/function:Function", "aws:cloudwatch/logGroup:LogGroup"
PROVIDER = {"type": "pulumi:providers:aws", "name": "default", "properties": {"region": "eu-west-1"}}
OWNED = {"tags": {"owner": "data"}}


@pytest.fixture(scope="module")
def packs():
    with PackProcess(PACKS / "ours") as ours, PackProcess(PACKS / "stock") as stock:
        for p in (ours, stock):
            p.configure_stack(tags={"team": "data"})
        yield ours, stock


@pytest.fixture(autouse=True)
def engine_config(packs):
    """The config the engine reconciles from the stock pack's info: defaults, then its initial config."""
    for p in packs:
        p.configure(reconcile(packs[1].info, {}))


def _info(pack):
    info = json_format.MessageToDict(pack.info)
    info.pop("version")
    return info


def test_analyzer_info_is_the_same(packs):
    ours, stock = packs
    assert _info(ours) == _info(stock)
    assert set(_info(ours)["initialConfig"]) == {"protected-buckets", "bucket-basics"}


def _answer(response):
    diagnostics = sorted((d.policyName, d.policyPackName, d.description, d.message, d.urn, d.enforcementLevel,
                          d.severity) for d in response.diagnostics)
    return diagnostics, not_applicable_of(response)


RESOURCES = [
    pytest.param(BUCKET, {"bucket": "acme-logs"}, id="bucket-unversioned-wrong-prefix-untagged"),
    pytest.param(BUCKET, {"bucket": "team-logs", "versioning": {"enabled": True}, **OWNED}, id="bucket-compliant"),
    pytest.param(QUEUE, {"name": "jobs"}, id="queue-not-applicable"),
    pytest.param(TOPIC, {"policy": {"Statement": []}, **OWNED}, id="topic-with-policy"),
    pytest.param("tap:index:TapStack", {}, id="component"),
    pytest.param("pulumi:providers:aws", {"region": "eu-west-1"}, id="provider-resource"),
]


@pytest.mark.parametrize(("type_", "props"), RESOURCES)
def test_analyze_answers_are_the_same(packs, type_, props):
    ours, stock = packs
    request = ours.analyze_request(type_, props, provider=PROVIDER, options={"protect": type_ == QUEUE})
    assert _answer(ours.stub.Analyze(request)) == _answer(stock.stub.Analyze(request))


def test_the_sample_holds_findings_of_every_kind(packs):
    ours, _ = packs
    request = ours.analyze_request(BUCKET, {"bucket": "acme-logs"}, provider=PROVIDER)
    diagnostics, not_applicable = _answer(ours.stub.Analyze(request))
    assert [(d[0], d[3]) for d in diagnostics] == [
        ("bucket-basics", "Buckets are versioned and named with the configured prefix.\n"
                          "bucket 'acme-logs' does not start with 'team-'"),  # the initial config's prefix
        ("bucket-basics", "Buckets are versioned and named with the configured prefix.\nversioning is off"),
        ("owner-tag", "AWS resources carry an owner tag."),  # an empty message: the description alone
        ("protected-buckets", "Buckets are protected.\nunprotected bucket in eu-west-1, stack tags [('team', 'data')]"),
    ]
    assert not_applicable == {"owner-remediation": "Policy does not implement validate"}
    request = ours.analyze_request(QUEUE, {}, provider=PROVIDER)
    assert _answer(ours.stub.Analyze(request))[1]["protected-buckets"] == "queues are protected by the platform"


def test_a_configured_level_and_field_reach_the_sdk_policies_alike(packs):
    ours, stock = packs
    for p in packs:
        p.configure(reconcile(stock.info, {"all": "advisory", "bucket-basics": {"prefix": "acme-"}}))
    request = ours.analyze_request(BUCKET, {"bucket": "acme-logs"}, provider=PROVIDER)
    mine, theirs = _answer(ours.stub.Analyze(request)), _answer(stock.stub.Analyze(request))
    assert mine == theirs
    assert {d[0]: d[5] for d in mine[0]} == {"bucket-basics": 0, "owner-tag": 0, "protected-buckets": 0}
    assert not any("does not start with" in d[3] for d in mine[0])


def test_analyze_stack_answers_are_the_same(packs):
    ours, stock = packs
    component = make_urn("tap:index:TapStack", "tap")
    role = make_urn("aws:iam/role:Role", "role")
    resources = [
        StackResource("tap:index:TapStack", "tap", urn=component),
        StackResource("aws:iam/role:Role", "role", urn=role, parent=component),
        StackResource(FUNCTION, "api", {"name": "api"}, parent=component, dependencies=(role, "urn:gone"),
                      property_dependencies={"role": [role]}),
        StackResource(FUNCTION, "worker", {"name": "worker"}, parent=component),
        StackResource(LOG_GROUP, "worker-logs", {"name": "/aws/lambda/worker"}, parent=component),
    ]
    request = ours.stack_request(resources)
    mine, theirs = _answer(ours.stub.AnalyzeStack(request)), _answer(stock.stub.AnalyzeStack(request))
    assert mine == theirs
    assert [(d[0], d[3], d[4]) for d in mine[0]] == [
        ("lambda-log-groups", "Every function has its log group.\napi (parent tap, depends on [role]) has no log group",
         make_urn(FUNCTION, "api"))]
    empty = ours.stack_request([])
    assert _answer(ours.stub.AnalyzeStack(empty)) == _answer(stock.stub.AnalyzeStack(empty))
    assert _answer(ours.stub.AnalyzeStack(empty))[1] == {"lambda-log-groups": "an empty stack"}


def _remediations(response):
    return [(r.policyName, json_format.MessageToDict(r.properties), r.diagnostic) for r in response.remediations]


@pytest.mark.parametrize(("type_", "props"), RESOURCES)
def test_remediations_are_the_same(packs, type_, props):
    ours, stock = packs
    request = ours.analyze_request(type_, props, provider=PROVIDER)
    assert _remediations(ours.stub.Remediate(request)) == _remediations(stock.stub.Remediate(request))


def test_a_remediation_that_does_not_apply_says_so_alike(packs):
    ours, stock = packs
    request = ours.analyze_request(QUEUE, {"name": "jobs"}, provider=PROVIDER)
    mine, theirs = ours.stub.Remediate(request), stock.stub.Remediate(request)
    assert not_applicable_of(mine)["owner-remediation"] == not_applicable_of(theirs)["owner-remediation"] \
        == "queues are tagged by the platform"


def test_a_remediation_rewrites_the_properties(packs):
    ours, _ = packs
    request = ours.analyze_request(BUCKET, {"bucket": "team-logs", "tags": {"env": "dev"}}, provider=PROVIDER)
    assert _remediations(ours.stub.Remediate(request)) == [
        ("owner-remediation", {"bucket": "team-logs", "tags": {"env": "dev", "owner": "platform"}}, "")]


# -- where this pack answers differently, on purpose ----------------------------------------------


def test_a_validate_that_raises_is_a_finding_where_the_sdk_fails_the_preview(packs):
    ours, stock = packs
    request = ours.analyze_request(TOPIC, OWNED, provider=PROVIDER)
    with pytest.raises(grpc.RpcError):
        stock.stub.Analyze(request)
    diagnostics, _ = _answer(ours.stub.Analyze(request))
    assert [(d[0], d[5]) for d in diagnostics] == [("topic-policy", 1)]
    assert "could not evaluate this resource (KeyError at sdk_policies.py:" in diagnostics[0][3]


def test_a_value_unknown_in_a_preview_makes_the_policy_not_applicable_instead_of_a_notice(packs):
    ours, stock = packs
    request = ours.analyze_request(BUCKET, {"bucket": UNKNOWN, "versioning": {"enabled": True}, **OWNED},
                                   provider=PROVIDER, options={"protect": True})
    reason = "string value at .bucket can't be known during preview"
    theirs = _answer(stock.stub.Analyze(request))
    assert [(d[0], d[3], d[5]) for d in theirs[0]] == [
        ("bucket-basics", f"can't run policy 'bucket-basics' from policy pack 'sdk-parity@v0.0.1' during preview: "
                          f"{reason}", 0)]
    mine = _answer(ours.stub.Analyze(request))
    assert mine[0] == []
    assert mine[1]["bucket-basics"] == reason


def test_a_secret_is_masked_where_the_sdk_prints_it(packs):
    ours, stock = packs
    provider = {**PROVIDER, "properties": {"region": Secret("eu-north-1")}}
    request = ours.analyze_request(BUCKET, {"bucket": "team-logs", "versioning": {"enabled": True}, **OWNED},
                                   provider=provider)
    [theirs] = _answer(stock.stub.Analyze(request))[0]
    [mine] = _answer(ours.stub.Analyze(request))[0]
    assert "unprotected bucket in eu-north-1" in theirs[3]
    assert "unprotected bucket in [secret]" in mine[3] and "eu-north-1" not in mine[3]
