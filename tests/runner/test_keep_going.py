"""``check --keep-going``: a program that fails for causes the runner explains is run again with each
cause's fix applied, so that one check reports every such failure and the policies' findings behind them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml

from aws_conventions import workarounds
from aws_conventions.__main__ import main
from aws_conventions.diagnose import workaround
from aws_conventions.runner import ProgramError, UsageError, check
from tests.runner.helpers import write_program

pytestmark = pytest.mark.runner

FAILING = """
    import json
    team = pulumi.Config().require("team")
    queue = aws.sqs.Queue("jobs-dev", message_retention=86400)
    aws.ec2.Eip("nat-dev", vpc=True)
    aws.iam.Policy("read-dev", policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sqs:*", "Resource": queue.arn}]}))
    aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev")
    pulumi.export("queue", queue.url)
"""
"""Four failures one after another (a config key the stack does not set, a misspelt argument, an argument
pulumi-aws 7 removed, json.dumps of an Output), then a log group that keeps its logs forever, which only a
policy sees."""


def test_a_plain_check_stops_at_the_first_failure(tmp_path):
    with pytest.raises(ProgramError) as stopped:
        check(write_program(tmp_path / "p", FAILING))
    assert "requires the stack config 'tap-test:team'" in stopped.value.summary


def test_keep_going_runs_past_every_explained_failure_to_the_policies(tmp_path):
    findings = check(write_program(tmp_path / "p", FAILING), keep_going=True)
    assert findings.failure is None
    assert findings.worked_around == [
        "the stack config 'tap-test:team' is not set (checked with tap-test:team=placeholder)",
        "TypeError: Queue._internal_init() got an unexpected keyword argument 'message_retention'",
        "TypeError: Eip._internal_init() got an unexpected keyword argument 'vpc'",
        "TypeError: Object of type Output is not JSON serializable",
    ]
    checks = {d.check for d in findings.diagnoses}
    assert {"program-unknown-argument", "program-removed-argument", "program-output-json"} <= checks
    assert [f.resource_name for f in findings.by_policy("log-retention")] == ["audit-dev"]
    queue = next(r for r in findings.resources if r.name == "jobs-dev")
    assert queue.type == "aws:sqs/queue:Queue"
    assert findings.exit_code == 1  # a real preview fails on the first of them


def test_a_required_config_key_read_as_a_number_or_a_flag_gets_a_value_of_that_type(tmp_path):
    findings = check(write_program(tmp_path / "p", """
        config = pulumi.Config()
        capacity = config.require_int("minCapacity")
        ratio = config.require_float("ratio")
        protected = config.require_bool("deletionProtection")
        aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev", tags={"capacity": str(capacity + 1)})
    """), keep_going=True)
    assert findings.failure is None
    assert findings.worked_around == [
        "the stack config 'tap-test:minCapacity' is not set (checked with tap-test:minCapacity=1)",
        "the stack config 'tap-test:ratio' is not set (checked with tap-test:ratio=1.0)",
        "the stack config 'tap-test:deletionProtection' is not set (checked with tap-test:deletionProtection=false)"]
    assert "audit-dev" in [f.resource_name for f in findings.by_policy("log-retention")]


def _validating(validation: str) -> str:
    """A program that reads the stack config 'environment' (which its stack does not set), validates it with
    ``validation``, then declares a log group named after it that keeps its logs forever."""
    return ('config = pulumi.Config()\nenvironment = config.require("environment")\n' + textwrap.dedent(validation)
            + 'aws.cloudwatch.LogGroup(f"audit-{environment}", name=f"/tap/audit-{environment}")\n')


@pytest.mark.parametrize(("validation", "value", "stopped"), [
    pytest.param("""
        valid_environments = ["dev", "staging", "prod"]
        if environment not in valid_environments:
            raise ValueError(f"Environment must be one of {valid_environments}, got: {environment}")
     """, "dev", None, id="a-list-the-error-prints"),
    pytest.param("""
        if environment not in {"qa", "prod"}:
            raise ValueError(f'stage {environment} is not one of {{"qa", "prod"}}')
     """, "qa", None, id="a-set-without-dev-gives-its-first-value"),
    pytest.param("""
        if environment not in ("prod", "dev"):
            raise ValueError(f"got {environment!r}, expected one of ('prod', 'dev')")
     """, "dev", None, id="a-tuple-with-dev-gives-dev"),
    pytest.param("""
        if environment not in ["dev", "prod"]:
            raise ValueError("Environment must be one of ['dev', 'prod']")
     """, "pr1", "Environment must be one of ['dev', 'prod']", id="a-message-without-the-placeholder"),
    pytest.param("""
        others = [e for e in ["dev", "prod"] if e != environment]
        raise ValueError(f"{environment!r} is not accepted: use one of {others}")
     """, "dev", "'dev' is not accepted: use one of ['prod']", id="a-listed-value-rejected-too-is-tried-once"),
    pytest.param("""
        raise ValueError(f"{environment} must be one of ['us east', '*']")
     """, "pr1", "pr1 must be one of ['us east', '*']", id="a-list-without-a-word"),
    pytest.param("""
        raise ValueError(f"{environment} must be one of [1, 2]")
     """, "pr1", "pr1 must be one of [1, 2]", id="a-list-of-numbers"),
    pytest.param("""
        raise ValueError(f"{environment} must be one of [" + "'x', " * 500 + "'dev']")
     """, "pr1", "pr1 must be one of ['x', 'x',", id="a-list-past-the-length-read"),
])
def test_a_placeholder_the_program_rejects_gets_a_value_its_error_lists(tmp_path, validation, value, stopped):
    program = write_program(tmp_path / "p", _validating(validation), config={"tap-test:environmentSuffix": "pr1"})
    expected = [f"the stack config 'tap-test:environment' is not set (checked with tap-test:environment={value})"]
    if stopped is None:
        findings = check(program, keep_going=True)
        assert findings.failure is None and findings.worked_around == expected
        assert f"audit-{value}" in [f.resource_name for f in findings.by_policy("log-retention")]
        return
    with pytest.raises(ProgramError) as failed:
        check(program, keep_going=True)
    assert stopped in failed.value.summary
    assert failed.value.findings is not None and failed.value.findings.worked_around == expected


def test_the_reports_say_what_was_run_past(tmp_path, capsys):
    program = write_program(tmp_path / "p", FAILING)
    assert main(["check", str(program), "--keep-going", "--quiet"]) == 1
    text = capsys.readouterr().out
    assert "Checked past 4 failures with the runner's fixes applied (--keep-going)" in text
    assert main(["check", str(program), "-k", "--quiet", "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert len(document["workedAround"]) == 4 and document["error"] is None


def test_a_failure_without_a_known_fix_still_stops_the_check(tmp_path):
    program = write_program(tmp_path / "p", """
        queue = aws.sqs.Queue("jobs-dev", message_retention=86400)
        aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev")
        raise RuntimeError("the program's own error")
    """)
    with pytest.raises(ProgramError) as stopped:
        check(program, keep_going=True)
    assert "the program's own error" in stopped.value.summary
    report = stopped.value.findings
    assert report is not None and report.failure is not None
    assert report.worked_around == [
        "TypeError: Queue._internal_init() got an unexpected keyword argument 'message_retention'"]
    # what it declared before the failure is analyzed, as pulumi preview does; no stack policy runs
    assert [(f.policy, f.resource_name) for f in report.findings] == [("log-retention", "audit-dev")]


def _traceback(root: Path, line: str, error: str) -> str:
    """The traceback of a program whose third line is ``line`` and raised ``error``."""
    (root / "__main__.py").write_text(f"import pulumi\nimport pulumi_aws as aws\n{line}\n", encoding="utf-8")
    return (f'Traceback (most recent call last):\n  File "{root / "__main__.py"}", line 3, in <module>\n'
            f"    {line}\n{error}\n")


@pytest.mark.parametrize(("line", "error", "fix"), [
    ('aws.sqs.Queue("q", message_retention=1)',
     "TypeError: Queue._internal_init() got an unexpected keyword argument 'message_retention'",
     {"kind": "argument", "module": "sqs", "class": "Queue", "argument": "message_retention",
      "rename": "message_retention_seconds"}),
    ('aws.cloudwatch.MetricAlarm("a", alarm_name="errors")',
     "TypeError: MetricAlarm._internal_init() got an unexpected keyword argument 'alarm_name'",
     {"kind": "argument", "module": "cloudwatch", "class": "MetricAlarm", "argument": "alarm_name", "rename": "name"}),
    ('aws.codepipeline.Pipeline("p", artifact_store={})',
     "TypeError: Pipeline._internal_init() got an unexpected keyword argument 'artifact_store'",
     {"kind": "argument", "module": "codepipeline", "class": "Pipeline", "argument": "artifact_store",
      "rename": "artifact_stores", "asList": "yes"}),
    ('aws.ec2.Eip("e", vpc=True)', "TypeError: Eip._internal_init() got an unexpected keyword argument 'vpc'",
     {"kind": "argument", "module": "ec2", "class": "Eip", "argument": "vpc"}),
    ('aws.sqs.Queue("q", depends_on=[a])',
     "TypeError: Queue._internal_init() got an unexpected keyword argument 'depends_on'",
     {"kind": "option", "module": "sqs", "class": "Queue", "argument": "depends_on"}),
    ("aws.lambda_.EventInvokeConfig(\"c\")",
     "AttributeError: module 'pulumi_aws.lambda_' has no attribute 'EventInvokeConfig'",
     {"kind": "class", "module": "lambda_", "class": "EventInvokeConfig", "use": "FunctionEventInvokeConfig"}),
    ("p = json.dumps(doc)", "TypeError: Object of type Output is not JSON serializable", {"kind": "output-json"}),
    ("opts=pulumi.ResourceOptions(depends_on=[methods])",
     "TypeError: 'depends_on' was passed a value [<x>] that was not a Resource.", {"kind": "flatten-depends-on"}),
    ("from pulumi_aws import logs\nlogs.LogGroup('g')", "ImportError: cannot import name 'logs' from 'pulumi_aws'",
     {"kind": "module", "name": "logs", "use": "cloudwatch"}),
    ("db.master_user_secret", "AttributeError: 'Instance' object has no attribute 'master_user_secret'",
     {"kind": "attribute", "class": "Instance", "attribute": "master_user_secret",
      "modules": "connect,ec2,lightsail,rds,servicediscovery,verifiedaccess"}),
    ("x.nothing", "AttributeError: 'Whatever' object has no attribute 'nothing'", None),
    ("aws.ec2.LogGroup('g')", "AttributeError: module 'pulumi_aws.ec2' has no attribute 'LogGroup'",
     {"kind": "class", "module": "ec2", "class": "LogGroup", "use": "LogGroup", "in": "cloudwatch"}),
    ("aws.ec2.Queue('q')", "AttributeError: module 'pulumi_aws.ec2' has no attribute 'Queue'",
     {"kind": "absent", "module": "ec2", "class": "Queue"}),
    ("aws.apigateway.RestApi('a', endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs("
     "types=['REGIONAL']))",
     "AssertionError: While processing resource: 'a', type 'aws:apigateway/restApi:RestApi'\n"
     "AssertionError has risen: While processing input: 'endpoint_configuration', type <class 'str'>, value "
     "<pulumi_aws.apigateway._inputs.RestApiEndpointConfigurationArgs object at 0x7f>\n"
     "AssertionError has risen: Unexpected type. Expected 'list' got '<class 'str'>'",
     {"kind": "unlist", "module": "apigateway", "class": "RestApiEndpointConfigurationArgs",
      "arguments": "types,ip_address_type"}),
    ("aws.config.ConfigurationRecorder('r')",
     "AttributeError: module 'pulumi_aws.config' has no attribute 'ConfigurationRecorder'",
     {"kind": "class", "module": "config", "class": "ConfigurationRecorder", "use": "Recorder", "in": "cfg"}),
    ("aws.config.ConfigRule('r')", "AttributeError: module 'pulumi_aws.config' has no attribute 'ConfigRule'",
     {"kind": "class", "module": "config", "class": "ConfigRule", "use": "Rule", "in": "cfg"}),
    ("aws.secretsmanager.get_random_password(length=32)",
     "TypeError: get_random_password() got an unexpected keyword argument 'length'",
     {"kind": "function-argument", "module": "secretsmanager", "function": "get_random_password",
      "argument": "length", "rename": "password_length"}),
    ("get_ami(owner='amazon', most_recent=True)", "TypeError: get_ami() got an unexpected keyword argument 'owner'",
     {"kind": "function-argument", "module": "ec2", "function": "get_ami", "argument": "owner", "rename": "owners"}),
    ('aws.sqs.Queue("q")', "RuntimeError: something else", None),
    ("aws.lambda_.FunctionCodeArgs(zip_file='x')",
     "AttributeError: module 'pulumi_aws.lambda_' has no attribute 'FunctionCodeArgs'",
     {"kind": "absent", "module": "lambda_", "class": "FunctionCodeArgs"}),
    ("aws.lambda_.Nothing(\"c\")", "AttributeError: module 'pulumi_aws.lambda_' has no attribute 'Nothing'",
     {"kind": "absent", "module": "lambda_", "class": "Nothing"}),
    ("aws.secretsmanager.get_random_password(password_length=32).result",
     "AttributeError: 'AwaitableGetRandomPasswordResult' object has no attribute 'result'",
     {"kind": "attribute", "class": "AwaitableGetRandomPasswordResult", "attribute": "result",
      "modules": "secretsmanager"}),
    ("aws.iot.SecurityProfile('p', behaviors=[], alert_targets={})",
     "AttributeError: module 'pulumi_aws.iot' has no attribute 'SecurityProfile'",
     {"kind": "absent", "module": "iot", "class": "SecurityProfile"}),
    ("aws.ec2.LogGroup('g', retention_in_days=14)",
     "AttributeError: module 'pulumi_aws.ec2' has no attribute 'LogGroup'",
     {"kind": "class", "module": "ec2", "class": "LogGroup", "use": "LogGroup", "in": "cloudwatch"}),
    ("aws.secretsmanager.get_secret_version(secret_id='s', opts=pulumi.InvokeOptions(ignore_changes=['*']))",
     "TypeError: InvokeOptions.__init__() got an unexpected keyword argument 'ignore_changes'",
     {"kind": "invoke-option", "argument": "ignore_changes"}),
    ("aws.config.region = 'us-west-2'", "AttributeError: property 'region' of '_ExportableConfig' object has no setter",
     {"kind": "provider-setting"}),
    ("aws.s3.BucketPublicAccessBlockArgs(block_public_acls=True)",
     "TypeError: BucketPublicAccessBlockArgs.__init__() missing 1 required keyword-only argument: 'bucket'",
     {"kind": "required", "module": "s3", "class": "BucketPublicAccessBlockArgs", "argument": "bucket"}),
    ("aws.sqs.QueuePolicy('p', policy='{}')", "TypeError: Missing required property 'queue_url'",
     {"kind": "required", "module": "sqs", "class": "QueuePolicy", "argument": "queue_url"}),
    ("aws.apigateway.Method('m', integration=aws.apigateway.Integration(type='AWS_PROXY'))",
     "TypeError: Integration.__init__() missing 1 required positional argument: 'resource_name'",
     {"kind": "nameless", "module": "apigateway", "class": "Integration"}),
    ("aws.secretsmanager.RandomPassword('p', length=32)",
     "AttributeError: module 'pulumi_aws.secretsmanager' has no attribute 'RandomPassword'",
     {"kind": "absent", "module": "secretsmanager", "class": "RandomPassword"}),
    ("doc = json.dumps({})", "NameError: name 'json' is not defined",
     {"kind": "import", "name": "json", "module": "json"}),
    ("lambda_.Function('f')", "NameError: name 'lambda_' is not defined",
     {"kind": "import", "name": "lambda_", "module": "pulumi_aws.lambda_"}),
    ("bucket = bucket_name", "NameError: name 'bucket_name' is not defined", None),
    ("register_outputs({'endpoint': aws.iot.get_endpoint()})",
     "ValueError: While processing input: 'endpoint', type <class 'str'>, value "
     "<pulumi_aws.iot.get_endpoint.AwaitableGetEndpointResult object at 0x7f01>", {"kind": "result-value"}),
], ids=["renamed", "named-after-its-class", "as-list", "removed", "option", "class", "output-json", "depends-on",
        "module", "attribute",
        "not-a-resource", "class-in-another-module", "class-in-several-modules", "list-for-one-value",
        "aws-config-recorder", "aws-config-rule", "function-argument", "function-found-by-name", "unknown",
        "not-a-resources-arguments", "no-close-class", "data-source-result", "same-name-another-service",
        "same-name-taking-its-arguments", "invoke-option", "provider-setting", "required-keyword", "required-property",
        "nameless-resource", "never-a-data-source-result", "standard-library-import", "pulumi-aws-module-import",
        "not-a-module", "data-source-result-as-a-value"])
def test_the_fix_of_each_explained_failure(tmp_path, line, error, fix):
    assert workaround(_traceback(tmp_path, line, error), tmp_path) == fix


def test_fixes_apply_inside_the_block_only():
    import pulumi
    import pulumi_aws as aws

    init, dumps, options = aws.sqs.Queue.__init__, json.dumps, pulumi.ResourceOptions.__init__
    with workarounds.applied([{"kind": "argument", "module": "ec2", "class": "Eip", "argument": "vpc"},
                              {"kind": "class", "module": "lambda_", "class": "EventInvokeConfig",
                               "use": "FunctionEventInvokeConfig"},
                              {"kind": "argument", "module": "sqs", "class": "Queue", "argument": "nothing"},
                              {"kind": "output-json"}, {"kind": "flatten-depends-on"},
                              {"kind": "module", "name": "logs", "use": "cloudwatch"},
                              {"kind": "attribute", "class": "Instance", "attribute": "master_user_secret",
                               "modules": "rds"},
                              {"kind": "class", "module": "ec2", "class": "LogGroup", "use": "LogGroup",
                               "in": "cloudwatch"},
                              {"kind": "unlist", "module": "apigateway", "class": "RestApiEndpointConfigurationArgs",
                               "arguments": "types"}]):
        assert aws.ec2.LogGroup is aws.cloudwatch.LogGroup  # type: ignore[attr-defined]
        assert aws.apigateway.RestApiEndpointConfigurationArgs(types=["REGIONAL"]).types == "REGIONAL"
        from pulumi_aws import logs  # type: ignore[attr-defined]

        assert logs.LogGroup is aws.cloudwatch.LogGroup
        assert isinstance(vars(aws.rds.Instance)["master_user_secret"], property)
        assert aws.lambda_.EventInvokeConfig is aws.lambda_.FunctionEventInvokeConfig
        assert aws.sqs.Queue.__init__ is not init and isinstance(vars(aws.sqs.Queue)["nothing"], property)
        assert json.dumps({"a": 1}) == dumps({"a": 1})
    assert aws.sqs.Queue.__init__ is init and "nothing" not in vars(aws.sqs.Queue)
    assert json.dumps is dumps and pulumi.ResourceOptions.__init__ is options
    assert not hasattr(aws.lambda_, "EventInvokeConfig") and not hasattr(aws, "logs")
    assert "master_user_secret" not in vars(aws.rds.Instance) and not hasattr(aws.ec2, "LogGroup")


def test_a_class_pulumi_aws_has_nowhere_reads_as_unknown_and_the_rest_is_checked(tmp_path):
    program = write_program(tmp_path / "p", """
        recorder = aws.sns.TopicSubscriptionFilterPolicy("filter-dev", topic="arn:aws:sns:us-east-1:1:t")
        behaviour = aws.iot.SecurityProfileBehaviorArgs(name="b")
        aws.cloudwatch.LogGroup("audit-dev", name=recorder.name.apply(lambda n: f"/tap/{n}"))
        aws.cloudwatch.LogGroup("trail-dev", name="/tap/trail-dev", opts=pulumi.ResourceOptions(depends_on=[recorder]))
        pulumi.export("recorder", recorder.name)
    """)
    findings = check(program, keep_going=True)
    assert findings.failure is None
    assert findings.worked_around == [
        "AttributeError: module 'pulumi_aws.sns' has no attribute 'TopicSubscriptionFilterPolicy' "
        "(read as unknown: what it declares is not checked)",
        "AttributeError: module 'pulumi_aws.iot' has no attribute 'SecurityProfileBehaviorArgs' "
        "(read as unknown: what it declares is not checked)"]
    assert {r.name for r in findings.resources if r.type.startswith("aws:")} == {"audit-dev", "trail-dev"}
    assert {f.resource_name for f in findings.by_policy("log-retention")} == {"audit-dev", "trail-dev"}


# (program, what --keep-going ran past): each program ends by declaring "audit-dev", which log-retention reports
STAND_IN = " (read as unknown: what it declares is not checked)"
"""What the report adds to a failure the runner ran past with a stand-in."""

RUN_PAST = [
    ("""
     password = aws.secretsmanager.get_random_password(password_length=32).result
     aws.rds.Instance("db-dev", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20,
                      username="app", password=password, skip_final_snapshot=True)
     """, ["AttributeError: 'AwaitableGetRandomPasswordResult' object has no attribute 'result'"]),
    ("""
     api = aws.apigateway.RestApi("api-dev")
     aws.apigateway.Method("post-dev", rest_api=api.id, resource_id=api.root_resource_id, http_method="POST",
                           authorization="NONE",
                           integration=aws.apigateway.Integration(type="AWS_PROXY", uri="arn:aws:lambda:x"))
     """, ["TypeError: Integration.__init__() missing 1 required positional argument: 'resource_name'",
           "TypeError: Method._internal_init() got an unexpected keyword argument 'integration'"]),
    ("""
     block = aws.s3.BucketPublicAccessBlockArgs(block_public_acls=True)
     aws.sqs.QueuePolicy("jobs-policy-dev", policy="{}")
     """, ["TypeError: BucketPublicAccessBlockArgs.__init__() missing 1 required keyword-only argument: 'bucket'",
           "TypeError: Missing required property 'queue_url'"]),
    ("""
     region = aws.config.region
     aws.config.region = "us-west-2"
     """, ["AttributeError: property 'region' of '_ExportableConfig' object has no setter"]),
    ("""
     caller = aws.get_caller_identity(opts=pulumi.InvokeOptions(ignore_changes=["*"]))
     """, ["TypeError: InvokeOptions.__init__() got an unexpected keyword argument 'ignore_changes'"]),
    ("""
     encryption = aws.s3.BucketServerSideEncryptionConfigurationArgs(
         rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(bucket_key_enabled=True)])
     aws.s3.Bucket("logs-dev", server_side_encryption_configuration=encryption)
     """, ["TypeError: BucketServerSideEncryptionConfigurationArgs.__init__() got an unexpected keyword argument "
           "'rules'"]),
    ("""
     bucket_name = pulumi.Output.from_input("logs-dev")
     aws.s3.BucketPolicy("logs-policy-dev", bucket=bucket_name.id, policy="{}")
     """, ["AttributeError: 'str' object has no attribute 'id'"]),
    ("""
     aws.apigateway.RestApi("api-dev", endpoint_configuration={"types": ["REGIONAL"]})
     """, ["AssertionError: While processing resource: 'api-dev', type 'aws:apigateway/restApi:RestApi'"]),
    ("""
     aws.iam.Role("app-dev", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
     queue = lambda_.Function("worker-dev", runtime="python3.12", handler="a.h", role="arn:aws:iam::1:role/r")
     """, ["NameError: name 'json' is not defined", "NameError: name 'lambda_' is not defined"]),
]


@pytest.mark.parametrize(("body", "ran_past"), RUN_PAST, ids=[
    "data-source-attribute", "nameless-resource", "required-argument", "provider-setting", "invoke-option",
    "renamed-to-one-value", "output-value-attribute", "one-value-in-a-dict", "missing-import"])
def test_keep_going_runs_past_and_checks_what_the_program_declares(tmp_path, body, ran_past):
    declared = textwrap.dedent(body) + 'aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev")\n'
    findings = check(write_program(tmp_path / "p", declared), keep_going=True)
    assert findings.failure is None
    assert findings.worked_around == ran_past
    assert "audit-dev" in [f.resource_name for f in findings.by_policy("log-retention")]


def test_a_callback_that_hides_a_name_gives_an_unknown_value_and_the_rest_is_checked(tmp_path):
    from tests.runner.test_diagnose import SHADOWING_CALLBACK

    declared = textwrap.dedent(SHADOWING_CALLBACK) + 'aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev")\n'
    findings = check(write_program(tmp_path / "p", declared), keep_going=True)
    assert findings.failure is None
    assert findings.worked_around == ["AttributeError: 'list' object has no attribute 'suffix'"]
    assert [d.check for d in findings.diagnoses if d.check.startswith("program-")] == ["program-callback-parameter"]
    assert "app-config-dev" in [r.name for r in findings.resources], "declared, with the callback's value unknown"
    assert "audit-dev" in [f.resource_name for f in findings.by_policy("log-retention")]


def test_none_unpacked_in_an_imported_module_unpacks_as_nothing_without_touching_its_bytecode(tmp_path):
    from tests.runner.test_diagnose import NONE_UNPACKED

    program = write_program(tmp_path / "p", "")
    for name, text in NONE_UNPACKED.items():
        (program / name).write_text(text, encoding="utf-8")
    findings = check(program, keep_going=True)
    assert findings.failure is None
    assert findings.worked_around == ["TypeError: 'NoneType' object is not a mapping"]
    assert [d.check for d in findings.diagnoses if d.check.startswith("program-")] == ["program-none-unpacked"]
    assert "audit-dev" in [f.resource_name for f in findings.by_policy("log-retention")]
    with pytest.raises(ProgramError, match="'NoneType' object is not a mapping"):
        check(program)  # the module as written, not as the fix compiled it


def test_only_the_explained_callback_is_guarded(tmp_path):
    import pulumi

    fix = {"kind": "callback", "file": str(tmp_path / "other.py"), "line": "3"}
    apply = pulumi.Output.apply
    with workarounds.applied([fix]):
        assert pulumi.Output.apply is not apply
        assert pulumi.Output.from_input(1).apply(lambda v: v + 1) is not None  # another callback: untouched
    assert pulumi.Output.apply is apply


def test_a_data_source_result_read_by_a_wrong_name_is_unknown_to_the_policies(tmp_path):
    findings = check(write_program(tmp_path / "p", RUN_PAST[0][0]), keep_going=True)
    assert [f.resource_name for f in findings.by_policy("rds-managed-master-password")] == ["db-dev"]


def test_a_data_source_result_given_as_a_value_is_sent_as_unknown(tmp_path):
    findings = check(write_program(tmp_path / "p", """
        endpoint = aws.iot.get_endpoint(endpoint_type="iot:Data-ATS")
        aws.ssm.Parameter("iot-endpoint-dev", type="String", value=endpoint)
        aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev")
    """), keep_going=True)
    assert findings.failure is None
    assert [d.check for d in findings.diagnoses if d.check.startswith("program-")] == ["program-data-source-result"]
    assert "audit-dev" in [f.resource_name for f in findings.by_policy("log-retention")]


def test_a_module_the_project_does_not_have_is_a_stand_in_and_what_it_gives_is_unknown(tmp_path):
    _checked_without_compute(tmp_path, """
        from components.compute import ComputeComponent
        compute = ComputeComponent("compute-dev", vpc_id="vpc-1")
        aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev", tags={"function": compute.function_name})
    """)


def test_what_a_stand_in_gives_unpacks_into_as_many_unknowns_as_names(tmp_path):
    findings = _checked_without_compute(tmp_path, """
        import components.compute as compute
        provider, arn, (url, *rest) = compute.create_oidc_provider("cluster-dev")
        for subnet in compute.subnets:
            aws.ec2.RouteTableAssociation("assoc-dev", subnet_id=subnet, route_table_id="rtb-1")
        aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev", tags={"issuer": url, "arn": arn})
    """)
    assert "assoc-dev" not in [r.name for r in findings.resources], "a list a stand-in gives has nothing in it"


def _checked_without_compute(tmp_path: Path, body: str) -> Any:
    """The check of a program whose package ``components`` has no ``compute`` module, which it uses and
    which stands in for it; the log group ``audit-dev`` it declares after is checked."""
    program = write_program(tmp_path / "p", body)
    (program / "components").mkdir()
    (program / "components" / "__init__.py").write_text("", encoding="utf-8")
    findings = check(program, keep_going=True)
    assert findings.failure is None
    assert findings.worked_around == [f"ModuleNotFoundError: No module named 'components.compute'{STAND_IN}"]
    assert "audit-dev" in [f.resource_name for f in findings.by_policy("log-retention")]
    return findings


def test_a_fragment_module_is_a_stand_in_and_the_rest_is_checked(tmp_path):
    program = write_program(tmp_path / "p", """
        from policies_doc import tenant_policy
        aws.iam.Policy("tenant-dev", policy=tenant_policy)
        aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev")
    """)
    (program / "policies_doc.py").write_text('tenant_policy = {"Resource": f"arn:aws:s3:::{bucket}"}\n',
                                            encoding="utf-8")
    findings = check(program, keep_going=True)
    assert findings.failure is None
    assert findings.worked_around == [f"NameError: name 'bucket' is not defined{STAND_IN}"]
    assert "audit-dev" in [f.resource_name for f in findings.by_policy("log-retention")]
    assert not findings.by_policy("stringified-output")  # the stand-in is unknown, never a placeholder string


def test_a_project_class_called_without_arguments_it_requires_is_given_unknowns(tmp_path):
    program = write_program(tmp_path / "p", """
        from stack_args import StackArgs, log_name
        args = StackArgs("dev")
        aws.cloudwatch.LogGroup("orders-dev", name=log_name("orders"), tags={"vpc": args.vpc_id})
        aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev")
    """)
    (program / "stack_args.py").write_text(textwrap.dedent("""\
        class StackArgs:
            def __init__(self, environment_suffix, vpc_id, subnet_ids, *, owner):
                self.environment_suffix, self.vpc_id, self.subnet_ids = environment_suffix, vpc_id, subnet_ids
                self.owner = owner

        def log_name(prefix, environment):
            return f"/tap/{prefix}"
        """), encoding="utf-8")
    findings = check(program, keep_going=True)
    assert findings.failure is None
    assert findings.worked_around == [
        "TypeError: StackArgs.__init__() missing 2 required positional arguments: 'vpc_id' and 'subnet_ids'",
        "TypeError: StackArgs.__init__() missing 1 required keyword-only argument: 'owner'",
        "TypeError: log_name() missing 1 required positional argument: 'environment'"]
    [diagnosis, *_] = [d for d in findings.diagnoses if d.check == "program-missing-argument"]
    assert diagnosis.message == ("StackArgs (stack_args.py:1) requires vpc_id and subnet_ids, which the call "
                                 "does not give.")
    assert diagnosis.fix == ("pass vpc_id=..., subnet_ids=... in the call, or give them a default where StackArgs "
                             "is defined")
    # the function ran, given the rest: its name lacks the suffix
    assert [f.resource_name for f in findings.by_policy("environment-suffix-naming")] == ["orders-dev"]
    assert "audit-dev" in [f.resource_name for f in findings.by_policy("log-retention")]


def test_a_name_a_project_module_lacks_comes_from_the_module_that_defines_it_or_is_a_stand_in(tmp_path):
    program = write_program(tmp_path / "p", """
        from modules.iam import create_role, create_api_role
        aws.cloudwatch.LogGroup("app-dev", name=create_role("app"))
        aws.cloudwatch.LogGroup("api-dev", name=create_api_role("api"))
        aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev")
    """)
    (program / "modules").mkdir()
    (program / "modules" / "__init__.py").write_text("", encoding="utf-8")
    (program / "modules" / "iam.py").write_text("ROLE_PATH = '/app/'\n", encoding="utf-8")
    (program / "modules" / "roles.py").write_text("def create_role(name):\n    return f'/tap/{name}'\n",
                                                  encoding="utf-8")
    findings = check(program, keep_going=True)
    assert findings.failure is None
    cause = "ImportError: cannot import name '{}' from 'modules.iam' ({})"
    assert findings.worked_around == [cause.format("create_role", program / "modules" / "iam.py"),
                                      cause.format("create_api_role", program / "modules" / "iam.py") + STAND_IN]
    [moved, absent] = [d for d in findings.diagnoses if d.check == "program-missing-name"]
    assert moved.message == ("__main__.py imports create_role from modules.iam, which does not define it: "
                             "modules/roles.py:1 does.")
    assert moved.fix == "from modules.roles import create_role"
    assert absent.fix == "define create_api_role in modules/iam.py, or import it from the module that has it"
    # the real function, not a stand-in, named app-dev's log group; the stand-in's name is unknown
    assert [f.resource_name for f in findings.by_policy("environment-suffix-naming")] == ["app-dev"]
    assert "audit-dev" in [f.resource_name for f in findings.by_policy("log-retention")]


def test_a_name_a_package_lacks_is_a_stand_in(tmp_path):
    program = write_program(tmp_path / "p", """
        from components import build_queue
        aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev", tags={"queue": build_queue("jobs")})
    """)
    (program / "components").mkdir()
    (program / "components" / "__init__.py").write_text("TEAM = 'payments'\n", encoding="utf-8")
    findings = check(program, keep_going=True)
    assert findings.failure is None
    assert findings.worked_around == [
        f"ImportError: cannot import name 'build_queue' from 'components' ({program / 'components' / '__init__.py'})"
        f"{STAND_IN}"]
    assert "audit-dev" in [f.resource_name for f in findings.by_policy("log-retention")]


def test_packages_that_are_not_installed_are_stand_ins(tmp_path):
    findings = check(write_program(tmp_path / "p", """
        from dotenv import load_dotenv
        import pulumi_kubernetes as k8s
        load_dotenv()
        namespace = k8s.core.v1.Namespace("apps", metadata={"name": "apps"})
        aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev", tags={"namespace": namespace.metadata.name})
    """), keep_going=True)
    assert findings.failure is None
    assert findings.worked_around == [f"ModuleNotFoundError: No module named '{name}'{STAND_IN}"
                                      for name in ("dotenv", "pulumi_kubernetes")]
    assert "audit-dev" in [f.resource_name for f in findings.by_policy("log-retention")]


def test_a_stand_in_module_is_gone_after_the_block():
    import sys

    import pulumi

    with workarounds.applied([{"kind": "absent-module", "name": "tests.runner.compute"},
                              {"kind": "absent-module", "name": "pulumi_kubernetes"}]):
        from pulumi_kubernetes.core.v1 import Namespace  # type: ignore[import-not-found]
        from tests.runner.compute import Anything  # type: ignore[import-not-found]

        assert isinstance(Anything, type) and isinstance(Namespace, type)
        import pulumi_kubernetes as k8s  # type: ignore[import-not-found]

        assert isinstance(k8s.apps.v1.deployment("d"), pulumi.Output)
    assert "tests.runner.compute" not in sys.modules and "pulumi_kubernetes.core.v1" not in sys.modules


def test_a_changed_project_module_is_gone_after_the_block(tmp_path, monkeypatch):
    import importlib
    import sys

    (tmp_path / "shapes.py").write_text("def area(width, height):\n    return (width, height)\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = list(sys.meta_path)
    fixes = [{"kind": "project-arguments", "file": str((tmp_path / "shapes.py").resolve()), "name": "area",
              "arguments": "height"},
             {"kind": "missing-name", "file": str((tmp_path / "shapes.py").resolve()), "name": "perimeter"}]
    with workarounds.applied(fixes):
        shapes = importlib.import_module("shapes")
        width, height = shapes.area(2)
        assert width == 2 and isinstance(height, pulumi_output())  # both fixes of the one file applied
        assert isinstance(shapes.perimeter(1), pulumi_output())
    assert "shapes" not in sys.modules and sys.meta_path == before
    assert importlib.import_module("shapes").area(2, 3) == (2, 3)
    sys.modules.pop("shapes", None)


def test_a_class_that_inherits_its_init_is_given_unknowns_and_stays_a_class(tmp_path, monkeypatch):
    import importlib
    import sys

    (tmp_path / "stack_args.py").write_text(textwrap.dedent("""\
        class BaseArgs:
            def __init__(self, suffix, vpc_id):
                self.suffix, self.vpc_id = suffix, vpc_id

        class StackArgs(BaseArgs):
            pass
        """), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    fix = {"kind": "project-arguments", "file": str((tmp_path / "stack_args.py").resolve()), "name": "StackArgs",
           "arguments": "vpc_id"}
    with workarounds.applied([fix]):
        module = importlib.import_module("stack_args")
        args = module.StackArgs("dev")
        assert isinstance(args, module.BaseArgs) and isinstance(args.vpc_id, pulumi_output())
        with pytest.raises(TypeError, match="vpc_id"):
            module.BaseArgs("dev")  # the base class is left as it is
    sys.modules.pop("stack_args", None)


def pulumi_output() -> type:
    import pulumi

    return pulumi.Output


def test_an_import_fix_is_gone_after_the_block():
    import builtins

    with workarounds.applied([{"kind": "import", "name": "lambda_", "module": "pulumi_aws.lambda_"}]):
        assert builtins.lambda_.Function.__name__ == "Function"  # type: ignore[attr-defined]
    assert not hasattr(builtins, "lambda_")


def test_a_nameless_call_is_unknown_and_the_class_is_restored_after_the_block():
    import pulumi
    import pulumi_aws as aws

    with workarounds.applied([{"kind": "nameless", "module": "apigateway", "class": "Integration"}]):
        assert isinstance(aws.apigateway.Integration(type="AWS_PROXY"), pulumi.Output)
    assert "__new__" not in vars(aws.apigateway.Integration)


@pytest.mark.parametrize("entry", ["tap.py", "lib/__main__.py"])
def test_a_project_whose_entry_does_not_exist_runs_the_one_project_main_proposes(tmp_path, entry):
    program = write_program(tmp_path / "p", 'aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev")\n',
                            main=entry)
    spec = yaml.safe_load((program / "Pulumi.yaml").read_text(encoding="utf-8"))
    spec.pop("main")
    (program / "Pulumi.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(UsageError, match=r"entry point __main__\.py does not exist"):
        check(program)
    findings = check(program, keep_going=True)
    main = entry.removesuffix("__main__.py")
    assert findings.worked_around == [f"the program's entry point __main__.py does not exist (no main: in "
                                      f"Pulumi.yaml) (ran main: {main}, the entry project-main proposes)"]
    assert [d.fix for d in findings.diagnoses if d.check == "project-main"] == [f"add to Pulumi.yaml:\nmain: {main}"]
    assert [f.resource_name for f in findings.by_policy("log-retention")] == ["audit-dev"]


def test_a_stand_in_is_unknown_and_gone_after_the_block():
    import pulumi
    import pulumi_aws as aws

    with workarounds.applied([{"kind": "absent", "module": "sns", "class": "TopicSubscriptionFilterPolicy"},
                              {"kind": "absent", "module": "sqs", "class": "Queue"}]):
        assert isinstance(aws.sns.TopicSubscriptionFilterPolicy("p", topic="t"), pulumi.Output)  # type: ignore
        assert isinstance(aws.sqs.Queue, type) and aws.sqs.Queue.__module__ == "pulumi_aws.sqs.queue"
    assert not hasattr(aws.sns, "TopicSubscriptionFilterPolicy")


def test_a_function_is_called_with_the_argument_it_takes():
    import pulumi_aws as aws

    function = aws.secretsmanager.get_random_password
    with workarounds.applied([{"kind": "function-argument", "module": "secretsmanager",
                               "function": "get_random_password", "argument": "length", "rename": "password_length"}]):
        patched = aws.secretsmanager.get_random_password
        assert patched is not function and patched.__wrapped__ is function  # type: ignore[attr-defined]
    assert aws.secretsmanager.get_random_password is function


def test_nested_depends_on_is_spread():
    import pulumi

    class Dep(pulumi.CustomResource):
        def __init__(self) -> None:
            """Not registered: only its type matters to ResourceOptions."""

    a, b, c = Dep(), Dep(), Dep()
    with workarounds.applied([{"kind": "flatten-depends-on"}]):
        assert pulumi.ResourceOptions(depends_on=[[a, b], c]).depends_on == [a, b, c]
    with pytest.raises(TypeError, match="not a Resource"):
        pulumi.ResourceOptions(depends_on=[[a, b], c])
