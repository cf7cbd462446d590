"""Project checks and explanations of failed programs: each case a small program with the mistake,
and what the runner says about it (the cause, where, and the fix)."""

from __future__ import annotations

import inspect
import json
import textwrap
from pathlib import Path

import pulumi_aws as aws
import pytest
import yaml

from aws_conventions.__main__ import main
from aws_conventions.diagnose import CHECKS, check_project
from aws_conventions.diagnose.arguments import REMOVED
from aws_conventions.diagnose.explain import explain
from tests.runner.helpers import line_of, write_program

ROOT = Path(__file__).resolve().parents[2]


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main(["check", *map(str, args), "--quiet"])
    out, err = capsys.readouterr()
    return code, out, err


def checks_of(root: Path, **environ: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for d in check_project(root, environ):
        found.setdefault(d.check, []).append(d)
    return found


def edit_yaml(path: Path, **changes: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


# -- project checks ---------------------------------------------------------------------------------


def test_a_provider_key_with_a_default_fails_as_the_cli_says_with_the_value_form(tmp_path, capsys):
    program = write_program(tmp_path / "p", 'aws.sqs.Queue("jobs-dev")\n')
    edit_yaml(program / "Pulumi.yaml", config={"aws:region": {"description": "region", "default": "eu-west-1"},
                                                "environmentSuffix": {"default": "dev"}})
    code, out, _ = run(capsys, program)
    assert code == 1
    assert "Configuration key 'aws:region' is not namespaced by the project and should not define a default" in out
    assert f"Pulumi.yaml:{line_of(program / 'Pulumi.yaml', 'default: eu-west-1')}" in out
    assert "Fix: set it as a value:" in out and "value: eu-west-1" in out
    assert "environmentSuffix" not in out.split("Policies:")[0]  # the project's own key may have a default


def test_a_secret_looking_provider_default_is_not_shown(tmp_path):
    program = write_program(tmp_path / "p", "")
    edit_yaml(program / "Pulumi.yaml", config={"aws:secretKey": {"default": "hunter2-canary"}})
    [found] = checks_of(program)["project-config"]
    assert "hunter2-canary" not in found.message + found.fix


def test_a_main_that_does_not_exist_is_named_with_the_file_that_does(tmp_path, capsys):
    program = write_program(tmp_path / "p", 'aws.sqs.Queue("jobs-dev")\n', main="tap.py")
    edit_yaml(program / "Pulumi.yaml", main="infra.py")
    code, _, err = run(capsys, program)
    assert code == 2
    assert "main: infra.py, which does not exist" in err
    assert "project 'main' could not be read" in err
    assert "Fix: main: tap.py" in err


def test_a_virtualenv_without_requirements_or_without_the_provider(tmp_path):
    program = write_program(tmp_path / "p", 'aws.sqs.Queue("jobs-dev")\n')
    (program / "requirements.txt").unlink()
    [found] = checks_of(program)["project-requirements"]
    assert "No module named 'pulumi'" in found.message and "pulumi-aws" in found.fix
    (program / "requirements.txt").write_text("pulumi>=3\nboto3\n", encoding="utf-8")
    [found] = checks_of(program)["project-requirements"]
    assert "does not list pulumi-aws" in found.message and found.location.file == "requirements.txt"
    (program / "requirements.txt").write_text("pulumi>=3\npulumi_aws==7.51.1  # provider\n", encoding="utf-8")
    assert "project-requirements" not in checks_of(program)


def test_lib_imports_under_a_main_file_need_the_directory_on_sys_path(tmp_path, capsys):
    program = write_program(tmp_path / "p", """
        from lib.stack import make
        pulumi.export("queue", make().name)
    """, main="tap.py")
    (program / "lib").mkdir()
    (program / "lib" / "__init__.py").write_text("", encoding="utf-8")
    (program / "lib" / "stack.py").write_text(
        'import pulumi_aws as aws\n\n\ndef make():\n    return aws.sqs.Queue("jobs-dev")\n', encoding="utf-8")
    code, out, _ = run(capsys, program)
    assert code == 0  # it runs here: the runner puts the directory on sys.path
    assert "[advisory]  project-lib-import" in out
    assert f"tap.py:{line_of(program / 'tap.py', 'from lib.stack')}" in out
    assert "No module named 'lib'" in out and "export PYTHONPATH=$PWD" in out
    assert "project-lib-import" not in checks_of(program, PYTHONPATH=str(program))
    edit_yaml(program / "Pulumi.yaml", main=None)  # no entry the CLI runs: the one project-main proposes
    assert {"project-main", "project-lib-import"} <= set(checks_of(program))
    (program / "tap.py").rename(program / "__main__.py")
    assert "project-lib-import" not in checks_of(program)


def test_crlf_files_are_named(tmp_path):
    program = write_program(tmp_path / "p", 'aws.sqs.Queue("jobs-dev")\n')
    entry = program / "__main__.py"
    entry.write_bytes(entry.read_bytes().replace(b"\n", b"\r\n"))
    [found] = checks_of(program)["project-line-endings"]
    assert "__main__.py" in found.message and "eol=lf" in found.fix


def test_a_second_entry_point_the_cli_never_runs(tmp_path):
    program = write_program(tmp_path / "p", 'aws.sqs.Queue("jobs-dev")\n', main="tap.py")
    (program / "__main__.py").write_text("import pulumi\n", encoding="utf-8")
    [found] = checks_of(program)["project-entry-points"]
    assert found.location.file == "__main__.py" and "runs only tap.py" in found.message


def test_a_declared_config_key_without_a_value_for_the_stack(tmp_path, capsys):
    program = write_program(tmp_path / "p", 'pulumi.export("queue", aws.sqs.Queue("jobs-dev").name)\n')
    edit_yaml(program / "Pulumi.yaml", config={"dbName": {"type": "string"}})
    code, out, _ = run(capsys, program)
    assert code == 1
    assert "Stack 'dev' is missing configuration value 'dbName'" in out
    assert "pulumi config set dbName <value> --stack dev" in out
    code, out, _ = run(capsys, program, "--config", "dbName=ledger")
    assert code == 0 and "stack-config-missing" not in out


# -- failed programs explained ------------------------------------------------------------------------


def explained(capsys, tmp_path: Path, body: str) -> tuple[Path, str]:
    program = write_program(tmp_path / "p", body)
    code, out, err = run(capsys, program)
    assert code == 2 and "error:" not in out  # the error on stderr; on stdout, at most the findings on
    assert out == "" or out.startswith("Before it failed, the program declared")  # what it declared first
    assert "Traceback" not in err  # the explanation stands instead of it
    return program / "__main__.py", err


def test_json_dumps_over_an_output(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        import json
        bucket = aws.s3.Bucket("logs-dev")
        aws.iam.Policy("read-dev", policy=json.dumps({"Statement": [{"Resource": bucket.arn}]}))
    """)
    assert f"__main__.py:{line_of(entry, 'json.dumps(')}" in err
    assert "[mandatory]  program-output-json" in err
    assert 'Fix: aws.iam.Policy("read-dev", policy=pulumi.Output.json_dumps({"Statement"' in err


def test_the_explained_failure_is_not_repeated_by_the_source_check(tmp_path, capsys):
    _, err = explained(capsys, tmp_path, """
        import json
        bucket = aws.s3.Bucket("logs-dev")
        aws.iam.Policy("read-dev", policy=json.dumps({"Statement": [{"Resource": bucket.arn}]}))
    """)
    assert "program-output-json" in err and "project-output-json" not in err


@pytest.mark.parametrize(("body", "read"), [
    # Inside an apply callback: a preview with unknown values never runs it; `pulumi up` fails.
    ("""
     group = aws.cloudwatch.LogGroup("app-dev")
     table = aws.dynamodb.Table("t-dev", hash_key="pk", attributes=[{"name": "pk", "type": "S"}])
     spec = table.name.apply(lambda n: json.dumps([{"table": n, "logs": group.name}]))
     """, "group.name"),
    ("""
     class Stack:
         def __init__(self):
             self.queue = aws.sqs.Queue("jobs-dev")
             self.doc = json.dumps({"Resource": self.queue.arn})
     """, "self.queue.arn"),
    ("""
     from pulumi_aws import s3
     bucket = s3.Bucket("logs-dev")
     doc = pulumi.Output.all(bucket.arn).apply(lambda args: json.dumps({"Resource": bucket.arn}))
     """, "bucket.arn"),
    # What json can serialize, or what is not a resource's attribute: nothing to say.
    ("""
     bucket = aws.s3.Bucket("logs-dev")
     doc = bucket.arn.apply(lambda arn: json.dumps({"Resource": arn}))
     doc2 = pulumi.Output.json_dumps({"Resource": bucket.arn})
     doc3 = json.dumps({"Resource": f"{bucket.arn}", "Other": str(bucket.id)})
     args = aws.s3.BucketArgs(bucket="x")
     doc4 = json.dumps({"b": args.bucket})
     doc5 = bucket.arn.apply(lambda bucket: json.dumps({"Resource": bucket.arn}))
     """, None),
], ids=["inside-apply", "self-attribute", "from-import", "serializable"])
def test_json_dumps_over_a_resource_attribute_is_found_in_the_source(tmp_path, body, read):
    program = write_program(tmp_path / "p", "import json\n" + textwrap.dedent(body))
    found = checks_of(program).get("project-output-json", [])
    if read is None:
        assert found == []
        return
    (diagnosis,) = found
    assert diagnosis.location.line == line_of(program / "__main__.py", "json.dumps(")
    assert f"passes {read} to json.dumps" in diagnosis.message
    assert "pulumi.Output.json_dumps(" in diagnosis.fix and diagnosis.level == "advisory"


def test_a_misspelt_argument_names_the_closest_real_one(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        aws.cfg.Rule("tags-dev", source=aws.cfg.RuleSourceArgs(owner="AWS", source_identifiers=["REQUIRED_TAGS"]))
    """)
    assert f"__main__.py:{line_of(entry, 'source_identifiers')}" in err
    assert "aws.cfg.RuleSourceArgs has no argument source_identifiers; the closest it takes is source_identifier" in err
    assert "the closest it takes is source_identifier, which takes one value, not a list." in err
    assert 'Fix: source_identifier="REQUIRED_TAGS"' in err


def test_depends_on_as_an_argument_moves_into_resource_options(tmp_path, capsys):
    _, err = explained(capsys, tmp_path, """
        recorder = aws.sqs.Queue("recorder-dev")
        aws.sqs.Queue("rule-dev", depends_on=[recorder], opts=pulumi.ResourceOptions(protect=False))
    """)
    assert "[mandatory]  program-resource-option" in err
    assert "Fix: opts=pulumi.ResourceOptions(depends_on=[recorder])" in err
    assert "the call already passes opts=" in err


def test_an_argument_removed_in_pulumi_aws_7(tmp_path, capsys):
    _, err = explained(capsys, tmp_path, 'aws.ec2.Eip("nat-dev", vpc=True)\n')
    assert "aws.ec2.Eip no longer takes vpc=: pulumi-aws 7 removed it" in err
    assert 'Fix: use domain="vpc"' in err


def test_a_project_package_imported_by_a_path_that_does_not_reach_it(tmp_path, capsys):
    program = write_program(tmp_path / "p", "from components.queues import make\nmake()\n")
    (program / "lib" / "components").mkdir(parents=True)
    for init in (program / "lib" / "__init__.py", program / "lib" / "components" / "__init__.py"):
        init.write_text("", encoding="utf-8")
    (program / "lib" / "components" / "queues.py").write_text(
        'import pulumi_aws as aws\n\n\ndef make():\n    return aws.sqs.Queue("jobs-dev")\n', encoding="utf-8")
    code, _, err = run(capsys, program)
    assert code == 2
    assert f"__main__.py:{line_of(program / '__main__.py', 'from components')}" in err
    assert "[mandatory]  program-local-module" in err
    assert "imports components, which is the project's lib/components" in err
    assert "Fix: import it by its full path from the program's directory: `from lib.components import ...`" in err
    (program / "components").mkdir()  # a top-level package of that name: some other mistake, not this one
    code, _, err = run(capsys, program)
    assert code == 2 and "program-local-module" not in err


def test_an_unknown_error_still_shows_the_traceback(tmp_path, capsys):
    program = write_program(tmp_path / "p", 'raise RuntimeError("quota lookup failed")\n')
    code, _, err = run(capsys, program)
    assert code == 2
    assert "Traceback (most recent call last):" in err and "program-" not in err


def test_the_json_and_sarif_reports_of_a_failed_program_carry_the_explanation(tmp_path, capsys):
    program = write_program(tmp_path / "p", 'aws.ec2.Eip("nat-dev", vpc=True)\n')
    code, out, _ = run(capsys, program, "--format", "json")
    assert code == 2
    [diagnosis] = json.loads(out)["diagnoses"]
    assert diagnosis["check"] == "program-removed-argument"
    assert diagnosis["cause"] == "TypeError: Eip._internal_init() got an unexpected keyword argument 'vpc'"
    assert diagnosis["location"] == {"file": "__main__.py", "line": line_of(program / "__main__.py", "vpc=True")}
    code, out, _ = run(capsys, program, "--format", "sarif")
    [result] = json.loads(out)["runs"][0]["results"]
    assert result["ruleId"] == "program-removed-argument" and 'domain="vpc"' in result["message"]["text"]


# -- the tables ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "replacement"), REMOVED.items(), ids=lambda v: str(v))
def test_removed_arguments_are_gone_from_the_installed_pulumi_aws_and_their_replacement_exists(key, replacement):
    module, name, argument = key
    cls = getattr(getattr(aws, module), name)
    assert argument not in inspect.signature(cls._internal_init).parameters
    first = replacement.split("=", 1)[0].split("(", 1)[-1]
    assert first in {p for c in (cls, aws.apigateway.Stage) for p in inspect.signature(c._internal_init).parameters}


def test_the_readme_lists_every_check():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for check in CHECKS:
        assert f"#### {check.name}" in readme and check.description in readme


def test_a_class_the_installed_pulumi_aws_does_not_have_names_the_closest(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        fn = aws.lambda_.Function("worker-dev", role="arn:aws:iam::123456789012:role/r", runtime="python3.12",
                                  handler="index.handler", code=pulumi.AssetArchive({}))
        aws.lambda_.EventInvokeConfig("worker-async-dev", function_name=fn.name, maximum_retry_attempts=0)
    """)
    assert f"__main__.py:{line_of(entry, 'EventInvokeConfig')}" in err
    assert "[mandatory]  program-unknown-class" in err
    assert "pulumi_aws.lambda_ has no class EventInvokeConfig" in err and "FunctionEventInvokeConfig" in err


def test_aws_config_resources_are_named_in_the_cfg_module(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        aws.config.ConfigurationRecorder("recorder-dev", role_arn="arn:aws:iam::123456789012:role/config")
    """)
    assert f"__main__.py:{line_of(entry, 'ConfigurationRecorder')}" in err
    assert "AWS Config's resources are in pulumi_aws.cfg, where this one is Recorder" in err
    assert "aws.cfg.Recorder(...)" in err


def test_a_list_inside_depends_on(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        queues = [aws.sqs.Queue(f"q{i}-dev") for i in range(2)]
        aws.sqs.Queue("last-dev", opts=pulumi.ResourceOptions(depends_on=[queues]))
    """)
    assert f"__main__.py:{line_of(entry, 'depends_on=[queues]')}" in err
    assert "[mandatory]  program-depends-on" in err and "depends_on=[*methods, integration]" in err


def test_a_module_pulumi_aws_does_not_have_names_the_one_holding_its_classes(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        from pulumi_aws import logs
        logs.LogGroup("app-dev", retention_in_days=14)
    """)
    assert f"__main__.py:{line_of(entry, 'import logs')}" in err and "[mandatory]  program-unknown-module" in err
    assert "pulumi_aws has no module logs; the classes the program uses from it (LogGroup) are in aws.cloudwatch" in err
    assert "Fix: from pulumi_aws import cloudwatch" in err


@pytest.mark.parametrize(("body", "said"), [
    ("""
     db = aws.rds.Instance("db-dev", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20,
                           username="app", manage_master_user_password=True)
     pulumi.export("secret", db.master_user_secret.arn)
     """, "aws.rds.Instance has no output master_user_secret; the closest it has is master_user_secrets."),
    ("""
     secret = aws.secretsmanager.Secret("db-dev")
     pulumi.export("value", secret.secret_string)
     """, "aws.secretsmanager.Secret has no output secret_string; aws.secretsmanager.SecretVersion has it."),
], ids=["misspelt", "another-class"])
def test_an_output_a_resource_does_not_have(tmp_path, capsys, body, said):
    _, err = explained(capsys, tmp_path, body)
    assert "[mandatory]  program-unknown-attribute" in err and said in err


def test_what_a_data_source_returns_read_by_a_name_it_does_not_have(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        password = aws.secretsmanager.get_random_password(password_length=32).result
        aws.secretsmanager.SecretVersion("db-dev", secret_id="db-dev", secret_string=password)
    """)
    assert f"__main__.py:{line_of(entry, '.result')}" in err and "[mandatory]  program-unknown-attribute" in err
    assert ("What aws.secretsmanager.get_random_password() returns has no result; besides the arguments it was "
            "given, it holds random_password.") in err
    assert "Fix: .random_password" in err


def test_a_class_of_the_same_name_in_another_service_is_not_proposed_when_it_takes_other_arguments(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        aws.iot.SecurityProfile("devices-dev", behaviors=[], alert_targets={})
    """)
    assert f"__main__.py:{line_of(entry, 'SecurityProfile')}" in err and "[mandatory]  program-unknown-class" in err
    assert "pulumi_aws.iot has no class SecurityProfile in the installed pulumi-aws." in err
    assert "aws.connect.SecurityProfile" not in err  # Amazon Connect's takes neither argument


def test_a_resource_created_without_its_name_as_another_resources_argument(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        api = aws.apigateway.RestApi("api-dev")
        aws.apigateway.Method("post-dev", rest_api=api.id, resource_id=api.root_resource_id, http_method="POST",
                              authorization="NONE",
                              integration=aws.apigateway.Integration(type="AWS_PROXY", uri="arn:aws:lambda:x"))
    """)
    assert f"__main__.py:{line_of(entry, 'integration=')}" in err and "[mandatory]  program-nameless-resource" in err
    assert ("aws.apigateway.Integration is a resource: it takes its logical name first, here as Method's argument "
            "integration=") in err
    assert ('Fix: integration = aws.apigateway.Integration(f"integration-{environment_suffix}", ...) on its own '
            "line, and drop integration= from Method") in err


def test_a_resource_option_given_to_a_data_source_call(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        caller = aws.get_caller_identity(opts=pulumi.InvokeOptions(ignore_changes=["*"]))
    """)
    assert f"__main__.py:{line_of(entry, 'InvokeOptions')}" in err and "[mandatory]  program-invoke-option" in err
    assert "pulumi.InvokeOptions takes no ignore_changes: it is a resource option" in err
    assert "Fix: remove ignore_changes= from pulumi.InvokeOptions(...)" in err


def test_a_provider_setting_written_in_python(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        region = aws.config.region
        aws.config.region = "us-west-2"
    """)
    assert f"__main__.py:{line_of(entry, 'aws.config.region =')}" in err
    assert "[mandatory]  program-provider-setting" in err
    assert "aws.config.region cannot be set: pulumi_aws.config reads the stack's aws:region configuration" in err
    assert "Fix: pulumi config set aws:region us-west-2;" in err


@pytest.mark.parametrize(("body", "said", "fix"), [
    ("""
     block = aws.s3.BucketPublicAccessBlockArgs(block_public_acls=True)
     """, "aws.s3.BucketPublicAccessBlockArgs requires bucket, which the call does not give.", "Fix: bucket=..."),
    ("""
     aws.sqs.QueuePolicy("jobs-policy-dev", policy="{}")
     """, "aws.sqs.QueuePolicy requires queue_url, which the call does not give.", "Fix: queue_url=..."),
], ids=["input-type", "resource"])
def test_a_required_argument_the_call_leaves_out(tmp_path, capsys, body, said, fix):
    _, err = explained(capsys, tmp_path, body)
    assert "[mandatory]  program-missing-argument" in err and said in err and fix in err


def test_a_resource_of_another_provider_written_under_pulumi_aws(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        password = aws.secretsmanager.RandomPassword("db-password-dev", length=32, special=False)
    """)
    assert f"__main__.py:{line_of(entry, 'RandomPassword')}" in err and "[mandatory]  program-unknown-class" in err
    assert "it is a resource of the pulumi_random provider (pulumi-random on PyPI)" in err
    assert "GetRandomPasswordResult" not in err  # what a data source returns is never a class to declare
    assert "Fix: import pulumi_random; pulumi_random.RandomPassword(...)" in err


def test_a_list_where_pulumi_aws_7_takes_one_value(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        aws.apigateway.RestApi("api-dev", endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(
            types=["REGIONAL"]))
    """)
    assert f"__main__.py:{line_of(entry, 'types=')}" in err and "[mandatory]  program-argument-type" in err
    assert "aws.apigateway.RestApiEndpointConfigurationArgs(types=[...]) is given a list where pulumi-aws takes" in err
    assert 'Fix: pass the value itself: types="..." instead of types=["..."]' in err


def test_a_list_where_pulumi_aws_7_takes_one_value_in_a_dict_given_for_the_args_class(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        aws.apigateway.RestApi("api-dev", endpoint_configuration={
            "types": ["REGIONAL"]})
    """)
    line = line_of(entry, '"types": [')
    assert f"__main__.py:{line}" in err and "[mandatory]  program-argument-type" in err
    assert ('endpoint_configuration={"types": [...]} (an aws.apigateway.RestApiEndpointConfigurationArgs) is given '
            "a list where pulumi-aws takes one value") in err
    assert 'Fix: pass the value itself: "types": "..." instead of "types": ["..."]' in err


def test_a_renamed_argument_that_takes_one_value_is_given_the_item_of_the_list(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        encryption = aws.s3.BucketServerSideEncryptionConfigurationArgs(
            rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(bucket_key_enabled=True)])
        aws.s3.Bucket("logs-dev", server_side_encryption_configuration=encryption)
    """)
    assert f"__main__.py:{line_of(entry, 'ConfigurationArgs(')}" in err
    assert "[mandatory]  program-unknown-argument" in err
    assert ("aws.s3.BucketServerSideEncryptionConfigurationArgs has no argument rules; the closest it takes is rule, "
            "which takes one value, not a list.") in err
    assert "Fix: rule=aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(bucket_key_enabled=True)" in err


@pytest.mark.parametrize(("body", "used", "fix"), [
    ('aws.iam.Role("app-dev", assume_role_policy=json.dumps({"Version": "2012-10-17"}))\n', "json",
     "import json"),
    ('aws.lambda_.Function("app-dev", runtime="python3.12", handler="a.h", role="arn:aws:iam::1:role/r")\n',
     "aws", "import pulumi_aws as aws"),
    ('lambda_.Function("app-dev", runtime="python3.12", handler="a.h", role="arn:aws:iam::1:role/r")\n',
     "lambda_", "from pulumi_aws import lambda_"),
], ids=["standard-library", "conventional-alias", "pulumi-aws-module"])
def test_a_module_used_without_an_import(tmp_path, capsys, body, used, fix):
    program = write_program(tmp_path / "p", body)
    entry = program / "__main__.py"
    if used == "aws":
        entry.write_text(entry.read_text(encoding="utf-8").replace("import pulumi_aws as aws\n", ""), encoding="utf-8")
    code, _, err = run(capsys, program)
    assert code == 2
    assert f"__main__.py:{line_of(entry, body.strip()[:20])}" in err and "[mandatory]  program-missing-import" in err
    assert f"__main__.py uses {used} without importing it" in err
    assert f"Fix: {fix} (at the top of __main__.py)" in err


def test_a_name_that_is_no_module_is_not_explained_as_a_missing_import(tmp_path, capsys):
    _, _, err = run(capsys, write_program(tmp_path / "p", 'aws.s3.Bucket("logs-dev", bucket=bucket_name)\n'))
    assert "NameError: name 'bucket_name' is not defined" in err and "program-missing-import" not in err


def test_what_a_data_source_returns_given_where_one_value_goes(tmp_path, capsys):
    entry, err = explained(capsys, tmp_path, """
        endpoint = aws.iot.get_endpoint(endpoint_type="iot:Data-ATS")
        aws.ssm.Parameter("iot-endpoint-dev", type="String", value=endpoint)
    """)
    assert f"__main__.py:{line_of(entry, 'value=')}" in err and "[mandatory]  program-data-source-result" in err
    assert ("What aws.iot.get_endpoint() returns is given as the value of value: it is a GetEndpointResult, "
            "an object of fields, which Pulumi cannot send as one value; it holds endpoint_address.") in err
    assert "Fix: read its field: aws.iot.get_endpoint(...).endpoint_address" in err


@pytest.mark.parametrize(("line", "fix"), [
    ('    "iot_endpoint": self.endpoint,', '"iot_endpoint": self.endpoint.endpoint_address,'),
    ("self.iot_endpoint = aws.iot.get_endpoint()", "self.iot_endpoint = aws.iot.get_endpoint().endpoint_address"),
    ('pulumi.export("iot_endpoint", endpoint)', 'pulumi.export("iot_endpoint", endpoint.endpoint_address)'),
], ids=["dict-entry", "assignment", "export"])
def test_the_fix_for_a_data_source_result_edits_the_line_that_passes_it(tmp_path, line, fix):
    (tmp_path / "app.py").write_text(f"x = 1\n{line}\n", encoding="utf-8")
    text = ("ValueError: While processing input: 'iot_endpoint', type <class 'str'>, value "
            "<pulumi_aws.iot.get_endpoint.AwaitableGetEndpointResult object at 0x7f>\n")
    [diagnosis] = explain(text, tmp_path)
    assert diagnosis.check == "program-data-source-result" and diagnosis.fix == fix
    assert str(diagnosis.location) == "app.py:2"


def test_a_module_of_the_project_that_the_project_does_not_have(tmp_path, capsys):
    program = write_program(tmp_path / "p", """
        from components.compute import ComputeComponent, ComputeArgs
        aws.s3.Bucket("logs-dev")
    """)
    (program / "components").mkdir()
    (program / "components" / "__init__.py").write_text("", encoding="utf-8")
    code, _, err = run(capsys, program)
    assert code == 2 and "[mandatory]  program-absent-module" in err
    assert f"__main__.py:{line_of(program / '__main__.py', 'from components')}" in err
    assert ("__main__.py imports components.compute, which the project does not have: there is no "
            "components/compute.py or components/compute/__init__.py.") in err
    assert "Fix: add components/compute.py, which defines ComputeComponent, ComputeArgs" in err


def test_a_module_that_reads_a_name_it_never_defines_at_its_top_level(tmp_path, capsys):
    program = write_program(tmp_path / "p", """
        from policies_doc import tenant_policy
        aws.s3.Bucket("logs-dev")
    """)
    (program / "policies_doc.py").write_text('x = 1\ntenant_policy = {"Resource": f"arn:aws:s3:::{bucket}"}\n',
                                            encoding="utf-8")
    code, _, err = run(capsys, program)
    assert code == 2 and "policies_doc.py:2\n        - [mandatory]  program-undefined-name" in err
    assert ("policies_doc.py reads bucket at its top level, which runs when __main__.py:4 imports the module, "
            "and nothing there defines bucket.") in err
    assert "Fix: define bucket above line 2, or move this code into the function that has bucket" in err


def test_a_package_the_program_imports_that_is_not_installed(tmp_path, capsys):
    program = write_program(tmp_path / "p", """
        from dotenv import load_dotenv
        aws.s3.Bucket("logs-dev")
    """)
    code, _, err = run(capsys, program)
    assert code == 2 and "[mandatory]  program-missing-module" in err
    assert f"__main__.py:{line_of(program / '__main__.py', 'dotenv')}" in err
    assert ("The interpreter that runs the program has no dotenv: requirements.txt does not list the package that "
            "provides it") in err
    assert "Fix: add the package that provides dotenv to requirements.txt" in err


def test_an_attribute_read_through_an_output_from_a_plain_value(tmp_path, capsys):
    _, err = explained(capsys, tmp_path, """
        bucket_name = pulumi.Output.from_input("logs-dev")
        aws.s3.BucketPolicy("logs-policy-dev", bucket=bucket_name.id, policy="{}")
    """)
    assert "[mandatory]  program-output-attribute" in err
    assert ("The program reads .id from an Output whose value is a str, which has no id: it holds a name, an ID "
            "or an ARN where the resource was meant.") in err
    assert "Fix: read id from the resource itself (bucket.id, not bucket_name.id)" in err


SHADOWING_CALLBACK = """
    import json

    class Service(pulumi.ComponentResource):
        def __init__(self, name, args):
            super().__init__("tap:app:Service", name)
            group = aws.cloudwatch.LogGroup(f"app-{args.suffix}", retention_in_days=14,
                                            opts=pulumi.ResourceOptions(parent=self))
            aws.ssm.Parameter(f"app-config-{args.suffix}", type="String",
                value=pulumi.Output.all(group.name, "x").apply(lambda args: json.dumps({
                    "group": args[0],
                    "env": args.suffix})),
                opts=pulumi.ResourceOptions(parent=self))

    class Args:
        suffix = "dev"

    Service("app-dev", Args())
"""
"""A callback whose parameter hides the component's args: the log group's name is known in a preview
(the program sets none, and an autoname is known), so the callback runs and fails."""


def test_a_callback_parameter_that_hides_a_variable_of_the_function_around_it(tmp_path, capsys):
    program = write_program(tmp_path / "p", SHADOWING_CALLBACK)
    code, _, err = run(capsys, program)
    assert code == 2
    assert f"__main__.py:{line_of(program / '__main__.py', 'lambda args')}\n" \
           "        - [mandatory]  program-callback-parameter" in err
    assert (f"The callback given to .apply (line {line_of(program / '__main__.py', 'lambda args')}) names its "
            "parameter args, which hides the args of __init__(): args.suffix reads the Output's value (a list) where "
            "the program meant __init__()'s args.") in err
    assert ("Fix: rename the callback's parameter (lambda values: ...) and read the Output's values through it "
            "(args[0] becomes values[0]); args.suffix is then __init__()'s args") in err


def test_a_callback_that_reads_a_missing_attribute_of_its_own_value_is_not_said_to_hide_a_name(tmp_path, capsys):
    program = write_program(tmp_path / "p", """
        group = aws.cloudwatch.LogGroup("app-dev", retention_in_days=14)
        aws.ssm.Parameter("app-config-dev", type="String", value=group.name.apply(lambda name: name.suffix))
    """)
    code, _, err = run(capsys, program)
    assert code == 2 and "AttributeError: 'str' object has no attribute 'suffix'" in err
    assert "program-callback-parameter" not in err


NONE_UNPACKED = {
    "__main__.py": "from stack import Stack, StackArgs\nStack('app-dev', StackArgs())\n",
    "stack.py": """import pulumi
import pulumi_aws as aws


class StackArgs:
    def __init__(self, tags=None):
        self.tags = tags


class Stack(pulumi.ComponentResource):
    def __init__(self, name, args):
        super().__init__("tap:app:Stack", name)
        aws.sqs.Queue("jobs-dev", tags={**args.tags, "Name": "jobs-dev"}, opts=pulumi.ResourceOptions(parent=self))
        aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev", opts=pulumi.ResourceOptions(parent=self))
""",
}
"""An optional tags argument left at None, then unpacked, in a module the entry file imports."""


def test_none_unpacked_with_two_stars(tmp_path, capsys):
    program = write_program(tmp_path / "p", "")
    for name, text in NONE_UNPACKED.items():
        (program / name).write_text(text, encoding="utf-8")
    code, _, err = run(capsys, program)
    assert code == 2
    line = line_of(program / "stack.py", "**args.tags")
    assert f"stack.py:{line}\n        - [mandatory]  program-none-unpacked" in err
    assert ("args.tags is None here, and ** unpacks only a mapping: an optional argument left at its default "
            "of None (tags=None) is unpacked as if it were a dict.") in err
    assert ("Fix: **(args.tags or {}) where it is unpacked, or give it a dict where it is set "
            "(args.tags = value or {})") in err
