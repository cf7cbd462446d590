"""Small Pulumi programs written the way users write IAM, checked as the engine would (preview and update)."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws
import pytest

from aws_conventions.testing import check_program

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

IAM = ("iam-least-privilege", "iam-unknown-action", "iam-admin-managed-policy", "iam-public-principal")
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def table_and_role() -> tuple[aws.dynamodb.Table, aws.iam.Role]:
    table = aws.dynamodb.Table("orders-dev", billing_mode="PAY_PER_REQUEST", hash_key="pk",
                               attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S")])
    role = aws.iam.Role("api-role-dev", assume_role_policy=TRUST)
    return table, role


def json_dumps_program() -> None:
    """A scoped statement over the table's ARN, and one that is not scoped."""
    table, role = table_and_role()
    aws.iam.RolePolicy("api-policy-dev", role=role.id, policy=pulumi.Output.json_dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Table", "Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
             "Resource": [table.arn]},
            {"Sid": "Everything", "Effect": "Allow", "Action": ["dynamodb:Query", "xray:PutTraceSegments"],
             "Resource": "*"},
        ]}))


def f_string_program() -> None:
    """A common mistake: a policy document formatted with an f-string over an Output."""
    table, role = table_and_role()
    aws.iam.RolePolicy("api-policy-dev", role=role.id, policy=f'{{"Version": "2012-10-17", "Statement": [{{'
                       f'"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "{table.arn}"}}]}}')


def admin_and_public_program() -> None:
    _, role = table_and_role()
    aws.iam.RolePolicyAttachment("api-admin-dev", role=role.name,
                                 policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")
    fn = aws.lambda_.Function("api-fn-dev", role=role.arn, runtime="python3.12", handler="index.handler",
                              code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c): pass")}))
    aws.lambda_.Permission("api-invoke-dev", action="lambda:InvokeFunction", function=fn.name, principal="*")


def iam_findings(program, preview: bool) -> list[tuple[str, str, str]]:
    findings = check_program(program, preview=preview, config={"environmentSuffix": "dev"})
    return [(f.policy, f.resource_name, f.message) for f in findings if f.policy in IAM]


def test_json_dumps_over_unknown_arns_is_silent_in_preview():
    assert iam_findings(json_dumps_program, preview=True) == []


def test_json_dumps_document_is_checked_before_creation():
    (found,) = iam_findings(json_dumps_program, preview=False)
    policy, name, message = found
    assert (policy, name) == ("iam-least-privilege", "api-policy-dev")
    assert "policy statement 2 (Sid 'Everything') allows dynamodb:Query on Resource '*'" in message
    assert "xray" not in message


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_f_string_over_an_output_is_reported_once(preview):
    findings = check_program(f_string_program, preview=preview, config={"environmentSuffix": "dev"})
    on_policy = [f for f in findings if f.resource_type == "aws:iam/rolePolicy:RolePolicy"]
    assert [f.policy for f in on_policy] == ["stringified-output"]
    assert "pulumi.Output" in on_policy[0].message


def test_f_string_over_an_output_is_iams_to_report_when_the_other_policy_is_off():
    findings = check_program(f_string_program, policy_config={"stringified-output": "disabled"},
                             config={"environmentSuffix": "dev"})
    (found,) = [f for f in findings if f.resource_type == "aws:iam/rolePolicy:RolePolicy"]
    assert found.policy == "iam-least-privilege"
    assert "policy cannot be read as an IAM policy document: it holds the text of a stringified Output" in found.message


def test_admin_attachment_and_public_permission():
    found = sorted(iam_findings(admin_and_public_program, preview=True))
    assert [(p, n) for p, n, _ in found] == [("iam-admin-managed-policy", "api-admin-dev"),
                                             ("iam-public-principal", "api-invoke-dev")]
    assert "attaches the AWS managed policy AdministratorAccess" in found[0][2]
    assert "principal is '*' with no source_arn" in found[1][2]


def rest_api_program(deny_other_endpoints: bool) -> None:
    """A private REST API whose resource policy is built from the VPC endpoint's id, as AWS documents it."""
    endpoint = aws.ec2.VpcEndpoint("api-endpoint-dev", vpc_id="vpc-0a1b2c3d", vpc_endpoint_type="Interface",
                                   service_name="com.amazonaws.us-east-1.execute-api")
    statements: list = [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                         "Resource": "execute-api:/*"}]
    if deny_other_endpoints:
        statements.insert(0, {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
                              "Resource": "execute-api:/*",
                              "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoint.id}}})
    api = aws.apigateway.RestApi("orders-api-dev", endpoint_configuration={"types": "PRIVATE",
                                                                          "vpc_endpoint_ids": [endpoint.id]})
    aws.apigateway.RestApiPolicy("orders-api-policy-dev", rest_api_id=api.id,
                                 policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}))


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_private_rest_api_open_to_every_endpoint(preview):
    [(policy, name, message)] = iam_findings(lambda: rest_api_program(deny_other_endpoints=False), preview=preview)
    assert (policy, name) == ("iam-public-principal", "orders-api-policy-dev")
    assert "policy statement 1 grants execute-api:Invoke to everyone (Principal '*')" in message
    assert '"Condition": {"StringNotEquals": {"aws:SourceVpce": vpc_endpoint.id}}' in message


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_private_rest_api_pattern_passes(preview):
    assert iam_findings(lambda: rest_api_program(deny_other_endpoints=True), preview=preview) == []
