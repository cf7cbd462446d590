import importlib.metadata
from pathlib import Path

import pulumi_aws
import pytest

from policies._core.condense import HeldFindings
from policies._core.context import StackContext
from policies._core.policy import PolicyContext
from policies._core.resource import Provider, Resource
from policies._core.values import UNKNOWN, Props, Secret
from policies.deprecation.aws_deprecated import INPUTS, MAJOR, TYPES
from tests.conftest import assert_findings, check, policy

NAME = "aws-deprecated"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2"
INSTANCE = "aws:ec2/instance:Instance"
INSTANCE_BASE = {"ami": "ami-0abcdef1234567890", "instanceType": "t3.micro", "vpcSecurityGroupIds": ["sg-1"]}

CASES = [
    ("bucket-v2", BUCKET_V2, {"bucket": "data-dev"},
     ["aws.s3.BucketV2 is deprecated in pulumi-aws 7 in favour of aws.s3.Bucket",
      'Fix: aws.s3.Bucket("example-dev", ..., opts=pulumi.ResourceOptions(aliases=[pulumi.Alias('
      'type_="aws:s3/bucketV2:BucketV2")]))']),
    ("s3-companion", VERSIONING_V2, {"bucket": "data-dev", "versioningConfiguration": {"status": "Enabled"}},
     ["aws.s3.BucketVersioningV2 is deprecated in pulumi-aws 7 in favour of aws.s3.BucketVersioning",
      'aws.s3.BucketVersioning("example-dev", ...']),
    ("successor", "aws:s3/bucketVersioning:BucketVersioning", {"bucket": "data-dev"}, None),
    ("instance-compliant", INSTANCE, INSTANCE_BASE, None),
    ("instance-security-group-names", INSTANCE, {**INSTANCE_BASE, "securityGroups": ["web"]},
     ["securityGroups is set to [\"web\"]; expected not set: security_groups is deprecated in pulumi-aws 7",
      "use `vpcSecurityGroupIds`", "Fix: remove security_groups=..."]),
    ("empty-list-is-not-set", INSTANCE, {**INSTANCE_BASE, "securityGroups": []}, None),
    ("unknown-is-not-reported", INSTANCE, {**INSTANCE_BASE, "securityGroups": UNKNOWN}, None),
    ("provider-default-is-not-reported", INSTANCE,
     {**INSTANCE_BASE, "securityGroups": ["default"], "__defaults": ["securityGroups"]}, None),
    ("secret", INSTANCE, {**INSTANCE_BASE, "securityGroups": Secret(["web"])}, ["securityGroups is set to [secret]"]),
]


@pytest.mark.parametrize(("type_", "props", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(type_, props, expected):
    assert_findings(check(NAME, type_, props), expected)


def test_the_s3_buckets_inline_arguments_are_left_to_their_own_policy():
    findings = check(NAME, BUCKET_V2, {"bucket": "data-dev", "versionings": [{"enabled": True}]})
    assert [f.property for f in findings] == ["type"]
    assert check(NAME, "aws:s3/bucket:Bucket", {"bucket": "data-dev", "versioning": {"enabled": True}}) == []


def _provider(version: str) -> dict:
    return {"provider": Provider("pulumi:providers:aws", "urn:pulumi:dev::tap::pulumi:providers:aws::default",
                                 "default", Props.from_dict({"version": version}))}


def test_only_the_major_version_the_data_describes():
    assert check(NAME, BUCKET_V2, {"bucket": "data-dev"}, **_provider("6.83.0")) == []
    assert len(check(NAME, BUCKET_V2, {"bucket": "data-dev"}, **_provider(f"{MAJOR}.0.0"))) == 1


def test_the_data_is_the_installed_pulumi_aws():
    assert MAJOR == int(importlib.metadata.version("pulumi_aws").split(".")[0])
    source = (Path(pulumi_aws.__file__).parent / "s3" / "bucket_versioning_v2.py").read_text(encoding="utf-8")
    assert "has been deprecated in favor of aws.s3/bucketversioning.BucketVersioning" in source
    assert TYPES[VERSIONING_V2]["replacement"] == "aws:s3/bucketVersioning:BucketVersioning"
    assert "securityGroups" in INPUTS[INSTANCE]
    assert all(entry["replacement"] is None or entry["replacement"] not in TYPES for entry in TYPES.values())


def test_a_deprecated_type_on_many_resources_is_one_finding_at_the_stack():
    deprecated = policy(NAME)
    held = HeldFindings()
    for i in range(deprecated.condense_after):
        resource = Resource.of(VERSIONING_V2, {"bucket": f"data-{i}"}, name=f"data-{i}-versioning")
        (finding,) = check(NAME, VERSIONING_V2, {"bucket": f"data-{i}"}, name=f"data-{i}-versioning")
        assert held.hold(resource, [(deprecated, "advisory", finding)]) == []
    ((_, _, condensed),) = held.release(lambda p: PolicyContext(p.defaults, StackContext(stack="dev")))
    assert condensed.message.startswith(
        "4 resources use aws.s3.BucketVersioningV2, deprecated in pulumi-aws 7 in favour of aws.s3.BucketVersioning: "
        "'data-0-versioning', 'data-1-versioning', 'data-2-versioning', 'data-3-versioning'.")
    assert 'aliases=[pulumi.Alias(type_="aws:s3/bucketVersioningV2:BucketVersioningV2")]' in condensed.message
