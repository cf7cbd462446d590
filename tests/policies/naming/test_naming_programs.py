"""Small programs written the way teams name things, checked as a preview would check them."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_random as random
import pytest

from aws_conventions.testing import check_program

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

NAME = "environment-suffix-naming"
TRUST = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": '
         '{"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}')


def quiet_program() -> None:
    """Everything a naming check used to flag and should not: autonamed resources, resources AWS gives
    no name, names unique only within the stack's own parent, names AWS does not require unique."""
    vpc = aws.ec2.Vpc("network", cidr_block="10.0.0.0/16")
    subnet = aws.ec2.Subnet("private-a", vpc_id=vpc.id, cidr_block="10.0.1.0/24")
    aws.ec2.SecurityGroup("app-sg", name="app", vpc_id=vpc.id)
    aws.ec2.RouteTable("private-routes", vpc_id=vpc.id)
    aws.rds.SubnetGroup("db-subnets", subnet_ids=[subnet.id])
    role = aws.iam.Role("worker-role", assume_role_policy=TRUST)
    aws.iam.RolePolicy("worker-inline", name="read-queue", role=role.id,
                       policy='{"Version": "2012-10-17", "Statement": []}')
    aws.iam.RolePolicyAttachment("worker-basic", role=role.name,
                                 policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    api = aws.apigateway.RestApi("orders-api", name="orders-api")
    aws.apigateway.Model("order-model", name="Order", rest_api=api.id, content_type="application/json",
                         schema="{}")
    aws.apigateway.RequestValidator("validator", name="validate-body", rest_api=api.id,
                                    validate_request_body=True)
    aws.s3.Bucket("uploads")


def fixed_word_program() -> None:
    """Every name built from a fixed 'prod': one cause, one fix in the entry point."""
    for part in ("orders", "payments", "refunds", "invoices", "audit"):
        aws.sqs.Queue(f"{part}-queue", name=f"shop-{part}-prod")


def two_forgotten_names_program() -> None:
    aws.dynamodb.Table("orders-dev", name="orders", billing_mode="PAY_PER_REQUEST", hash_key="pk",
                       attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S")])
    aws.sns.Topic("alerts-dev", name="alerts")


def naming(findings) -> list:
    return [f for f in findings if f.policy == NAME]


def test_what_cannot_collide_is_not_reported():
    assert naming(check_program(quiet_program, stack="dev")) == []


def test_logical_names_are_checked_only_when_asked():
    findings = naming(check_program(quiet_program, stack="dev",
                                    policy_config={NAME: {"checkLogicalNames": True}}))
    assert sorted(f.resource_name for f in findings) == ["db-subnets", "uploads", "worker-role"]


def test_a_fixed_word_in_every_name_is_one_finding_with_the_fix_in_the_entry_point():
    (finding,) = naming(check_program(fixed_word_program, stack="dev"))
    assert finding.level == "mandatory" and finding.resource_type == "pulumi:pulumi:Stack"
    assert "5 names carry 'prod' instead of the environment suffix 'dev' (from the stack name)" in finding.message
    assert 'os.environ.get("ENVIRONMENT_SUFFIX")' in finding.message
    assert 'name=f"shop-' in finding.message and '-{environment_suffix}"' in finding.message


def test_the_same_program_under_the_suffix_it_was_written_for_is_quiet():
    assert naming(check_program(fixed_word_program, stack="prod")) == []


def test_separate_mistakes_are_reported_on_their_resources():
    findings = naming(check_program(two_forgotten_names_program, stack="dev"))
    assert sorted(f.resource_name for f in findings) == ["alerts-dev", "orders-dev"]
    assert all("AWS requires this name to be unique" in f.message for f in findings)


def test_in_an_update_every_finding_stays_on_its_resource():
    findings = naming(check_program(fixed_word_program, stack="dev", preview=False))
    assert len(findings) == 5 and all(f.resource_type == "aws:sqs/queue:Queue" for f in findings)


def random_part_program() -> None:
    """Names made unique per stack by a random part, as teams do for S3 buckets."""
    suffix = random.RandomId("bucket-suffix", byte_length=4)
    aws.s3.Bucket("data", bucket=suffix.hex.apply(lambda h: f"tap-data-{h}"))
    token = random.RandomString("queue-token", length=8, special=False, upper=False)
    aws.sqs.Queue("jobs", name=pulumi.Output.concat("jobs-", token.result))


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_a_name_with_a_random_part_is_not_reported(preview):
    assert naming(check_program(random_part_program, stack="dev", preview=preview)) == []
