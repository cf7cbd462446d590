"""TapStack: the ledger's data stores.

Violates dynamodb-on-demand (provisioned capacity), dynamodb-point-in-time-recovery (no continuous
backups), kms-key-rotation (the key never rotates), rds-managed-master-password (the master
password comes from the program's config instead of a secret RDS manages), encryption-at-rest (the
postings queue turns SQS-managed encryption off, the ledger stream is not encrypted) and waiver-tags (the
archive table's waiver for on-demand capacity has expired; its waiver for point-in-time recovery
still holds, so that finding is reported as waived), rds-engine-version (the database pins a
minor version that AWS will retire) and encryption-in-transit (the session cache does not encrypt
traffic).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pulumi import ComponentResource, ResourceOptions


class TapStackArgs:
    def __init__(self, environment_suffix: str | None = None, tags: dict | None = None):
        self.environment_suffix = environment_suffix or "dev"
        self.tags = tags or {}


class TapStack(ComponentResource):
    def __init__(self, name: str, args: TapStackArgs, opts: ResourceOptions | None = None):
        super().__init__("tap:stack:TapStack", name, None, opts)
        s = args.environment_suffix
        tags = {**args.tags, "Environment": s}
        child = ResourceOptions(parent=self)
        config = pulumi.Config()

        # No enable_key_rotation: the same key material protects the ledger forever.
        self.key = aws.kms.Key(f"ledger-key-{s}", description=f"Ledger data ({s})", deletion_window_in_days=7,
                               tags=tags, opts=child)

        # Provisioned capacity and no point_in_time_recovery.
        self.table = aws.dynamodb.Table(
            f"ledger-entries-{s}",
            name=f"tap-ledger-entries-{s}",
            billing_mode="PROVISIONED",
            read_capacity=5,
            write_capacity=5,
            hash_key="entryId",
            range_key="postedAt",
            attributes=[
                aws.dynamodb.TableAttributeArgs(name="entryId", type="S"),
                aws.dynamodb.TableAttributeArgs(name="postedAt", type="N"),
            ],
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True,
                                                                              kms_key_arn=self.key.arn),
            tags=tags,
            opts=child,
        )

        # Rebuilt nightly from S3 exports, so it needs no backups; the capacity waiver has run out.
        self.archive = aws.dynamodb.Table(
            f"ledger-archive-{s}",
            name=f"tap-ledger-archive-{s}",
            billing_mode="PROVISIONED",
            read_capacity=1,
            write_capacity=1,
            hash_key="entryId",
            attributes=[aws.dynamodb.TableAttributeArgs(name="entryId", type="S")],
            tags={
                **tags,
                "policy-waiver:dynamodb-point-in-time-recovery": "rebuilt nightly from S3 expires=2035-12-31",
                "policy-waiver:dynamodb-on-demand": "steady load reviewed by FinOps expires=2024-12-31",
            },
            opts=child,
        )

        # The password is in the program's config and in the state; nobody rotates it. The minor
        # version was current when the program was written.
        self.database = aws.rds.Instance(
            f"ledger-db-{s}",
            identifier=f"tap-ledger-{s}",
            engine="postgres",
            engine_version="16.4",
            instance_class="db.t4g.micro",
            allocated_storage=20,
            db_name="ledger",
            username="ledger",
            password=config.require_secret("dbPassword"),
            storage_encrypted=True,
            kms_key_id=self.key.arn,
            backup_retention_period=1,
            skip_final_snapshot=True,
            deletion_protection=False,
            tags=tags,
            opts=child,
        )

        # Turned off "to save a KMS call": SQS-managed SSE is free and needs no key.
        self.postings = aws.sqs.Queue(
            f"ledger-postings-{s}",
            name=f"tap-ledger-postings-{s}",
            sqs_managed_sse_enabled=False,
            tags=tags,
            opts=child,
        )

        # Violation (encryption-at-rest): a Kinesis stream keeps records unencrypted unless
        # encryption_type="KMS" is set.
        self.postings_stream = aws.kinesis.Stream(
            f"ledger-stream-{s}",
            name=f"tap-ledger-stream-{s}",
            shard_count=1,
            tags=tags,
            opts=child,
        )

        # Violation (encryption-in-transit): session data travels between the service and the
        # cache in clear text; the replication group leaves transit encryption off unless told.
        self.sessions = aws.elasticache.ReplicationGroup(
            f"ledger-sessions-{s}",
            replication_group_id=f"tap-ledger-sessions-{s}",
            description="Ledger session cache",
            engine="valkey",
            engine_version="8.0",
            node_type="cache.t4g.micro",
            num_cache_clusters=1,
            at_rest_encryption_enabled=True,
            tags=tags,
            opts=child,
        )

        self.register_outputs({"table_name": self.table.name})
