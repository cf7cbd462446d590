"""Programs that cannot be checked: each exits 2 with one line saying why, writes ``--output`` in every
format, and leaves no process behind (checked by pid and process group, never by timing)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aws_conventions import engine
from aws_conventions.__main__ import main
from aws_conventions.runner import check_all
from tests.runner.helpers import line_of, write_program

ROOT = Path(__file__).resolve().parents[2]

needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists() or not hasattr(os, "killpg"),
                                reason="process groups and /proc")

SLEEPER = """
    import os
    import subprocess
    import time
    from pathlib import Path

    child = subprocess.Popen([{python!r}, "-c", "import time; time.sleep(3600)"])
    Path({pids!r}).write_text(f"{{os.getpid()}} {{child.pid}}")
    time.sleep(3600)
"""


def check(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, process group) of a process, or None when there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1]), int(fields[2])


def alive(pid: int) -> bool:
    """A process that runs (a zombie has stopped; only its parent's wait is missing)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def living(predicate) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[0] != "Z" and predicate(stat):
                found.add(int(entry.name))
    return found


def in_group(pgid: int) -> set[int]:
    return living(lambda stat: stat[2] == pgid)


def children_of(pid: int) -> set[int]:
    return living(lambda stat: stat[1] == pid)


def sleeper(tmp_path: Path) -> tuple[Path, Path]:
    pids = tmp_path / "pids.txt"
    program = write_program(tmp_path / "sleeper", SLEEPER.format(python=sys.executable, pids=str(pids)))
    return program, pids


@needs_proc
def test_a_program_that_hangs_is_stopped_at_the_timeout_with_what_it_started(tmp_path, capsys):
    program, pids = sleeper(tmp_path)
    report = tmp_path / "report.sarif"
    before = children_of(os.getpid())
    code, out, err = check(capsys, program, "--timeout", "3", "--format", "sarif", "--output", report)
    assert code == 2
    assert out == ""
    assert err == f"error: the program {program} did not finish within 3 s (--timeout): stopped it and the " \
                  f"processes it started\n"
    leader, child = map(int, pids.read_text().split())
    assert not alive(leader) and not alive(child)
    assert in_group(leader) == set(), "the program's process group is gone"
    assert children_of(os.getpid()) <= before, "no program or pack process of this check is left"
    [run] = json.loads(report.read_text())["runs"]
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 2
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["descriptor"]["id"] == "check-timeout"
    assert note["message"]["text"].startswith(f"the program {program} did not finish within 3 s")


@needs_proc
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_the_runner_stops_the_program_and_the_pack(tmp_path, sig):
    program, pids = sleeper(tmp_path)
    runner = subprocess.Popen([sys.executable, "-m", "aws_conventions", "check", str(program), "--timeout", "0"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):  # the program writes its pids once it runs; the pack is then starting too
            if pids.exists() and pids.read_text() and len(children_of(runner.pid)) >= 2:
                break
            assert runner.poll() is None, runner.communicate()
            time.sleep(0.1)
        leader, child = map(int, pids.read_text().split())
        started = children_of(runner.pid)
        assert leader in started and len(started) == 2, "the program and the pack"
        runner.send_signal(sig)
        _, err = runner.communicate(timeout=120)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    assert runner.returncode == 128 + sig
    assert err.endswith(f"interrupted ({sig.name}): stopped the programs and the policy pack\n")
    assert not any(alive(pid) for pid in (*started, child))
    assert in_group(leader) == set()


def test_junk_on_the_answer_channel_is_one_line_and_the_json_report_records_it(tmp_path, capsys):
    program = write_program(tmp_path / "infra", 'aws.sqs.Queue("jobs-dev")\n')
    wrapper = tmp_path / "python"
    wrapper.write_text(f'#!/bin/sh\necho "activating the virtualenv"\nexec {sys.executable} "$@"\n')
    wrapper.chmod(0o755)
    report = tmp_path / "report.json"
    code, out, err = check(capsys, program, "--python", wrapper, "--format", "json", "--output", report)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"error: the program {program} could not be run: {wrapper} printed "
                          f"'activating the virtualenv' on stdout, where the runner expects its answer")
    document = json.loads(report.read_text())
    assert document["error"] == {"kind": "program", "message": err[len("error: "):-1], "details": ""}
    assert document["summary"]["passed"] is False
    assert document["findings"] == [] and document["resources"] == []


def test_a_program_that_registers_nothing_exits_2_and_the_sarif_report_says_so(tmp_path, capsys):
    program = write_program(tmp_path / "infra", """
        class TapStack(pulumi.ComponentResource):
            '''Defined, never instantiated: the program declares nothing.'''
    """)
    report = tmp_path / "report.sarif"
    code, out, err = check(capsys, program, "--format", "sarif", "--output", report)
    assert code == 2
    message = (f"the program {program} registered no resources: there is nothing to check (it ran __main__.py: "
               f"does that file declare them?)")
    assert (out, err) == ("", f"error: {message}\n")
    [run] = json.loads(report.read_text())["runs"]
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][0]["message"]["text"] == message
    assert run["results"] == []


def test_a_program_that_raises_keeps_its_explanation_and_the_text_report_has_it(tmp_path, capsys):
    program = write_program(tmp_path / "broken", """
        aws.sqs.Queue("jobs-dev", visibility_timeout=30)
    """)
    report = tmp_path / "report.txt"
    code, out, err = check(capsys, program, "--output", report)
    assert code == 2
    assert out == ""
    first = err.splitlines()[0]
    assert first == (f"error: the program {program} failed: TypeError: Queue._internal_init() got an unexpected "
                     f"keyword argument 'visibility_timeout'")
    assert f"__main__.py:{line_of(program / '__main__.py', 'visibility_timeout')}" in err, "the known cause, located"
    assert "visibility_timeout_seconds" in err, "and its fix"
    assert report.read_text() == err


def test_a_missing_program_writes_the_error_to_the_json_report(tmp_path, capsys):
    code, out, err = check(capsys, tmp_path / "nowhere", "--format", "json")
    assert code == 2
    assert err == f"error: {tmp_path / 'nowhere'}: no such file or directory\n"
    document = json.loads(out)
    assert document["error"]["kind"] == "usage"
    assert document["program"]["path"] == str(tmp_path / "nowhere")


def test_a_report_that_cannot_be_written_is_an_error(tmp_path, capsys):
    code, _, err = check(capsys, tmp_path / "nowhere", "--format", "json", "--output", tmp_path / "no" / "r.json")
    assert code == 2
    assert err.splitlines()[-1].startswith(f"error: cannot write the report to {tmp_path / 'no' / 'r.json'}: ")


def stock_pack(directory: Path, validate_body: str) -> Path:
    """A pack on the stock pulumi-policy path with one resource policy whose check is ``validate_body``."""
    directory.mkdir()
    (directory / "__main__.py").write_text(
        "import os\nimport time\n\nfrom pulumi_policy import PolicyPack, ResourceValidationPolicy\n\n\n"
        f"def validate(args, report_violation):\n    {validate_body}\n\n\n"
        'PolicyPack("stock", [ResourceValidationPolicy(name="probe", description="Probes the runner.", '
        "validate=validate)])\n")
    return directory


@needs_proc
def test_a_pack_still_evaluating_at_the_timeout_is_stopped(tmp_path):
    pack_dir = stock_pack(tmp_path / "slow", "time.sleep(3600)")
    program = write_program(tmp_path / "infra", 'aws.sqs.Queue("jobs-dev")\n')
    before = children_of(os.getpid())
    [report] = check_all([program], pack_dir=pack_dir, timeout=15)
    assert report.exit_code == 2
    assert report.failure.kind == "timeout"
    assert report.failure.message == (f"checking {program} did not finish within 15 s (--timeout): the policy pack "
                                      f"was still evaluating it")
    assert children_of(os.getpid()) <= before, "the pack is stopped"


def test_a_pack_that_dies_fails_the_program_and_the_next_program_gets_a_new_one(tmp_path, monkeypatch):
    pack_dir = stock_pack(tmp_path / "dying", "os._exit(3)")
    program = write_program(tmp_path / "infra", 'aws.sqs.Queue("jobs-dev")\n')
    started = []
    original = engine.PackProcess.start
    monkeypatch.setattr(engine.PackProcess, "start", lambda self: (started.append(self), original(self))[1])
    reports = check_all([program, program], pack_dir=pack_dir)
    assert len(started) == 2
    for report in reports:
        assert report.failure.kind == "pack"
        assert report.failure.message.startswith(f"the policy pack stopped answering while checking {program}: "
                                                 f"UNAVAILABLE")
