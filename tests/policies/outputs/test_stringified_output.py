import json
import subprocess
import sys

import pytest

from policies._core.values import MAX_DEPTH, UNKNOWN, Asset, Secret
from policies.outputs.stringified_output import MAX_REPORTED
from tests.conftest import REMOVE, assert_findings, check, merged

NAME = "stringified-output"
LAMBDA = "aws:lambda/function:Function"
BASE = {"name": "api-dev", "role": UNKNOWN, "runtime": "python3.12", "handler": "index.handler",
        "environment": {"variables": {"TABLE": "orders-dev", "STAGE": "dev"}},
        "tags": {"Environment": "dev"}}
TS_TEXT = ("Calling [toString] on an [Output<T>] is not supported.\n\nTo get the value of an Output<T> as an "
           "Output<string> consider either:\n1: o.apply(v => `prefix${v}suffix`)\n2: pulumi.interpolate "
           "`prefix${v}suffix`\n\nSee https://www.pulumi.com/docs/concepts/inputs-outputs for more details.\n"
           "This function may throw in a future version of @pulumi/pulumi.")
DOTNET_TEXT = ("Calling [ToString] on an [Output<T>] is not supported.\n\nTo get the value of an Output<T> as "
               "an Output<string> consider:\n1. o.Apply(v => $\"prefix{v}suffix\")")


def _stringified() -> str:
    """What the Python SDK itself puts in a string when a program formats an Output into it (in a
    process of its own: an Output outside a Pulumi run leaves state behind in the SDK)."""
    code = ("import asyncio, sys, pulumi; asyncio.set_event_loop(asyncio.new_event_loop()); "
            "sys.stdout.write(str(pulumi.Output.from_input('orders')))")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


PY = _stringified()
ENV_WITH = {"variables": {"TABLE": f"arn:aws:dynamodb:*:*:table/{PY}", "STAGE": "dev"}}

CASES = [
    ("compliant", {}, None),
    ("top-level", {"name": f"api-{PY}"},
     ["name is the text 'api-<stringified Output>'", "an f-string, str() or format() over an Output (Python)",
      'Fix: name=pulumi.Output.concat("api-", <the Output>)']),
    ("prefix-and-suffix", {"name": f"api-{PY}-fn"}, ['pulumi.Output.concat("api-", <the Output>, "-fn")']),
    ("nested-object", {"environment": ENV_WITH},
     ["environment.variables.TABLE is the text '...:aws:dynamodb:*:*:table/<stringified Output>'",
      'Fix: build environment.variables.TABLE with pulumi.Output.concat("arn:aws:dynamodb:*:*:table/", '
      '<the Output>)']),
    ("in-a-list", {"layers": ["arn:aws:lambda:us-east-1:1:layer:a:1", f"{PY}:layer:b"]},
     ["layers[1] is the text '<stringified Output>:layer:b'"]),
    ("json-document", {"description": json.dumps({"Resource": f"arn:aws:s3:::{PY}/*"})},
     ["description is the text '...esource\": \"arn:aws:s3:::<stringified Output>/*\"}'",
      "pulumi.Output.json_dumps({...})"]),
    ("secret-not-shown", {"environment": {"variables": Secret({"TOKEN": f"tok-{PY}"})}},
     ["environment.variables is a secret that holds the text of a stringified Output"]),
    ("secret-top-level", {"name": Secret(f"api-{PY}")}, ["name is a secret that holds"]),
    ("map-key", {"tags": {f"team-{PY}": "payments"}}, ["tags is a key 'team-<stringified Output>'"]),
    ("asset-text", {"code": Asset("asset", {"text": f"print('{PY}')"})}, ["code.text is the text"]),
    ("typescript", {"name": f"api-{TS_TEXT}"},
     ["(TypeScript)", "a template literal", "Fix: name=pulumi.interpolate`prefix-${other.id}`"]),
    ("dotnet", {"name": f"api-{DOTNET_TEXT}"}, ["(.NET)", "Output.Format("]),
    ("unknowns-are-silent", {"name": UNKNOWN, "environment": {"variables": UNKNOWN}}, None),
    ("absent", {"tags": REMOVE, "environment": REMOVE}, None),
    ("similar-text-is-not-flagged", {"description": "this feature is not supported in [region] is not supported"},
     None),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(changes, expected):
    findings = check(NAME, LAMBDA, merged(BASE, **changes))
    found = assert_findings(findings, expected)
    if found is None:
        return
    assert "is not supported" not in found.message, "Pulumi's own text is not repeated"


def test_secret_values_and_their_keys_are_never_shown():
    findings = check(NAME, LAMBDA, merged(BASE, environment={"variables": {"A": Secret(f"hunter2-{PY}")}}))
    assert len(findings) == 1 and "hunter2" not in findings[0].message
    findings = check(NAME, LAMBDA, merged(BASE, tags=Secret({"hunter2": {"x": [f"v-{PY}"]}})))
    assert [f.property for f in findings] == ["tags"] and "hunter2" not in findings[0].message


def test_long_keys_are_shortened_in_paths():
    findings = check(NAME, LAMBDA, merged(BASE, tags={"k" * 30 + " with spaces": f"v-{PY}"}))
    assert findings[0].property == "tags['" + "k" * 30 + " with s...']"


def test_each_offending_property_is_reported_with_its_path():
    findings = check(NAME, LAMBDA, merged(BASE, name=f"api-{PY}", environment=ENV_WITH))
    assert [f.property for f in findings] == ["environment.variables.TABLE", "name"]


def test_findings_are_capped():
    tags = {f"t{i:02}": f"v-{PY}" for i in range(MAX_REPORTED + 5)}
    findings = check(NAME, LAMBDA, merged(BASE, tags=tags))
    assert len(findings) == MAX_REPORTED + 1
    assert "5 more values hold the text of a stringified Output (tags.t10, tags.t11" in findings[-1].message


def test_depth_is_bounded_without_error():
    deep: object = f"x-{PY}"
    for _ in range(MAX_DEPTH + 5):
        deep = {"a": deep}
    assert check(NAME, LAMBDA, merged(BASE, tags=deep)) == []
    shallow: object = f"x-{PY}"
    for _ in range(5):
        shallow = [shallow]
    assert [f.property for f in check(NAME, LAMBDA, merged(BASE, tags=shallow))] == ["tags[0][0][0][0][0]"]


@pytest.mark.parametrize("type_", ["aws:s3/bucket:Bucket", "aws:iam/rolePolicy:RolePolicy", "aws:sqs/queue:Queue"])
def test_applies_to_every_aws_type(type_):
    assert len(check(NAME, type_, {"name": f"q-{PY}"})) == 1


def test_other_providers_are_ignored():
    assert check(NAME, "random:index/randomString:RandomString", {"keepers": {"k": PY}}) == []
