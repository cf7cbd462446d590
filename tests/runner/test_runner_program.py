"""Finding a program, its stack config and the policy config (no program runs here)."""

from __future__ import annotations

import json
import sys

import pytest
import yaml

from aws_conventions.program import (
    SECURE_PLACEHOLDER,
    UsageError,
    default_stack,
    load_policy_config,
    load_program,
    stack_config,
    unmet_pins,
)
from aws_conventions.runner import ProgramError, check
from tests.runner.helpers import write_program


def test_a_directory_honours_main_and_the_virtualenv(tmp_path):
    root = write_program(tmp_path / "infra", "pulumi.export('x', 1)\n", project="tap", main="src/tap.py")
    (root / "venv" / "bin").mkdir(parents=True)
    (root / "venv" / "bin" / "python").write_text("")
    program = load_program(root)
    assert (program.root, program.project, program.entry) == (root, "tap", root / "src" / "tap.py")
    assert program.python == str(root / "venv" / "bin" / "python")


def test_a_file_belongs_to_the_project_above_it(tmp_path):
    root = write_program(tmp_path / "infra", "pulumi.export('x', 1)\n", project="tap", main="tap.py")
    program = load_program(root / "tap.py")
    assert (program.root, program.project, program.entry, program.python) == (root, "tap", root / "tap.py", None)


def test_a_callable_is_a_program():
    def declare() -> None:
        """Declares nothing."""

    program = load_program(declare)
    assert program.function is declare
    assert program.source is not None and program.source.name == "test_runner_program.py"


@pytest.mark.parametrize(("layout", "message"), [
    ({"Pulumi.yaml": "name: tap\nruntime: python\nmain: missing.py\n"},
     "the program's entry point missing.py does not exist (main: missing.py)"),
    ({"Pulumi.yaml": "runtime: python\n", "__main__.py": ""}, "the project has no name"),
    ({"Pulumi.yaml": "name: [tap\n"}, "not valid YAML (line 2)"),
    ({"README.md": ""}, "not a Pulumi program (no Pulumi.yaml or __main__.py in it)"),
], ids=["missing-main", "no-name", "bad-yaml", "no-program"])
def test_a_directory_that_is_not_a_program(tmp_path, layout, message):
    for name, text in layout.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_program(tmp_path)


def test_stack_config_layers_and_namespaces(tmp_path):
    root = tmp_path / "infra"
    root.mkdir()
    (root / "Pulumi.yaml").write_text(yaml.safe_dump({"name": "tap", "runtime": "python", "config": {
        "aws:region": {"value": "eu-west-1"}, "retention": {"type": "integer", "default": 14}, "owner": "payments"}}))
    (root / "Pulumi.pr7.yaml").write_text(yaml.safe_dump({"config": {
        "tap:environmentSuffix": "pr7", "tap:tags": {"team": "payments"}, "tap:debug": True,
        "tap:dbPassword": {"secure": "v1:AAAA"}, "retention": 30}}))
    (root / "__main__.py").write_text("")
    cfg = stack_config(load_program(root), "pr7", ["aws:region=us-east-1", "owner=ledger"])
    assert cfg.values == {
        "aws:region": "us-east-1", "tap:retention": "30", "tap:owner": "ledger", "tap:environmentSuffix": "pr7",
        "tap:tags": '{"team": "payments"}', "tap:debug": "true", "tap:dbPassword": SECURE_PLACEHOLDER}
    assert cfg.secret_keys == ["tap:dbPassword"]
    assert stack_config(load_program(root), "pr7", {"dbPassword": "plain"}).secret_keys == []


def test_the_default_stack(tmp_path):
    root = write_program(tmp_path / "one", "", stack="staging")
    assert default_stack(load_program(root)) == "staging"
    write_program(root, "", stack="prod")
    with pytest.raises(UsageError, match=r"several stacks \(prod, staging\); choose one with --stack"):
        default_stack(load_program(root))
    write_program(root, "", stack="dev")
    assert default_stack(load_program(root)) == "dev"


def test_policy_config_from_a_file_or_a_mapping(tmp_path):
    path = tmp_path / "policy-config.json"
    document = {"all": "advisory", "log-retention": {"enforcementLevel": "mandatory", "minDays": 7}}
    path.write_text(json.dumps(document))
    assert load_policy_config(path) == document
    assert load_policy_config(document) == document
    assert load_policy_config(None) == {}
    path.write_text("{not json")
    with pytest.raises(UsageError, match="not valid JSON"):
        load_policy_config(path)
    with pytest.raises(UsageError, match="cannot read the policy config"):
        load_policy_config(tmp_path / "missing.json")


def test_an_interpreter_that_does_not_exist_is_a_usage_error(tmp_path):
    root = write_program(tmp_path / "infra", "pulumi.export('x', 1)\n")
    with pytest.raises(UsageError, match="cannot run the program with /nonexistent/python"):
        check(root, python="/nonexistent/python")


def test_another_interpreter_runs_the_program(tmp_path):
    seen = tmp_path / "python.txt"
    root = write_program(tmp_path / "infra", f"""
        import sys
        from pathlib import Path

        Path({str(seen)!r}).write_text(sys.executable)
        queue = aws.sqs.Queue("jobs-dev")
        pulumi.export("jobs_queue", queue.name)
    """)
    findings = check(root, python=sys.executable)
    assert findings.findings == []
    assert seen.read_text() == sys.executable


def test_pins_on_pulumi_packages_that_this_interpreter_does_not_meet(tmp_path):
    root = write_program(tmp_path / "infra", "pulumi.export('x', 1)\n", main="lib/tap.py")
    (root / "requirements.txt").unlink()
    (root / "lib" / "requirements.txt").write_text(
        "pulumi>=3.0.0,<4.0.0  # the SDK\npulumi-aws>=6.0.0,<7.0.0\npulumi-gcp>=8\nrequests>=2\n")
    pins = unmet_pins(load_program(root))
    assert [p.split(" (")[0] for p in pins] == ["pulumi-aws<7.0.0,>=6.0.0", "pulumi-gcp>=8"]
    assert pins[1].endswith("(not installed here)")
    (root / "requirements.txt").write_text("pulumi-aws>=7\n")
    assert unmet_pins(load_program(root)) == [], "the project's own requirements come first"


def test_a_failing_program_with_unmet_pins_says_which(tmp_path):
    root = write_program(tmp_path / "infra", "aws.s3.BucketObjectv3('gone-dev')\n")
    (root / "requirements.txt").write_text("pulumi-aws>=6.0.0,<7.0.0\n")
    with pytest.raises(ProgramError) as failed:
        check(root)
    assert "(it pins pulumi-aws<7.0.0,>=6.0.0 (" in failed.value.summary
    assert "name its virtualenv in Pulumi.yaml or pass --python" in failed.value.summary


def test_the_policy_config_is_reconciled_as_the_engine_does():
    from pulumi.runtime.proto import analyzer_pb2 as pb

    from aws_conventions.evaluation import reconcile

    info = pb.AnalyzerInfo(name="pack", policies=[
        pb.PolicyInfo(name="log-retention", enforcementLevel=pb.MANDATORY),
        pb.PolicyInfo(name="dynamodb-on-demand", enforcementLevel=pb.ADVISORY),
    ])
    info.policies[0].configSchema.properties.update({"minDays": {"type": "integer", "default": 1},
                                                     "maxDays": {"type": "integer", "default": 3653}})
    given = {"dynamodb-on-demand": "mandatory", "all": "advisory", "log-retention": {"minDays": 7}}
    assert reconcile(info, given) == {
        "log-retention": {"enforcementLevel": "advisory", "minDays": 7, "maxDays": 3653},
        "dynamodb-on-demand": {"enforcementLevel": "mandatory"},
        "all": {"enforcementLevel": "advisory"},
    }
