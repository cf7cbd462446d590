"""iam-least-privilege: one compliant role policy per case, with one statement or setting changed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from policies._core.values import STRINGIFIED_OUTPUT_TEXT, UNKNOWN, Secret
from tests.conftest import assert_findings, check, merged

ROOT = Path(__file__).resolve().parents[3]
NAME = "iam-least-privilege"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-dev"
SCOPED = {"Sid": "DynamoAccess", "Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
          "Resource": TABLE}
TELEMETRY = {"Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords",
                                           "cloudwatch:PutMetricData"], "Resource": "*"}


def allow(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": [SCOPED, TELEMETRY, *statements]})


BASE = {"role": "lambda-role-dev", "policy": policy()}
ARN_MSG = "these accept table ARNs (arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName})"

# (id, property changes, config, one list of expected substrings per finding, or None for none)
CASES = [
    ("compliant", {}, {}, None),
    ("star-only-actions-on-star-are-fine", {"policy": policy(allow(["sts:GetCallerIdentity", "ec2:DescribeInstances",
                                                                    "ecr:GetAuthorizationToken"]))}, {}, None),
    ("resource-wildcard", {"policy": policy({**SCOPED, "Sid": "Wide", "Resource": "*"})}, {},
     [["aws:iam/rolePolicy:RolePolicy 'lambda-dynamo-dev': policy statement 3 (Sid 'Wide') allows "
       "dynamodb:PutItem, dynamodb:GetItem on Resource '*'", ARN_MSG,
       'Fix: "Resource": [table.arn] instead of "*"', "pulumi.Output.json_dumps("]]),
    ("resource-wildcard-one-action", {"policy": policy(allow("s3:GetObject"))}, {},
     [["statement 3 allows s3:GetObject on Resource '*'; it accepts object ARNs "
       "(arn:${Partition}:s3:::${BucketName}/${ObjectName})", 'pulumi.Output.concat(bucket.arn, "/*")']]),
    ("resource-wildcard-in-a-list", {"policy": policy(allow("sqs:SendMessage", [TABLE, "*"]))}, {},
     [["allows sqs:SendMessage on Resource '*'", "queue ARNs", "queue.arn"]]),
    ("resource-wildcard-several-types", {"policy": policy(allow(["sns:Publish", "sns:Subscribe",
                                                                "sqs:SendMessage"]))}, {},
     [["scope them by ARN: topic ARNs", "for sns:Publish, sns:Subscribe; queue ARNs",
       '"Resource": [topic.arn, queue.arn]']]),
    ("resource-wildcard-fix-says-to-drop-what-is-not-called", {"policy": policy(allow(
        ["ec2:AttachNetworkInterface", "ec2:DetachNetworkInterface"]))}, {},
     [["allows ec2:AttachNetworkInterface, ec2:DetachNetworkInterface on Resource '*'", "instance.arn",
       "drop any of these actions the code never calls"]]),
    ("inventory-reads-what-it-lists-on-star-accepted", {"policy": policy(allow(
        ["s3:ListAllMyBuckets", "s3:GetEncryptionConfiguration", "s3:GetBucketVersioning"]))}, {}, None),
    ("inventory-writes-still-reported", {"policy": policy(allow(
        ["s3:ListAllMyBuckets", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"]))}, {},
     [["allows s3:PutEncryptionConfiguration on Resource '*'; it accepts bucket ARNs"]]),
    ("inventory-of-another-service-does-not-cover-reads", {"policy": policy(allow(
        ["ec2:DescribeInstances", "s3:GetEncryptionConfiguration"]))}, {},
     [["allows s3:GetEncryptionConfiguration on Resource '*'"]]),
    ("read-patterns-beside-a-listing-pattern-still-reported", {"policy": policy(allow(["s3:List*", "s3:Get*"]))},
     {}, [["s3:Get*", "list the actions the code calls instead of s3:Get*"]]),
    ("lambda-in-vpc-network-interfaces-on-star-accepted", {"policy": policy(allow([
        "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]))}, {}, None),
    ("log-writing-on-star-accepted", {"policy": policy(allow([
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]))}, {},
     None),
    ("scoped-by-the-resource-type-every-call-needs", {"policy": policy(allow("rds:FailoverDBCluster"))}, {},
     [["it accepts cluster ARNs", '"Resource": [cluster.arn]']]),
    ("list-level-actions-on-star-accepted", {"policy": policy(allow(["rds:DescribeDBClusters",
                                                                     "rds:DescribeDBInstances"]))}, {}, None),
    ("list-level-actions-reported-when-asked", {"policy": policy(allow("rds:DescribeDBClusters"))},
     {"reportListActions": True}, [["allows rds:DescribeDBClusters on Resource '*'"]]),
    ("monitoring-reads-on-star-accepted", {"policy": policy(allow([
        "cloudwatch:DescribeAlarms", "logs:GetLogEvents", "logs:FilterLogEvents"]))}, {}, None),
    ("log-group-changes-on-star-still-reported", {"policy": policy(allow(["logs:DeleteLogGroup"]))}, {},
     [["allows logs:DeleteLogGroup on Resource '*'"]]),
    ("resource-wildcard-pattern-named-as-written", {"policy": policy(allow("s3:Get*"))}, {},
     [["allows s3:Get* (", "actions that accept ARNs) on Resource '*'", "bucket ARNs", "for s3:Get*",
       "Fix: list the actions the code calls instead of s3:Get*", "each on the ARNs it uses"]]),
    ("resource-wildcard-star-only-mixed-in", {"policy": policy(allow(["xray:PutTraceSegments", "sns:Publish"]))},
     {}, [["allows sns:Publish on Resource '*'"]]),
    ("resource-wildcard-listing-is-capped", {"policy": policy(allow(["sns:Publish", "sqs:SendMessage",
                                                                     "kms:Decrypt", "ssm:GetParameter"]))},
     {"maxListedActions": 2}, [["allows sns:Publish, sqs:SendMessage and 2 more on Resource '*'"]]),
    ("resource-tag-condition-narrows", {"policy": policy(allow("ec2:StartInstances", Condition={
        "StringEquals": {"aws:ResourceTag/team": "payments"}}))}, {}, None),
    ("request-tag-condition-narrows", {"policy": policy(allow(
        ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
        Condition={"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"}}))}, {}, None),
    ("request-tag-equals-narrows", {"policy": policy(allow("ec2:CreateVolume", Condition={
        "StringEquals": {"aws:RequestTag/team": "payments"}}))}, {}, None),
    ("request-tag-if-exists-does-not-narrow", {"policy": policy(allow("ec2:CreateVolume", Condition={
        "StringEqualsIfExists": {"aws:RequestTag/team": "payments"}}))}, {}, [["allows ec2:CreateVolume on"]]),
    ("request-tag-for-all-values-does-not-narrow", {"policy": policy(allow("ec2:CreateVolume", Condition={
        "ForAllValues:StringEquals": {"aws:RequestTag/team": ["payments"]}}))}, {}, [["allows ec2:CreateVolume on"]]),
    ("request-tag-absent-does-not-narrow", {"policy": policy(allow("ec2:CreateVolume", Condition={
        "Null": {"aws:RequestTag/team": "true"}}))}, {}, [["allows ec2:CreateVolume on"]]),
    ("tag-keys-do-not-narrow", {"policy": policy(allow("ec2:CreateVolume", Condition={
        "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}))}, {}, [["allows ec2:CreateVolume on"]]),
    ("service-condition-narrows", {"policy": policy(allow("dynamodb:GetItem", Condition={
        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]}}))}, {}, None),
    ("request-condition-does-not-narrow", {"policy": policy(allow("dynamodb:GetItem", Condition={
        "Bool": {"aws:SecureTransport": "true"}}))}, {}, [["allows dynamodb:GetItem on Resource '*'"]]),
    ("unknown-condition-counts-as-narrowing", {"policy": {"Version": "2012-10-17", "Statement": [
        allow("dynamodb:GetItem", Condition=UNKNOWN)]}}, {}, None),
    ("pattern-every-resource-of-a-type", {"policy": policy(allow(
        "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:secret:*"))}, {},
     [["allows secretsmanager:GetSecretValue on Resource 'arn:aws:secretsmanager:*:*:secret:*', which reaches "
       "every secret of the account; it accepts Secret ARNs", "Fix: \"Resource\": [secret.arn] instead of "
       "'arn:aws:secretsmanager:*:*:secret:*'"]]),
    ("pattern-every-object-of-every-bucket", {"policy": policy(allow("s3:GetObject", "arn:aws:s3:::*/*"))}, {},
     [["allows s3:GetObject on Resource 'arn:aws:s3:::*/*', which reaches every bucket of the account"]]),
    ("pattern-every-environments-name", {"policy": policy(allow(
        "dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/*-orders"))}, {},
     [["on Resource 'arn:aws:dynamodb:*:*:table/*-orders', which reaches every table named like '*-orders' in "
       "every environment and project of the account (it starts with '*' and does not hold the environment "
       "suffix 'dev')", "table.arn"]]),
    ("pattern-holding-the-suffix-accepted", {"policy": policy(allow(
        "sqs:SendMessage", "arn:aws:sqs:us-east-1:*:*-dev"))}, {}, None),
    ("pattern-by-prefix-accepted", {"policy": policy(allow(
        "dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/orders-*"))}, {}, None),
    ("pattern-any-region-one-name-accepted", {"policy": policy(allow(
        "dynamodb:GetItem", "arn:aws:dynamodb:*:*:table/orders-dev"))}, {}, None),
    ("pattern-of-another-service-grants-nothing-more", {"policy": policy(allow(
        "sqs:SendMessage", "arn:aws:dynamodb:*:*:table/*"))}, {}, None),
    ("pattern-log-writing-accepted", {"policy": policy(allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"], "arn:aws:logs:*:*:*"))}, {}, None),
    ("pattern-escalation", {"policy": policy(allow("iam:PassRole", "arn:aws:iam::*:role/*"))}, {},
     [["allows privilege-escalation actions iam:PassRole on Resource 'arn:aws:iam::*:role/*', which reaches "
       "every role of the account"]]),
    ("action-star", {"policy": policy(allow("*"))}, {},
     [["statement 3 allows every action of every service (Action '*') on Resource '*'",
       'Fix: list the actions the code calls, e.g. "Action": ["dynamodb:GetItem"']]),
    ("action-star-with-others-is-one-finding", {"policy": policy(allow(["s3:GetObject", "*", "iam:PassRole"]))}, {},
     [["allows every action of every service (Action '*')"]]),
    ("action-star-on-arns", {"policy": policy(allow("*", TABLE))}, {},
     [["allows every action of every service (Action '*') on the listed resources"]]),
    ("action-across-services", {"policy": policy(allow("*:Get*", TABLE))}, {},
     [["allows every action of every service (Action '*:Get*')"]]),
    ("service-wildcard", {"policy": policy(allow("s3:*", "arn:aws:s3:::orders-dev"))}, {},
     [["statement 3 allows every action of a service (s3:*) on the listed resources",
       "allowedServiceWildcards"]]),
    ("service-wildcard-on-star-is-one-finding", {"policy": policy(allow(["s3:*", "dynamodb:*"]))}, {},
     [["allows every action of a service (s3:*, dynamodb:*) on Resource '*'"]]),
    ("service-wildcard-allowed", {"policy": policy(allow("s3:*", "arn:aws:s3:::orders-dev"))},
     {"allowedServiceWildcards": ["s3"]}, None),
    ("service-wildcard-allowed-on-star", {"policy": policy(allow("s3:*"))}, {"allowedServiceWildcards": ["S3"]},
     None),
    ("service-wildcard-allowed-still-escalates", {"policy": policy(allow("iam:*"))},
     {"allowedServiceWildcards": ["iam"]}, [["allows privilege-escalation actions iam:AddUserToGroup"]]),
    ("not-action", {"policy": policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})}, {},
     [["statement 3 uses NotAction with Allow, which grants every action not listed",
       "add a separate Deny statement"]]),
    ("not-resource", {"policy": policy({"Effect": "Allow", "Action": "s3:GetObject",
                                        "NotResource": "arn:aws:s3:::secret/*"})}, {},
     [["statement 3 uses NotResource with Allow", "replace NotResource with a Resource list"]]),
    ("pass-role-on-star", {"policy": policy(allow("iam:PassRole", Sid="Pass"))}, {},
     [["statement 3 (Sid 'Pass') allows privilege-escalation actions iam:PassRole on Resource '*'",
       "iam:PassedToService"]]),
    ("escalation-and-scopable-one-statement-one-finding", {"policy": policy(allow([
        "iam:PassRole", "iam:AttachRolePolicy", "sqs:SendMessage"]))}, {},
     [["privilege-escalation actions iam:PassRole, iam:AttachRolePolicy on Resource '*'",
       "it also allows sqs:SendMessage there, which accept resource ARNs",
       '"Resource": [queue.arn] for the others']]),
    ("escalation-example-names-the-action-found", {"policy": policy(allow("iam:CreateAccessKey"))}, {},
     [["privilege-escalation actions iam:CreateAccessKey", 'e.g. iam:CreateAccessKey on "Resource": [user.arn]']]),
    ("escalation-through-a-pattern", {"policy": policy(allow("iam:CreatePolicyV*"))}, {},
     [["privilege-escalation actions iam:CreatePolicyVersion"]]),
    ("escalation-escalation-off-lists-under-resource", {"policy": policy(allow("iam:PassRole"))},
     {"findings": ["resource-wildcard"]}, [["allows iam:PassRole on Resource '*'; it accepts role ARNs"]]),
    ("pass-role-scoped", {"policy": policy(allow("iam:PassRole", "arn:aws:iam::123456789012:role/app-dev"))}, {},
     None),
    ("escalation-configurable", {"policy": policy(allow("iam:PassRole"))}, {"escalationActions": ["iam:Put*"]},
     [["allows iam:PassRole on Resource '*'; it accepts role ARNs"]]),
    ("deny-is-never-too-broad", {"policy": policy({"Effect": "Deny", "Action": "*", "Resource": "*"},
                                                  {"Effect": "Deny", "NotAction": "s3:*", "NotResource": "*"})},
     {}, None),
    ("typos-are-left-to-iam-unknown-action", {"policy": policy(allow(["dynamodb:PutItems", "nosuch:Thing"]))}, {},
     None),
    # document shapes
    ("object-document", {"policy": {"Version": "2012-10-17", "Statement": [allow("sns:Publish")]}}, {},
     [["policy statement 1 allows sns:Publish on Resource '*'"]]),
    ("statement-object", {"policy": json.dumps({"Version": "2012-10-17", "Statement": allow("sns:Publish")})}, {},
     [["policy statement 1 allows sns:Publish"]]),
    ("action-and-resource-as-lists", {"policy": policy(allow(["sns:Publish"], ["*"]))}, {},
     [["allows sns:Publish on Resource '*'"]]),
    ("action-case-insensitive", {"policy": policy(allow("SNS:publish"))}, {}, [["allows sns:Publish on"]]),
    ("unknown-document", {"policy": UNKNOWN}, {}, None),
    ("absent-document", {"policy": None}, {}, None),
    ("unknown-resource-is-not-star", {"policy": {"Version": "2012-10-17", "Statement": [
        allow("sns:Publish", UNKNOWN), allow("sns:Publish", [UNKNOWN, TABLE])]}}, {}, None),
    ("unknown-next-to-star", {"policy": {"Version": "2012-10-17", "Statement": [
        allow(["sns:Publish", UNKNOWN], [UNKNOWN, "*"])]}}, {}, [["allows sns:Publish on Resource '*'"]]),
    ("unknown-statement", {"policy": {"Version": "2012-10-17", "Statement": [UNKNOWN, allow("sns:Publish")]}},
     {}, [["statement 2 allows sns:Publish"]]),
    ("secret-document", {"policy": Secret(policy({**SCOPED, "Sid": "Hidden", "Resource": "*"}, allow("*")))}, {},
     [["policy statement 3 allows actions that accept resource ARNs on Resource '*' (not listed: the document "
       "is a secret)"], ["policy statement 4 allows every action of every service on Resource '*'"]]),
    ("invalid-json", {"policy": '{"Version": "2012-10-17", "Statement": [}'}, {},
     [["policy cannot be read as an IAM policy document: it is not valid JSON",
       "Fix: pass a policy document: pulumi.Output.json_dumps("]]),
    ("statement-is-a-number", {"policy": json.dumps({"Version": "2012-10-17", "Statement": 5})}, {},
     [["its Statement is a number, not an object or a list of objects"]]),
    ("document-is-a-list", {"policy": [allow("*")]}, {}, [["it is a list, not a policy document"]]),
    ("malformed-statements-and-findings", {"policy": policy({"Action": "s3:GetObject"}, "oops", allow("*"))}, {},
     [["policy has statements IAM would reject: statement 3: Effect is missing", "statement 4 is a string"],
      ["statement 5 allows every action of every service"]]),
    ("invalid-document-off", {"policy": "{"}, {"findings": ["action-wildcard"]}, None),
    # config
    ("findings-off", {"policy": policy(allow("*"), allow("sns:Publish"))}, {"findings": ["resource-wildcard"]},
     [["allows sns:Publish on Resource '*'"]]),
    ("ignore-actions", {"policy": policy(allow(["sns:Publish", "sqs:SendMessage"]))},
     {"ignoreActions": ["sns:*"]}, [["allows sqs:SendMessage on Resource '*'"]]),
    ("ignore-actions-matches-patterns-as-written", {"policy": policy(allow("*"), allow("s3:*"))},
     {"ignoreActions": ["*"]}, None),
    ("ignore-resources", {"policy": policy(allow("*"))}, {"ignoreResources": ["lambda-*"]}, None),
    ("wildcard-resource-actions", {"policy": policy(allow("sns:Publish"))},
     {"wildcardResourceActions": ["cloudwatch:*", "sns:Publish"]}, None),
    ("put-metric-data-allowed-by-default", {"policy": policy(allow("cloudwatch:PutMetricData"))}, {}, None),
    ("put-metric-data-flagged-when-not-allowed", {}, {"wildcardResourceActions": []},
     [["statement 2 allows cloudwatch:PutMetricData on Resource '*'; it accepts dataset ARNs"]]),
]


@pytest.mark.parametrize(("changes", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(changes, config, expected):
    findings = check(NAME, ROLE_POLICY, merged(BASE, **changes), config=config, name="lambda-dynamo-dev")
    for finding in assert_findings(findings, expected) or []:
        assert finding.property == "policy"


def test_secret_document_never_shows_its_content():
    hidden = policy({**SCOPED, "Sid": "TopSecretSid", "Resource": "*"}, allow("iam:AttachRolePolicy"), allow("s3:*"),
                    {"Action": "s3:GetObject", "Sid": "BadSid"})
    findings = check(NAME, ROLE_POLICY, merged(BASE, policy=Secret(hidden)))
    assert len(findings) == 4
    text = "\n".join(f.message for f in findings)
    for secret in ("TopSecretSid", "BadSid", "dynamodb", "AttachRolePolicy", "s3:*", "s3:GetObject", "table"):
        assert secret not in text


def test_a_secret_documents_resource_pattern_is_not_shown():
    hidden = policy(allow("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:*:*:secret:*-payroll"))
    findings = check(NAME, ROLE_POLICY, merged(BASE, policy=Secret(hidden)))
    assert len(findings) == 1
    assert "a Resource pattern as broad as '*' for them" in findings[0].message
    for secret in ("payroll", "secretsmanager", "secret:"):
        assert secret not in findings[0].message


def test_findings_per_document_are_capped():
    many = policy(*[allow("sns:Publish", Sid=f"S{i}") for i in range(25)])
    findings = check(NAME, ROLE_POLICY, merged(BASE, policy=many), config={"maxFindingsPerDocument": 3})
    assert len(findings) == 4
    assert "statement 3 (Sid 'S0')" in findings[0].message
    assert findings[3].message.endswith("policy has 22 more findings like the ones above (not listed).\n"
                                        "Fix: narrow the document statement by statement as the listed findings show")


@pytest.mark.parametrize("type_", ["aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy",
                                   "aws:iam/groupPolicy:GroupPolicy"])
def test_every_identity_policy_type(type_):
    findings = check(NAME, type_, {"policy": policy(allow("*"))})
    assert len(findings) == 1
    assert f"{type_} 'example-dev': policy statement 3 allows every action" in findings[0].message


def test_role_inline_policies():
    role = {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        "inlinePolicies": [{"name": "ok", "policy": policy()}, {"name": "later", "policy": UNKNOWN},
                           {"name": "wide", "policy": policy(allow("sns:Publish"))}]}
    findings = check(NAME, "aws:iam/role:Role", role)
    assert len(findings) == 1
    assert "inlinePolicies[2].policy statement 3 allows sns:Publish on Resource '*'" in findings[0].message
    assert findings[0].property == "inlinePolicies[2].policy"


@pytest.mark.parametrize(("type_", "props"), [
    ("aws:s3/bucketPolicy:BucketPolicy", {"bucket": "b", "policy": policy(allow("*"))}),
    ("aws:kms/key:Key", {"policy": policy(allow("kms:*"))}),
    ("aws:iam/role:Role", {"assumeRolePolicy": policy(allow("*"))}),
], ids=["bucket-policy", "kms-key-policy", "trust-policy"])
def test_resource_and_trust_policies_are_not_identity_policies(type_, props):
    assert check(NAME, type_, props) == []


def test_broad_actions_are_reported_without_reading_every_service():
    code = textwrap.dedent("""
        import json
        from policies.iam import catalogue
        from tests.conftest import check

        assert not catalogue.is_loaded(), "importing the registry read IAM data"
        doc = {"Statement": [{"Effect": "Allow", "Action": a, "Resource": "*"}
                             for a in ("*", "*:Get*", "s3:*", "dynamodb:*", "s3:GetObject")]}
        findings = check("iam-least-privilege", "aws:iam/rolePolicy:RolePolicy", {"policy": json.dumps(doc)})
        assert len(findings) == 5, [f.message for f in findings]
        assert catalogue.loaded_services() == ("s3",), catalogue.loaded_services()
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_a_stringified_output_in_a_document_is_reported_once():
    """The stringified-output policy owns that mistake; with it off, this policy reports it."""
    bag = merged(BASE, policy=json.dumps({"Statement": [allow("sns:Publish", STRINGIFIED_OUTPUT_TEXT)]}))
    assert check(NAME, ROLE_POLICY, bag) == []
    (found,) = check(NAME, ROLE_POLICY, bag, disabled=("stringified-output",))
    assert "policy holds the text of a stringified Output (an f-string or str() over an Output)" in found.message


def test_a_wildcard_beside_a_stringified_output_is_a_mistake_of_its_own():
    bag = merged(BASE, policy=json.dumps({"Statement": [
        allow("s3:GetObject", f"{STRINGIFIED_OUTPUT_TEXT}/*"), allow("codebuild:StartBuild", "*")]}))
    (found,) = check(NAME, ROLE_POLICY, bag)
    assert "statement 2 allows codebuild:StartBuild on Resource '*'" in found.message
    assert "statement 1" not in found.message  # its resource is the stringified text: stringified-output's
