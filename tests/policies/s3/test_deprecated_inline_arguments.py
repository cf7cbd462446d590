import re
from pathlib import Path

import pulumi_aws
import pytest

from policies._core.resource import Provider
from policies._core.values import UNKNOWN, Props, Secret
from policies.s3.deprecated_inline_arguments import DEPRECATED
from tests.conftest import assert_findings, check, merged

NAME = "s3-deprecated-inline-arguments"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
BASE = {"bucket": "data-dev", "forceDestroy": True, "tags": {"Environment": "dev"}}
SOURCES = {BUCKET: ("bucket.py", "BucketArgs"), BUCKET_V2: ("bucket_v2.py", "BucketV2Args")}

CASES = [
    ("compliant", {}, None),
    ("versioning", {"versioning": {"enabled": True}},
     ["versioning is set to {\"enabled\": true}", "the inline argument versioning is deprecated",
      "use the separate aws.s3.BucketVersioning resource",
      "Fix: remove versioning=... and add aws.s3.BucketVersioning(\"example-dev-versioning\", bucket=bucket.id, "
      "versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status=\"Enabled\"))"]),
    ("encryption", {"serverSideEncryptionConfiguration": {"rule": {"applyServerSideEncryptionByDefault": {
        "sseAlgorithm": "aws:kms"}}}}, ["aws.s3.BucketServerSideEncryptionConfiguration(\"example-dev-encryption\""]),
    ("lifecycle", {"lifecycleRules": [{"enabled": True, "expiration": {"days": 30}}]},
     ["lifecycleRules is set", "aws.s3.BucketLifecycleConfiguration"]),
    ("acl-private", {"acl": "private"},
     ["acl is set to 'private'", "Fix: remove acl=...: a bucket is private without it",
      "AccessControlListNotSupported"]),
    ("acl-public-read", {"acl": "public-read"},
     ["acl is set to 'public-read'", "aws.s3.BucketAcl(", "BucketOwnershipControls"]),
    ("website-keeps-the-error-document", {"website": {"indexDocument": "home.html", "errorDocument": "404.html"}},
     ['IndexDocumentArgs(suffix="home.html")', 'ErrorDocumentArgs(key="404.html")']),
    ("website-redirect", {"website": {"redirectAllRequestsTo": "https://example.com"}},
     ['RedirectAllRequestsToArgs(host_name="https://example.com")']),
    ("website-secret-document-not-shown", {"website": {"indexDocument": Secret("x.html")}},
     ['IndexDocumentArgs(suffix="index.html")']),
    ("unknown-value-is-still-an-inline-argument", {"logging": UNKNOWN},
     ["logging is set (to a value computed during the deployment)", "aws.s3.BucketLogging"]),
    ("secret", {"policy": Secret('{"Statement": []}')}, ["policy is set to [secret]", "aws.s3.BucketPolicy"]),
    ("empty-list", {"corsRules": []}, None),
    ("empty-object", {"website": {}}, None),
    ("null", {"website": None}, None),
    ("object-lock", {"objectLockConfiguration": {"objectLockEnabled": "Enabled"}},
     ["object_lock_enabled=True on the bucket"]),
    ("outputs-are-not-inputs", {"websiteEndpoint": "x.s3-website.amazonaws.com", "websiteDomain": "d"}, None),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(changes, expected):
    findings = check(NAME, BUCKET, merged(BASE, **changes))
    found = assert_findings(findings, expected)
    if found is None:
        return
    assert "Statement" not in found.message


def test_bucket_v2_itself_is_left_to_aws_deprecated():
    assert check(NAME, BUCKET_V2, BASE) == []


def test_bucket_v2_uses_its_own_property_names():
    findings = check(NAME, BUCKET_V2, merged(BASE, versionings=[{"enabled": True}], versioning={"enabled": True}))
    assert [f.property for f in findings] == ["versionings"]


def _deprecated_inputs(type_: str) -> dict[str, str]:
    """Each deprecated input of the installed pulumi_aws (wire name) and the resource its docstring names."""
    file, args_class = SOURCES[type_]
    source = (Path(pulumi_aws.__file__).parent / "s3" / file).read_text()
    body = source[source.index(f"class {args_class}:"):]
    body = body[:body.index("\nclass ", 1)]
    found = {}
    pattern = (r'@pulumi\.getter(?:\(name="(\w+)"\))?\n\s+@_utilities\.deprecated\("""[^"]*?'
               r'(?:the )?(s3\.\w+) resource instead\.?"""\)\n\s+def (\w+)\(')
    for wire, resource, python in re.findall(pattern, body):
        found[wire or python] = f"aws.{resource}"
    return found


@pytest.mark.parametrize("type_", [BUCKET, BUCKET_V2])
def test_table_matches_installed_pulumi_aws(type_):
    expected = _deprecated_inputs(type_)
    assert len(expected) == 13
    assert {name: r.resource for name, r in DEPRECATED[type_].items()} == expected


@pytest.mark.parametrize(("type_", "name"), [(t, n) for t in DEPRECATED for n in DEPRECATED[t]])
def test_every_deprecated_input_is_reported_with_its_replacement(type_, name):
    findings = [f for f in check(NAME, type_, merged(BASE, **{name: "x"})) if f.property]
    assert len(findings) == 1
    assert f"the separate {DEPRECATED[type_][name].resource} resource" in findings[0].message


def test_other_s3_types_are_ignored():
    assert check(NAME, "aws:s3/bucketVersioning:BucketVersioning", {"bucket": "b", "versioningConfiguration": {
        "status": "Enabled"}}) == []


def _with_provider(version: str) -> dict:
    provider = Provider("pulumi:providers:aws", "urn:pulumi:dev::tap::pulumi:providers:aws::default",
                        "default", Props.from_dict({"version": version}))
    return {"provider": provider}


def test_pulumi_aws_6_recommends_bucket_v2_and_names_its_v2_resources():
    v6 = _with_provider("6.83.4")
    assert check(NAME, BUCKET_V2, BASE, **v6) == []
    (found,) = check(NAME, BUCKET_V2, merged(BASE, versionings=[{"enabled": True}]), **v6)
    assert "deprecated in pulumi-aws 6" in found.message
    assert ("aws.s3.BucketVersioningV2(\"example-dev-versioning\", bucket=bucket.id, "
            "versioning_configuration=aws.s3.BucketVersioningV2VersioningConfigurationArgs(") in found.message
    (policy_doc,) = check(NAME, BUCKET_V2, merged(BASE, policy="{}"), **v6)
    assert "aws.s3.BucketPolicy(" in policy_doc.message and "BucketPolicyV2" not in policy_doc.message


def test_pulumi_aws_6_legacy_bucket_is_not_deprecated_there():
    assert check(NAME, BUCKET, merged(BASE, versioning={"enabled": True}), **_with_provider("6.83.4")) == []


def test_pulumi_aws_7_is_named_in_the_message():
    (found,) = check(NAME, BUCKET_V2, merged(BASE, versionings=[{"enabled": True}]), **_with_provider("v7.51.1"))
    assert "deprecated in pulumi-aws 7" in found.message


@pytest.mark.parametrize(("type_", "changes", "fix", "absent"), [
    (BUCKET, {"serverSideEncryptionConfiguration": {"rule": {"applyServerSideEncryptionByDefault": {
        "sseAlgorithm": "AES256"}}}}, 'sse_algorithm="AES256")', "aws:kms"),
    (BUCKET, {"serverSideEncryptionConfiguration": {"rule": {"applyServerSideEncryptionByDefault": {
        "sseAlgorithm": "aws:kms", "kmsMasterKeyId": "arn:aws:kms:us-east-1:123456789012:key/k"},
        "bucketKeyEnabled": True}}}, 'sse_algorithm="aws:kms", kms_master_key_id=key.arn), bucket_key_enabled=True)',
     None),
    (BUCKET_V2, {"serverSideEncryptionConfigurations": [{"rules": [{"applyServerSideEncryptionByDefault": {
        "sseAlgorithm": "AES256"}}]}]}, 'sse_algorithm="AES256")', "aws:kms"),
    (BUCKET, {"versioning": {"enabled": False}}, "remove versioning=...: versioning is off unless", "Enabled"),
    (BUCKET, {"versioning": {"enabled": True}}, 'BucketVersioningVersioningConfigurationArgs(status="Enabled")',
     None),
    (BUCKET, {"serverSideEncryptionConfiguration": UNKNOWN}, 'sse_algorithm="aws:kms"', None),
])
def test_the_fix_keeps_the_programs_own_settings(type_, changes, fix, absent):
    (found,) = [f for f in check(NAME, type_, merged(BASE, **changes)) if "Fix: remove" in f.message]
    assert fix in found.message
    if absent:
        assert absent not in found.message.split("Fix:", 1)[1]
