"""TapStack: a document store, written as for production but deployed per pull request.

Violates destroyability (in the ephemeral dev environment: a bucket without force_destroy, a
repository without force_delete, a database with deletion protection that wants a final snapshot,
a table with deletion protection, a secret with a 30-day recovery window, a protected KMS key),
s3-deprecated-inline-arguments (versioning, encryption and lifecycle rules inline on the bucket)
ecr-scan-on-push (images are never scanned) and s3-tls-only (the bucket has no policy that refuses
plain HTTP).
"""

from __future__ import annotations

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

        # Inline settings pulumi-aws 7 deprecates, and no force_destroy: `pulumi destroy` fails
        # as soon as the bucket holds a document.
        self.bucket = aws.s3.Bucket(
            f"documents-{s}",
            bucket=f"tap-documents-{s}",
            versioning={"enabled": True},
            server_side_encryption_configuration={"rule": {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"},
            }},
            lifecycle_rules=[{"id": "expire-drafts", "enabled": True, "prefix": "drafts/",
                              "expiration": {"days": 30}}],
            tags=tags,
            opts=child,
        )

        self.table = aws.dynamodb.Table(
            f"document-index-{s}",
            name=f"tap-document-index-{s}",
            billing_mode="PAY_PER_REQUEST",
            hash_key="documentId",
            attributes=[aws.dynamodb.TableAttributeArgs(name="documentId", type="S")],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            deletion_protection_enabled=True,
            tags=tags,
            opts=child,
        )

        # No scan on push, and images block `pulumi destroy`.
        self.repository = aws.ecr.Repository(
            f"renderer-{s}",
            name=f"tap-renderer-{s}",
            image_tag_mutability="IMMUTABLE",
            tags=tags,
            opts=child,
        )

        self.database = aws.rds.Instance(
            f"catalog-db-{s}",
            identifier=f"tap-catalog-{s}",
            engine="postgres",
            engine_version="16",
            instance_class="db.t4g.micro",
            allocated_storage=20,
            db_name="catalog",
            username="catalog",
            manage_master_user_password=True,
            storage_encrypted=True,
            backup_retention_period=7,
            deletion_protection=True,
            skip_final_snapshot=False,
            final_snapshot_identifier=f"tap-catalog-{s}-final",
            tags=tags,
            opts=child,
        )

        # Deleted secrets linger for 30 days: the next deployment of this environment fails.
        self.secret = aws.secretsmanager.Secret(f"signing-key-{s}", name=f"tap/signing-key-{s}", tags=tags,
                                                opts=child)

        # Protected so that nobody deletes it by hand: `pulumi destroy` of the environment stops here.
        self.key = aws.kms.Key(f"documents-key-{s}", description="Document signing", enable_key_rotation=True,
                               deletion_window_in_days=7, tags=tags,
                               opts=ResourceOptions(parent=self, protect=True))

        self.register_outputs({"bucket_name": self.bucket.bucket})
