"""What the runner records of a program: the resources as the engine receives them.

The programs run in-process through ``capture.capture`` (the same code the runner's subprocess runs),
so that each case is fast and can look at the records directly.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from pulumi import ComponentResource, Output, ResourceOptions
from pulumi.runtime import settings

from aws_conventions import capture as capture_mod
from aws_conventions.captured import autonames
from aws_conventions.program_failure import syntax_summary
from policies._core.values import SECRET_SIG, SIG_KEY, UNKNOWN_STRING

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HERE = Path(__file__).resolve()


def run(program: Any, *, preview: bool = True, config: dict[str, str] | None = None) -> dict[str, Any]:
    return capture_mod.capture(program, root=str(HERE.parent), project="tap", stack="dev", preview=preview,
                               config={"aws:region": "us-east-1", **(config or {})}, secret_keys=[],
                               autonames=autonames())


def by_name(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in result["resources"]}


def api_program() -> None:
    """A component with a table and a function that reads the table's ARN and a secret."""
    component = ComponentResource("tap:stack:TapStack", "tap-dev")
    table = aws.dynamodb.Table(
        "transactions-dev", billing_mode="PAY_PER_REQUEST", hash_key="id",
        attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
        point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
        opts=ResourceOptions(parent=component))
    west = aws.Provider("west", region="us-west-2")
    function = aws.lambda_.Function(
        "api-dev", role="arn:aws:iam::123456789012:role/api", runtime="python3.12", handler="index.handler",
        code=pulumi.AssetArchive({}),
        tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
        environment=aws.lambda_.FunctionEnvironmentArgs(variables={
            "TABLE_ARN": table.arn, "API_TOKEN": Output.secret("token-value")}),
        opts=ResourceOptions(parent=component, provider=west, depends_on=[table]))
    component.register_outputs({"table_arn": table.arn})
    pulumi.export("function_name", function.name)
    pulumi.export("table_arn", table.arn)
    pulumi.export("token", Output.secret("token-value"))


@pytest.fixture(scope="module")
def preview() -> dict[str, Any]:
    return run(api_program)


@pytest.fixture(scope="module")
def update() -> dict[str, Any]:
    return run(api_program, preview=False)


def test_inputs_are_camel_case_as_the_sdk_serializes_them(preview):
    table, function = by_name(preview)["transactions-dev"], by_name(preview)["api-dev"]
    assert table["inputs"]["billingMode"] == "PAY_PER_REQUEST"
    assert table["inputs"]["pointInTimeRecovery"] == {"enabled": True}
    assert function["inputs"]["tracingConfig"] == {"mode": "Active"}
    assert "tracing_config" not in function["inputs"]


def test_secrets_stay_wire_secrets(preview):
    variables = by_name(preview)["api-dev"]["inputs"]["environment"]["variables"]
    assert variables["API_TOKEN"] == {SIG_KEY: SECRET_SIG, "value": "token-value"}


def test_a_preview_leaves_provider_computed_outputs_unknown(preview):
    table, function = by_name(preview)["transactions-dev"], by_name(preview)["api-dev"]
    assert function["inputs"]["environment"]["variables"]["TABLE_ARN"] == UNKNOWN_STRING
    assert table["outputs"]["arn"] == UNKNOWN_STRING
    assert table["outputs"]["billingMode"] == "PAY_PER_REQUEST"


def test_an_update_makes_computed_outputs_known(update):
    table, function = by_name(update)["transactions-dev"], by_name(update)["api-dev"]
    arn = table["outputs"]["arn"]
    assert arn.startswith("arn:aws:dynamodb:us-east-1:123456789012:")
    assert function["inputs"]["environment"]["variables"]["TABLE_ARN"] == arn
    assert function["outputs"]["arn"].startswith("arn:aws:lambda:us-west-2:"), "the explicit provider's region"


def test_physical_names_are_autonamed_and_known_in_a_preview(preview):
    table = by_name(preview)["transactions-dev"]
    assert table["inputs"]["name"].startswith("transactions-dev-")
    assert table["outputs"]["region"] == "us-east-1"


def test_parent_dependencies_and_property_dependencies(preview):
    resources = by_name(preview)
    component, table, function = resources["tap-dev"], resources["transactions-dev"], resources["api-dev"]
    assert not component["custom"] and table["custom"]
    assert table["parent"] == component["urn"]
    assert table["urn"] == "urn:pulumi:dev::tap::tap:stack:TapStack$aws:dynamodb/table:Table::transactions-dev"
    assert table["urn"] in function["dependencies"]
    assert function["propertyDependencies"]["environment"] == [table["urn"]]


def test_an_explicit_provider_is_referenced(preview):
    resources = by_name(preview)
    provider, function = resources["west"], resources["api-dev"]
    assert provider["type"] == "pulumi:providers:aws"
    assert provider["inputs"]["region"] == "us-west-2"
    assert function["provider"].rsplit("::", 1)[0] == provider["urn"]
    assert resources["transactions-dev"]["provider"] == ""


def test_the_root_stack_and_its_exports(preview):
    root = next(r for r in preview["resources"] if r["type"] == "pulumi:pulumi:Stack")
    assert root["urn"] == "urn:pulumi:dev::tap::pulumi:pulumi:Stack::tap-dev"
    exports = preview["outputs"][root["urn"]]
    assert exports["table_arn"] == UNKNOWN_STRING
    assert exports["function_name"].startswith("api-dev-")
    assert exports["token"] == {SIG_KEY: SECRET_SIG, "value": "token-value"}


def test_component_outputs_are_recorded(preview):
    component = by_name(preview)["tap-dev"]
    assert preview["outputs"][component["urn"]] == {"table_arn": UNKNOWN_STRING}


def test_the_declaring_line_is_recorded(preview):
    table = by_name(preview)["transactions-dev"]
    assert table["source"]["file"] == str(HERE)
    source = HERE.read_text().splitlines()
    assert "aws.dynamodb.Table(" in source[table["source"]["line"] - 1]


def test_data_sources_answer_plausibly():
    seen: dict[str, Any] = {}

    def program() -> None:
        seen["account"] = aws.get_caller_identity().account_id
        seen["zones"] = aws.get_availability_zones().names
        seen["document"] = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
            actions=["s3:GetObject"], resources=["arn:aws:s3:::reports/*", "arn:aws:s3:::reports"],
            principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(
                type="Service", identifiers=["lambda.amazonaws.com"])])]).json

    run(program)
    assert seen["account"] == "123456789012"
    assert seen["zones"] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert json.loads(seen["document"]) == {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
        "Principal": {"Service": "lambda.amazonaws.com"}}]}


def test_data_sources_answer_for_the_region_of_their_provider_or_argument():
    import pulumi

    seen: dict[str, Any] = {}

    def program() -> None:
        west = aws.Provider("west", region="us-west-2")
        seen["west"] = aws.get_availability_zones(opts=pulumi.InvokeOptions(provider=west)).names
        seen["region"] = aws.get_region(opts=pulumi.InvokeOptions(provider=west)).region
        seen["argument"] = aws.get_availability_zones(region="eu-west-1").names
        seen["default"] = aws.get_availability_zones().names

    run(program)
    assert seen["west"] == ["us-west-2a", "us-west-2b", "us-west-2c"]
    assert seen["region"] == "us-west-2"
    assert seen["argument"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert seen["default"] == ["us-east-1a", "us-east-1b", "us-east-1c"]


def test_aws_sdk_calls_are_answered_in_the_shape_of_the_api_without_a_request(monkeypatch):
    boto3 = pytest.importorskip("boto3")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "")  # no credentials: a request would fail to sign
    seen: dict[str, Any] = {}

    def program() -> None:
        sts = boto3.client("sts")  # no region configured: the stack's is used
        seen["account"] = sts.get_caller_identity()["Account"]
        zones = boto3.client("ec2").describe_availability_zones()["AvailabilityZones"]
        seen["zones"] = [z["ZoneName"] for z in zones]
        pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket="reports-dev")
        seen["pages"] = len(list(pages))
        seen["function"] = boto3.client("lambda").get_function(FunctionName="api-dev")["Configuration"]["FunctionArn"]
        aws.s3.Bucket("reports-dev", bucket=f"reports-dev-{seen['account']}")

    result = run(program, config={"aws:region": "eu-west-1"})
    assert seen == {"account": "123456789012", "zones": ["eu-west-1a", "eu-west-1b"], "pages": 1,
                    "function": "arn:aws:lambda:eu-west-1:123456789012:function:api-dev"}
    assert by_name(result)["reports-dev"]["inputs"]["bucket"] == "reports-dev-123456789012"
    assert "AWS_DEFAULT_REGION" not in os.environ, "the region is the program's only while it runs"
    with pytest.raises(Exception, match="credentials"):
        boto3.client("sts", region_name="us-east-1").get_caller_identity()  # outside a run: the real SDK


def test_an_aws_sdk_call_with_invalid_parameters_fails_as_botocore_fails_it():
    boto3 = pytest.importorskip("boto3")

    def program() -> None:
        boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket=42)

    with pytest.raises(capture_mod.ProgramFailed) as failed:
        run(program)
    assert failed.value.summary.startswith("ParamValidationError: Parameter validation failed")


def test_a_failing_program_reports_its_own_frames():
    def program() -> None:
        aws.sqs.Queue("jobs-dev")
        raise ValueError("the queue needs a dead-letter queue")

    with pytest.raises(capture_mod.ProgramFailed) as failed:
        run(program)
    assert failed.value.summary == "ValueError: the queue needs a dead-letter queue"
    assert failed.value.details.startswith("Traceback (most recent call last):")
    assert 'raise ValueError("the queue needs a dead-letter queue")' in failed.value.details
    assert "asyncio" not in failed.value.details


def test_a_run_leaves_the_callers_pulumi_state_alone():
    before = (settings.SETTINGS.monitor, settings.SETTINGS.project, settings.SETTINGS.dry_run)
    run(lambda: aws.sqs.Queue("jobs-dev"))
    run(lambda: aws.sqs.Queue("jobs-dev"))
    assert (settings.SETTINGS.monitor, settings.SETTINGS.project, settings.SETTINGS.dry_run) == before
    assert settings.get_root_resource() is None


def test_urns_are_qualified_as_the_engine_qualifies_them():
    def program() -> None:
        outer = ComponentResource("tap:stack:TapStack", "tap-dev")
        inner = ComponentResource("tap:data:DataStack", "data-dev", opts=ResourceOptions(parent=outer))
        aws.sqs.Queue("jobs-dev", opts=ResourceOptions(parent=inner))
        aws.sqs.Queue("top-dev")

    urns = {r["name"]: r["urn"] for r in run(program)["resources"]}
    assert urns["tap-dev"] == "urn:pulumi:dev::tap::tap:stack:TapStack::tap-dev"
    assert urns["jobs-dev"] == ("urn:pulumi:dev::tap::tap:stack:TapStack$tap:data:DataStack$aws:sqs/queue:Queue"
                                "::jobs-dev")
    assert urns["top-dev"] == "urn:pulumi:dev::tap::aws:sqs/queue:Queue::top-dev"


@pytest.mark.parametrize(("line", "version", "needs_312"), [
    ('    f"zones: {\n', (3, 11), True),
    ("    f\"one of: '{env}' {\n", (3, 11), True),
    ('    f"{", ".join(names)}"\n', (3, 11), True),
    ('    f"zones: {\n', (3, 12), False),
    ('    f"zones: {names}"  x = \n', (3, 11), False),
    ('    print("unterminated\n', (3, 11), False),
], ids=["field-over-lines", "other-quote-before", "reused-quotes", "on-3.12", "closed-field", "plain-string"])
def test_a_syntax_error_says_when_the_line_needs_python_312(line, version, needs_312):
    error = SyntaxError("unterminated string literal", ("/app/lib/tap_stack.py", 7, 5, line))
    summary = syntax_summary(error, version)
    assert summary.startswith("SyntaxError: unterminated string literal (tap_stack.py, line 7)")
    assert ("Python 3.12" in summary) is needs_312
