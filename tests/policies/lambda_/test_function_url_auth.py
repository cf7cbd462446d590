import pytest

from policies._core.values import UNKNOWN, Secret
from policies.lambda_.function_url_auth import function_name
from tests.conftest import REMOVE, assert_findings, check, merged

NAME = "lambda-function-url-auth"
URL = "aws:lambda/functionUrl:FunctionUrl"
BASE = {"functionName": "api-dev", "authorizationType": "AWS_IAM"}
PUBLIC = {"publicFunctions": ["webhook-*"]}
ARN = "arn:aws:lambda:us-east-1:123456789012:function:webhook-dev"

CASES = [
    ("compliant", {}, {}, "api-url-dev", None),
    ("none-is-public", {"authorizationType": "NONE"}, {}, "api-url-dev",
     ["authorizationType is 'NONE' (anyone on the internet can invoke the function)", "expected 'AWS_IAM'",
      'Fix: authorization_type="AWS_IAM"']),
    ("none-allowed-by-function-name", {"authorizationType": "NONE", "functionName": "webhook-dev"}, PUBLIC,
     "url-dev", None),
    ("none-allowed-by-function-arn", {"authorizationType": "NONE", "functionName": ARN}, PUBLIC, "url-dev", None),
    ("none-allowed-by-logical-name", {"authorizationType": "NONE", "functionName": UNKNOWN}, PUBLIC,
     "webhook-url-dev", None),
    ("none-not-listed", {"authorizationType": "NONE"}, PUBLIC, "api-url-dev",
     ["neither the function name 'api-dev' nor the logical name 'api-url-dev' matches publicFunctions (webhook-*)"]),
    ("none-name-unknown-is-silent-while-a-list-could-match", {"authorizationType": "NONE", "functionName": UNKNOWN},
     PUBLIC, "api-url-dev", None),
    ("none-name-unknown-without-list", {"authorizationType": "NONE", "functionName": UNKNOWN}, {}, "api-url-dev",
     ["authorizationType is 'NONE'"]),
    ("none-secret-name-not-shown", {"authorizationType": "NONE", "functionName": Secret("api-hidden")}, PUBLIC,
     "api-url-dev", ["neither the function name [secret]"]),
    ("unknown-auth", {"authorizationType": UNKNOWN}, {}, "api-url-dev", None),
    ("absent", {"authorizationType": REMOVE}, {}, "api-url-dev", ["authorizationType is not set"]),
    ("wrong-value", {"authorizationType": "IAM"}, {}, "api-url-dev", ["authorizationType is 'IAM'"]),
    ("wrong-type", {"authorizationType": ["NONE"]}, {}, "api-url-dev", ["authorizationType is [\"NONE\"]"]),
    ("secret-none", {"authorizationType": Secret("NONE")}, {}, "api-url-dev", ["authorizationType is [secret]"]),
    ("secret-iam", {"authorizationType": Secret("AWS_IAM")}, {}, "api-url-dev", None),
]


@pytest.mark.parametrize(("changes", "config", "name", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_cases(changes, config, name, expected):
    findings = check(NAME, URL, merged(BASE, **changes), config=config, name=name)
    found = assert_findings(findings, expected)
    if found is None:
        return
    assert "hidden" not in found.message


@pytest.mark.parametrize(("given", "expected"), [
    ("api-dev", "api-dev"), ("api-dev:live", "api-dev"), (ARN, "webhook-dev"), (f"{ARN}:live", "webhook-dev"),
    ("123456789012:function:webhook-dev", "webhook-dev"),
])
def test_function_name_from_name_or_arn(given, expected):
    assert function_name(given) == expected


def test_other_lambda_types_are_ignored():
    assert check(NAME, "aws:lambda/function:Function", {"name": "api-dev"}) == []
