"""Reading IAM policy documents in every shape programs produce (policies.iam.documents)."""

from __future__ import annotations

import json

import pytest

from policies._core.resource import Resource
from policies._core.values import STRINGIFIED_OUTPUT_TEXT, UNKNOWN, Secret, prop_of
from policies.iam.documents import (
    Document,
    Principals,
    Values,
    identity_documents,
    parse,
    read,
    resource_documents,
    spans_services,
    statement_label,
    trust_documents,
)

ALLOW_GET = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}


def doc(*statements, **extra):
    return {"Version": "2012-10-17", "Statement": list(statements), **extra}


# --- shapes that read ----------------------------------------------------------

SHAPES = [
    ("json-string", json.dumps(doc(ALLOW_GET)), 1, False),
    ("object", doc(ALLOW_GET), 1, False),
    ("statement-object", {"Version": "2012-10-17", "Statement": ALLOW_GET}, 1, False),
    ("statement-list", doc(ALLOW_GET, {**ALLOW_GET, "Effect": "Deny"}), 2, False),
    ("empty-statement-list", doc(), 0, False),
    ("no-version", {"Statement": [ALLOW_GET]}, 1, False),
    ("secret-json-string", Secret(json.dumps(doc(ALLOW_GET))), 1, True),
    ("secret-inside-object", doc({**ALLOW_GET, "Resource": Secret("arn:aws:s3:::hidden/*")}), 1, True),
    ("unknown-statement-element", doc(ALLOW_GET, UNKNOWN), 1, False),
    ("unknown-statement", {"Version": "2012-10-17", "Statement": UNKNOWN}, 0, False),
]


@pytest.mark.parametrize(("value", "count", "secret"), [s[1:] for s in SHAPES], ids=[s[0] for s in SHAPES])
def test_shapes_that_read(value, count, secret):
    result = read(prop_of("policy", value))
    assert isinstance(result, Document)
    assert len(result.statements) == count
    assert result.problems == ()
    assert result.secret is secret


def test_statement_fields_are_normalised():
    value = doc({"Sid": "Both", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*",
                 "Condition": {"StringEquals": {"aws:SourceAccount": "123"}}},
                {"Effect": "Deny", "NotAction": "iam:*", "NotResource": ["arn:aws:s3:::b"],
                 "Principal": {"AWS": ["arn:aws:iam::1:root", "*"], "Service": "lambda.amazonaws.com"}})
    first, second = parse(value).statements
    assert (first.position, first.number, first.sid, first.effect, first.allows) == (0, 1, "Both", "Allow", True)
    assert first.actions == Values(("s3:GetObject", "s3:PutObject"))
    assert first.resources == Values(("*",))
    assert first.not_actions is None and first.principals is None
    assert first.conditioned and first.condition_keys() == ("aws:sourceaccount",)
    assert (second.effect, second.allows, second.actions) == ("Deny", False, None)
    assert second.not_actions == Values(("iam:*",))
    assert second.not_resources == Values(("arn:aws:s3:::b",))
    assert second.principals.everyone
    assert second.principals.of_kind("Service") == ("lambda.amazonaws.com",)
    assert not second.conditioned


@pytest.mark.parametrize(("principal", "everyone"), [
    pytest.param("*", True, id="bare-star"),
    pytest.param({"AWS": "*"}, True, id="aws-star"),
    pytest.param({"AWS": ["arn:aws:iam::1:root", "*"]}, True, id="aws-list-with-star"),
    pytest.param({"AWS": "arn:aws:iam::1:root"}, False, id="account-root"),
    pytest.param({"Service": "*"}, False, id="service-star-is-not-aws"),
    pytest.param({"AWS": UNKNOWN}, False, id="unknown-is-not-everyone"),
])
def test_everyone(principal, everyone):
    (st,) = parse(doc({**ALLOW_GET, "Principal": principal})).statements
    assert st.principals.everyone is everyone


def test_unknowns_inside_a_document_are_flags():
    value = doc({"Effect": "Allow", "Action": ["s3:GetObject", UNKNOWN], "Resource": UNKNOWN,
                 "Principal": {"AWS": UNKNOWN}, "Condition": UNKNOWN})
    (st,) = parse(value).statements
    assert st.actions == Values(("s3:GetObject",), True)
    assert st.resources == Values((), True)
    assert "*" not in st.resources.items
    assert st.principals == Principals((), True)
    assert st.conditioned and st.condition_unknown


# --- what cannot be read --------------------------------------------------------

UNREADABLE = [
    ("invalid-json", '{"Statement": [', "not valid JSON"),
    ("stringified-output-not-json", f'{{"Statement": [{{"Resource": {STRINGIFIED_OUTPUT_TEXT}}}]}}',
     "stringified Output"),
    ("statement-number", {"Version": "2012-10-17", "Statement": 5}, "its Statement is a number"),
    ("statement-string", {"Statement": "s3:GetObject"}, "its Statement is a string"),
    ("no-statement", {"Version": "2012-10-17"}, "it has no Statement"),
    ("json-list", "[1, 2]", "it is a list in JSON"),
    ("json-number", "5", "it is a number in JSON"),
    ("a-list", [ALLOW_GET], "it is a list, not a policy document"),
    ("a-boolean", True, "it is a boolean"),
]


@pytest.mark.parametrize(("value", "reason"), [u[1:] for u in UNREADABLE], ids=[u[0] for u in UNREADABLE])
def test_unreadable_documents_give_a_reason(value, reason):
    result = read(prop_of("policy", value))
    assert isinstance(result, str)
    assert reason in result


@pytest.mark.parametrize("value", [
    json.dumps({"Statement": [{**ALLOW_GET, "Resource": [f"{STRINGIFIED_OUTPUT_TEXT} ...", "*"]}]}),
    doc({**ALLOW_GET, "Resource": [f"{STRINGIFIED_OUTPUT_TEXT} ...", "*"]}),
], ids=["json-text", "object"])
def test_a_stringified_output_is_unknown_and_the_rest_of_the_document_is_read(value):
    result = read(prop_of("policy", value))
    assert isinstance(result, Document) and result.stringified
    assert result.statements[0].resources == Values(("*",), True)


@pytest.mark.parametrize("value", [UNKNOWN, None], ids=["unknown", "absent"])
def test_unknown_or_absent_reads_as_nothing(value):
    assert read(prop_of("policy", value)) is None


PROBLEMS = [
    ("effect-missing", {"Action": "s3:GetObject", "Resource": "*"}, "statement 1: Effect is missing"),
    ("effect-wrong", {"Effect": "allow", "Action": "s3:GetObject"}, "Effect is 'allow'"),
    ("both-actions", {"Effect": "Allow", "Action": "a:b", "NotAction": "c:d"}, "both Action and NotAction"),
    ("no-action", {"Effect": "Allow", "Resource": "*"}, "neither Action nor NotAction"),
    ("action-number", {"Effect": "Allow", "Action": 5}, "Action holds a number"),
    ("action-list-with-object", {"Effect": "Allow", "Action": ["s3:GetObject", {"a": 1}]}, "Action holds an object"),
    ("resource-bool", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": True}, "Resource holds a boolean"),
    ("principal-string", {"Effect": "Allow", "Action": "a:b", "Principal": "arn:aws:iam::1:root"},
     "Principal is a string other than '*'"),
    ("principal-list", {"Effect": "Allow", "Action": "a:b", "Principal": ["*"]}, "Principal is a list"),
    ("principal-item-number", {"Effect": "Allow", "Action": "a:b", "Principal": {"AWS": [1]}},
     "Principal.AWS holds a number"),
    ("condition-string", {"Effect": "Allow", "Action": "a:b", "Condition": "yes"}, "Condition is a string"),
]


@pytest.mark.parametrize(("statement", "problem"), [p[1:] for p in PROBLEMS], ids=[p[0] for p in PROBLEMS])
def test_shape_problems_are_listed_and_the_rest_still_reads(statement, problem):
    result = parse(doc(statement, ALLOW_GET, 7))
    assert isinstance(result, Document)
    assert len(result.statements) == 2
    assert any(problem in p for p in result.problems), result.problems
    assert "statement 3 is a number, not an object" in result.problems


def test_problems_name_the_sid_unless_secret():
    bad = {"Sid": "Oops", "Action": "s3:GetObject"}
    assert parse(doc(bad)).problems == ("statement 1 (Sid 'Oops'): Effect is missing; IAM accepts only 'Allow' or "
                                        "'Deny'",)
    assert parse(doc(bad), secret=True).problems[0].startswith("statement 1: ")


def test_label_hides_the_sid_of_a_secret_document():
    (st,) = parse(doc({**ALLOW_GET, "Sid": "ReadObjects"})).statements
    assert statement_label("policy", st, False) == "policy statement 1 (Sid 'ReadObjects')"
    assert statement_label("policy", st, True) == "policy statement 1"


def test_parsing_the_same_text_twice_shares_the_result():
    text = json.dumps(doc(ALLOW_GET, {**ALLOW_GET, "Sid": "shared"}))
    assert read(prop_of("policy", text)) is read(prop_of("policy", text))


# --- where documents live ------------------------------------------------------------

def test_role_documents():
    role = Resource.of("aws:iam/role:Role", {
        "assumeRolePolicy": "{}",
        "inlinePolicies": [{"name": "a", "policy": "{}"}, UNKNOWN, {"name": "c", "policy": Secret("{}")},
                           {"name": "d"}],
    })
    identity = list(identity_documents(role))
    assert [p.path for p in identity] == ["inlinePolicies[0].policy", "inlinePolicies[1].policy",
                                          "inlinePolicies[2].policy", "inlinePolicies[3].policy"]
    assert [p.unknown for p in identity] == [False, True, False, False]
    assert identity[2].secret and identity[3].absent
    assert [p.path for p in trust_documents(role)] == ["assumeRolePolicy"]
    assert list(resource_documents(role)) == []


@pytest.mark.parametrize("type_", ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy",
                                   "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"])
def test_identity_policy_resources(type_):
    resource = Resource.of(type_, {"policy": "{}"})
    assert [p.path for p in identity_documents(resource)] == ["policy"]
    assert list(resource_documents(resource)) == []


@pytest.mark.parametrize("type_", [
    "aws:s3/bucketPolicy:BucketPolicy", "aws:sqs/queuePolicy:QueuePolicy", "aws:sns/topicPolicy:TopicPolicy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy", "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:kms/key:Key", "aws:sqs/queue:Queue", "aws:sns/topic:Topic", "aws:secretsmanager/secret:Secret",
    "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"])
def test_resource_policy_resources(type_):
    resource = Resource.of(type_, {"policy": "{}"})
    assert [p.path for p in resource_documents(resource)] == ["policy"]
    assert list(identity_documents(resource)) == []


@pytest.mark.parametrize(("action", "spans"), [
    ("*", True), ("**", True), ("*:*", True), ("*:Get*", True), ("s?:GetObject", True),
    ("s3:*", False), ("s3:Get*", False), ("s3:GetObject", False), ("", False)])
def test_spans_services(action, spans):
    assert spans_services(action) is spans
