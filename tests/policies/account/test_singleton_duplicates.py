import pytest

from policies._core.context import StackContext
from policies._core.resource import Provider, Resource
from policies._core.values import UNKNOWN, Props, Secret
from tests.conftest import assert_findings, check_stack

NAME = "account-singleton-duplicates"
RECORDER = "aws:cfg/recorder:Recorder"
CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"
STACK = StackContext(stack="dev", project="tap", config={"aws:region": "us-east-1"})


def provider(name="default_7_51_1", **props):
    return Provider("pulumi:providers:aws", f"urn:pulumi:dev::tap::pulumi:providers:aws::{name}", name,
                    Props.from_dict(props))


def res(type_, name, props=None, **kwargs):
    return Resource.of(type_, {"name": name, **(props or {})}, name=name, **kwargs)


def pair(type_=RECORDER, a=None, b=None, pa=None, pb=None):
    return [res(type_, "config-a", a, provider=pa), res(type_, "config-b", b, provider=pb)]


CASES = [
    ("two-recorders-same-own-region", pair(a={"region": "us-east-1"}, b={"region": "us-east-1"}), {},
     ["aws:cfg/recorder:Recorder 'config-a' and aws:cfg/recorder:Recorder 'config-b'",
      "2 copies of the AWS Config configuration recorder in region 'us-east-1'", "expected one per account and region",
      "MaxNumberOfConfigurationRecordersExceededException", 'region="us-west-2"']),
    ("own-region-and-stack-config-agree", pair(a={"region": "us-east-1"}), {}, ["region 'us-east-1'"]),
    ("different-own-regions", pair(a={"region": "us-east-1"}, b={"region": "eu-west-1"}), {}, None),
    ("own-region-overrides-provider", pair(a={"region": "eu-west-1"}, pa=provider(region="us-east-1"),
                                           pb=provider(region="us-east-1")), {}, None),
    ("provider-regions-differ", pair(pa=provider("east", region="us-east-1"), pb=provider("west", region="us-west-2")),
     {}, None),
    ("provider-region-equals-stack-region", pair(pa=provider("east", region="us-east-1")), {},
     ["in region 'us-east-1' (provider 'east')"]),
    ("providers-in-other-accounts", pair(pa=provider("audit", assumeRoles=[{"roleArn": "arn:aws:iam::1:role/a"}]),
                                         pb=provider("prod", assumeRoles=[{"roleArn": "arn:aws:iam::2:role/a"}])),
     {}, None),
    ("same-credentials-in-two-providers", pair(pa=provider("a", profile="ops"), pb=provider("b", profile="ops")), {},
     ["2 copies"]),
    ("own-region-unknown-from-an-output", [res(RECORDER, "config-a", {"region": UNKNOWN},
                                               property_dependencies={"region": ("urn:x",)}),
                                           res(RECORDER, "config-b")], {}, None),
    ("own-region-unknown-computed-by-provider", pair(a={"region": UNKNOWN}, b={"region": UNKNOWN}), {},
     ["region 'us-east-1'"]),
    ("provider-region-unknown", pair(pa=provider("x", region=UNKNOWN), pb=provider("x", region=UNKNOWN)), {}, None),
    ("provider-credentials-unknown", pair(pa=provider("x", profile=UNKNOWN), pb=provider("y", profile=UNKNOWN)), {},
     None),
    ("nested-credential-unknown", pair(pa=provider("x", assumeRoles=[{"roleArn": UNKNOWN}]),
                                       pb=provider("y", assumeRoles=[{"roleArn": UNKNOWN}])), {}, None),
    ("region-wrong-type", pair(a={"region": 42}, b={"region": 42}), {}, None),
    ("secret-region-not-printed", pair(a={"region": Secret("us-gov-west-1")}, b={"region": Secret("us-gov-west-1")}),
     {}, ["in region [secret]"]),
    ("two-delivery-channels", pair(CHANNEL), {}, ["MaxNumberOfDeliveryChannelsExceededException",
                                                  "aws.cfg.DeliveryChannel(...)"]),
    ("exempt-type", pair(), {"exemptTypes": [RECORDER]}, None),
]


@pytest.mark.parametrize(("resources", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(resources, config, expected):
    findings = check_stack(NAME, resources, config=config, stack=STACK)
    found = assert_findings(findings, expected, on=resources[1].urn)
    if found is not None:
        assert "us-gov" not in found.message


def test_no_region_anywhere_is_one_default_region():
    findings = check_stack(NAME, pair(), stack=StackContext(stack="dev"))
    assert len(findings) == 1
    assert "the default region (no region is configured)" in findings[0].message


def test_account_wide_singletons_ignore_regions():
    policy = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
    resources = [
        Resource.of(policy, {"minimumPasswordLength": 14}, name="strict", provider=provider("e", region="us-east-1")),
        Resource.of(policy, {"minimumPasswordLength": 8}, name="lax", provider=provider("w", region="us-west-2")),
    ]
    [finding] = check_stack(NAME, resources, stack=STACK)
    assert "2 copies of the IAM account password policy in the account" in finding.message
    assert "expected one per account" in finding.message
    assert "each copy overwrites the other's setting" in finding.message
    assert "assume_roles=[aws.ProviderAssumeRoleArgs(" in finding.message
    assert finding.property is None


def test_three_copies_one_finding_naming_all():
    detector = "aws:guardduty/detector:Detector"
    resources = [Resource.of(detector, {"enable": True}, name=f"detector-{i}") for i in (3, 1, 2)]
    [finding] = check_stack(NAME, resources, stack=STACK)
    assert "'detector-1' and aws:guardduty/detector:Detector 'detector-2' and aws:guardduty/detector:Detector " \
           "'detector-3'" in finding.message
    assert "3 copies of the GuardDuty detector" in finding.message
    assert "a detector already exists" in finding.message
    assert finding.urn.endswith("::detector-2")


def test_five_copies_are_summarised():
    resources = [res(RECORDER, f"config-{i}") for i in range(6)]
    [finding] = check_stack(NAME, resources, stack=STACK)
    assert "(and 2 more)" in finding.message and "6 copies" in finding.message


def test_one_recorder_and_one_channel_are_fine():
    assert check_stack(NAME, [res(RECORDER, "config"), res(CHANNEL, "config")], stack=STACK) == []


def test_duplicate_urns_are_one_resource():
    recorder = res(RECORDER, "config")
    assert check_stack(NAME, [recorder, recorder], stack=STACK) == []


def test_other_types_repeated_are_ignored():
    buckets = [Resource.of("aws:s3/bucket:Bucket", {"bucket": f"b-{i}"}, name=f"b-{i}") for i in range(3)]
    assert check_stack(NAME, buckets, stack=STACK) == []
