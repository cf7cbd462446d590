"""The analyzer's shortcuts give the answers of the long way: the byte scan for unknowns, checks
skipped by their prefilter, values derived once per context, and what the masking covers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pulumi.runtime.proto import analyzer_pb2 as pb

from policies._core.analyzer import Analyzer
from policies._core.context import StackContext
from policies._core.policy import ADVISORY, ALL_AWS_TYPES, Finding, PolicyContext, ResourcePolicy
from policies._core.resource import Resource
from policies._core.values import (
    OUTPUT_SIG,
    SIG_KEY,
    UNKNOWN,
    UNKNOWN_SENTINELS,
    Props,
    Secret,
    contains_unknown,
    to_struct,
)

QUEUE = "aws:sqs/queue:Queue"


@pytest.mark.parametrize("sentinel", sorted(UNKNOWN_SENTINELS))
@pytest.mark.parametrize("place", ["top", "list", "object", "secret", "deep"])
def test_every_unknown_sentinel_is_found_wherever_it_is(sentinel, place):
    value = {"top": sentinel, "list": ["a", sentinel], "object": {"k": sentinel},
             "secret": Secret(sentinel), "deep": {"a": [{"b": [sentinel]}]}}[place]
    props = Props(to_struct({"name": "orders-dev", "value": value}))
    assert contains_unknown(props.raw("value"))
    assert props.may_hold_unknown()


def test_an_output_without_a_value_is_unknown_and_found():
    props = Props(to_struct({"arn": {SIG_KEY: OUTPUT_SIG}}))
    assert props.raw("arn") is UNKNOWN
    assert props.may_hold_unknown()


@pytest.mark.parametrize("props", [
    {"name": "orders-dev", "tags": {"Team": "payments"}},
    {next(iter(UNKNOWN_SENTINELS)): "a key, not a value"},
    {"name": f"x{next(iter(UNKNOWN_SENTINELS))}"},
], ids=["plain", "sentinel as a key", "sentinel inside a longer string"])
def test_a_bag_without_an_unknown_value_skips_the_bookkeeping(props):
    bag = Props(to_struct(props))
    assert not contains_unknown(bag.to_dict())
    assert not bag.may_hold_unknown()


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-1000, 1000), st.text(max_size=40),
                    st.sampled_from(sorted(UNKNOWN_SENTINELS)), st.just(UNKNOWN))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=40), inner, max_size=4),
    st.builds(Secret, inner)), max_leaves=12)


@settings(max_examples=500, deadline=None, derandomize=True, database=None)
@given(st.dictionaries(st.text(max_size=12), VALUES, max_size=6))
def test_the_byte_scan_never_misses_an_unknown(bag):
    props = Props(to_struct(bag))
    if contains_unknown(props.to_dict()):
        assert props.may_hold_unknown()


def _recording(prefilter: bytes, calls: list[str]) -> ResourcePolicy:
    def check(resource: Resource, ctx: PolicyContext):
        calls.append(resource.name)
        if b"needle" in resource.props.wire():
            yield Finding(f"{resource.label}: holds the needle.")

    return ResourcePolicy(name="needle", description="Finds the needle.", severity="low",
                          enforcement_level=ADVISORY, remediation_steps="Remove it.", tags=("test",),
                          types=frozenset({ALL_AWS_TYPES}), check=check, prefilter=prefilter)


@pytest.mark.parametrize("prefilter", [b"", b"needle"], ids=["without prefilter", "with prefilter"])
def test_a_prefilter_skips_only_the_calls_that_would_find_nothing(prefilter):
    calls: list[str] = []
    analyzer = Analyzer("test", [_recording(prefilter, calls)], stack=StackContext(stack="dev", dry_run=False))
    hay = analyzer.analyze_resource(Resource.of(QUEUE, {"name": "hay"}, name="hay"))
    needle = analyzer.analyze_resource(Resource.of(QUEUE, {"name": "a needle"}, name="needle"))
    assert hay == []
    assert [f.message for _, _, f in needle] == [f"{QUEUE} 'needle': holds the needle."]
    assert calls == (["needle"] if prefilter else ["hay", "needle"])


def test_what_a_check_derives_from_its_context_is_derived_once():
    made: list[int] = []

    def make(ctx: PolicyContext) -> int:
        made.append(1)
        return len(ctx.stack.stack)

    ctx = PolicyContext({}, StackContext(stack="dev"))
    assert [ctx.derived(make) for _ in range(3)] == [3, 3, 3]
    assert made == [1]


def test_analyze_answers_the_type_part_and_the_resource_part_as_one_message():
    analyzer = Analyzer("test", [_recording(b"", [])], stack=StackContext(stack="dev", dry_run=False))
    request = pb.AnalyzeRequest(type=QUEUE, name="q", urn="urn:pulumi:dev::p::aws:sqs/queue:Queue::q",
                                properties=to_struct({"name": "a needle"}))
    wire = analyzer.analyze_wire(request)
    response = pb.AnalyzeResponse.FromString(wire)
    assert [d.policyName for d in response.diagnostics] == ["needle"]
    assert analyzer.Analyze(request, None) == response
