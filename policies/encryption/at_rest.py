"""encryption-at-rest: data stores encrypt what they keep, with a key the stack manages where required.

Why: an RDS instance, Aurora cluster, EBS volume or EFS file system created unencrypted stays
unencrypted (encryption cannot be turned on later: the data must be copied to a new resource). Where
a team's rules require keys it controls (key policies, rotation, each use audited in CloudTrail),
the AWS-owned or AWS-managed default is not enough: ``customerManagedKeys`` names those services;
where they require KMS and accept the AWS-managed key (each use of it is in CloudTrail too),
``kmsKeys`` does.

Reported: ``storageEncrypted`` not true on ``aws.rds.Instance``, ``aws.rds.Cluster`` and
``aws.rds.GlobalCluster``; ``encrypted`` not true on ``aws.ebs.Volume``, ``aws.efs.FileSystem``, and
EBS block devices a launch template or an instance declares; an SQS queue with
``sqsManagedSseEnabled=False`` and no KMS key; a Kinesis data stream whose ``encryptionType`` is not
``KMS`` (streams keep records unencrypted unless server-side encryption is on: pulumi-aws's default is
``NONE``). For the services in ``customerManagedKeys``: no KMS key, or an AWS-managed alias
(``alias/aws/...``), on SQS queues, SNS topics, DynamoDB tables, CloudWatch log groups, Secrets Manager
secrets, RDS storage, Kinesis streams, and S3 default encryption (inline or
``aws.s3.BucketServerSideEncryptionConfiguration``; ``AES256`` is keys S3 manages). For the services
in ``kmsKeys`` (a rule that asks for KMS and accepts the AWS-managed key): an SQS queue or SNS topic
without ``kmsMasterKeyId``, a DynamoDB table without ``serverSideEncryption.enabled`` (an AWS-owned
key), S3 default encryption other than ``aws:kms``; where a service is in both lists,
``customerManagedKeys`` decides.

Not reported: values unknown during a preview; SNS topics unless ``sns`` is in
``customerManagedKeys`` or ``kmsKeys`` (most carry CloudWatch alarms, and CloudWatch cannot publish
to a topic encrypted with the AWS-managed ``alias/aws/sns``: it takes a key whose policy allows
CloudWatch); an SQS queue that leaves ``sqsManagedSseEnabled`` unset (new queues get SQS-managed
SSE); S3 buckets and DynamoDB tables outside both lists (AWS encrypts them by default); volumes and
databases restored from a snapshot or replicating another (they inherit its encryption); Aurora Serverless v1
(always encrypted); a bucket with no encryption configuration at all (that joins resources; AWS
applies SSE-S3); instances whose block devices all come from the AMI.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .._core.aws_types import snake
from .._core.policy import MANDATORY, Finding, Option, PolicyContext, ResourcePolicy, violation
from .._core.resource import Resource
from .._core.values import Prop, prop_of

SERVICES = ("dynamodb", "kinesis", "logs", "rds", "s3", "secretsmanager", "sns", "sqs")
KMS_SERVICES = ("dynamodb", "s3", "sns", "sqs")
"""Services that keep data without KMS unless told: with AWS-owned or service-managed keys, or, for SNS,
unencrypted (the others' default is KMS already, or, for Kinesis, reported anyway)."""
KEY_FIX = "=key.arn (an aws.kms.Key with enable_key_rotation=True declared in the stack)"
KMS_FIX = {
    "sns": "=key.arn (an aws.kms.Key whose policy lets CloudWatch use it, when alarms notify the topic; "
           'otherwise the AWS-managed "alias/aws/sns")',
    "sqs": '="alias/aws/sqs" (the AWS-managed key; or key.arn of an aws.kms.Key the stack declares)',
}


def _off(prop: Prop, absent: str | None) -> str | None:
    """What was found when ``prop`` does not turn encryption on; None when it does, when it is
    unknown, or when it is absent and ``absent`` is None (absence is fine there)."""
    if prop.unknown or prop.as_bool() is True:
        return None
    if prop.absent:
        return absent
    return prop.display()


WITHOUT_KEY = {
    "dynamodb": "the AWS-managed aws/dynamodb key",
    "kinesis": "the AWS-managed aws/kinesis key",
    "logs": "keys CloudWatch Logs manages",
    "rds": "the AWS-managed aws/rds key",
    "s3": "the AWS-managed aws/s3 key",
    "secretsmanager": "the AWS-managed aws/secretsmanager key",
    "sns": "messages are stored unencrypted",
    "sqs": "SQS-managed keys, if any",
}
"""What a service uses when no key is named."""


def _no_customer_key(prop: Prop, service: str) -> str | None:
    """What was found when ``prop`` does not name a key the stack manages."""
    if prop.unknown:
        return None
    if prop.absent:
        return f"not set ({WITHOUT_KEY[service]})"
    text = prop.as_str()
    if text is None and not prop.secret:
        return prop.display()
    if text and text.startswith("alias/aws/"):
        return f"{prop.display()} (an AWS-managed key)"
    return None


def _flag(resource: Resource, path: str, default: str) -> Iterator[Finding]:
    prop = resource.get(*path.split("."))
    found = _off(prop, f"not set ({default})")
    if found:
        yield violation(resource, path, found, "true", f"{snake(path.split('.')[-1])}=True")


def _kms_only(ctx: PolicyContext, service: str) -> bool:
    """Whether the config asks for a KMS key, AWS-managed or not, for ``service`` (and no more)."""
    return service in ctx.config["kmsKeys"] and service not in ctx.config["customerManagedKeys"]


def _customer_key(resource: Resource, ctx: PolicyContext, service: str, path: str) -> Iterator[Finding]:
    if _kms_only(ctx, service):
        prop = resource.get(path)
        if prop.absent:
            yield violation(resource, path, f"not set ({WITHOUT_KEY[service]})",
                            f"a KMS key ('{service}' is in kmsKeys)",
                            f"{snake(path)}{KMS_FIX[service]}", cause="encryption-at-rest:kms-key")
        return
    if service not in ctx.config["customerManagedKeys"]:
        return
    found = _no_customer_key(resource.get(path), service)
    if found:
        yield violation(resource, path, found, f"a KMS key the stack manages ('{service}' is in customerManagedKeys)",
                        f"{snake(path)}{KEY_FIX}", cause="encryption-at-rest:customer-key")


def _rds_instance(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    if resource.sets_any("replicateSourceDb", "snapshotIdentifier", "restoreToPointInTime"):
        return
    yield from _flag(resource, "storageEncrypted", "RDS storage is unencrypted by default")
    yield from _customer_key(resource, ctx, "rds", "kmsKeyId")


def _rds_cluster(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    mode = resource.get("engineMode")
    if mode.unknown or mode.as_str() == "serverless" or resource.sets_any(
            "replicationSourceIdentifier", "snapshotIdentifier", "restoreToPointInTime", "s3Import"):
        return
    yield from _flag(resource, "storageEncrypted", "provisioned Aurora storage is unencrypted by default")
    yield from _customer_key(resource, ctx, "rds", "kmsKeyId")


def _global_cluster(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    if not resource.sets_any("sourceDbClusterIdentifier"):
        yield from _flag(resource, "storageEncrypted", "unencrypted by default")


def _volume(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    if not resource.sets_any("snapshotId"):
        yield from _flag(resource, "encrypted", "only encrypted if the account turns EBS encryption on by default")


def _file_system(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    yield from _flag(resource, "encrypted", "EFS file systems are unencrypted by default")


def _block_devices(resource: Resource, paths: list[tuple[str, Any]]) -> Iterator[Finding]:
    """``paths``: each declared EBS block as (its path, its value); a block from a snapshot inherits."""
    for path, block in paths:
        if not isinstance(block, dict) or not prop_of(path, block.get("snapshotId")).absent:
            continue
        encrypted = prop_of(f"{path}.encrypted", block.get("encrypted"))
        found = _off(encrypted, "not set (the AMI's or the account's default)")
        if found:
            yield violation(resource, f"{path}.encrypted", found, "true",
                            f"encrypted={_true(resource)} in the block device's EBS settings",
                            cause="encryption-at-rest:ebs")


def _true(resource: Resource) -> str:
    return '"true"' if resource.type == LAUNCH_TEMPLATE else "True"


def _launch_template(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    mappings = resource.get("blockDeviceMappings").as_list() or []
    yield from _block_devices(resource, [(f"blockDeviceMappings[{i}].ebs", m.get("ebs"))
                                         for i, m in enumerate(mappings) if isinstance(m, dict)])


def _instance(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    blocks = [(f"ebsBlockDevices[{i}]", b) for i, b in enumerate(resource.get("ebsBlockDevices").as_list() or [])]
    root = resource.get("rootBlockDevice")
    if isinstance(root.value, dict):
        blocks.insert(0, ("rootBlockDevice", root.value))
    yield from _block_devices(resource, blocks)


def _topic(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    yield from _customer_key(resource, ctx, "sns", "kmsMasterKeyId")


def _queue(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    key, managed = resource.get("kmsMasterKeyId"), resource.get("sqsManagedSseEnabled")
    if key.absent and managed.known and managed.as_bool() is not True:
        yield violation(resource, "sqsManagedSseEnabled", managed.display(),
                        "true, or kms_master_key_id set (messages are stored unencrypted)",
                        "sqs_managed_sse_enabled=True (or remove it: new queues get SQS-managed SSE)")
        return
    yield from _customer_key(resource, ctx, "sqs", "kmsMasterKeyId")


def _table(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    enabled, key = resource.get("serverSideEncryption", "enabled"), resource.get("serverSideEncryption", "kmsKeyArn")
    found = _off(enabled, "not set (the table uses an AWS-owned key)")
    if _kms_only(ctx, "dynamodb"):
        if found:
            yield violation(resource, enabled.path, found, "true ('dynamodb' is in kmsKeys)",
                            "server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True) "
                            "(the AWS-managed aws/dynamodb key; or kms_key_arn=key.arn)",
                            cause="encryption-at-rest:kms-key")
        return
    if "dynamodb" not in ctx.config["customerManagedKeys"]:
        return
    if found is None and enabled.known:
        found = _no_customer_key(key, "dynamodb")
        path = key.path
    else:
        path = enabled.path
    if found:
        yield violation(resource, path, found, "a KMS key the stack manages ('dynamodb' is in customerManagedKeys)",
                        "server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True, "
                        "kms_key_arn=key.arn)", cause="encryption-at-rest:customer-key")


def _stream(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    kind = resource.get("encryptionType")
    if kind.unknown:
        return
    if kind.absent or (kind.as_str() or "").upper() != "KMS":
        yield violation(resource, "encryptionType", "not set (NONE: records are stored unencrypted)" if kind.absent
                        else kind.display(), "'KMS'",
                        'encryption_type="KMS", kms_key_id="alias/aws/kinesis" (or the ARN of an aws.kms.Key '
                        "the stack declares)")
        return
    yield from _customer_key(resource, ctx, "kinesis", "kmsKeyId")


def _log_group(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    yield from _customer_key(resource, ctx, "logs", "kmsKeyId")


def _secret(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    yield from _customer_key(resource, ctx, "secretsmanager", "kmsKeyId")


def _s3_defaults(resource: Resource) -> list[Prop]:
    """The ``applyServerSideEncryptionByDefault`` blocks, in every shape pulumi-aws accepts."""
    if resource.type == BUCKET:
        rules = [("serverSideEncryptionConfiguration.rule", resource.get("serverSideEncryptionConfiguration",
                                                                         "rule").value)]
    elif resource.type == BUCKET_V2:
        configs = resource.get("serverSideEncryptionConfigurations").as_list() or []
        rules = [(f"serverSideEncryptionConfigurations[{i}].rules[{j}]", r) for i, c in enumerate(configs)
                 if isinstance(c, dict) for j, r in enumerate(c.get("rules") or [])]
    else:
        rules = [(f"rules[{i}]", r) for i, r in enumerate(resource.get("rules").as_list() or [])]
    found = []
    for path, rule in rules:
        rule = rule[0] if isinstance(rule, list) and rule else rule
        if isinstance(rule, dict):
            found.append(prop_of(f"{path}.{DEFAULT}", rule.get(DEFAULT)))
    return [b for b in found if isinstance(b.value, (dict, list))]


def _bucket_encryption(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    kms_only = _kms_only(ctx, "s3")
    if not kms_only and "s3" not in ctx.config["customerManagedKeys"]:
        return
    for default in _s3_defaults(resource):
        algorithm, key = default.first("sseAlgorithm"), default.first("kmsMasterKeyId")
        if kms_only:
            if algorithm.known and algorithm.as_str() not in ("aws:kms", "aws:kms:dsse"):
                yield violation(resource, algorithm.path, f"{algorithm.display()} (keys S3 manages)",
                                "'aws:kms' ('s3' is in kmsKeys)", 'sse_algorithm="aws:kms" (the AWS-managed '
                                "aws/s3 key; or kms_master_key_id=key.arn)", cause="encryption-at-rest:kms-key")
            continue
        if algorithm.unknown or key.unknown:
            continue
        found: str | None
        if algorithm.as_str() not in ("aws:kms", "aws:kms:dsse"):
            found, path = f"{algorithm.display()} (keys S3 manages)", algorithm.path
        else:
            found, path = _no_customer_key(key, "s3"), key.path
        if found:
            yield violation(resource, path, found, "'aws:kms' with a KMS key the stack manages ('s3' is in "
                            "customerManagedKeys)", 'sse_algorithm="aws:kms", kms_master_key_id=key.arn',
                            cause="encryption-at-rest:customer-key")


DEFAULT = "applyServerSideEncryptionByDefault"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
CHECKS: dict[str, Callable[[Resource, PolicyContext], Iterator[Finding]]] = {
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/cluster:Cluster": _rds_cluster,
    "aws:rds/globalCluster:GlobalCluster": _global_cluster,
    "aws:ebs/volume:Volume": _volume,
    "aws:efs/fileSystem:FileSystem": _file_system,
    LAUNCH_TEMPLATE: _launch_template,
    "aws:ec2/instance:Instance": _instance,
    "aws:sns/topic:Topic": _topic,
    "aws:sqs/queue:Queue": _queue,
    "aws:dynamodb/table:Table": _table,
    "aws:kinesis/stream:Stream": _stream,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:secretsmanager/secret:Secret": _secret,
    BUCKET: _bucket_encryption,
    BUCKET_V2: _bucket_encryption,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _bucket_encryption,
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": _bucket_encryption,
}


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    yield from CHECKS[resource.type](resource, ctx)


POLICY = ResourcePolicy(
    name="encryption-at-rest",
    description=("Databases, volumes, file systems, streams, topics and queues are encrypted at rest, with a KMS "
                 "key (the stack's, where required) for the services the config lists."),
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Set storage_encrypted=True on aws.rds.Instance, aws.rds.Cluster and aws.rds.GlobalCluster; "
        "encrypted=True on aws.ebs.Volume, aws.efs.FileSystem and declared EBS block devices "
        "(encrypted=\"true\" in a launch template); leave "
        "sqs_managed_sse_enabled unset or True on aws.sqs.Queue; encryption_type=\"KMS\" with kms_key_id on "
        "aws.kinesis.Stream. For services in customerManagedKeys, pass "
        "the ARN of an aws.kms.Key the stack declares: kms_master_key_id (SQS, SNS, S3 with "
        "sse_algorithm=\"aws:kms\"), kms_key_id (log groups, secrets, RDS, Kinesis), "
        "server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True, kms_key_arn=...)."),
    tags=("encryption", "data-protection"),
    types=frozenset(CHECKS),
    options=(
        Option("customerManagedKeys", "array", [],
               "Services whose data must be encrypted with a KMS key the stack manages, not the AWS-owned or "
               f"AWS-managed default: any of {', '.join(SERVICES)}.",
               {"items": {"type": "string", "enum": list(SERVICES)}, "uniqueItems": True}),
        Option("kmsKeys", "array", [],
               "Services whose data must be encrypted with a KMS key, the AWS-managed one (alias/aws/...) or "
               f"the stack's, not the AWS-owned or service-managed default (or none, for SNS): any of "
               f"{', '.join(KMS_SERVICES)}.",
               {"items": {"type": "string", "enum": list(KMS_SERVICES)}, "uniqueItems": True}),
    ),
    check=check,
)
