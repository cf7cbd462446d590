"""s3-deprecated-inline-arguments: S3 bucket settings live in the separate resources pulumi-aws recommends.

Why: pulumi-aws 7 deprecates the inline bucket arguments (versioning, server-side encryption,
lifecycle rules, logging, website, ACL, CORS, policy, replication...) in favour of one resource
per setting. The inline forms warn on every run, detect drift only when set, conflict with the
separate resources when both are used, and are due to be removed. Property names and recommended
resources are those of pulumi-aws 7.51.1 (``s3/bucket.py`` and ``s3/bucket_v2.py``); a test checks
them against the installed package's deprecation notes.

Reported: every deprecated inline argument a bucket sets (even to a value unknown during a preview:
setting it is the mistake), each with the resource that replaces it. The provider's major version
decides (the provider resource's ``version``; 7 when it is not known): pulumi-aws 6 recommends
``BucketV2`` and deprecates its inline arguments in favour of the ``...V2`` resources
(``aws.s3.BucketVersioningV2``).

Not reported: arguments not set, or set to an empty list or object; pulumi-aws 6's ``Bucket``, the
legacy bucket with nothing deprecated, and anything with pulumi-aws 5 or older; ``aws.s3.BucketV2``
itself, deprecated in pulumi-aws 7, which aws-deprecated reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from .._core.aws_types import snake
from .._core.policy import ADVISORY, Finding, PolicyContext, ResourcePolicy, violation
from .._core.resource import Resource

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"


class Replacement(NamedTuple):
    """The separate resource that replaces an inline argument, and how it is written."""

    resource: str
    slug: str
    """The logical-name suffix the fix gives the new resource."""
    example: str


ACCELERATE = Replacement("aws.s3.BucketAccelerateConfiguration", "accelerate", 'bucket=bucket.id, status="Enabled"')
ACL = Replacement("aws.s3.BucketAcl", "acl",
                  'bucket=bucket.id, acl="..." (or access_control_policy=... for grants), with an '
                  'aws.s3.BucketOwnershipControls(object_ownership="BucketOwnerPreferred") on the bucket first: new '
                  'buckets have ACLs disabled')
CORS = Replacement("aws.s3.BucketCorsConfiguration", "cors",
                   "bucket=bucket.id, cors_rules=[aws.s3.BucketCorsConfigurationCorsRuleArgs(...)]")
LIFECYCLE = Replacement("aws.s3.BucketLifecycleConfiguration", "lifecycle",
                        'bucket=bucket.id, rules=[aws.s3.BucketLifecycleConfigurationRuleArgs(id="expire", '
                        'status="Enabled", ...)]')
LOGGING = Replacement("aws.s3.BucketLogging", "logging",
                      'bucket=bucket.id, target_bucket=logs.id, target_prefix="logs/"')
OBJECT_LOCK = Replacement("aws.s3.BucketObjectLockConfiguration", "object-lock",
                          "bucket=bucket.id, rule=aws.s3.BucketObjectLockConfigurationRuleArgs(...), with "
                          "object_lock_enabled=True on the bucket")
POLICY_DOC = Replacement("aws.s3.BucketPolicy", "policy", "bucket=bucket.id, policy=pulumi.Output.json_dumps({...})")
REPLICATION = Replacement("aws.s3.BucketReplicationConfig", "replication",
                          "bucket=bucket.id, role=role.arn, rules=[aws.s3.BucketReplicationConfigRuleArgs(...)]")
REQUEST_PAYMENT = Replacement("aws.s3.BucketRequestPaymentConfiguration", "request-payment",
                              'bucket=bucket.id, payer="Requester"')
ENCRYPTION = Replacement(
    "aws.s3.BucketServerSideEncryptionConfiguration", "encryption",
    "bucket=bucket.id, rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs("
    "apply_server_side_encryption_by_default=aws.s3."
    'BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(sse_algorithm="aws:kms"))]')
VERSIONING = Replacement("aws.s3.BucketVersioning", "versioning",
                         "bucket=bucket.id, versioning_configuration="
                         'aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled")')
WEBSITE = Replacement("aws.s3.BucketWebsiteConfiguration", "website",
                      'bucket=bucket.id, index_document=aws.s3.BucketWebsiteConfigurationIndexDocumentArgs('
                      'suffix="index.html")')

_COMMON = {
    "accelerationStatus": ACCELERATE,
    "acl": ACL,
    "corsRules": CORS,
    "grants": ACL,
    "lifecycleRules": LIFECYCLE,
    "objectLockConfiguration": OBJECT_LOCK,
    "policy": POLICY_DOC,
    "requestPayer": REQUEST_PAYMENT,
}
DEPRECATED: dict[str, dict[str, Replacement]] = {
    BUCKET: {**_COMMON, "logging": LOGGING, "replicationConfiguration": REPLICATION,
             "serverSideEncryptionConfiguration": ENCRYPTION, "versioning": VERSIONING, "website": WEBSITE},
    BUCKET_V2: {**_COMMON, "loggings": LOGGING, "replicationConfigurations": REPLICATION,
                "serverSideEncryptionConfigurations": ENCRYPTION, "versionings": VERSIONING, "websites": WEBSITE},
}
"""Per bucket type, each deprecated input (camelCase, as on the wire) and what replaces it."""


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    major = resource.provider_major() or 7
    if major < 6 or (major == 6 and resource.type == BUCKET):
        return  # pulumi-aws 6's Bucket is the legacy bucket: nothing on it is deprecated there
    version = f" in pulumi-aws {major}"
    for name, replacement in DEPRECATED[resource.type].items():
        prop = resource.get(name)
        if prop.absent or prop.value in ([], {}):
            continue
        found = "set (to a value computed during the deployment)" if prop.unknown else f"set to {prop.display()}"
        expected = (f"not set: the inline argument {snake(name)} is deprecated{version}; use the separate "
                    f"{_named(replacement.resource, major)} resource")
        if replacement is VERSIONING and _versioning(resource, name) is False:
            yield violation(resource, name, found, expected,
                            f"remove {snake(name)}=...: versioning is off unless a BucketVersioning turns it on")
            continue
        if name == "acl" and prop.as_str() == "private":
            yield violation(resource, name, found, expected,
                            "remove acl=...: a bucket is private without it, and new buckets have ACLs disabled, so "
                            "an aws.s3.BucketAcl would fail with AccessControlListNotSupported")
            continue
        example = _examples(_tailored(resource, name, replacement), major)
        yield violation(
            resource, name, found, expected,
            f"remove {snake(name)}=... and add {_named(replacement.resource, major)}"
            f"(\"{resource.name}-{replacement.slug}\", {example})")


def _versioning(resource: Resource, name: str) -> bool | None:
    return resource.get(name, "enabled").as_bool()


def _tailored(resource: Resource, name: str, replacement: Replacement) -> str:
    """The replacement's example with the program's own settings carried over where they can be read
    (a fix must not turn AES256 into KMS, drop a customer key, or turn versioning on)."""
    if replacement is VERSIONING and _versioning(resource, name) is True:
        return VERSIONING.example
    if replacement is WEBSITE:
        return _website(resource, name)
    if replacement is not ENCRYPTION:
        return replacement.example
    rule = "rules" if resource.type == BUCKET_V2 else "rule"
    default = resource.get(name, rule, "applyServerSideEncryptionByDefault")
    algorithm = default.get("sseAlgorithm").as_str() if default.known else None
    if algorithm is None:
        return replacement.example
    key = default.get("kmsMasterKeyId")
    kms = ", kms_master_key_id=key.arn" if not key.absent else ""
    bucket_key = resource.get(name, rule, "bucketKeyEnabled").as_bool()
    return ("bucket=bucket.id, rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs("
            "apply_server_side_encryption_by_default=aws.s3."
            f'BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(sse_algorithm="{algorithm}"'
            f"{kms}){', bucket_key_enabled=True' if bucket_key else ''})]")


def _website(resource: Resource, name: str) -> str:
    """The website resource with the program's index and error documents (or its redirect)."""
    def shown(key: str) -> str | None:
        prop = resource.get(name, key)
        return None if prop.secret else prop.as_str()

    if (redirect := shown("redirectAllRequestsTo")) is not None:
        return ("bucket=bucket.id, redirect_all_requests_to="
                f'aws.s3.BucketWebsiteConfigurationRedirectAllRequestsToArgs(host_name="{redirect}")')
    index = shown("indexDocument") or "index.html"
    text = f'bucket=bucket.id, index_document=aws.s3.BucketWebsiteConfigurationIndexDocumentArgs(suffix="{index}")'
    if (error := shown("errorDocument")) is not None:
        text += f', error_document=aws.s3.BucketWebsiteConfigurationErrorDocumentArgs(key="{error}")'
    return text


_NO_V2 = ("aws.s3.BucketPolicy", "aws.s3.BucketReplicationConfig")


def _named(python_class: str, major: int) -> str:
    """pulumi-aws 6 names the separate resources with a V2 (``aws.s3.BucketVersioningV2``), except
    the policy and replication resources (pulumi-aws 6.83 ``s3/bucket_v2.py`` deprecation notes)."""
    return python_class if major >= 7 or python_class in _NO_V2 else f"{python_class}V2"


def _examples(example: str, major: int) -> str:
    if major >= 7:
        return example
    return re.sub(r"aws\.s3\.(Bucket(?!Policy|ReplicationConfig)[A-Za-z]+?)(Rule|Versioning|Cors|IndexDocument)",
                  r"aws.s3.\1V2\2", example)


POLICY = ResourcePolicy(
    name="s3-deprecated-inline-arguments",
    description=("S3 buckets configure versioning, encryption, lifecycle, logging, website, ACL, CORS, policy "
                 "and replication with the separate resources pulumi-aws recommends, not deprecated inline "
                 "arguments."),
    severity="low",
    enforcement_level=ADVISORY,
    remediation_steps=(
        "Move each inline argument of aws.s3.Bucket to its own resource: versioning to "
        "aws.s3.BucketVersioning, server_side_encryption_configuration to "
        "aws.s3.BucketServerSideEncryptionConfiguration, lifecycle_rules to "
        "aws.s3.BucketLifecycleConfiguration, logging to aws.s3.BucketLogging, website to "
        "aws.s3.BucketWebsiteConfiguration, acl and grants to aws.s3.BucketAcl, cors_rules to "
        "aws.s3.BucketCorsConfiguration, policy to aws.s3.BucketPolicy, replication_configuration to "
        "aws.s3.BucketReplicationConfig, request_payer to aws.s3.BucketRequestPaymentConfiguration, "
        "acceleration_status to aws.s3.BucketAccelerateConfiguration, object_lock_configuration to "
        "object_lock_enabled=True plus aws.s3.BucketObjectLockConfiguration."),
    tags=("deprecation", "s3"),
    types=frozenset(DEPRECATED),
    check=check,
)
