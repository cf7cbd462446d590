"""``check A B C``: several programs, one pack process, one report, and progress lines in order."""

from __future__ import annotations

import io
import json
import os
import re
import signal
from pathlib import Path

import pulumi_aws as aws
import pytest

from aws_conventions import engine
from aws_conventions.__main__ import main
from aws_conventions.report import to_json
from aws_conventions.runner import Checker, Progress, check, check_all
from tests.runner.helpers import LOG_GROUP_WITHOUT_RETENTION, write_program

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[2]
COMPLIANT = ROOT / "examples" / "compliant"

SUFFIXED_TABLE = """
    table = aws.dynamodb.Table("orders", name="orders", billing_mode="PAY_PER_REQUEST", hash_key="id",
        attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
        point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True))
    pulumi.export("orders_table", table.name)
"""


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("programs")
    broken = write_program(base / "broken", 'raise ValueError("no dead-letter queue configured")\n')
    return {"audit": write_program(base / "audit", LOG_GROUP_WITHOUT_RETENTION), "broken": broken}


def stable(findings) -> dict:
    document = to_json(findings)
    document.pop("timing")
    return document


def test_text_has_each_report_under_a_header_then_a_summary_and_the_worst_status(programs, capsys):
    audit, broken = programs["audit"], programs["broken"]
    code, out, err = run(capsys, COMPLIANT, audit, broken)
    assert code == 2, "a program that could not be checked outranks a mandatory violation"
    sections = re.split(r"^== (.+) ==\n", out, flags=re.M)
    assert sections[0] == ""
    assert sections[1::2] == [str(COMPLIANT), str(audit), str(broken)]
    compliant_text, audit_text, broken_text = sections[2::2]
    assert compliant_text.startswith(f"Checked {COMPLIANT} (stack dev, preview): ")
    assert "No policy violations." in compliant_text
    assert "[mandatory] [severity: medium]  log-retention" in audit_text
    assert broken_text.startswith(f"error: the program {broken} failed: ValueError: no dead-letter queue configured\n"
                                  "Traceback (most recent call last):\n")
    summary = broken_text.split("\n\n", 1)[1].splitlines()
    assert summary[0] == "3 programs: 1 passed, 1 failed, 1 not checked (exit status 2)"
    assert re.fullmatch(rf"    passed  {re.escape(str(COMPLIANT))} +\d+ resources, 0 mandatory, 0 advisory", summary[1])
    assert re.fullmatch(rf"    failed  {re.escape(str(audit))} +3 resources, 1 mandatory, 0 advisory", summary[2])
    assert re.fullmatch(rf"    error   {re.escape(str(broken))} +the program {re.escape(str(broken))} failed: "
                        r"ValueError: no dead-letter queue configured", summary[3])
    assert err == f"[1/3] {COMPLIANT}\n[2/3] {audit}\n[3/3] {broken}\n", "the error is in its section, once"
    code, _, err = run(capsys, COMPLIANT, audit, "--quiet")
    assert code == 1
    assert err == ""


def test_json_holds_each_programs_document_and_a_summary(programs, capsys, tmp_path):
    audit = programs["audit"]
    missing = tmp_path / "missing"
    code, out, err = run(capsys, audit, missing, COMPLIANT, "--format", "json", "--quiet")
    assert code == 2
    document = json.loads(out)
    assert set(document) == {"schemaVersion", "summary", "programs"}
    assert document["schemaVersion"] == 1
    assert document["summary"] == {"passed": False, "exitCode": 2, "programs": 3, "checked": 2, "mandatory": 1,
                                   "advisory": 0}
    first, second, third = document["programs"]
    assert [d["program"]["path"] for d in document["programs"]] == [str(audit), str(missing), str(COMPLIANT)]
    assert set(first) == set(third) == set(second)
    assert [f["policy"] for f in first["findings"]] == ["log-retention"]
    assert second["error"] == {"kind": "usage", "message": f"{missing}: no such file or directory", "details": ""}
    assert third["error"] is None and third["summary"]["passed"] is True
    assert err.splitlines()[:2] == [f"error: {missing}: no such file or directory",
                                    "3 programs: 1 passed, 1 failed, 1 not checked (exit status 2)"]


def test_sarif_is_one_run_with_an_invocation_per_program(programs, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(programs["audit"].parent)
    output = tmp_path / "results.sarif"
    code, _, err = run(capsys, "audit", "broken", "--format", "sarif", "--output", output, "--quiet")
    assert code == 2
    assert err.startswith("error: the program broken failed: ValueError: no dead-letter queue configured\n")
    assert f"\nwrote {output}\n2 programs: 0 passed, 1 failed, 1 not checked (exit status 2)\n" in err
    [sarif_run] = json.loads(output.read_text())["runs"]
    checked, failed = sarif_run["invocations"]
    assert (checked["executionSuccessful"], checked["exitCode"], checked["properties"]["program"]) == (True, 1, "audit")
    assert (failed["executionSuccessful"], failed["exitCode"], failed["properties"]["program"]) == (False, 2, "broken")
    assert failed["toolExecutionNotifications"][0]["message"]["text"].startswith(
        "the program broken failed: ValueError: no dead-letter queue configured\nTraceback")
    [result] = sarif_run["results"]
    assert result["ruleId"] == "log-retention"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "audit/__main__.py"
    assert "properties" not in sarif_run, "per-program properties are on the invocations"


def test_one_pack_serves_every_program_and_each_is_reported_as_if_alone(tmp_path, monkeypatch):
    """The first program's stack config (a suffix) must not reach the second, which has none."""
    suffixed = write_program(tmp_path / "suffixed", SUFFIXED_TABLE, config={"tap-test:environmentSuffix": "pr7"},
                             stack="pr7")
    bare = write_program(tmp_path / "bare", SUFFIXED_TABLE, stack="qa")
    (bare / "Pulumi.qa.yaml").write_text("config: {}\n")
    alone = [check(suffixed), check(bare)]
    starts = []
    original = engine.PackProcess.start
    monkeypatch.setattr(engine.PackProcess, "start", lambda self: (starts.append(self), original(self))[1])
    together = check_all([suffixed, bare])
    assert len(starts) == 1
    assert [stable(f) for f in together] == [stable(f) for f in alone]
    assert "'pr7'" in together[0].by_policy("environment-suffix-naming")[0].message
    assert "'qa'" in together[1].by_policy("environment-suffix-naming")[0].message


def test_a_pack_that_died_between_programs_is_replaced(programs):
    with Checker() as checker:
        first = checker.check(programs["audit"])
        os.kill(checker._pack.pid, signal.SIGKILL)
        checker._pack.wait(30)
        second = checker.check(programs["audit"])
    assert stable(first) == stable(second)


def test_progress_lines_come_out_in_order_when_resources_register_from_several_threads():
    """A callable runs in-process: the SDK registers its resources from a pool of threads."""
    stream = io.StringIO()

    def many_queues() -> None:
        for i in range(400):
            aws.sqs.Queue(f"jobs-{i}-dev", name=f"jobs-{i}-dev")

    check(many_queues, config={"environmentSuffix": "dev"}, progress=Progress(stream=stream))
    lines = stream.getvalue().splitlines()
    registered = [int(m.group(1)) for line in lines if (m := re.fullmatch(r"running the program: (\d+) resources "
                                                                          r"registered", line))]
    analyzed = [int(m.group(1)) for line in lines
                if (m := re.fullmatch(r"checking resources against the policies: (\d+)/\d+", line))]
    assert len(registered) + len(analyzed) == len(lines), f"a line that is not whole: {lines}"
    assert registered == sorted(set(registered)) and registered[0] == 100 and registered[-1] == 400
    assert analyzed == sorted(set(analyzed)) and analyzed[0] == 1 and analyzed[-1] == 402
    assert lines.index(f"running the program: {registered[-1]} resources registered") < lines.index(
        "checking resources against the policies: 1/402")


def test_progress_drops_a_count_that_arrives_after_a_higher_one():
    stream = io.StringIO()
    progress = Progress(stream=stream)
    progress.program_started("infra", 1, 2)
    for count in (100, 150, 50, 200):
        progress.program(count)
    progress.done()
    progress.program_started("services", 2, 2)
    progress.program(100)
    assert stream.getvalue().splitlines() == [
        "[1/2] infra", "running the program: 100 resources registered", "running the program: 150 resources registered",
        "running the program: 200 resources registered", "[2/2] services",
        "running the program: 100 resources registered"]
