"""Policies written with the pulumi-policy SDK only, using what its documentation teaches: a list of
validate functions, a coroutine, config with a schema, ``not_applicable``, resource options, the
provider, stack tags, a stack policy that reports on other resources, a remediation. The same list
is served by the SDK's own ``PolicyPack`` (``stock/``) and by this pack's (``ours/``)."""

from __future__ import annotations

import asyncio

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

BUCKET = "aws:s3/bucket:Bucket"
QUEUE = "aws:sqs/queue:Queue"
FUNCTION = "aws:lambda/function:Function"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def _versioned(args, report_violation):
    if args.resource_type == BUCKET and not (args.props.get("versioning") or {}).get("enabled"):
        report_violation("versioning is off")


def _named(args, report_violation):
    prefix = args.get_config()["prefix"]
    name = args.props.get("bucket")
    if args.resource_type == BUCKET and name and not name.startswith(prefix):
        report_violation(f"bucket '{name}' does not start with '{prefix}'")


async def _tagged(args, report_violation):
    await asyncio.sleep(0)
    if args.resource_type.startswith("aws:") and "owner" not in (args.props.get("tags") or {}):
        report_violation("")  # the description says it all


def _protected(args, report_violation):
    if args.resource_type == QUEUE:
        args.not_applicable("queues are protected by the platform")
    if args.resource_type == BUCKET and not args.opts.protect:
        region = args.provider.props.get("region") if args.provider else "no provider"
        report_violation(f"unprotected bucket in {region}, stack tags {sorted(args.stack_tags.items())}")


def _raises(args, report_violation):
    if args.resource_type == "aws:sns/topic:Topic":
        return args.props["policy"]["Statement"]  # a topic without a policy raises KeyError


def _add_owner(args):
    if args.resource_type == QUEUE:
        args.not_applicable("queues are tagged by the platform")
    if args.resource_type != BUCKET:
        return None
    props = args.props
    props["tags"] = {**(props.get("tags") or {}), "owner": "platform"}
    return props


def _log_groups(args, report_violation):
    groups = {r.props.get("name") for r in args.resources if r.resource_type == LOG_GROUP}
    for r in args.resources:
        if r.resource_type == FUNCTION and f"/aws/lambda/{r.props.get('name')}" not in groups:
            parent = r.parent.name if r.parent else "none"
            depends = ",".join(sorted(d.name for d in r.dependencies))
            report_violation(f"{r.name} (parent {parent}, depends on [{depends}]) has no log group", r.urn)
    if not args.resources:
        args.not_applicable("an empty stack")


POLICIES = [
    ResourceValidationPolicy(
        name="bucket-basics", description="Buckets are versioned and named with the configured prefix.",
        validate=[_versioned, _named], enforcement_level=EnforcementLevel.MANDATORY, severity=Severity.HIGH,
        config_schema=PolicyConfigSchema(
            properties={"prefix": {"type": "string", "default": "acme-"},
                        "note": {"type": "string", "enum": ["a", "b"]}},
            required=["prefix"]),
        display_name="Bucket basics", tags=["s3"], remediation_steps="Version and prefix the bucket.",
        url="https://docs.example/bucket-basics",
        framework=PolicyComplianceFramework(name="CIS", version="1.4", reference="2.1.3", specification="S3")),
    ResourceValidationPolicy(
        name="owner-tag", description="AWS resources carry an owner tag.", validate=_tagged,
        display_name="Owner tag"),
    ResourceValidationPolicy(
        name="protected-buckets", description="Buckets are protected.", validate=_protected,
        enforcement_level=EnforcementLevel.ADVISORY, severity=Severity.LOW, display_name="Protected buckets"),
    ResourceValidationPolicy(
        name="topic-policy", description="Topics have a policy.", validate=_raises, display_name="Topic policy"),
    ResourceValidationPolicy(
        name="owner-remediation", description="Buckets get an owner tag.", remediate=_add_owner,
        enforcement_level=EnforcementLevel.REMEDIATE, display_name="Owner remediation"),
    StackValidationPolicy(
        name="lambda-log-groups", description="Every function has its log group.", validate=_log_groups,
        severity=Severity.MEDIUM, display_name="Lambda log groups"),
]

INITIAL_CONFIG = {
    "protected-buckets": EnforcementLevel.MANDATORY,
    "bucket-basics": {"enforcementLevel": EnforcementLevel.MANDATORY, "prefix": "team-"},
}
PACK = dict(description="SDK policies.", display_name="SDK parity", readme="# SDK parity\n", provider="aws",
            tags=["test"], repository="https://git.example/sdk-parity")
