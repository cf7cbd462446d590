import pytest

from policies._core.values import UNKNOWN, Secret
from tests.conftest import REMOVE, assert_findings, check, merged

NAME = "encryption-at-rest"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CMK = {"customerManagedKeys": ["dynamodb", "kinesis", "logs", "rds", "s3", "secretsmanager", "sns", "sqs"]}
KMS = {"kmsKeys": ["dynamodb", "s3", "sns", "sqs"]}

RDS = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
GLOBAL = "aws:rds/globalCluster:GlobalCluster"
VOLUME = "aws:ebs/volume:Volume"
EFS = "aws:efs/fileSystem:FileSystem"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
INSTANCE = "aws:ec2/instance:Instance"
TOPIC = "aws:sns/topic:Topic"
QUEUE = "aws:sqs/queue:Queue"
TABLE = "aws:dynamodb/table:Table"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
SECRET = "aws:secretsmanager/secret:Secret"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
SSE_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
STREAM = "aws:kinesis/stream:Stream"

BASES = {
    RDS: {"engine": "postgres", "instanceClass": "db.t4g.micro", "allocatedStorage": 20,
          "storageEncrypted": True, "kmsKeyId": KEY},
    CLUSTER: {"engine": "aurora-postgresql", "storageEncrypted": True, "kmsKeyId": KEY},
    GLOBAL: {"globalClusterIdentifier": "ledger-dev", "engine": "aurora-postgresql", "storageEncrypted": True},
    VOLUME: {"availabilityZone": "us-east-1a", "size": 20, "encrypted": True},
    EFS: {"encrypted": True},
    TEMPLATE: {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 20, "encrypted": "true"}}]},
    INSTANCE: {"ami": "ami-0abcdef1234567890", "instanceType": "t3.micro",
               "rootBlockDevice": {"volumeSize": 20, "encrypted": True}},
    TOPIC: {"name": "alerts-dev", "kmsMasterKeyId": KEY},
    QUEUE: {"name": "jobs-dev", "kmsMasterKeyId": KEY},
    TABLE: {"name": "orders-dev", "hashKey": "pk", "serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY}},
    LOG_GROUP: {"name": "/app/dev", "kmsKeyId": KEY},
    STREAM: {"name": "events-dev", "encryptionType": "KMS", "kmsKeyId": KEY},
    SECRET: {"name": "db-dev", "kmsKeyId": KEY},
    BUCKET: {"bucket": "docs-dev", "serverSideEncryptionConfiguration": {"rule": {
        "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY}}}},
    SSE: {"bucket": "docs-dev", "rules": [{"applyServerSideEncryptionByDefault": {
        "sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY}}]},
}
"""A compliant property bag per type (with customer keys, so that every service passes under CMK)."""

AES = {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}

CASES = [
    # (id, type, changes to its BASE, config, substrings of the one finding, or None for silence)
    *[(f"compliant-{t.split(':')[-1]}", t, {}, CMK, None) for t in BASES],
    *[(f"compliant-default-config-{t.split(':')[-1]}", t, {}, {}, None) for t in BASES],
    ("stream-absent", STREAM, {"encryptionType": REMOVE, "kmsKeyId": REMOVE}, {},
     ["encryptionType is not set (NONE: records are stored unencrypted); expected 'KMS'",
      'Fix: encryption_type="KMS", kms_key_id="alias/aws/kinesis"']),
    ("stream-none", STREAM, {"encryptionType": "NONE"}, {}, ["encryptionType is 'NONE'; expected 'KMS'"]),
    ("stream-unknown", STREAM, {"encryptionType": UNKNOWN}, {}, None),
    ("stream-aws-key", STREAM, {"kmsKeyId": "alias/aws/kinesis"}, {}, None),
    ("stream-aws-key-cmk", STREAM, {"kmsKeyId": "alias/aws/kinesis"}, CMK,
     ["kmsKeyId is 'alias/aws/kinesis' (an AWS-managed key); expected a KMS key the stack manages"]),
    ("rds-off", RDS, {"storageEncrypted": False}, {}, ["storageEncrypted is false; expected true",
                                                         "Fix: storage_encrypted=True"]),
    ("rds-absent", RDS, {"storageEncrypted": REMOVE}, {}, ["storageEncrypted is not set (RDS storage is unencrypted"]),
    ("rds-unknown", RDS, {"storageEncrypted": UNKNOWN}, {}, None),
    ("rds-secret", RDS, {"storageEncrypted": Secret(False)}, {}, ["storageEncrypted is [secret]"]),
    ("rds-wrong-type", RDS, {"storageEncrypted": "yes"}, {}, ["storageEncrypted is 'yes'"]),
    ("rds-string-true", RDS, {"storageEncrypted": "true"}, {}, None),
    ("rds-replica-inherits", RDS, {"storageEncrypted": REMOVE, "replicateSourceDb": "ledger-dev"}, {}, None),
    ("rds-replica-unknown", RDS, {"storageEncrypted": REMOVE, "replicateSourceDb": UNKNOWN}, {}, None),
    ("rds-snapshot-inherits", RDS, {"storageEncrypted": REMOVE, "snapshotIdentifier": "snap-1"}, {}, None),
    ("rds-no-cmk", RDS, {"kmsKeyId": REMOVE}, CMK, ["kmsKeyId is not set (the AWS-managed aws/rds key); "
                                                      "expected a KMS key the stack manages"]),
    ("rds-no-cmk-not-required", RDS, {"kmsKeyId": REMOVE}, {}, None),
    ("cluster-absent", CLUSTER, {"storageEncrypted": REMOVE}, {}, ["provisioned Aurora storage is unencrypted"]),
    ("cluster-serverless-v1", CLUSTER, {"storageEncrypted": REMOVE, "engineMode": "serverless"}, {}, None),
    ("cluster-mode-unknown", CLUSTER, {"storageEncrypted": REMOVE, "engineMode": UNKNOWN}, {}, None),
    ("cluster-provisioned", CLUSTER, {"storageEncrypted": False, "engineMode": "provisioned"}, {},
     ["storageEncrypted is false"]),
    ("cluster-restored", CLUSTER, {"storageEncrypted": REMOVE, "snapshotIdentifier": "snap"}, {}, None),
    ("global-absent", GLOBAL, {"storageEncrypted": REMOVE}, {}, ["storageEncrypted is not set"]),
    ("global-from-cluster", GLOBAL, {"storageEncrypted": REMOVE, "sourceDbClusterIdentifier": "arn"}, {}, None),
    ("volume-absent", VOLUME, {"encrypted": REMOVE}, {}, ["encrypted is not set", "Fix: encrypted=True"]),
    ("volume-from-snapshot", VOLUME, {"encrypted": REMOVE, "snapshotId": "snap-1"}, {}, None),
    ("efs-off", EFS, {"encrypted": False}, {}, ["encrypted is false"]),
    ("template-off", TEMPLATE, {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}]},
     {}, ["blockDeviceMappings[0].ebs.encrypted is 'false'; expected true", 'encrypted="true"']),
    ("template-absent", TEMPLATE, {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 8}}]},
     {}, ["blockDeviceMappings[0].ebs.encrypted is not set"]),
    ("template-no-ebs", TEMPLATE, {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "noDevice": ""}]}, {}, None),
    ("template-no-mappings", TEMPLATE, {"blockDeviceMappings": REMOVE}, {}, None),
    ("template-unknown", TEMPLATE, {"blockDeviceMappings": UNKNOWN}, {}, None),
    ("template-encrypted-unknown", TEMPLATE,
     {"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": UNKNOWN}}]}, {}, None),
    ("instance-root-off", INSTANCE, {"rootBlockDevice": {"volumeSize": 20}}, {},
     ["rootBlockDevice.encrypted is not set", "Fix: encrypted=True"]),
    ("instance-extra-volume", INSTANCE, {"ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": False}]}, {},
     ["ebsBlockDevices[0].encrypted is false"]),
    ("instance-from-ami", INSTANCE, {"rootBlockDevice": REMOVE}, {}, None),
    ("topic-absent", TOPIC, {"kmsMasterKeyId": REMOVE}, {}, None),
    ("topic-absent-cmk", TOPIC, {"kmsMasterKeyId": REMOVE}, CMK,
     ["kmsMasterKeyId is not set (messages are stored unencrypted)", "kms_master_key_id=key.arn"]),
    ("topic-aws-managed", TOPIC, {"kmsMasterKeyId": "alias/aws/sns"}, {}, None),
    ("topic-aws-managed-cmk", TOPIC, {"kmsMasterKeyId": "alias/aws/sns"}, CMK,
     ["kmsMasterKeyId is 'alias/aws/sns' (an AWS-managed key)"]),
    ("topic-unknown", TOPIC, {"kmsMasterKeyId": UNKNOWN}, CMK, None),
    ("topic-secret-key", TOPIC, {"kmsMasterKeyId": Secret(KEY)}, CMK, None),
    ("topic-wrong-type", TOPIC, {"kmsMasterKeyId": 42}, CMK, ["kmsMasterKeyId is 42"]),
    ("queue-sse-off", QUEUE, {"kmsMasterKeyId": REMOVE, "sqsManagedSseEnabled": False}, {},
     ["sqsManagedSseEnabled is false", "sqs_managed_sse_enabled=True"]),
    ("queue-default-sse", QUEUE, {"kmsMasterKeyId": REMOVE}, {}, None),
    ("queue-sse-unknown", QUEUE, {"kmsMasterKeyId": REMOVE, "sqsManagedSseEnabled": UNKNOWN}, {}, None),
    ("queue-sqs-managed-cmk", QUEUE, {"kmsMasterKeyId": REMOVE, "sqsManagedSseEnabled": True}, CMK,
     ["kmsMasterKeyId is not set (SQS-managed keys, if any)", "'sqs' is in customerManagedKeys"]),
    ("table-aws-owned-cmk", TABLE, {"serverSideEncryption": REMOVE}, CMK,
     ["serverSideEncryption.enabled is not set (the table uses an AWS-owned key)", "kms_key_arn=key.arn"]),
    ("table-aws-managed-cmk", TABLE, {"serverSideEncryption": {"enabled": True}}, CMK,
     ["serverSideEncryption.kmsKeyArn is not set"]),
    ("table-default-config", TABLE, {"serverSideEncryption": REMOVE}, {}, None),
    ("table-list-shape", TABLE, {"serverSideEncryption": [{"enabled": True, "kmsKeyArn": KEY}]}, CMK, None),
    ("table-unknown", TABLE, {"serverSideEncryption": UNKNOWN}, CMK, None),
    ("log-group-no-key", LOG_GROUP, {"kmsKeyId": REMOVE}, CMK, ["kmsKeyId is not set", "kms_key_id=key.arn"]),
    ("log-group-not-required", LOG_GROUP, {"kmsKeyId": REMOVE}, {"customerManagedKeys": ["sqs"]}, None),
    ("secret-aws-managed", SECRET, {"kmsKeyId": "alias/aws/secretsmanager"}, CMK, ["(an AWS-managed key)"]),
    ("bucket-aes", BUCKET, {"serverSideEncryptionConfiguration": {"rule": {
        "applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}}}, CMK,
     ["serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm is 'AES256' "
      "(keys S3 manages)", 'sse_algorithm="aws:kms", kms_master_key_id=key.arn']),
    ("bucket-aes-not-required", BUCKET, {"serverSideEncryptionConfiguration": {"rule": {
        "applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}}}, {}, None),
    ("bucket-no-configuration", BUCKET, {"serverSideEncryptionConfiguration": REMOVE}, CMK, None),
    ("bucket-kms-without-key", BUCKET, {"serverSideEncryptionConfiguration": {"rule": [{
        "applyServerSideEncryptionByDefault": [{"sseAlgorithm": "aws:kms"}]}]}}, CMK,
     ["kmsMasterKeyId is not set"]),
    ("sse-resource-aes", SSE, AES, CMK, ["rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is 'AES256'"]),
    ("sse-resource-unknown", SSE, {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": UNKNOWN}}]},
     CMK, None),
    ("sse-resource-secret", SSE,
     {"rules": [{"applyServerSideEncryptionByDefault": Secret({"sseAlgorithm": "AES256"})}]}, CMK,
     ["sseAlgorithm is [secret] (keys S3 manages)"]),
    ("sse-v2-resource-aes", SSE_V2, AES, CMK, ["sseAlgorithm is 'AES256'"]),
    # kmsKeys: a KMS key, the AWS-managed one included; customerManagedKeys asks more where both list a service.
    *[(f"kms-aws-managed-{t.split(':')[-1]}", t, changes, KMS, None) for t, changes in (
        (TOPIC, {"kmsMasterKeyId": "alias/aws/sns"}), (QUEUE, {"kmsMasterKeyId": "alias/aws/sqs"}),
        (TABLE, {"serverSideEncryption": {"enabled": True}}),
        (SSE, {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]}))],
    ("kms-topic-absent", TOPIC, {"kmsMasterKeyId": REMOVE}, KMS,
     ["kmsMasterKeyId is not set (messages are stored unencrypted); expected a KMS key ('sns' is in kmsKeys)",
      "Fix: kms_master_key_id=key.arn (an aws.kms.Key whose policy lets CloudWatch use it", '"alias/aws/sns"']),
    ("kms-queue-sqs-managed", QUEUE, {"kmsMasterKeyId": REMOVE, "sqsManagedSseEnabled": True}, KMS,
     ["kmsMasterKeyId is not set (SQS-managed keys, if any)", 'kms_master_key_id="alias/aws/sqs"']),
    ("kms-queue-unknown", QUEUE, {"kmsMasterKeyId": UNKNOWN}, KMS, None),
    ("kms-table-aws-owned", TABLE, {"serverSideEncryption": REMOVE}, KMS,
     ["serverSideEncryption.enabled is not set (the table uses an AWS-owned key); expected true ('dynamodb' is "
      "in kmsKeys)", "TableServerSideEncryptionArgs(enabled=True) (the AWS-managed aws/dynamodb key"]),
    ("kms-table-disabled", TABLE, {"serverSideEncryption": {"enabled": False}}, KMS,
     ["serverSideEncryption.enabled is false"]),
    ("kms-table-unknown", TABLE, {"serverSideEncryption": UNKNOWN}, KMS, None),
    ("kms-bucket-aes", SSE, AES, KMS, ["sseAlgorithm is 'AES256' (keys S3 manages); expected 'aws:kms' ('s3' is in "
                                       "kmsKeys)", 'Fix: sse_algorithm="aws:kms" (the AWS-managed aws/s3 key']),
    ("kms-bucket-unknown", SSE, {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": UNKNOWN}}]},
     KMS, None),
    ("kms-and-cmk", TOPIC, {"kmsMasterKeyId": "alias/aws/sns"}, {**KMS, "customerManagedKeys": ["sns"]},
     ["kmsMasterKeyId is 'alias/aws/sns' (an AWS-managed key)", "'sns' is in customerManagedKeys"]),
    ("kms-not-listed", TOPIC, {"kmsMasterKeyId": REMOVE}, {"kmsKeys": ["sqs"]}, None),
    ("bucket-v2-aes", BUCKET_V2, {"serverSideEncryptionConfigurations": [AES]}, CMK,
     ["serverSideEncryptionConfigurations[0].rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is 'AES256'"]),
]


@pytest.mark.parametrize(("type_", "changes", "config", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_cases(type_, changes, config, expected):
    findings = check(NAME, type_, merged(BASES.get(type_, {}), **changes), config=config)
    assert_findings(findings, expected)


def test_findings_carry_their_fields():
    [finding] = check(NAME, VOLUME, merged(BASES[VOLUME], encrypted=False))
    assert (finding.property, finding.found, finding.expected, finding.fix) == (
        "encrypted", "false", "true", "encrypted=True")


def test_an_unknown_service_in_the_config_is_rejected():
    from policies._core import config as config_mod
    from tests.conftest import policy

    p = policy(NAME)
    _, errors = config_mod.resolve(NAME, p.all_options, {**p.defaults, "customerManagedKeys": ["ebs"]})
    assert errors
    _, errors = config_mod.resolve(NAME, p.all_options, {**p.defaults, "kmsKeys": ["rds"]})
    assert errors, "RDS storage is encrypted with KMS whenever it is encrypted: nothing for kmsKeys to ask"


def test_other_types_are_ignored():
    assert check(NAME, "aws:dynamodb/tableReplica:TableReplica", {"globalTableArn": "arn"}) == []
