import pytest

from policies._core.context import StackContext
from policies._core.emulator import is_emulator_url, stack_emulator
from policies._core.options import ResourceOptions
from tests.conftest import check


@pytest.mark.parametrize(("url", "local"), [
    ("http://localhost:4566", True),
    ("localhost:4566", True),
    ("http://127.0.0.1:4566/", True),
    ("http://[::1]:4566", True),
    ("http://host.docker.internal:4566", True),
    ("https://s3.localhost.localstack.cloud:4566", True),
    ("http://localstack:4566", True),
    ("http://api.localhost", True),
    ("https://dynamodb.us-east-1.amazonaws.com", False),
    ("https://vpce-0a1b-dynamodb.us-east-1.vpce.amazonaws.com", False),
    ("https://localhost.example.com", False),
    ("http://[broken", False),
    ("", False),
    (4566, False),
])
def test_emulator_urls(url, local):
    assert is_emulator_url(url) is local


def test_only_the_endpoint_variables_are_kept_from_the_environment():
    stack = StackContext.from_environ({"PULUMI_STACK": "dev", "AWS_ENDPOINT_URL": "http://localhost:4566",
                                       "AWS_SECRET_ACCESS_KEY": "x" * 40, "HOME": "/root"})
    assert dict(stack.environ) == {"AWS_ENDPOINT_URL": "http://localhost:4566"}
    assert stack_emulator(stack, "dynamodb") == "AWS_ENDPOINT_URL is http://localhost:4566"


def test_an_endpoint_is_quoted_without_user_info_or_path():
    stack = StackContext(environ={"AWS_ENDPOINT_URL": "http://admin:s3cr3t@localhost:4566/path?token=x"})
    assert stack_emulator(stack, "dynamodb") == "AWS_ENDPOINT_URL is http://localhost:4566"


def test_stack_config_endpoints_unless_secret():
    config = {"aws:endpoints": '[{"dynamodb": "http://localhost:4566"}]'}
    assert stack_emulator(StackContext(config=config), "dynamodb") == (
        "the stack config 'aws:endpoints' sends dynamodb to http://localhost:4566")
    assert stack_emulator(StackContext(config=config, secret_keys=frozenset(config)), "dynamodb") is None
    assert stack_emulator(StackContext(config=config), "lambda") is None


def test_an_emulator_stack_is_ephemeral_for_destroyability():
    stack = StackContext(stack="prod", project="tap", tags={"environment-class": "emulator"})
    findings = check("destroyability", "aws:sqs/queue:Queue", {"name": "jobs-prod"}, stack=stack,
                     options=ResourceOptions(protect=True))
    assert len(findings) == 1 and "the environment is ephemeral" in findings[0].message
