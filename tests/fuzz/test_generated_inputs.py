"""Generated inputs: no policy raises, no secret is printed, no resource takes unbounded time.

Every case goes through ``Analyzer.Analyze`` / ``AnalyzeStack`` with a real protobuf request in
Pulumi's wire format (what the gRPC server hands the servicer), and a sample goes through the
pack started as a plugin. A policy crash is caught by the analyzer and reported as a
"could not evaluate" diagnostic; here that counts as a failure, as does any canary secret in a
message. The number of generated cases is printed at the end of the run.
"""

from __future__ import annotations

import json
import time
from functools import cache

import pytest
from google.protobuf.struct_pb2 import Value
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pulumi.runtime.proto import analyzer_pb2 as pb

from aws_conventions.engine import PackProcess, StackResource
from policies import POLICIES, STACK_TYPE, make_urn
from policies._core import config as config_mod
from policies._core.analyzer import Analyzer
from policies._core.context import StackContext
from policies._core.policy import ALL_AWS_TYPES, ResourcePolicy
from policies._core.values import SECRET_SIG, SIG_KEY, STRINGIFIED_OUTPUT_TEXT, UNKNOWN, Secret, to_struct
from tests.fuzz import counter
from tools import aws_catalog

CANARY = "CANARY7f3a"
SLOW_SECONDS = 5.0  # a generous bound; the real figures are in the benchmark
CRASH = "could not evaluate this resource"

SETTINGS = dict(deadline=None, derandomize=True, database=None, phases=(Phase.explicit, Phase.generate),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much, HealthCheck.large_base_example])


@cache
def catalog() -> dict[str, dict]:
    return aws_catalog.build()


@cache
def declared_types() -> list[str]:
    types = sorted({t for p in POLICIES if isinstance(p, ResourcePolicy) for t in p.types if t != ALL_AWS_TYPES})
    return [*types, "aws:ec2/vpc:Vpc", "aws:sqs/queue:Queue", "aws:iam/user:User", "random:index/randomId:RandomId"]


def input_names(type_: str) -> list[str]:
    return sorted(catalog().get(type_, {}).get("inputs", {})) or ["name", "tags"]


@cache
def big_values() -> tuple:
    statements = [{"Sid": f"S{i}", "Effect": "Allow", "Action": [f"s3:Get{i % 7}*", "dynamodb:PutItem"],
                   "Resource": "*" if i % 3 else f"arn:aws:s3:::b{i}/*"} for i in range(3000)]
    nested: object = "leaf"
    for _ in range(60):  # protobuf itself refuses messages nested about 100 deep
        nested = {"n": [nested]}
    return ("x" * (1 << 20), json.dumps({"Version": "2012-10-17", "Statement": statements}),
            {"Version": "2012-10-17", "Statement": statements[:500]}, nested)


INTERESTING = st.sampled_from([
    "*", "", " ", "PAY_PER_REQUEST", "PROVISIONED", "Active", "PassThrough", "NONE", "AWS_IAM", "true", "false",
    "SYMMETRIC_DEFAULT", "RSA_2048", "ENCRYPT_DECRYPT", "{", "[]", "null", "{\"Statement\": 5}",
    f"arn:aws:iam::123:role/{STRINGIFIED_OUTPUT_TEXT}", STRINGIFIED_OUTPUT_TEXT,
    json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}),
    json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:*", "Resource": "*"}]}),
    json.dumps({"Statement": [{"Effect": "Deny", "NotAction": "iam:*", "NotResource": "*"}]}),
    "/aws/lambda/fn-dev", "dev", "pr123", "policy-waiver:xray-tracing", "x expires=2000-01-01",
    "arn:aws:iam::aws:policy/AdministratorAccess", "lambda.amazonaws.com", "2099-01-01",
    "arn:aws:secretsmanager:*:*:secret:*", "arn:aws:dynamodb:*:*:table/*-orders", "arn:aws:s3:::*/*", "arn:*",
    json.dumps({"Statement": [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "iam:PassRole"],
                               "Resource": ["arn:aws:iam::*:role/*", "arn:aws:dynamodb:*:*:table/*-orders"]}]}),
    "orders-3fa9c1d2", "tap-data-x0n8b2o9", "6ab6c7d3-7da9-4f6d-a4dd-1e0cd38ff5e8",
])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**62), 2**62), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=24), INTERESTING, st.just(UNKNOWN),
    st.builds(lambda s: Secret(f"{CANARY}{s}"), st.text(max_size=4)),
    st.builds(lambda s: Secret(json.dumps({"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem",
                                                          "Resource": f"arn:aws:dynamodb:*:*:table/*-{CANARY}{s}"}]})),
              st.text(max_size=4)),
)


def values(keys: st.SearchStrategy[str]) -> st.SearchStrategy:
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(st.one_of(keys, st.text(max_size=8)), inner, max_size=4),
            st.builds(Secret, inner),
        ),
        max_leaves=16,
    )


@cache
def bag(type_: str) -> st.SearchStrategy[dict]:
    """Property bags for one type, built once (hypothesis validates a strategy on first use)."""
    names = input_names(type_)
    keys = st.sampled_from([*names, "Statement", "Action", "Resource", "Principal", "Effect", "mode",
                            "enabled", "policy-waiver:waiver-tags"])
    return st.dictionaries(st.sampled_from(names), values(keys), max_size=8)


@st.composite
def resources(draw: st.DrawFn) -> tuple[str, str, dict]:
    type_ = draw(st.sampled_from(declared_types()))
    names = input_names(type_)
    props = draw(bag(type_))
    if draw(st.integers(0, 40)) == 0:
        props[draw(st.sampled_from(names))] = draw(st.sampled_from(big_values()))
    name = draw(st.one_of(st.sampled_from(["svc-dev", "svc", "a", "x" * 300]), st.text(min_size=1, max_size=12)))
    return type_, name, props


def assert_clean(response: pb.AnalyzeResponse) -> None:
    for d in response.diagnostics:
        assert CANARY not in d.message, f"{d.policyName} printed a secret"
        assert CRASH not in d.message, f"{d.policyName} raised: {d.message}"
    for n in response.not_applicable:
        assert CANARY not in n.reason


def analyzer(config: dict | None = None) -> Analyzer:
    a = Analyzer("aws-conventions", POLICIES,
                 stack=StackContext(stack="dev", project="tap", config={"aws:region": "us-east-1"}))
    a.configure({p.name: ("mandatory", (config or {}).get(p.name, {})) for p in POLICIES})
    return a


ANALYZER = analyzer()


@settings(max_examples=5000, **SETTINGS)
@given(resources())
def test_resource_policies_on_generated_property_bags(case):
    type_, name, props = case
    counter.add()
    request = pb.AnalyzeRequest(type=type_, name=name, urn=make_urn(type_, name), properties=to_struct(props))
    began = time.perf_counter()
    response = ANALYZER.Analyze(request, None)
    assert time.perf_counter() - began < SLOW_SECONDS
    assert_clean(response)


@pytest.mark.parametrize("type_", declared_types())
def test_a_canary_secret_in_every_property_is_never_printed(type_):
    for shape in (f"{CANARY}-value", {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
                                                     "Sid": CANARY}]}, [CANARY, {"k": CANARY}], 7, True):
        counter.add()
        props = {name: Secret(shape) for name in input_names(type_)}
        request = pb.AnalyzeRequest(type=type_, name="svc", urn=make_urn(type_, "svc"), properties=to_struct(props))
        assert_clean(ANALYZER.Analyze(request, None))


STACK_TYPES = [*declared_types(), STACK_TYPE, "tap:index:TapStack", "pulumi:providers:aws"]


@st.composite
def stacks(draw: st.DrawFn) -> pb.AnalyzeStackRequest:
    count = draw(st.integers(0, 8))
    urns = [make_urn("x:y:Z", f"r{i}") for i in range(count)] + ["urn:dangling", ""]
    request = pb.AnalyzeStackRequest()
    for i in range(count):
        type_ = draw(st.sampled_from(STACK_TYPES))
        item = request.resources.add()
        item.type, item.name = type_, f"r{i}"
        item.urn = draw(st.sampled_from(urns)) if draw(st.integers(0, 9)) == 0 else make_urn(type_, f"r{i}")
        props = draw(bag(type_))
        item.properties.CopyFrom(to_struct(props))
        item.parent = draw(st.sampled_from(urns))
        item.dependencies.extend(draw(st.lists(st.sampled_from(urns), max_size=3)))
        if draw(st.booleans()):
            region = draw(st.sampled_from(["us-east-1", UNKNOWN, 5, Secret("eu-west-1")]))
            item.provider.CopyFrom(pb.AnalyzerProviderResource(
                type="pulumi:providers:aws", name="p", urn=make_urn("pulumi:providers:aws", "p"),
                properties=to_struct({"region": region})))
    return request


@settings(max_examples=1200, **SETTINGS)
@given(stacks())
def test_stack_policies_on_generated_resource_sets(request):
    counter.add()
    began = time.perf_counter()
    response = ANALYZER.AnalyzeStack(request, None)
    assert time.perf_counter() - began < SLOW_SECONDS
    assert_clean(response)


CONFIG_VALUES = st.one_of(SCALARS.filter(lambda v: v is not UNKNOWN and not isinstance(v, Secret)),
                          st.lists(st.one_of(st.text(max_size=6), st.integers()), max_size=3),
                          st.dictionaries(st.text(max_size=6), st.integers(), max_size=2))


@st.composite
def configs(draw: st.DrawFn) -> tuple[str, dict]:
    policy = draw(st.sampled_from(POLICIES))
    fields = [o.name for o in policy.all_options] + ["unknownField"]
    return policy.name, draw(st.dictionaries(st.sampled_from(fields), CONFIG_VALUES, max_size=3))


@settings(max_examples=3500, **SETTINGS)
@given(configs())
def test_invalid_config_is_rejected_with_policy_and_field(case):
    name, given_config = case
    counter.add()
    a = Analyzer("aws-conventions", POLICIES, stack=StackContext(stack="dev"))
    try:
        a.configure({name: (None, given_config)})
    except config_mod.ConfigError as e:
        for line in str(e).splitlines():
            # A field's own problem says "config field '...'"; a problem between fields (minDays above
            # maxDays) names the fields it is about.
            names_a_field = "config field '" in line or any(field in line for field in given_config)
            assert line.startswith(f"policy '{name}': ") and names_a_field, line
        return
    # Accepted: the policies must then work with it.
    for type_ in declared_types()[:3]:
        request = pb.AnalyzeRequest(type=type_, name="svc-dev", urn=make_urn(type_, "svc-dev"),
                                    properties=to_struct({}))
        assert_clean(a.Analyze(request, None))


def test_a_sample_through_the_plugin_process():
    """The same generated bags over gRPC to the pack started as the engine starts it."""
    sample = []

    @settings(max_examples=300, **SETTINGS)
    @given(resources())
    def collect(case):
        sample.append(case)

    collect()
    with PackProcess(stack="dev", project="tap") as pack:
        pack.configure_stack()
        pack.configure({p.name: "mandatory" for p in POLICIES})
        for type_, name, props in sample:
            counter.add()
            for d in pack.analyze(type_, props, name=name):
                assert CANARY not in d.message and CRASH not in d.message
        pack.analyze_stack([StackResource("pulumi:pulumi:Stack", "tap-dev", {"out": UNKNOWN})])


# --- secret containers, secret config, Remediate ------------------------------------------------

PLAIN_CANARIES = st.one_of(
    st.builds(lambda s: f"{CANARY}{s}", st.text(max_size=4)),
    st.builds(lambda s: json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": f"{CANARY}Sid{s}", "Effect": "Allow", "Action": [f"s3:{CANARY}{s}", "*"], "Resource": "*"}]}),
        st.text(alphabet="abc", max_size=3)),
)


def plain_values(keys: st.SearchStrategy[str]) -> st.SearchStrategy:
    """Values with canaries that are not marked secret themselves: only a container around them is."""
    return st.recursive(st.one_of(PLAIN_CANARIES, INTERESTING, st.integers(), st.booleans()),
                        lambda inner: st.one_of(st.lists(inner, min_size=1, max_size=4),
                                                st.dictionaries(keys, inner, min_size=1, max_size=4)),
                        max_leaves=12)


@st.composite
def secret_containers(draw: st.DrawFn) -> tuple[str, str, dict]:
    """A bag with one secret list or object at some depth, canaries inside it unmarked."""
    type_ = draw(st.sampled_from(declared_types()))
    names = input_names(type_)
    keys = st.sampled_from(["name", "policy", "Statement", "Action", "Sid", "mode", "enabled"])
    secret = Secret(draw(st.one_of(st.lists(plain_values(keys), min_size=1, max_size=3),
                                   st.dictionaries(keys, plain_values(keys), min_size=1, max_size=3))))
    for _ in range(draw(st.integers(0, 3))):  # bury it a few levels down
        secret = draw(st.sampled_from([[secret], {"nested": secret}, {"policy": secret}]))
    props = draw(bag(type_))
    props[draw(st.sampled_from(names))] = secret
    return type_, "svc-dev", props


@settings(max_examples=1500, **SETTINGS)
@given(secret_containers())
def test_a_secret_container_keeps_everything_inside_it_secret(case):
    type_, name, props = case
    counter.add()
    request = pb.AnalyzeRequest(type=type_, name=name, urn=make_urn(type_, name), properties=to_struct(props))
    assert_clean(ANALYZER.Analyze(request, None))
    stack = pb.AnalyzeStackRequest(resources=[pb.AnalyzerResource(
        type=type_, name=name, urn=request.urn, properties=request.properties)])
    assert_clean(ANALYZER.AnalyzeStack(stack, None))


def test_the_inline_policies_of_a_role_in_a_secret_list_are_never_quoted():
    document = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": f"{CANARY}Sid", "Effect": "Allow", "Action": [f"s3:{CANARY}", "*"], "Resource": "*"}]})
    props = {"name": "r-dev", "inlinePolicies": Secret([{"name": "p", "policy": document}])}
    request = pb.AnalyzeRequest(type="aws:iam/role:Role", name="r-dev", urn=make_urn("aws:iam/role:Role", "r-dev"),
                                properties=to_struct(props))
    response = ANALYZER.Analyze(request, None)
    assert {"iam-least-privilege", "iam-unknown-action"} <= {d.policyName for d in response.diagnostics}
    assert_clean(response)


SECRET_CONFIG = {"tap:environmentSuffix": f"{CANARY}sfx", "aws:region": f"{CANARY}-region-1",
                 "tap:owner": f"{CANARY}owner"}


def secret_config_analyzer() -> Analyzer:
    a = Analyzer("aws-conventions", POLICIES)
    a.configure_stack(StackContext(stack="dev", project="tap", config=SECRET_CONFIG,
                                   secret_keys=frozenset(SECRET_CONFIG)))
    a.configure({p.name: ("mandatory", {}) for p in POLICIES})
    return a


SECRET_CONFIG_ANALYZER = secret_config_analyzer()


@settings(max_examples=1000, **SETTINGS)
@given(resources())
def test_secret_config_values_are_never_quoted(case):
    type_, name, props = case
    counter.add()
    request = pb.AnalyzeRequest(type=type_, name=name, urn=make_urn(type_, name), properties=to_struct(props))
    assert_clean(SECRET_CONFIG_ANALYZER.Analyze(request, None))


REMEDIATING = analyzer()
REMEDIATING.configure({p.name: ("remediate", {}) for p in POLICIES})


def _secret_keys(struct) -> set[str]:
    """The top-level keys whose value is marked secret on the wire."""
    return {k for k, v in struct.fields.items() if v.WhichOneof("kind") == "struct_value"
            and v.struct_value.fields.get(SIG_KEY, Value()).string_value == SECRET_SIG}


@settings(max_examples=1500, **SETTINGS)
@given(st.one_of(resources(), secret_containers()))
def test_remediate_answers_and_keeps_secrets_secret(case):
    type_, name, props = case
    counter.add()
    request = pb.AnalyzeRequest(type=type_, name=name, urn=make_urn(type_, name), properties=to_struct(props))
    response = REMEDIATING.Remediate(request, None)
    secret_before = _secret_keys(request.properties)
    for remediation in response.remediations:
        assert CANARY not in remediation.diagnostic and CRASH not in remediation.diagnostic
        assert secret_before <= _secret_keys(remediation.properties), remediation.policyName
