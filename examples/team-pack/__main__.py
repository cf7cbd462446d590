"""Acme's AWS policy pack: the aws-conventions policies with Acme's defaults, and two rules of Acme's own.

``pulumi preview --policy-pack path/to/team-pack`` runs all of them through the aws-conventions
analyzer; ``python -m aws_conventions check PROGRAM --pack examples/team-pack`` does without the CLI.
"""

import json
import sys
from collections.abc import Iterator
from pathlib import Path

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

try:  # aws-conventions installed as a package
    import aws_conventions.policies as conventions
except ModuleNotFoundError as missing:  # a clone of the aws-conventions repository: two folders up
    if missing.name not in ("aws_conventions", "aws_conventions.policies"):
        raise
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import policies as conventions

# -- Acme's rule written with the pulumi-policy SDK, exactly as Pulumi's documentation teaches --------


def _allowed_regions(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if not args.resource_type.startswith("aws:") or args.provider is None:
        return
    region = args.provider.props.get("region")  # unknown during a preview: the policy does not apply
    allowed = args.get_config()["allowedRegions"]
    if region and region not in allowed:
        report_violation(f"{args.resource_type} '{args.name}' is deployed to {region}; Acme runs in "
                         f"{', '.join(allowed)} only.\nFix: pulumi config set aws:region {allowed[0]}, or "
                         f"give the resource an aws.Provider(region=...) in one of them.")


ALLOWED_REGIONS = ResourceValidationPolicy(
    name="acme-allowed-regions",
    description="AWS resources are deployed only to the regions Acme operates in.",
    validate=_allowed_regions,
    severity=Severity.HIGH,
    config_schema=PolicyConfigSchema(properties={
        "allowedRegions": {"type": "array", "items": {"type": "string"}, "default": ["us-east-1", "eu-west-1"],
                           "description": "The regions Acme operates in."}}),
    remediation_steps="Deploy to one of the allowed regions: set aws:region in the stack config.",
)

# -- Acme's rule written with the aws-conventions policy API ------------------------------------------

BILLED_TYPES = frozenset({
    "aws:lambda/function:Function", "aws:dynamodb/table:Table", "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2",
    "aws:sqs/queue:Queue", "aws:sns/topic:Topic", "aws:kms/key:Key", "aws:rds/cluster:Cluster",
    "aws:rds/instance:Instance", "aws:ecr/repository:Repository", "aws:sfn/stateMachine:StateMachine",
    "aws:ec2/instance:Instance", "aws:ecs/service:Service", "aws:lb/loadBalancer:LoadBalancer",
})


def _cost_center(resource: conventions.Resource, ctx: conventions.PolicyContext) -> Iterator[conventions.Finding]:
    key, allowed = ctx.config["tagKey"], ctx.config["costCenters"]
    tag = resource.get("tags", key)  # unknown during a preview: reported not applicable, with the reason
    if tag.unknown or (tag.absent and _provider_default_tag(resource, key)):
        return
    path, fix = f"tags.{key}", f'tags={{**tags, "{key}": "<cost center>"}}, or default_tags on the aws.Provider'
    if not (tag.as_str() or "").strip():
        yield conventions.violation(resource, path, tag.display(), f"a {key} tag naming who pays for it", fix)
    elif allowed and tag.as_str() not in allowed:
        yield conventions.violation(resource, path, tag.display(), f"one of {', '.join(allowed)}", fix)


def _provider_default_tag(resource: conventions.Resource, key: str) -> bool:
    """Whether the resource's provider tags everything with ``key`` (``default_tags``, which a
    provider's inputs hold as JSON text)."""
    text = resource.provider.props.raw("defaultTags") if resource.provider else None
    try:
        document = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return False
    return isinstance(document, dict) and bool((document.get("tags") or {}).get(key))


COST_CENTER_TAG = conventions.ResourcePolicy(
    name="acme-cost-center-tag",
    description="Billed resources carry a CostCenter tag, so that Acme's cost reports can charge each team.",
    severity="medium",
    enforcement_level=conventions.MANDATORY,
    remediation_steps="Add the CostCenter tag to the tags the component passes to every resource, or set it "
                      "in the provider's default_tags.",
    tags=("cost", "tagging"),
    docs_url="https://docs.acme.example/aws-policies#acme-cost-center-tag",
    types=BILLED_TYPES,
    options=(
        conventions.Option("tagKey", "string", "CostCenter", "The tag that names the cost center."),
        conventions.Option("costCenters", "array", [], "The cost centers a tag may name; empty: any value.",
                           {"items": {"type": "string"}}),
    ),
    check=_cost_center,
)

# -- the pack ---------------------------------------------------------------------------------------

# Every aws-conventions policy but one (Acme sizes its tables by capacity planning), with Acme's
# defaults: every service traced, logs kept a year at most. A policy pack config still overrides them.
REUSED = conventions.with_defaults(
    conventions.select(conventions.POLICIES, exclude=["dynamodb-on-demand"]),
    {"xray-tracing": "mandatory", "log-retention": {"maxDays": 365}},
)

conventions.PolicyPack(
    "acme-aws", [*REUSED, COST_CENTER_TAG, ALLOWED_REGIONS],
    description="Acme's AWS policies, the aws-conventions policies with Acme's defaults and Acme's own rules.",
    display_name="Acme AWS policies",
    enforcement_level="mandatory",  # for the SDK policies that set no level of their own
)
