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


DEFAULT = object()


def run(tags=None, type_=BUCKET, config=ON, with_provider=DEFAULT, name="data-dev", **props):
    props = {"bucket": "data-dev", **props} if tags is None else {"bucket": "data-dev", "tags": tags, **props}
    return check(NAME, type_, props, name=name, config=config,
                 provider=provider() if with_provider is DEFAULT else with_provider)


def test_off_until_enabled_with_keys():
    assert run(config={}) == []  # enabled by the test helper, but no key is required
    analyzer = analyzer_for(NAME)
    assert next(p for p in analyzer.policies if p.name == NAME).enforcement_level == "disabled"


def test_a_resource_without_a_required_key_is_reported_with_the_keys_and_the_fix():
    (finding,) = run({"Environment": "dev", "Owner": "payments"})
    assert finding.message.startswith(
        "aws:s3/bucket:Bucket 'data-dev': its tags, with its provider's default tags, lack CostCenter; expected "
        "every key the policy requires (CostCenter, Owner), each with a value.")
    assert finding.fix.startswith("pulumi config set --path 'aws:defaultTags.tags.CostCenter' <value>, or "
                                  'default_tags=aws.ProviderDefaultTagsArgs(tags={"CostCenter": "<value>"}) on an '
                                  "explicit aws.Provider, so that every resource carries them")
    assert finding.fix.endswith('or tags={..., "CostCenter": "<value>"} on the resource')
    assert finding.found == "CostCenter"


def test_an_explicit_provider_is_named_in_the_fix():
    (finding,) = run({"Owner": "payments"}, with_provider=provider(name="tagged"))
    assert finding.fix.startswith('default_tags=aws.ProviderDefaultTagsArgs(tags={..., "CostCenter": "<value>"}) '
                                  "on the aws.Provider 'tagged'")


def test_without_a_provider_nothing_can_be_told():
    assert run(with_provider=None) == []


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
    pytest.param(None, Secret(json.dumps({"tags": {"CostCenter": "42", "Owner": "x"}})), None,
                 id="secure-stack-config-default-tags"),
    pytest.param(None, "[" * 100_000, "CostCenter, Owner", id="json-too-deep"),
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


def test_unknown_default_tags_make_the_policy_not_applicable_with_the_reason():
    analyzer = analyzer_for(NAME, ON)
    resource = Resource.of(BUCKET, {"bucket": "data-dev"}, name="data-dev", provider=provider(UNKNOWN))
    assert [f for p, _, f in analyzer.analyze_resource(resource) if p.name == NAME] == []
    assert resource.unchecked[NAME] == "the provider's default tags are unknown until they are applied"


def test_the_real_provider_sends_default_tags_as_json_text():
    import pulumi
    import pulumi_aws as aws

    text = pulumi.runtime.to_json(aws.ProviderDefaultTagsArgs(tags={"CostCenter": "42", "Owner": "x"}))
    assert run(with_provider=provider(text)) == []


def test_ignore_tags_leaves_a_key_to_others():
    ignoring = Provider("pulumi:providers:aws", "urn:pulumi:dev::tap::pulumi:providers:aws::default", "default",
                        Props.from_dict({"ignoreTags": json.dumps({"keys": ["CostCenter"], "keyPrefixes": ["Own"]})}))
    assert run(with_provider=ignoring) == []


def test_an_objects_override_replaces_the_provider_default_tags():
    obj = "aws:s3/bucketObjectv2:BucketObjectv2"
    tagged = provider({"tags": {"CostCenter": "42", "Owner": "x"}})
    assert run(type_=obj, with_provider=tagged, key="k") == []
    (finding,) = run(type_=obj, with_provider=tagged, key="k", overrideProvider={"defaultTags": {"tags": {}}})
    assert finding.found == "CostCenter, Owner"
    assert run(type_=obj, with_provider=tagged, key="k", overrideProvider={"defaultTags": UNKNOWN}) == []


def test_autoscaling_groups_list_their_tags_and_take_no_default_tags():
    group = "aws:autoscaling/group:Group"
    props = {"maxSize": 1, "minSize": 1, "tags": [{"key": "CostCenter", "value": "42", "propagateAtLaunch": True},
                                                  {"key": "Owner", "value": "", "propagateAtLaunch": True},
                                                  Secret({"key": "Team", "value": "x"})]}
    tagged = provider({"tags": {"CostCenter": "42", "Owner": "x"}})
    (finding,) = check(NAME, group, props, name="workers-dev", config={"tags": ["CostCenter", "Owner", "Team"]},
                       provider=tagged)
    assert finding.found == "Owner"
    assert finding.fix.startswith('tags=[..., aws.autoscaling.GroupTagArgs(key="Owner", value="<value>", '
                                  "propagate_at_launch=True)] (an Auto Scaling group does not take")


@pytest.mark.parametrize(("type_", "props"), [
    pytest.param("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {"role": "r"}, id="no-tags-input"),
    pytest.param("aws:inspector/resourceGroup:ResourceGroup", {"tags": {"Env": "dev"}}, id="tags-select-resources"),
    pytest.param("aws:devopsguru/resourceCollection:ResourceCollection", {"type": "AWS_TAGS"},
                 id="tags-of-another-shape"),
])
def test_types_that_take_no_aws_tags_are_not_checked(type_, props):
    assert check(NAME, type_, props, config=ON, provider=provider()) == []


def test_exempt_by_name():
    assert run(config={**ON, "exempt": ["data-*"]}) == []


def test_a_secret_tag_value_is_never_printed():
    (finding,) = run({"Owner": Secret("s3cr3t-owner"), "Team": Secret("s3cr3t-team")})
    assert "s3cr3t" not in finding.message


def test_secret_default_tags_leave_the_message_readable_through_the_engines_path():
    analyzer = analyzer_for(NAME, {"tags": ["CostCenter", "Owner"]})
    secret_defaults = provider(Secret(json.dumps({"tags": {"Owner": "s3cr3t-owner"}})))
    resource = Resource.of(BUCKET, {"bucket": "data-dev"}, name="data-dev", provider=secret_defaults)
    (finding,) = [f for p, _, f in analyzer.evaluate_resource(resource).findings if p.name == NAME]
    assert "s3cr3t" not in finding.message
    assert "its tags, with its provider's default tags, lack CostCenter;" in finding.message


def test_a_key_many_resources_lack_is_reported_once_at_the_stack_in_a_preview():
    required = policy(NAME)
    held = HeldFindings()
    for i in range(required.condense_after + 1):
        props = {"bucket": f"b{i}-dev", "tags": {"Owner": "x"} if i < 3 else {}}
        (finding,) = check(NAME, BUCKET, props, name=f"b{i}-dev", config=ON, provider=provider())
        assert held.hold(Resource.of(BUCKET, props, name=f"b{i}-dev"), [(required, "advisory", finding)]) == []
    ((_, _, condensed),) = held.release(lambda p: PolicyContext({**p.defaults, **ON}, StackContext(stack="dev")))
    assert condensed.message.startswith("5 resources lack required tag keys, CostCenter (5), Owner (2): "
                                        "'b0-dev', 'b1-dev', 'b2-dev', 'b3-dev', 'b4-dev'.")
    assert condensed.fix.startswith("pulumi config set --path 'aws:defaultTags.tags.CostCenter' <value>")


_ODD = [None, 0, "", "x", [], {}, ["x"], [{"key": 1}], [{"key": "Owner"}], {"Owner": []}, {1: "x"}, UNKNOWN,
        Secret("s"), Secret({"Owner": "x"})]


@settings(max_examples=300, deadline=None)
@given(tags=st.sampled_from(_ODD), defaults=st.sampled_from([*_ODD, json.dumps({"tags": {"Owner": "x"}}), "{"]))
def test_odd_values_never_raise_and_give_at_most_one_finding(tags, defaults):
    analyzer = analyzer_for(NAME, ON)
    resource = Resource.of(BUCKET, {"bucket": "data-dev", "tags": tags}, name="data-dev", provider=provider(defaults))
    result = analyzer.evaluate_resource(resource)
    found = [f for p, _, f in result.findings if p.name == NAME]
    assert len(found) <= 1
    assert all(f.cause == "required-tags:missing" for f in found)  # never the analyzer's report of a crash
