"""s3-tls-only: every S3 bucket's policy denies requests that do not use TLS.

Why: S3 answers plain HTTP on its REST endpoints unless the bucket policy says otherwise. A client,
SDK setting or presigned URL with ``http://`` then sends objects and request signatures in clear
text. Only a bucket policy can refuse those requests: a ``Deny`` for every principal and every S3
action whose condition is ``"Bool": {"aws:SecureTransport": "false"}`` (AWS Foundational Security
Best Practices, control S3.5). AWS services that deliver logs to a bucket (CloudTrail, Config, load
balancer access logs) write over HTTPS and keep working.

Reported: once per stack, on the first bucket listed, the buckets (``aws.s3.Bucket``,
``aws.s3.BucketV2``) that no such statement protects: neither the ``aws.s3.BucketPolicy`` of the
stack attached to them (through ``bucket=bucket.id``, or a name or id written out) nor the bucket's
own ``policy``. A statement counts when its effect is ``Deny``, its principal ``"*"`` (or
``{"AWS": "*"}``), its action ``s3:*`` or ``*``, its resource ``*`` or the bucket's objects
(``<arn>/*``), and its condition ``aws:SecureTransport`` false under ``Bool`` or ``BoolIfExists``
and nothing else. A bucket with two policies (they replace each other) needs it in each. The
message tells buckets without a policy from buckets whose policy lacks the statement (a bucket has
one policy: a second ``BucketPolicy`` would replace it), and says what a statement that denies
plain HTTP in part leaves out: principals, actions, objects, or requests its other conditions do
not match. When a CloudFront distribution of the stack lets viewers use HTTP, the fix says to
redirect them: CloudFront reaches an S3 origin with the viewer's protocol.

Not reported:

* a bucket with a website configuration (``aws.s3.BucketWebsiteConfiguration`` or ``website=``):
  S3 website endpoints serve HTTP only (Security Hub's S3.5 makes no such exception);
* anything a preview cannot tell: a policy document, or a part of it, unknown (built with
  ``Output.json_dumps`` over the bucket's ARN); a bucket policy or website configuration whose
  bucket is unknown and not linked to one of the stack's buckets, which may be any of them, so the
  stack is not reported; a bucket whose physical name is unknown while ``exemptBuckets`` is set;
* a bucket whose policy cannot be read (``iam-least-privilege`` and ``stringified-output`` report
  those);
* buckets that match ``exemptBuckets``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from .._core.policy import ADVISORY, FSBP, Finding, Framework, Option, PolicyContext, StackPolicy, stated
from .._core.resource import Resource
from .._core.stack import StackView
from .._core.text import and_more
from .._core.values import Prop, contains_unknown
from ..iam import documents
from ..iam.documents import DENY, Statement

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
WEBSITES = ("aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
            "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2")
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
MAX_SHOWN = 3
SECURE_TRANSPORT = "aws:securetransport"
BOOL_OPERATORS = ("bool", "boolifexists")

STATEMENT_FIX = ('{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", '
                 '"Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")], '
                 '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}')


class Coverage(NamedTuple):
    """Whether a bucket's policies deny requests without TLS (None: a preview or an unreadable
    document cannot tell), and for a statement that denies them in part, what it leaves out."""

    protected: bool | None
    gap: str = ""


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    exempt = ctx.config["exemptBuckets"]
    every = [b for token in BUCKETS for b in view.of_type(token)]
    buckets = [b for b in every if not _exempt(b, exempt)]
    if not buckets:
        return
    urns = {b.urn for b in every}
    policies = _Attached(view.of_type(BUCKET_POLICY), urns)
    websites = _Attached((w for token in WEBSITES for w in view.of_type(token)), urns)
    if policies.unlinked or websites.unlinked:
        return
    bare: list[Resource] = []
    lacking: list[tuple[Resource, str]] = []
    for bucket in buckets:
        if _has_website(bucket) or websites.to(bucket):
            continue
        props = [p.get("policy") for p in policies.to(bucket)]
        own = bucket.get("policy")
        if own.value if own.known else bucket.given("policy") is not False:
            props.append(own)
        coverage = _coverage(props)
        if coverage.protected is not False:
            continue
        if props:
            lacking.append((bucket, coverage.gap))
        else:
            bare.append(bucket)
    if bare or lacking:
        yield _finding(bare, lacking, len(buckets), _http_distributions(view))


def _exempt(bucket: Resource, patterns: list[str]) -> bool:
    """Matches ``exemptBuckets``, or may once its physical name is known."""
    return bool(patterns) and (bucket.name_matches(patterns, "bucket") or bucket.get("bucket").unknown)


class _Attached:
    """Resources that name a bucket in ``bucket``, by the bucket they name: through a property
    dependency on its URN (``bucket=bucket.id``, unknown in a preview), or its name or id written
    out. ``unlinked``: one names a bucket a preview cannot tell, which may be any of them."""

    def __init__(self, resources: Iterable[Resource], buckets: set[str]) -> None:
        self.by_urn: dict[str, list[Resource]] = {}
        self.by_name: dict[str, list[Resource]] = {}
        self.unlinked = False
        for resource in resources:
            deps = [urn for urn in resource.property_dependencies.get("bucket", ()) if urn in buckets]
            for urn in deps:
                self.by_urn.setdefault(urn, []).append(resource)
            target = resource.get("bucket")
            if target.known and isinstance(target.value, str):
                self.by_name.setdefault(target.value, []).append(resource)
            elif target.unknown and not deps:
                self.unlinked = True

    def to(self, bucket: Resource) -> list[Resource]:
        if not self.by_name:
            return self.by_urn.get(bucket.urn, [])
        found = list(self.by_urn.get(bucket.urn, ()))
        seen = {id(r) for r in found}
        for key in ("bucket", "id"):
            name = bucket.get(key).as_str()
            for resource in self.by_name.get(name, ()) if name else ():
                if id(resource) not in seen:
                    seen.add(id(resource))
                    found.append(resource)
        return found


def _has_website(bucket: Resource) -> bool:
    """``website`` (``aws.s3.Bucket``) or ``websites`` (``aws.s3.BucketV2``) given, or possibly given."""
    key = "websites" if bucket.type == BUCKETS[1] else "website"
    prop = bucket.get(key)
    return bool(prop.value) if prop.known else bucket.given(key) is not False


def _coverage(props: list[Prop]) -> Coverage:
    """Every document must protect the bucket: of two policies, whichever is applied last holds."""
    if not props:
        return Coverage(False)
    verdicts = [_document_coverage(prop) for prop in props]
    if any(v.protected is None for v in verdicts):
        return Coverage(None)
    return next((v for v in verdicts if not v.protected), Coverage(True))


def _document_coverage(prop: Prop) -> Coverage:
    doc = documents.read(prop)
    if doc is None or isinstance(doc, str):
        return Coverage(None)
    found = Coverage(False)
    for statement in doc.statements:
        covered = _statement_coverage(statement, doc.secret)
        if covered.protected is not False:
            return covered
        found = found if found.gap else covered
    return Coverage(None) if contains_unknown(prop.value) else found  # an unknown part may be the statement


def _statement_coverage(statement: Statement, secret: bool) -> Coverage:
    if statement.effect != DENY:
        return Coverage(False)
    if not _secure_transport_false(statement.conditions):
        return Coverage(None if statement.condition_unknown else False)
    principals, actions, resources = statement.principals, statement.actions, statement.resources
    if principals is None or actions is None or resources is None:
        return Coverage(False, "except what its NotPrincipal, NotAction or NotResource leaves out")
    gaps = []
    if not principals.everyone and not principals.unknown:
        gaps.append('for some principals only (expected "Principal": "*")')
    if not any(a.lower() in ("*", "s3:*") for a in actions.items) and not actions.unknown:
        shown = "some actions" if secret else and_more(list(actions.items), 3)
        gaps.append(f'for {shown} only (expected "Action": "s3:*")')
    if not any(_all_objects(r) for r in resources.items) and not resources.unknown:
        gaps.append("not on every object of the bucket (expected its ARN and ARN/*)")
    others = _other_conditions(statement.conditions)
    if others:
        keys = "other conditions" if secret else and_more(others, 3)
        gaps.append(f"only for requests that also match {keys} (expected aws:SecureTransport alone)")
    if gaps:
        return Coverage(False, "; ".join(gaps))
    known = principals.everyone and not actions.unknown and not resources.unknown
    return Coverage(True if known else None)


def _all_objects(resource: str) -> bool:
    """``*``, or an ARN of every object of one bucket (``arn:aws:s3:::name/*``), not of a prefix."""
    if resource == "*":
        return True
    head, _, tail = resource.rpartition("/")
    return tail == "*" and "/" not in head


def _secure_transport_false(conditions: Mapping[str, Any] | None) -> bool:
    for operator, block in (conditions or {}).items():
        if operator.lower() not in BOOL_OPERATORS or not isinstance(block, Mapping):
            continue
        for key, value in block.items():
            if key.lower() == SECURE_TRANSPORT and _is_false(value):
                return True
    return False


def _other_conditions(conditions: Mapping[str, Any] | None) -> list[str]:
    """Condition keys beside aws:SecureTransport: IAM ANDs them, so each narrows the deny."""
    return [f"{operator} {key}" for operator, block in (conditions or {}).items() if isinstance(block, Mapping)
            for key in block if key.lower() != SECURE_TRANSPORT]


def _is_false(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(v is False or (isinstance(v, str) and v.strip().lower() == "false") for v in values)


def _http_distributions(view: StackView) -> list[Resource]:
    """Distributions with an S3 origin whose viewers may use HTTP: CloudFront then reaches the origin
    over HTTP too."""
    found = []
    for distribution in view.of_type(DISTRIBUTION):
        origins = [o for o in distribution.get("origins").as_list() or [] if isinstance(o, Mapping)]
        if not any(o.get("s3OriginConfig") or o.get("originAccessControlId")
                   or ".s3." in str(o.get("domainName", "")) for o in origins):
            continue
        ordered = distribution.get("orderedCacheBehaviors").as_list() or []
        protocols = [distribution.get("defaultCacheBehavior", "viewerProtocolPolicy").value,
                     *(b.get("viewerProtocolPolicy") for b in ordered if isinstance(b, Mapping))]
        if "allow-all" in protocols:
            found.append(distribution)
    return found


def _names(buckets: list[Resource]) -> str:
    return and_more([f"'{b.name}'" for b in buckets], MAX_SHOWN)


def _finding(bare: list[Resource], lacking: list[tuple[Resource, str]], total: int,
             http_distributions: list[Resource]) -> Finding:
    count = len(bare) + len(lacking)
    subject = bare[0] if bare else lacking[0][0]
    partial = [(b, gap) for b, gap in lacking if gap]
    whole = [b for b, gap in lacking if not gap]
    if count == 1:
        where = subject.label
        if bare:
            what = "it has no bucket policy in this stack"
        elif partial:
            what = f"its bucket policy denies requests without TLS {partial[0][1]}"
        else:
            what = "its bucket policy does not deny requests without TLS"
    else:
        where = f"{count} of the stack's {total} S3 buckets"
        parts = []
        if bare:
            parts.append(f"{_names(bare)} {'has' if len(bare) == 1 else 'have'} no bucket policy in this stack")
        if whole:
            parts.append(f"the bucket {'policy' if len(whole) == 1 else 'policies'} of {_names(whole)} "
                         f"{'does' if len(whole) == 1 else 'do'} not deny requests without TLS")
        parts.extend(f"the bucket policy of '{b.name}' denies requests without TLS {gap}"
                     for b, gap in partial[:MAX_SHOWN])
        if len(partial) > MAX_SHOWN:
            parts.append(f"{len(partial) - MAX_SHOWN} more deny them in part only")
        what = "; ".join(parts)
    fixes = []
    if bare:
        fixes.append(f"aws.s3.BucketPolicy({json.dumps(bare[0].name + '-tls-only')}, bucket=bucket.id, "
                     f'policy=pulumi.Output.json_dumps({{"Version": "2012-10-17", "Statement": [{STATEMENT_FIX}]}})), '
                     f"where bucket is the '{bare[0].name}' bucket"
                     + (", and the same for each bucket listed without a policy" if len(bare) > 1 else ""))
    if whole:
        fixes.append(f"add {STATEMENT_FIX} to the Statement list of the policy of {_names(whole)} (a bucket has "
                     f"one policy: a second aws.s3.BucketPolicy would replace it)")
    if partial:
        fixes.append(f"make the statement that tests aws:SecureTransport in the policy of "
                     f"{_names([b for b, _ in partial])} {STATEMENT_FIX}")
    if http_distributions:
        fixes.append(f"and set viewer_protocol_policy=\"redirect-to-https\" on {http_distributions[0].label}, whose "
                     f"viewers may use HTTP: CloudFront reaches an S3 origin with the viewer's protocol")
    found = ("no bucket policy" if bare else "a statement that denies plain HTTP in part" if partial
             else "no statement denying requests without TLS")
    return stated(
        where,
        f"{what}. S3 serves a bucket over plain HTTP as well as HTTPS unless its policy denies requests "
        f"whose aws:SecureTransport is false; expected that statement for every principal, S3 action and "
        f"object, so that objects and request signatures never travel in clear text.",
        "; ".join(fixes), urn=subject.urn, property="policy", found=found,
        expected="a Deny on aws:SecureTransport false", cause="s3-tls-only")


POLICY = StackPolicy(
    name="s3-tls-only",
    description="Every S3 bucket's policy denies requests that do not use TLS (aws:SecureTransport false).",
    severity="medium",
    enforcement_level=ADVISORY,
    remediation_steps=(
        "Give each bucket an aws.s3.BucketPolicy (or add to the one it has) with the statement "
        '{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [bucket.arn, '
        'pulumi.Output.concat(bucket.arn, "/*")], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}; '
        "a shared helper that builds every bucket's policy keeps the stack's buckets alike."),
    tags=("encryption", "s3", "security"),
    framework=Framework(FSBP, "1.0.0", "S3.5", "S3 general purpose buckets should require requests to use SSL"),
    options=(
        Option("exemptBuckets", "array", [],
               "Glob patterns of logical or physical bucket names that may answer plain HTTP.",
               {"items": {"type": "string"}}),
    ),
    check=check,
)
