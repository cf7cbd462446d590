import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies._core.condense import HeldFindings
from policies._core.context import StackContext
from policies._core.policy import PolicyContext
from policies._core.resource import Provider, Resource
from policies._core.values import UNKNOWN, Props, Secret
from tests.conftest import analyzer_for, check, policy

NAME = "required-tags"
BUCKET = "aws:s3/bucket:Bucket"
ON = {"tags": ["CostCenter", "Owner"]}


def provider(default_tags=None, name="default"):
    props = {"region": "us-east-1"}
    if default_tags is not None:
        props["defaultTags"] = default_tags
    return Provider("pulumi:providers:aws", f"urn:pulumi:dev::tap::pulumi:providers:aws::{name}", name,
                    Props.from_dict(props))


def run(tags=None, type_=BUCKET, config=ON, with_provider=None, name="data-dev"):
    props = {"bucket": "data-dev"} if tags is None else {"bucket": "data-dev", "tags": tags}
    return check(NAME, type_, props, name=name, config=config, provider=with_provider)


def test_off_until_enabled_with_keys():
    assert run(config={}) == []  # enabled by the test helper, but no key is required
    analyzer = analyzer_for(NAME)
    assert next(p for p in analyzer.policies if p.name == NAME).enforcement_level == "disabled"


def test_a_resource_without_a_required_key_is_reported_with_the_keys_and_the_fix():
    (finding,) = run({"Environment": "dev", "Owner": "payments"})
    assert finding.message.startswith(
        "aws:s3/bucket:Bucket 'data-dev': its tags, with its provider's default tags, lack CostCenter (it has "
        "Environment, Owner); expected every key the policy requires (CostCenter, Owner), each with a value.")
    assert finding.fix.startswith('default_tags=aws.ProviderDefaultTagsArgs(tags={"CostCenter": ...}) on the '
                                  "aws.Provider")
    assert 'tags={**tags, "CostCenter": ...}' in finding.fix
    assert finding.found == "CostCenter"


@pytest.mark.parametrize(("tags", "defaults", "missing"), [
    pytest.param({"CostCenter": "42", "Owner": "payments"}, None, None, id="own-tags"),
    pytest.param(None, {"tags": {"CostCenter": "42", "Owner": "payments"}}, None, id="provider-default-tags"),
    pytest.param(None, json.dumps({"tags": {"CostCenter": "42", "Owner": "payments"}}), None,
                 id="default-tags-as-the-json-text-providers-get"),
    pytest.param({"Owner": "payments"}, {"tags": {"CostCenter": "42"}}, None, id="both-together"),
    pytest.param(None, None, "CostCenter, Owner", id="no-tags-at-all"),
    pytest.param({"costcenter": "42", "Owner": "x"}, None, "CostCenter", id="case-matters-as-in-aws"),
    pytest.param({"CostCenter": "", "Owner": " "}, None, "CostCenter, Owner", id="empty-values"),
    pytest.param({"CostCenter": None, "Owner": "x"}, None, "CostCenter", id="null-value"),
    pytest.param({"CostCenter": Secret("42"), "Owner": "x"}, None, None, id="secret-value-counts"),
    pytest.param(Secret({"CostCenter": "42", "Owner": "x"}), None, None, id="secret-map"),
    pytest.param(None, "not json", "CostCenter, Owner", id="unreadable-default-tags"),
])
def test_own_tags_and_provider_default_tags(tags, defaults, missing):
    found = run(tags, with_provider=provider(defaults))
    assert [f.found for f in found] == ([missing] if missing else [])


@pytest.mark.parametrize(("tags", "defaults"), [
    pytest.param(UNKNOWN, None, id="tags-unknown"),
    pytest.param({"CostCenter": UNKNOWN}, None, id="a-value-unknown"),
    pytest.param(None, UNKNOWN, id="default-tags-unknown"),
    pytest.param(None, {"tags": UNKNOWN}, id="default-tags-map-unknown"),
])
def test_quiet_when_a_preview_cannot_tell(tags, defaults):
    assert run(tags, with_provider=provider(defaults)) == []


def test_autoscaling_groups_list_their_tags():
    group = "aws:autoscaling/group:Group"
    props = {"maxSize": 1, "minSize": 1, "tags": [{"key": "CostCenter", "value": "42", "propagateAtLaunch": True},
                                                  {"key": "Owner", "value": "", "propagateAtLaunch": True}]}
    (finding,) = check(NAME, group, props, name="workers-dev", config=ON)
    assert finding.found == "Owner"


def test_types_that_take_no_tags_are_not_checked():
    attachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    assert check(NAME, attachment, {"role": "r", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
                 config=ON) == []


def test_exempt_by_name():
    assert run(config={**ON, "exempt": ["data-*"]}) == []


def test_a_secret_tag_value_is_never_printed():
    (finding,) = run({"Owner": Secret("s3cr3t-owner"), "Team": Secret("s3cr3t-team")})
    assert "s3cr3t" not in finding.message


def test_a_key_many_resources_lack_is_reported_once_at_the_stack_in_a_preview():
    required = policy(NAME)
    held = HeldFindings()
    for i in range(required.condense_after + 1):
        props = {"bucket": f"b{i}-dev", "tags": {"Owner": "x"}}
        (finding,) = check(NAME, BUCKET, props, name=f"b{i}-dev", config=ON)
        assert held.hold(Resource.of(BUCKET, props, name=f"b{i}-dev"), [(required, "advisory", finding)]) == []
    ((_, _, condensed),) = held.release(lambda p: PolicyContext({**p.defaults, **ON}, StackContext(stack="dev")))
    assert condensed.message.startswith("5 resources lack the required tag key CostCenter: 'b0-dev', 'b1-dev', "
                                        "'b2-dev', 'b3-dev', 'b4-dev'.")
    assert condensed.fix.startswith('default_tags=aws.ProviderDefaultTagsArgs(tags={"CostCenter": ...})')


_ODD = [None, 0, "", "x", [], {}, ["x"], [{"key": 1}], [{"key": "Owner"}], {"Owner": []}, {1: "x"}, UNKNOWN,
        Secret("s"), Secret({"Owner": "x"})]


@settings(max_examples=300, deadline=None)
@given(tags=st.sampled_from(_ODD), defaults=st.sampled_from([*_ODD, json.dumps({"tags": {"Owner": "x"}}), "{"]))
def test_odd_values_never_raise_and_give_at_most_one_finding(tags, defaults):
    assert len(run(tags, with_provider=provider(defaults))) <= 1
