import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies._core.resource import Resource
from policies._core.values import UNKNOWN, Secret
from tests.conftest import check_stack

NAME = "s3-tls-only"
BUCKET, BUCKET_V2 = "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
WEBSITE = "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration"


def bucket(name="data", type_=BUCKET, **props):
    return Resource.of(type_, {"bucket": f"{name}-dev-7f3a", **props}, name=name)


def deny(**changes):
    statement = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                 "Resource": ["arn:aws:s3:::data-dev-7f3a", "arn:aws:s3:::data-dev-7f3a/*"],
                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    statement.update(changes)
    return {k: v for k, v in statement.items() if v is not None}


ALLOW_READ = {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl",
              "Resource": "arn:aws:s3:::data-dev-7f3a"}


def document(*statements):
    """The JSON text programs pass; an object (the reader takes both) when a part is unknown."""
    doc = {"Version": "2012-10-17", "Statement": list(statements)}
    try:
        return json.dumps(doc)
    except TypeError:
        return doc


def policy_for(target, doc, name="data-policy", linked=True):
    """A bucket policy as the engine sends it: bucket=target.id is unknown in a preview and linked by
    a property dependency; written out, it is the bucket's name."""
    if linked:
        return Resource.of(POLICY, {"bucket": UNKNOWN, "policy": doc}, name=name,
                           property_dependencies={"bucket": [target.urn]})
    return Resource.of(POLICY, {"bucket": target.get("bucket").value, "policy": doc}, name=name)


def test_a_bucket_without_a_policy_is_reported_on_the_bucket_with_a_policy_to_add():
    data = bucket()
    (finding,) = check_stack(NAME, [data])
    assert finding.urn == data.urn
    assert finding.message.startswith("aws:s3/bucket:Bucket 'data': it has no bucket policy in this stack.")
    assert finding.found == "no bucket policy"
    assert "aws:SecureTransport is false" in finding.message
    assert finding.fix.startswith('aws.s3.BucketPolicy("data-tls-only", bucket=bucket.id, '
                                  "policy=pulumi.Output.json_dumps(")
    assert '"Condition": {"Bool": {"aws:SecureTransport": "false"}}' in finding.fix
    assert "7f3a" not in finding.fix  # the generated name never appears in a fix


def test_a_policy_without_the_statement_asks_to_add_it_there():
    data = bucket()
    (finding,) = check_stack(NAME, [data, policy_for(data, document(ALLOW_READ))])
    assert "its bucket policy does not deny requests without TLS" in finding.message
    assert finding.fix.startswith('add {"Sid": "DenyInsecureTransport"')
    assert "a second aws.s3.BucketPolicy would replace it" in finding.fix


def test_buckets_of_a_stack_are_reported_once_both_kinds_named():
    buckets = [bucket(n) for n in ("data", "logs", "assets", "backups", "reports")]
    with_policy = policy_for(buckets[4], document(ALLOW_READ), name="reports-policy")
    (finding,) = check_stack(NAME, [*buckets, with_policy])
    assert finding.message.startswith("5 of the stack's 5 S3 buckets: 'data', 'logs', 'assets' and 1 more have "
                                      "no bucket policy in this stack; the bucket policy of 'reports' does not deny "
                                      "requests without TLS.")
    assert finding.urn == buckets[0].urn
    assert "and the same for each bucket listed without a policy" in finding.fix
    assert "to the Statement list of the policy of 'reports'" in finding.fix


@pytest.mark.parametrize("statement", [
    pytest.param(deny(), id="bucket-and-objects"),
    pytest.param(deny(Action="*"), id="any-action"),
    pytest.param(deny(Action=["S3:*"]), id="action-case"),
    pytest.param(deny(Principal={"AWS": "*"}), id="principal-aws-star"),
    pytest.param(deny(Principal={"AWS": ["*"]}), id="principal-aws-star-list"),
    pytest.param(deny(Resource="arn:aws:s3:::data-dev-7f3a/*"), id="objects-only"),
    pytest.param(deny(Condition={"BoolIfExists": {"aws:SecureTransport": False}}), id="bool-if-exists-json-false"),
    pytest.param(deny(Condition={"Bool": {"AWS:SecureTransport": ["false"]}}), id="key-case-and-list"),
    pytest.param(deny(Resource="*"), id="any-resource"),
])
def test_a_statement_that_denies_plain_http_protects_the_bucket(statement):
    data = bucket()
    assert check_stack(NAME, [data, policy_for(data, document(ALLOW_READ, statement))]) == []
    assert check_stack(NAME, [data, policy_for(data, document(statement), linked=False)]) == []


@pytest.mark.parametrize(("statement", "said"), [
    pytest.param(deny(Effect="Allow"), "does not deny requests without TLS", id="allow"),
    pytest.param(deny(Condition={"Bool": {"aws:SecureTransport": "true"}}), "does not deny", id="secure-true"),
    pytest.param(deny(Condition={"NumericLessThan": {"s3:TlsVersion": "1.2"}}), "does not deny",
                 id="tls-version-only"),
    pytest.param(deny(Condition={"StringEquals": {"aws:SecureTransport": "false"}}), "does not deny",
                 id="string-operator"),
    pytest.param(deny(Condition=None), "does not deny", id="no-condition"),
    pytest.param(deny(Principal={"AWS": "arn:aws:iam::123456789012:root"}),
                 'denies requests without TLS for some principals only (expected "Principal": "*")', id="one-account"),
    pytest.param(deny(Action=["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectAcl"]),
                 "denies requests without TLS for s3:GetObject, s3:PutObject, s3:DeleteObject and 1 more only "
                 '(expected "Action": "s3:*")', id="object-actions"),
    pytest.param(deny(Resource="arn:aws:s3:::data-dev-7f3a"),
                 "denies requests without TLS not on every object of the bucket", id="bucket-only-not-objects"),
    pytest.param(deny(Resource=["arn:aws:s3:::data-dev-7f3a", "arn:aws:s3:::data-dev-7f3a/public/*"]),
                 "denies requests without TLS not on every object of the bucket", id="one-prefix"),
    pytest.param(deny(Resource="arn:aws:s3:::data-dev-7f3a*"),
                 "denies requests without TLS not on every object of the bucket", id="name-prefix"),
    pytest.param(deny(Condition={"Bool": {"aws:SecureTransport": "false"},
                                 "StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}),
                 "denies requests without TLS only for requests that also match StringNotEquals aws:PrincipalAccount "
                 "(expected aws:SecureTransport alone)", id="narrowed-by-another-condition"),
    pytest.param(deny(Action=None, NotAction="s3:GetBucketAcl"),
                 "denies requests without TLS except what its NotPrincipal, NotAction or NotResource leaves out",
                 id="not-action"),
])
def test_statements_that_leave_plain_http_open(statement, said):
    data = bucket()
    (finding,) = check_stack(NAME, [data, policy_for(data, document(statement))])
    assert f"'data': its bucket policy {said}" in finding.message
    assert ("make the statement that tests aws:SecureTransport" in finding.fix) is ("denies requests" in said)


def test_the_buckets_own_policy_counts():
    assert check_stack(NAME, [bucket(policy=document(deny()))]) == []
    assert check_stack(NAME, [bucket("v2", BUCKET_V2, policy=document(deny()))]) == []
    (finding,) = check_stack(NAME, [bucket(policy=document(ALLOW_READ))])
    assert "its bucket policy does not deny" in finding.message


def test_bucket_v2_is_checked():
    (finding,) = check_stack(NAME, [bucket("v2", BUCKET_V2)])
    assert finding.message.startswith("aws:s3/bucketV2:BucketV2 'v2': it has no bucket policy")


def test_a_policy_known_by_the_buckets_id_counts():
    data = bucket(id="data-dev-7f3a-id")
    attached = Resource.of(POLICY, {"bucket": "data-dev-7f3a-id", "policy": document(deny())}, name="p")
    assert check_stack(NAME, [data, attached]) == []


def test_a_policy_for_another_bucket_does_not_protect_this_one():
    data, other = bucket(), bucket("other")
    (finding,) = check_stack(NAME, [data, other, policy_for(other, document(deny()), name="other-policy")])
    assert finding.urn == data.urn and "'data'" in finding.message


def test_an_external_bucket_policy_is_ignored():
    data = bucket()
    outside = Resource.of(POLICY, {"bucket": "someone-elses-bucket", "policy": document(deny())}, name="p")
    assert len(check_stack(NAME, [data, outside])) == 1


@pytest.mark.parametrize("resources", [
    pytest.param(lambda d: [policy_for(d, UNKNOWN)], id="policy-document-unknown"),
    pytest.param(lambda d: [policy_for(d, document(deny(Principal=UNKNOWN)))], id="principal-unknown"),
    pytest.param(lambda d: [policy_for(d, document(deny(Resource=[UNKNOWN])))], id="resource-unknown"),
    pytest.param(lambda d: [policy_for(d, document(deny(Action=UNKNOWN)))], id="action-unknown"),
    pytest.param(lambda d: [policy_for(d, document(deny(Condition={"Bool": UNKNOWN})))], id="condition-unknown"),
    pytest.param(lambda d: [Resource.of(POLICY, {"bucket": UNKNOWN, "policy": document(ALLOW_READ)}, name="p")],
                 id="a-policy-whose-bucket-is-unknown"),
    pytest.param(lambda d: [policy_for(d, "{not json")], id="unreadable-policy"),
    pytest.param(lambda d: [Resource.of(WEBSITE, {"bucket": UNKNOWN}, name="site",
                                        property_dependencies={"bucket": [d.urn]})], id="website-configuration"),
    pytest.param(lambda d: [Resource.of(WEBSITE, {"bucket": UNKNOWN}, name="site")], id="website-bucket-unknown"),
    pytest.param(lambda d: [Resource.of(WEBSITE, {"bucket": "data-dev-7f3a"}, name="site")], id="website-by-name"),
])
def test_quiet_when_a_preview_cannot_tell_or_the_bucket_is_a_website(resources):
    data = bucket()
    assert check_stack(NAME, [data, *resources(data)]) == []


@pytest.mark.parametrize("website", [{"indexDocument": "index.html"}, UNKNOWN])
def test_an_inline_website_is_exempt(website):
    assert check_stack(NAME, [bucket(website=website)]) == []
    assert check_stack(NAME, [bucket("v2", BUCKET_V2, websites=[{"indexDocument": "index.html"}])]) == []


def test_an_empty_website_list_is_not_a_website():
    assert len(check_stack(NAME, [bucket("v2", BUCKET_V2, websites=[])])) == 1


def test_exempt_buckets_by_logical_or_physical_name():
    assert check_stack(NAME, [bucket()], config={"exemptBuckets": ["data"]}) == []
    assert check_stack(NAME, [bucket()], config={"exemptBuckets": ["data-dev-*"]}) == []
    assert len(check_stack(NAME, [bucket()], config={"exemptBuckets": ["logs-*"]})) == 1


def test_a_stack_without_buckets_is_quiet():
    assert check_stack(NAME, []) == []


def test_a_secret_policy_is_read_but_never_printed():
    data = bucket()
    secret = document(ALLOW_READ).replace("cloudtrail", "s3cr3t-service")
    (finding,) = check_stack(NAME, [data, policy_for(data, Secret(secret))])
    assert "s3cr3t" not in finding.message and "s3cr3t" not in finding.fix
    assert check_stack(NAME, [data, policy_for(data, Secret(document(deny())))]) == []


_PARTS = st.sampled_from(["Deny", "Allow", "*", "s3:*", "s3:GetObject", "false", "true", UNKNOWN, None, 1, [],
                          {"AWS": "*"}, "arn:aws:s3:::b/*", "arn:aws:s3:::b"])


@settings(max_examples=300, deadline=None)
@given(effect=_PARTS, principal=_PARTS, action=_PARTS, resource=_PARTS, value=_PARTS,
       operator=st.sampled_from(["Bool", "BoolIfExists", "bool", "Null", 3]))
def test_any_statement_shape_gives_at_most_one_finding_and_never_raises(effect, principal, action, resource,
                                                                        value, operator):
    statement = {"Effect": effect, "Principal": principal, "Action": action, "Resource": resource,
                 "Condition": {operator: {"aws:SecureTransport": value}}}
    data = bucket()
    findings = check_stack(NAME, [data, policy_for(data, {"Version": "2012-10-17", "Statement": [statement]})])
    assert len(findings) <= 1
    parts = ((effect, ("Deny",)), (principal, ("*", {"AWS": "*"})), (action, ("*", "s3:*")),
             (resource, ("arn:aws:s3:::b/*",)), (value, ("false",)))
    if operator in ("Bool", "BoolIfExists") and all(v is UNKNOWN or v in good for v, good in parts):
        assert findings == []  # complete, or what is unknown may complete it


@pytest.mark.parametrize(("given", "reported"), [
    ({"bucket": [], "tags": []}, True),  # the program gave other inputs: policy and website are computed
    ({"bucket": [], "policy": []}, False),  # it gave a policy, unknown until the update
    ({"bucket": [], "website": []}, False),
    ({}, False),  # no property dependencies at all: nothing tells
])
def test_computed_policy_and_website_unknown_in_a_preview(given, reported):
    data = Resource.of(BUCKET, {"bucket": "data-dev-7f3a", "policy": UNKNOWN, "website": UNKNOWN}, name="data",
                       property_dependencies=given)
    assert bool(check_stack(NAME, [data])) is reported


@pytest.mark.parametrize("doc", [
    pytest.param({"Version": "2012-10-17", "Statement": UNKNOWN}, id="statements"),
    pytest.param({"Version": "2012-10-17", "Statement": [UNKNOWN]}, id="one-statement"),
    pytest.param(document(deny(Effect=UNKNOWN)), id="effect"),
    pytest.param(document(deny(Condition={"Bool": {"aws:SecureTransport": UNKNOWN}})), id="secure-transport"),
    pytest.param(document(ALLOW_READ, deny(Condition={"Bool": {"aws:SecureTransport": [UNKNOWN]}})),
                 id="secure-transport-in-a-list"),
])
def test_quiet_when_a_part_of_the_document_is_unknown(doc):
    data = bucket()
    assert check_stack(NAME, [data, policy_for(data, doc)]) == []


def test_a_policy_linked_only_to_something_else_may_be_any_buckets():
    """bucket=pet.id, the bucket named from the same RandomPet: which bucket cannot be told."""
    data = bucket()
    pet = "urn:pulumi:dev::p::random:index/randomPet:RandomPet::pet"
    policy = Resource.of(POLICY, {"bucket": UNKNOWN, "policy": document(ALLOW_READ)}, name="p",
                         property_dependencies={"bucket": [pet]})
    assert check_stack(NAME, [data, policy]) == []


def test_two_policies_on_one_bucket_both_need_the_statement():
    data = bucket()
    first = policy_for(data, document(deny()), name="first")
    second = policy_for(data, document(ALLOW_READ), name="second")
    (finding,) = check_stack(NAME, [data, first, second])
    assert "its bucket policy does not deny requests without TLS" in finding.message
    assert check_stack(NAME, [data, first, policy_for(data, document(deny()), name="again")]) == []
    assert check_stack(NAME, [data, second, policy_for(data, UNKNOWN, name="unknown")]) == []


def test_a_policy_linked_twice_is_read_once():
    data = bucket()
    both = Resource.of(POLICY, {"bucket": "data-dev-7f3a", "policy": document(ALLOW_READ)}, name="p",
                       property_dependencies={"bucket": [data.urn]})
    (finding,) = check_stack(NAME, [data, both])
    assert finding.found == "no statement denying requests without TLS"


def test_a_website_linked_by_id_and_the_v2_website_configuration():
    data = bucket(id="data-id")
    v2 = "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2"
    assert check_stack(NAME, [data, Resource.of(WEBSITE, {"bucket": "data-id"}, name="site")]) == []
    assert check_stack(NAME, [data, Resource.of(v2, {"bucket": UNKNOWN}, name="site",
                                                property_dependencies={"bucket": [data.urn]})]) == []


def test_the_exempt_pattern_waits_for_an_unknown_physical_name():
    data = Resource.of(BUCKET, {"bucket": UNKNOWN}, name="data")
    assert check_stack(NAME, [data], config={"exemptBuckets": ["data-dev-*"]}) == []
    assert len(check_stack(NAME, [data])) == 1


def test_a_secret_documents_actions_and_conditions_are_not_quoted():
    data = bucket()
    statement = deny(Action=["s3:GetS3cr3tObject"],
                     Condition={"Bool": {"aws:SecureTransport": "false"}, "StringEquals": {"aws:S3cr3tKey": "x"}})
    (finding,) = check_stack(NAME, [data, policy_for(data, Secret(document(statement)))])
    assert "S3cr3t" not in finding.message and "S3cr3t" not in finding.fix
    assert "for some actions only" in finding.message and "also match other conditions" in finding.message


def test_a_logical_name_is_quoted_as_python_in_the_fix():
    odd = Resource.of(BUCKET, {"bucket": "odd-dev"}, name='we"ird')
    (finding,) = check_stack(NAME, [odd])
    assert finding.fix.startswith('aws.s3.BucketPolicy("we\\"ird-tls-only", ')


def test_several_partial_policies_each_say_what_they_leave_out():
    buckets = [bucket(n) for n in ("a", "b", "c", "d", "e")]
    gaps = [deny(Action="s3:GetObject"), deny(Principal={"AWS": "arn:aws:iam::123456789012:root"}),
            deny(Resource="arn:aws:s3:::x"), deny(Action="s3:PutObject")]
    policies = [policy_for(b, document(g), name=f"{b.name}-policy") for b, g in zip(buckets, gaps, strict=False)]
    (finding,) = check_stack(NAME, [*buckets, *policies])
    assert finding.message.startswith(
        "5 of the stack's 5 S3 buckets: 'e' has no bucket policy in this stack; the bucket policy of 'a' denies "
        "requests without TLS for s3:GetObject only (expected \"Action\": \"s3:*\"); the bucket policy of 'b' "
        "denies requests without TLS for some principals only")
    assert "1 more deny them in part only" in finding.message
    assert finding.found == "no bucket policy"
    assert "make the statement that tests aws:SecureTransport in the policy of 'a', 'b', 'c' and 1 more" in finding.fix


CLOUDFRONT = "aws:cloudfront/distribution:Distribution"


@pytest.mark.parametrize(("origin", "viewers", "told"), [
    ({"domainName": "data-dev-7f3a.s3.us-east-1.amazonaws.com", "originAccessControlId": "E2QWRUHAPOMQZL"},
     "allow-all", True),
    ({"domainName": "data.example.com", "s3OriginConfig": {"originAccessIdentity": "oai"}}, "allow-all", True),
    ({"domainName": "data-dev-7f3a.s3.us-east-1.amazonaws.com"}, "redirect-to-https", False),
    ({"domainName": "alb-123.us-east-1.elb.amazonaws.com", "customOriginConfig": {}}, "allow-all", False),
])
def test_a_distribution_that_lets_viewers_use_http_is_named_in_the_fix(origin, viewers, told):
    distribution = Resource.of(CLOUDFRONT, {"origins": [origin],
                                            "defaultCacheBehavior": {"viewerProtocolPolicy": viewers}}, name="cdn")
    (finding,) = check_stack(NAME, [bucket(), distribution])
    assert ('set viewer_protocol_policy="redirect-to-https" on aws:cloudfront/distribution:Distribution '
            "'cdn'" in finding.fix) is told


_ODD = [None, 0, 1.5, True, "", [], {}, ["x"], {"a": 1}, UNKNOWN, Secret("s3cr3t"), Secret({"Statement": []})]


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(_ODD), ident=st.sampled_from(_ODD), own=st.sampled_from(_ODD),
       website=st.sampled_from(_ODD), target=st.sampled_from(_ODD), doc=st.sampled_from(_ODD),
       linked=st.booleans())
def test_odd_property_values_never_raise_nor_print_a_secret(name, ident, own, website, target, doc, linked):
    data = Resource.of(BUCKET, {"bucket": name, "id": ident, "policy": own, "website": website}, name="data")
    attached = Resource.of(POLICY, {"bucket": target, "policy": doc}, name="p",
                           property_dependencies={"bucket": [data.urn]} if linked else {})
    for finding in check_stack(NAME, [data, attached]):
        assert "s3cr3t" not in finding.message and "s3cr3t" not in finding.fix
