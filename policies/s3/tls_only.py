"""s3-tls-only: every S3 bucket's policy denies requests that do not use TLS.

Why: S3 answers plain HTTP on its REST endpoints unless the bucket policy says otherwise. A client,
SDK setting or presigned URL with ``http://`` then sends objects and request signatures in clear
text. Only a bucket policy can refuse those requests: a ``Deny`` for every principal and every S3
action whose condition is ``"Bool": {"aws:SecureTransport": "false"}`` (AWS Foundational Security
Best Practices, control S3.5).

Reported: once per stack, the buckets (``aws.s3.Bucket``, ``aws.s3.BucketV2``) that no such
statement protects, neither in an ``aws.s3.BucketPolicy`` of the stack attached to them (through
``bucket=bucket.id``, or a name or id written out) nor in the bucket's own ``policy``. A statement
counts when its effect is ``Deny``, its principal ``"*"`` (or ``{"AWS": "*"}``), its action ``s3:*``
or ``*``, a resource ends in ``*`` (the objects), and ``aws:SecureTransport`` is false under ``Bool``
or ``BoolIfExists``. The finding is on the first bucket listed. It tells buckets without a policy
from buckets whose policy lacks the statement (a bucket has one policy, and a second
``BucketPolicy`` replaces the first), and says what a statement that denies plain HTTP in part
leaves out: principals, actions (``s3:GetObject`` and ``s3:PutObject`` only) or the objects.

Not reported:

* a bucket with a website configuration (``aws.s3.BucketWebsiteConfiguration`` or ``website=``):
  S3 website endpoints serve HTTP only;
* a bucket whose policy is unknown during a preview (a document built with ``Output.json_dumps``
  over the bucket's ARN), or that a bucket policy whose bucket is unknown may be attached to; a
  statement whose principal, action, resource or condition is unknown counts as protecting it;
* a bucket whose policy cannot be read (``iam-least-privilege`` and ``stringified-output`` report
  those);
* buckets that match ``exemptBuckets``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

from .._core.policy import ADVISORY, FSBP, Finding, Framework, Option, PolicyContext, StackPolicy, stated
from .._core.resource import Resource
from .._core.stack import StackView
from .._core.text import and_more
from .._core.values import Prop
from ..iam import documents
from ..iam.documents import DENY, Statement

BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
WEBSITES = ("aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
            "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2")
MAX_SHOWN = 3
SECURE_TRANSPORT = "aws:securetransport"
BOOL_OPERATORS = ("bool", "boolifexists")

STATEMENT_FIX = ('{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", '
                 '"Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")], '
                 '"Condition": {"Bool": {"aws:SecureTransport": "false"}}}')


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    buckets = [b for b in view.of_type(*BUCKETS) if not b.name_matches(ctx.config["exemptBuckets"], "bucket")]
    if not buckets:
        return
    policies = _Attached(view.of_type(BUCKET_POLICY))
    websites = _Attached(view.of_type(*WEBSITES))
    if policies.unlinked or websites.unlinked:
        return  # a policy or website whose bucket is unknown yet may be any of them
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
        yield _finding(bare, lacking, len(buckets))


class _Attached:
    """Resources that name a bucket in ``bucket``, by the bucket they name: through a property
    dependency on its URN (``bucket=bucket.id``, unknown in a preview), or its name or id written
    out. ``unlinked``: one names a bucket that a preview cannot tell."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self.by_urn: dict[str, list[Resource]] = {}
        self.by_name: dict[str, list[Resource]] = {}
        self.unlinked = False
        for resource in resources:
            deps = resource.property_dependencies.get("bucket", ())
            for urn in deps:
                self.by_urn.setdefault(urn, []).append(resource)
            target = resource.get("bucket")
            if target.known and isinstance(target.value, str):
                self.by_name.setdefault(target.value, []).append(resource)
            elif target.unknown and not deps:
                self.unlinked = True

    def to(self, bucket: Resource) -> list[Resource]:
        found = list(self.by_urn.get(bucket.urn, ()))
        for key in ("bucket", "id"):
            name = bucket.get(key).as_str()
            if name:
                found.extend(r for r in self.by_name.get(name, ()) if r not in found)
        return found


def _has_website(bucket: Resource) -> bool:
    """``website`` (``aws.s3.Bucket``) or ``websites`` (``aws.s3.BucketV2``) given, or possibly given."""
    for key in ("website", "websites"):
        prop = bucket.get(key)
        if prop.value if prop.known else bucket.given(key) is not False:
            return True
    return False


class Coverage(NamedTuple):
    """Whether documents deny requests without TLS (None: a preview or an unreadable document cannot
    tell), and for a statement that denies them in part, what it leaves out."""

    protected: bool | None
    gap: str = ""


def _coverage(props: list[Prop]) -> Coverage:
    gap = ""
    for prop in props:
        doc = documents.read(prop)
        if doc is None or isinstance(doc, str):
            return Coverage(None)
        for statement in doc.statements:
            found = _statement_coverage(statement)
            if found.protected is not False:
                return found
            gap = gap or found.gap
    return Coverage(False, gap)


def _statement_coverage(statement: Statement) -> Coverage:
    if statement.effect != DENY:
        return Coverage(False)
    if not _secure_transport_false(statement.conditions):
        return Coverage(None if statement.condition_unknown else False)
    principals, actions, resources = statement.principals, statement.actions, statement.resources
    if principals is None or actions is None or resources is None:
        return Coverage(False, "except what its NotPrincipal, NotAction or NotResource leaves out")
    gaps = []
    if not principals.everyone and not principals.unknown:
        gaps.append("for some principals only (expected \"Principal\": \"*\")")
    if not any(a.lower() in ("*", "s3:*") for a in actions.items) and not actions.unknown:
        gaps.append(f"for {and_more(list(actions.items), 3)} only (expected \"Action\": \"s3:*\")")
    if not any(r.endswith("*") for r in resources.items) and not resources.unknown:
        gaps.append("on the bucket but not its objects (expected its ARN and ARN/*)")
    if gaps:
        return Coverage(False, "; ".join(gaps))
    known = principals.everyone and not actions.unknown and not resources.unknown
    return Coverage(True if known else None)


def _secure_transport_false(conditions: Mapping[str, Any] | None) -> bool:
    for operator, block in (conditions or {}).items():
        if operator.lower() not in BOOL_OPERATORS or not isinstance(block, Mapping):
            continue
        for key, value in block.items():
            if key.lower() == SECURE_TRANSPORT and _is_false(value):
                return True
    return False


def _is_false(value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(v is False or (isinstance(v, str) and v.strip().lower() == "false") for v in values)


def _names(buckets: list[Resource]) -> str:
    return and_more([f"'{b.name}'" for b in buckets], MAX_SHOWN)


def _finding(bare: list[Resource], lacking: list[tuple[Resource, str]], total: int) -> Finding:
    count = len(bare) + len(lacking)
    subject = bare[0] if bare else lacking[0][0]
    if count == 1:
        where = subject.label
        if bare:
            what = "it has no bucket policy"
        elif lacking[0][1]:
            what = f"its bucket policy denies requests without TLS {lacking[0][1]}"
        else:
            what = "its bucket policy does not deny requests without TLS"
    else:
        where = f"{count} of the stack's {total} S3 buckets"
        parts = []
        if bare:
            parts.append(f"{_names(bare)} {'has' if len(bare) == 1 else 'have'} no bucket policy")
        if lacking:
            names = _names([b for b, _ in lacking])
            parts.append(f"the bucket {'policy' if len(lacking) == 1 else 'policies'} of {names} "
                         f"{'does' if len(lacking) == 1 else 'do'} not deny every request without TLS")
        what = "; ".join(parts)
    fixes = []
    if bare:
        fixes.append(f'aws.s3.BucketPolicy("{bare[0].name}-tls-only", bucket=bucket.id, '
                     f'policy=pulumi.Output.json_dumps({{"Version": "2012-10-17", "Statement": [{STATEMENT_FIX}]}})), '
                     f"where bucket is the '{bare[0].name}' bucket"
                     + (", and the same for each bucket listed without a policy" if len(bare) > 1 else ""))
    if lacking:
        change = ("make the statement that tests aws:SecureTransport {} in the policy of '{}'" if lacking[0][1]
                  else "add {} to the Statement list of the policy of '{}'")
        fixes.append(change.format(STATEMENT_FIX, lacking[0][0].name)
                     + (" and of each bucket listed with a policy" if len(lacking) > 1 else "")
                     + " (a bucket has one policy: a second aws.s3.BucketPolicy would replace it)")
    return stated(
        where,
        f"{what}. S3 serves a bucket over plain HTTP as well as HTTPS unless its policy denies requests "
        f"whose aws:SecureTransport is false; expected that statement for every principal, S3 action and "
        f"object, so that objects and request signatures never travel in clear text.",
        "; ".join(fixes), urn=subject.urn, property="policy",
        found="no statement denying requests without TLS", expected="a Deny on aws:SecureTransport false",
        cause="s3-tls-only")


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
