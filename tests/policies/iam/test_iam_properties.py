"""Generated IAM documents: the IAM policies never raise, answer deterministically, and never print a secret."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policies._core.resource import Resource
from policies._core.values import UNKNOWN, Secret, contains_unknown
from policies.iam import documents
from tests.conftest import analyzer_for

IAM_POLICIES = ("iam-least-privilege", "iam-unknown-action", "iam-admin-managed-policy", "iam-public-principal")
CRASH = "could not evaluate this resource"
CANARY = "CANARY9d2e"
SETTINGS = settings(deadline=None, max_examples=300, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ACTIONS = ["*", "*:*", "*:Get*", "s3:*", "s3:Get*", "s3:GetObject", "dynamodb:PutItem", "dynamodb:Putitem",
           "dynamodb:PutItems", "dynamdb:GetItem", "iam:PassRole", "iam:*", "iam:Put*", "xray:PutTraceSegments",
           "cloudwatch:PutMetricData", "kms:*", "sts:AssumeRole", "s3:Gett*", "PutItem", "", ":", "s3:", ":x",
           "s?:GetObject", "ec2:RunInstances", "logs:CreateLogStream"]
RESOURCES = ["*", "arn:aws:s3:::b/*", "arn:aws:dynamodb:us-east-1:1:table/t", "arn:aws:iam::1:role/r", ""]
PRINCIPALS = ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::1:root", "*"]}, {"Service": "lambda.amazonaws.com"},
              {"Federated": "arn:aws:iam::1:oidc-provider/x"}, {"Federated": "arn:aws:iam::1:saml-provider/y"},
              "arn:aws:iam::1:root", ["*"]]
CONDITIONS = [{}, {"Bool": {"aws:SecureTransport": "true"}}, {"StringEquals": {"aws:SourceAccount": "1"}},
              {"StringEquals": {"aws:ResourceTag/team": "a"}}, {"StringLike": {"dynamodb:LeadingKeys": ["x"]}},
              "yes", {"Bool": UNKNOWN}]

junk = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12),
                 st.just(UNKNOWN), st.just({}), st.just([]))
one_or_list = (lambda s: st.one_of(s, st.lists(s, max_size=4)))  # noqa: E731
action = st.one_of(st.sampled_from(ACTIONS), st.text(alphabet="abs3:*?PutGetItem", max_size=14), st.just(UNKNOWN))
resource = st.one_of(st.sampled_from(RESOURCES), st.just(UNKNOWN))

statement = st.one_of(
    st.fixed_dictionaries({}, optional={
        "Sid": st.one_of(st.text(max_size=8), st.just(CANARY), junk),
        "Effect": st.one_of(st.sampled_from(["Allow", "Deny"]), junk),
        "Action": one_or_list(action),
        "NotAction": one_or_list(action),
        "Resource": one_or_list(resource),
        "NotResource": one_or_list(resource),
        "Principal": st.one_of(st.sampled_from(PRINCIPALS), junk),
        "NotPrincipal": st.sampled_from(PRINCIPALS),
        "Condition": st.one_of(st.sampled_from(CONDITIONS), junk),
    }),
    junk,
)
document = st.one_of(
    st.fixed_dictionaries({"Version": st.just("2012-10-17"),
                           "Statement": st.one_of(st.lists(statement, max_size=6), statement, junk)}),
    st.fixed_dictionaries({}, optional={"Statement": st.lists(statement, max_size=3), "Id": st.text(max_size=4)}),
    junk,
)


def as_property(doc, how: str):
    """The document as a program hands it over: JSON text, an object, or a secret of either."""
    text = doc if contains_unknown(doc) else json.dumps(doc)
    return {"text": text, "object": doc, "secret": Secret(text), "garbled": str(text)[:-1]}[how]


shape = st.sampled_from(["text", "object", "secret", "garbled"])

RESOURCES_OF = [
    ("aws:iam/rolePolicy:RolePolicy", lambda p: {"role": "r", "policy": p}),
    ("aws:iam/policy:Policy", lambda p: {"policy": p}),
    ("aws:iam/role:Role", lambda p: {"assumeRolePolicy": p, "inlinePolicies": [{"name": "a", "policy": p}, p],
                                     "managedPolicyArns": [p, "arn:aws:iam::aws:policy/AdministratorAccess"]}),
    ("aws:s3/bucketPolicy:BucketPolicy", lambda p: {"bucket": "b", "policy": p}),
    ("aws:kms/key:Key", lambda p: {"policy": p}),
    ("aws:lambda/permission:Permission", lambda p: {"principal": p, "action": "lambda:InvokeFunction",
                                                    "function": "f"}),
    ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", lambda p: {"role": "r", "policyArn": p}),
]


def run(analyzer, type_, props) -> list[tuple[str, str]]:
    resource_ = Resource.of(type_, props, name="generated-dev")
    return [(p.name, f.message) for p, _, f in analyzer.analyze_resource(resource_) if p.name in IAM_POLICIES]


ANALYZER = analyzer_for("iam-least-privilege", {"maxFindingsPerDocument": 3})


@SETTINGS
@given(document, shape, st.sampled_from(RESOURCES_OF))
def test_generated_documents_never_crash_and_are_deterministic(doc, how, target):
    type_, props_of = target
    props = props_of(as_property(doc, how))
    first = run(ANALYZER, type_, props)
    assert not [m for _, m in first if CRASH in m], first
    assert run(ANALYZER, type_, props) == first
    documents._parse_text.cache_clear()
    assert run(ANALYZER, type_, props) == first
    if how == "secret":
        assert not [m for _, m in first if CANARY in m]


@SETTINGS
@given(st.lists(statement, min_size=1, max_size=8))
def test_parse_never_raises_and_keeps_every_object_statement(statements):
    result = documents.parse({"Statement": statements})
    assert isinstance(result, documents.Document)
    objects = [s for s in statements if isinstance(s, dict)]
    assert len(result.statements) == len(objects)
    assert [s.position for s in result.statements] == [i for i, s in enumerate(statements) if isinstance(s, dict)]
