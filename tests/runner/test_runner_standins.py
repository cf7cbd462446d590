"""The runner's stand-ins for what AWS computes, shaped as the provider shapes them.

Each case is a small program that the real engine runs (a dict for a JSON string property, a data
source whose result feeds a resource, a nested computed output indexed in an update) and that must
run under the runner in both modes, with values of the provider's shapes.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_random as random
import pytest
from pulumi import ResourceOptions

from aws_conventions import capture as capture_mod
from aws_conventions import standins
from policies._core.values import SECRET_SIG, SIG_KEY, UNKNOWN_STRING
from tests.runner.test_runner_capture import by_name, run

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_a_dict_for_a_json_string_property_is_serialised_as_the_provider_does(preview):
    seen: dict[str, Any] = {}

    def program() -> None:
        role = aws.iam.Role("api-role-dev", assume_role_policy=TRUST)
        queue = aws.sqs.Queue("jobs-dev")
        aws.sqs.QueuePolicy("jobs-policy-dev", queue_url=queue.url, policy={
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage",
                                                    "Principal": {"Service": "sns.amazonaws.com"},
                                                    "Resource": queue.arn}]})
        role.assume_role_policy.apply(lambda text: seen.setdefault("trust", text))

    resources = by_name(run(program, preview=preview))
    role, queue_policy = resources["api-role-dev"], resources["jobs-policy-dev"]
    assert role["inputs"]["assumeRolePolicy"] == TRUST, "the engine receives the input as the program gave it"
    assert json.loads(role["outputs"]["assumeRolePolicy"]) == TRUST
    assert json.loads(seen["trust"]) == TRUST, "the program reads back a JSON string"
    policy = queue_policy["outputs"]["policy"]
    if preview:
        assert policy == UNKNOWN_STRING, "a document holding an unknown ARN is unknown as a whole"
    else:
        assert json.loads(policy)["Statement"][0]["Resource"] == resources["jobs-dev"]["outputs"]["arn"]


def test_a_secret_inside_a_serialised_document_makes_the_text_secret():
    def program() -> None:
        aws.iam.Role("api-role-dev", assume_role_policy={**TRUST, "Id": pulumi.Output.secret("trust-id")})

    output = by_name(run(program))["api-role-dev"]["outputs"]["assumeRolePolicy"]
    assert output[SIG_KEY] == SECRET_SIG
    assert json.loads(output["value"])["Id"] == "trust-id"


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_data_sources_return_values_of_their_declared_shapes(preview):
    seen: dict[str, Any] = {}

    def program() -> None:
        vpc = aws.ec2.get_vpc(default=True)
        subnets = aws.ec2.get_subnets(filters=[aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[vpc.id])])
        seen["subnets"] = subnets.ids
        seen["vpc"] = vpc.id
        aws.rds.SubnetGroup("db-subnets-dev", subnet_ids=subnets.ids)
        seen["role"] = aws.iam.get_role(name="deployer").arn
        seen["alias"] = aws.kms.get_alias(name="alias/aws/s3").target_key_arn

    resources = by_name(run(program, preview=preview))
    assert seen["vpc"].startswith("vpc-")
    assert len(seen["subnets"]) >= 2 and all(s.startswith("subnet-") for s in seen["subnets"])
    assert len(set(seen["subnets"])) == len(seen["subnets"]), "distinct subnets"
    assert resources["db-subnets-dev"]["inputs"]["subnetIds"] == seen["subnets"]
    assert seen["role"] == "arn:aws:iam::123456789012:role/deployer"
    assert seen["alias"].startswith("arn:aws:kms:us-east-1:123456789012:key/")


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_a_looked_up_secret_parses_as_database_credentials(preview):
    def program() -> None:
        version = aws.secretsmanager.get_secret_version(secret_id="db-credentials-dev")
        credentials = json.loads(version.secret_string)
        aws.rds.Instance("db-dev", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20,
                         username=credentials["username"], password=pulumi.Output.secret(credentials["password"]))

    inputs = by_name(run(program, preview=preview))["db-dev"]["inputs"]
    assert inputs["username"] == "dbadmin"
    assert inputs["password"][SIG_KEY] == SECRET_SIG


def test_random_values_in_an_update_have_the_providers_shape():
    def program() -> None:
        suffix = random.RandomId("suffix", byte_length=4)
        token = random.RandomString("token", length=12, special=False, upper=False)
        aws.s3.Bucket("data-dev", bucket=suffix.hex.apply(lambda h: f"data-{h}"))
        aws.sqs.Queue("jobs-dev", name=token.result.apply(lambda t: f"jobs-{t}"))

    resources = by_name(run(program, preview=False))
    assert re.fullmatch(r"data-[0-9a-f]{8}", resources["data-dev"]["inputs"]["bucket"])
    assert re.fullmatch(r"jobs-[a-z0-9]{12}", resources["jobs-dev"]["inputs"]["name"])
    again = by_name(run(program, preview=False))
    assert again["data-dev"]["inputs"]["bucket"] == resources["data-dev"]["inputs"]["bucket"], "the same every run"


def test_a_policy_document_over_an_unknown_arn_keeps_it_unknown():
    seen: dict[str, Any] = {}

    def program() -> None:
        queue = aws.sqs.Queue("jobs-dev")
        account = aws.get_caller_identity().account_id
        document = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
            actions=["sqs:SendMessage"], resources=[queue.arn, f"arn:aws:sqs:us-east-1:{account}:other"])])
        seen["json"] = document.json
        aws.iam.Policy("send-dev", policy=document.json)

    by_name(run(program))
    statement = json.loads(seen["json"])["Statement"][0]
    assert statement["Resource"] == sorted([UNKNOWN_STRING, "arn:aws:sqs:us-east-1:123456789012:other"])
    assert None not in statement.values()


def test_update_arns_follow_each_services_format():
    def program() -> None:
        role = aws.iam.Role("fn-role-dev", assume_role_policy=json.dumps(TRUST))
        aws.lambda_.Function("api-dev", role=role.arn, runtime="python3.12", handler="index.handler",
                             code=pulumi.AssetArchive({}))
        aws.sqs.Queue("jobs-dev")
        aws.sns.Topic("alerts-dev")
        aws.kinesis.Stream("events-dev", shard_count=1)
        aws.cloudwatch.LogGroup("logs-dev", name="/aws/lambda/api-dev")
        aws.sfn.StateMachine("flow-dev", role_arn=role.arn, definition="{}")
        aws.kms.Key("data-key-dev", enable_key_rotation=True)

    outputs = {name: r["outputs"] for name, r in by_name(run(program, preview=False)).items()}
    key = outputs["data-key-dev"]
    assert key["id"] == key["keyId"] and key["arn"] == f"arn:aws:kms:us-east-1:123456789012:key/{key['keyId']}", \
        "a key AWS names itself has one id, in its ARN too"
    assert outputs["api-dev"]["arn"].startswith("arn:aws:lambda:us-east-1:123456789012:function:api-dev")
    assert outputs["api-dev"]["invokeArn"].endswith(f"functions/{outputs['api-dev']['arn']}/invocations")
    assert outputs["jobs-dev"]["arn"].startswith("arn:aws:sqs:us-east-1:123456789012:jobs-dev")
    assert outputs["alerts-dev"]["arn"].startswith("arn:aws:sns:us-east-1:123456789012:alerts-dev")
    assert outputs["fn-role-dev"]["arn"].startswith("arn:aws:iam::123456789012:role/fn-role-dev")
    assert outputs["logs-dev"]["arn"] == "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/api-dev"
    assert outputs["flow-dev"]["arn"].startswith("arn:aws:states:us-east-1:123456789012:stateMachine:flow-dev")
    assert outputs["events-dev"]["arn"].startswith("arn:aws:kinesis:us-east-1:123456789012:stream/events-dev"), \
        "an optional input that the provider always sets is synthesised"


def test_an_update_run_indexes_nested_computed_outputs():
    seen: dict[str, Any] = {}

    def program() -> None:
        cluster = aws.rds.Cluster("db-dev", engine="aurora-postgresql", master_username="app",
                                  manage_master_user_password=True, skip_final_snapshot=True)
        cluster.master_user_secrets[0].secret_arn.apply(lambda arn: seen.setdefault("secret", arn))
        certificate = aws.acm.Certificate("site-dev", domain_name="example.com", validation_method="DNS")
        option = certificate.domain_validation_options[0]
        aws.route53.Record("validation-dev", zone_id="Z123", name=option.resource_record_name,
                           type=option.resource_record_type, records=[option.resource_record_value], ttl=60)

    resources = by_name(run(program, preview=False))
    assert seen["secret"].startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:")
    record = resources["validation-dev"]["inputs"]
    assert isinstance(record["name"], str) and isinstance(record["records"][0], str)


def test_a_preview_leaves_nested_computed_outputs_unknown():
    def program() -> None:
        cluster = aws.rds.Cluster("db-dev", engine="aurora-postgresql", master_username="app",
                                  manage_master_user_password=True, skip_final_snapshot=True)
        pulumi.export("secret", cluster.master_user_secrets[0].secret_arn)

    result = run(program)
    root = next(r for r in result["resources"] if r["type"] == "pulumi:pulumi:Stack")
    assert result["outputs"][root["urn"]]["secret"] == UNKNOWN_STRING
    assert by_name(result)["db-dev"]["outputs"]["masterUserSecrets"] == UNKNOWN_STRING


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_a_resource_given_for_a_string_becomes_its_id(preview):
    def program() -> None:
        role = aws.iam.Role("fn-role-dev", assume_role_policy=json.dumps(TRUST))
        aws.iam.RolePolicyAttachment("fn-logs-dev", role=role,
                                     policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")

    resources = by_name(run(program, preview=preview))
    role = resources["fn-role-dev"]["outputs"]
    assert resources["fn-logs-dev"]["outputs"]["role"] == (UNKNOWN_STRING if preview else role["id"])
    assert preview or role["id"] == role["name"], "a role's id is its name"


def test_invokes_through_an_explicit_provider_run_in_a_preview():
    seen: dict[str, Any] = {}

    def program() -> None:
        west = aws.Provider("west", region="us-west-2")
        seen["ami"] = aws.ec2.get_ami(most_recent=True, owners=["amazon"],
                                      opts=pulumi.InvokeOptions(provider=west)).id
        aws.ec2.Instance("web-dev", ami=seen["ami"], instance_type="t3.micro", opts=ResourceOptions(provider=west))

    run(program)
    assert seen["ami"].startswith("ami-")


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
def test_third_party_provider_resources_are_computed_too(preview):
    def program() -> None:
        password = random.RandomPassword("db-password-dev", length=24, special=False)
        aws.secretsmanager.SecretVersion("db-secret-dev", secret_id="db-dev", secret_string=password.result)

    version = by_name(run(program, preview=preview))["db-secret-dev"]["inputs"]["secretString"]
    value = version["value"] if isinstance(version, dict) else version
    assert (value == UNKNOWN_STRING) == preview


def test_a_missing_required_config_key_is_named_with_how_to_pass_it():
    def program() -> None:
        pulumi.Config().require("environmentSuffix")

    with pytest.raises(capture_mod.ProgramFailed) as failed:
        run(program)
    assert "'tap:environmentSuffix'" in failed.value.summary
    assert "--config environmentSuffix=VALUE" in failed.value.summary
    assert "Pulumi.dev.yaml" in failed.value.summary


@pytest.mark.parametrize(("token", "prop", "expected"), [
    ("aws:lambda/function:Function", "arn", "arn:aws:lambda:eu-west-1:123456789012:function:f"),
    ("aws:sqs/queue:Queue", "arn", "arn:aws:sqs:eu-west-1:123456789012:f"),
    ("aws:sns/topic:Topic", "arn", "arn:aws:sns:eu-west-1:123456789012:f"),
    ("aws:s3/bucketV2:BucketV2", "arn", "arn:aws:s3:::f"),
    ("aws:dynamodb/table:Table", "streamArn", "arn:aws:dynamodb:eu-west-1:123456789012:table/f/stream/"
                                              "2024-01-01T00:00:00.000"),
    ("aws:rds/cluster:Cluster", "arn", "arn:aws:rds:eu-west-1:123456789012:cluster:f"),
    ("aws:iam/role:Role", "arn", "arn:aws:iam::123456789012:role/f"),
    ("aws:secretsmanager/secret:Secret", "arn", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:f-AbCdEf"),
    ("aws:cloudwatch/logGroup:LogGroup", "arn", "arn:aws:logs:eu-west-1:123456789012:log-group:f"),
    ("aws:backup/vault:Vault", "arn", "arn:aws:backup:eu-west-1:123456789012:vault:f"),
], ids=lambda v: v if isinstance(v, str) and v.startswith("aws:") else None)
def test_arn_formats(token, prop, expected):
    assert standins.arn(token, "f", "eu-west-1", prop) == expected
