"""``python -m aws_conventions check``: exit codes, formats, errors and progress.

Most cases call ``main()`` in-process (the program still runs in its own process, the pack in its
own); one runs the module as a user would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aws_conventions.__main__ import main
from aws_conventions.diagnose import CHECKS
from policies import POLICIES
from tests.runner.helpers import LOG_GROUP_WITHOUT_RETENTION, line_of, write_program

ROOT = Path(__file__).resolve().parents[2]
COMPLIANT = ROOT / "examples" / "compliant"

PROVISIONED_TABLE = """
    table = aws.dynamodb.Table(
        "ledger-dev", name="ledger-dev", billing_mode="PROVISIONED", read_capacity=1, write_capacity=1,
        hash_key="id", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
        point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True))
    pulumi.export("ledger_table", table.name)
"""


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_clean_program_exits_0(capsys):
    code, out, _ = check(capsys, COMPLIANT)
    assert code == 0
    assert "✅ aws-conventions@v" in out
    assert "No policy violations." in out


def test_a_mandatory_violation_exits_1_and_is_listed_by_resource(tmp_path, capsys):
    program = write_program(tmp_path / "audit", LOG_GROUP_WITHOUT_RETENTION, main="infra.py")
    code, out, _ = check(capsys, program)
    assert code == 1
    line = line_of(program / "infra.py", "aws.cloudwatch.LogGroup(")
    assert "Policies:\n    ❌ aws-conventions@v" in out
    assert f"    aws:cloudwatch/logGroup:LogGroup: audit-logs-dev  infra.py:{line}\n" in out
    assert "        - [mandatory] [severity: medium]  log-retention\n" in out
    assert "retentionInDays is not set (logs never expire)" in out
    assert "Fix: retention_in_days=14" in out
    assert "1 mandatory violation on 1 resource." in out


def test_advisory_findings_only_exit_0(tmp_path, capsys):
    code, out, _ = check(capsys, write_program(tmp_path / "ledger", PROVISIONED_TABLE))
    assert code == 0
    assert "⚠️ aws-conventions@v" in out
    assert "[advisory] [severity: medium]  dynamodb-on-demand" in out


def test_a_missing_program_exits_2_with_one_line(tmp_path, capsys):
    code, out, err = check(capsys, tmp_path / "nowhere")
    assert code == 2
    assert out == ""
    assert err == f"error: {tmp_path / 'nowhere'}: no such file or directory\n"


def test_a_directory_without_a_program_exits_2(tmp_path, capsys):
    code, _, err = check(capsys, tmp_path)
    assert code == 2
    assert "not a Pulumi program (no Pulumi.yaml or __main__.py in it)" in err


def test_a_program_that_raises_exits_2_with_one_line_then_its_error(tmp_path, capsys):
    program = write_program(tmp_path / "broken", """
        aws.sqs.Queue("jobs-dev")
        raise ValueError("no dead-letter queue configured")
    """)
    code, out, err = check(capsys, program)
    assert code == 2
    assert out == ""
    first, rest = err.split("\n", 1)
    assert first == f"error: the program {program} failed: ValueError: no dead-letter queue configured"
    assert rest.startswith("Traceback (most recent call last):\n")
    assert f'File "{program / "__main__.py"}", line {line_of(program / "__main__.py", "raise ValueError")}' in rest
    assert rest.rstrip().endswith("ValueError: no dead-letter queue configured")


def test_a_program_that_fails_after_declaring_resources_reports_the_resource_policies_on_them(tmp_path, capsys):
    # pulumi preview analyzes each resource as the program registers it: those findings come with the error,
    # and no stack policy runs (the stack exports nothing here, which stack-exports would report).
    program = write_program(tmp_path / "broken", """
        aws.cloudwatch.LogGroup("audit-dev", name="/tap/audit-dev")
        aws.sqs.Queue("jobs-dev")
        raise ValueError("no dead-letter queue configured")
    """)
    code, out, err = check(capsys, program)
    assert code == 2
    assert err.startswith(f"error: the program {program} failed: ValueError: no dead-letter queue configured\n")
    assert out.startswith("Before it failed, the program declared 4 resources; `pulumi preview` reports the "
                          "resource policies' findings on them (no stack policy runs):\n")
    line = line_of(program / "__main__.py", "LogGroup")
    assert f"aws:cloudwatch/logGroup:LogGroup: audit-dev  __main__.py:{line}" in out and "log-retention" in out
    assert "stack-exports" not in out
    assert out.endswith("1 mandatory violation on 1 resource. A `pulumi preview` with this pack would fail.\n")

    code, out, _ = check(capsys, program, "--format", "json")
    document = json.loads(out)
    assert code == 2 and document["error"]["message"].endswith("no dead-letter queue configured")
    assert [(f["policy"], f["resource"]["name"]) for f in document["findings"]] == [("log-retention", "audit-dev")]
    assert document["summary"]["passed"] is False


def test_missing_required_config_names_the_key_and_how_to_pass_it(tmp_path, capsys):
    program = write_program(tmp_path / "config", """
        db_name = pulumi.Config().require("dbName")
        aws.sqs.Queue(f"{db_name}-jobs-dev")
    """)
    code, _, err = check(capsys, program)
    assert code == 2
    assert err.startswith(f"error: the program {program} failed: it requires the stack config 'tap-test:dbName', "
                          "which is not set: pass it with --config dbName=VALUE")
    code, _, _ = check(capsys, program, "--config", "dbName=orders")
    assert code in (0, 1)


def test_an_invalid_policy_config_exits_2_naming_the_policy_and_field(tmp_path, capsys):
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"log-retention": {"enforcementLevel": "mandatory", "minDays": "ten"}}))
    code, out, err = check(capsys, COMPLIANT, "--policy-config", config)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: invalid policy config: policy 'log-retention': config field 'minDays' ")


@pytest.mark.parametrize(("document", "expected"), [
    ({"log-retention": "sometimes"}, "policy 'log-retention': enforcementLevel must be one of advisory, "
                                     "mandatory, remediate, disabled, got 'sometimes'"),
    (["log-retention"], "expected a JSON object of policy names to settings"),
], ids=["unknown-level", "not-an-object"])
def test_a_malformed_policy_config_file_exits_2_before_running(tmp_path, capsys, document, expected):
    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps(document))
    code, _, err = check(capsys, COMPLIANT, "--policy-config", config)
    assert code == 2
    assert err == f"error: {config}: {expected}\n"


def test_a_malformed_config_override_exits_2(capsys):
    code, _, err = check(capsys, COMPLIANT, "--config", "environmentSuffix")
    assert code == 2
    assert err == "error: --config 'environmentSuffix': expected KEY=VALUE, e.g. --config environmentSuffix=pr123\n"


def test_stack_and_config_options(tmp_path, capsys):
    program = write_program(tmp_path / "named", """
        suffix = pulumi.Config().require("environmentSuffix")
        table = aws.dynamodb.Table(f"orders-{suffix}", name=f"orders-{suffix}", billing_mode="PAY_PER_REQUEST",
            hash_key="id", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True))
        pulumi.export("orders_table", table.name)
    """)
    code, out, _ = check(capsys, program, "--stack", "pr7", "--config", "environmentSuffix=pr7", "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["program"]["stack"] == "pr7"
    assert report["findings"] == []
    assert "urn:pulumi:pr7::tap-test::aws:dynamodb/table:Table::orders-pr7" in {r["urn"] for r in report["resources"]}


def test_json_format(tmp_path, capsys):
    program = write_program(tmp_path / "audit", LOG_GROUP_WITHOUT_RETENTION)
    code, out, _ = check(capsys, program, "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert set(report) == {"schemaVersion", "pack", "program", "summary", "findings", "waived", "remediations",
                           "resources", "timing", "diagnoses", "workedAround", "error"}
    assert report["error"] is None
    assert report["schemaVersion"] == 1
    assert report["program"] == {"path": str(program), "entry": "__main__.py", "project": "tap-test",
                                 "stack": "dev", "preview": True}
    assert report["summary"] == {"passed": False, "resources": 3, "findings": 1, "mandatory": 1, "advisory": 0,
                                 "waived": 0, "remediated": 0, "diagnoses": 0}
    assert report["diagnoses"] == []
    [finding] = report["findings"]
    assert finding["policy"] == "log-retention"
    assert finding["enforcementLevel"] == "mandatory"
    assert finding["severity"] == "medium"
    assert finding["resource"] == {"urn": "urn:pulumi:dev::tap-test::aws:cloudwatch/logGroup:LogGroup::audit-logs-dev",
                                   "type": "aws:cloudwatch/logGroup:LogGroup", "name": "audit-logs-dev"}
    assert finding["location"] == {"file": "__main__.py",
                                   "line": line_of(program / "__main__.py", "aws.cloudwatch.LogGroup(")}
    assert finding["message"].startswith("aws:cloudwatch/logGroup:LogGroup 'audit-logs-dev': retentionInDays")
    assert finding["description"].startswith("CloudWatch log groups set retentionInDays")
    assert {r["kind"] for r in report["resources"]} == {"stack", "provider", "custom"}


def test_sarif_format(tmp_path, capsys, monkeypatch):
    program = write_program(tmp_path / "infra" / "audit", LOG_GROUP_WITHOUT_RETENTION)
    monkeypatch.chdir(tmp_path)
    code, out, err = check(capsys, "infra/audit", "--format", "sarif", "--output", "results.sarif")
    assert code == 1
    assert out == ""
    assert "wrote results.sarif" in err
    log = json.loads((tmp_path / "results.sarif").read_text())
    assert log["version"] == "2.1.0"
    assert "sarif-schema-2.1.0" in log["$schema"]
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "aws-conventions"
    assert [r["id"] for r in rules] == [p.name for p in POLICIES] + [c.name for c in CHECKS]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["helpUri"].endswith(f"#{rule['id']}")
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "none"}
    [result] = run["results"]
    assert result["ruleId"] == "log-retention"
    assert rules[result["ruleIndex"]]["id"] == "log-retention"
    assert result["level"] == "error"
    assert result["message"]["text"].startswith("aws:cloudwatch/logGroup:LogGroup 'audit-logs-dev'")
    [location] = result["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "infra/audit/__main__.py", "uriBaseId": "SRCROOT"}
    assert physical["region"]["startLine"] == line_of(program / "__main__.py", "aws.cloudwatch.LogGroup(")
    assert location["logicalLocations"][0]["fullyQualifiedName"].endswith("::audit-logs-dev")


def test_progress_on_stderr_for_many_resources(tmp_path, capsys):
    program = write_program(tmp_path / "many", """
        for i in range(120):
            aws.sqs.Queue(f"jobs-{i}-dev", name=f"jobs-{i}-dev")
        pulumi.export("queues", 120)
    """)
    _, out, err = check(capsys, program, "--format", "json")
    assert json.loads(out)["summary"]["resources"] == 122
    assert "running the program: 100 resources registered\n" in err
    assert "checking resources against the policies: 122/122\n" in err
    _, _, err = check(capsys, program, "--quiet")
    assert err == ""


def test_no_preview_makes_computed_outputs_known(tmp_path, capsys):
    seen = tmp_path / "seen.txt"
    program = write_program(tmp_path / "arn", f"""
        from pathlib import Path

        table = aws.dynamodb.Table("orders-dev", name="orders-dev", billing_mode="PAY_PER_REQUEST", hash_key="id",
            attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True))
        table.arn.apply(lambda arn: Path({str(seen)!r}).write_text(arn))
        pulumi.export("orders_table", table.name)
    """)
    code, out, _ = check(capsys, program, "--format", "json")
    assert code == 0 and json.loads(out)["program"]["preview"] is True
    assert not seen.exists(), "in a preview the ARN is unknown, so apply() does not run"
    code, out, _ = check(capsys, program, "--format", "json", "--no-preview")
    assert code == 0 and json.loads(out)["program"]["preview"] is False
    assert seen.read_text() == "arn:aws:dynamodb:us-east-1:123456789012:table/orders-dev"


def test_the_module_runs_as_a_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "aws_conventions", "check", str(tmp_path / "nowhere")],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == f"error: {tmp_path / 'nowhere'}: no such file or directory\n"
    usage = subprocess.run([sys.executable, "-m", "aws_conventions", "check"], cwd=ROOT, capture_output=True,
                           text=True, timeout=60)
    assert usage.returncode == 2
    assert "the following arguments are required: PROGRAM" in usage.stderr


def test_a_program_is_checked_against_a_pack_built_on_this_one(tmp_path, capsys):
    program = write_program(tmp_path / "audit", LOG_GROUP_WITHOUT_RETENTION, main="infra.py")
    code, out, _ = check(capsys, program, "--pack", ROOT / "examples" / "team-pack", "--config",
                         "aws:region=ap-south-1")
    assert code == 1
    assert "❌ acme-aws@v1.0.0" in out
    assert "        - [mandatory] [severity: medium]  log-retention\n" in out, "a reused policy"
    assert "        - [mandatory] [severity: high]  acme-allowed-regions\n" in out, "the team's SDK policy"
    assert "'audit-logs-dev' is deployed to ap-south-1; Acme runs in us-east-1, eu-west-1 only." in out


def test_a_pack_directory_without_an_entry_point_exits_2(tmp_path, capsys):
    code, out, err = check(capsys, COMPLIANT, "--pack", tmp_path)
    assert code == 2
    assert out == ""
    assert err == f"error: {tmp_path} is not a policy pack (no __main__.py)\n"
