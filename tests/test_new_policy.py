"""The scaffolder writes a policy that loads, is registered, and whose test fails until it is written."""

import shutil
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import ROOT
from tools.new_policy import module_name, scaffold


@pytest.fixture
def tree(tmp_path):
    shutil.copytree(ROOT / "policies", tmp_path / "policies", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", tmp_path / "tests", ignore=shutil.ignore_patterns("__pycache__", "snapshots"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def run(tree, *code_or_args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *code_or_args], cwd=tree, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize(("area", "name", "module"), [
    ("sqs", "sqs-encryption", "encryption"), ("naming", "name-length", "name_length"),
    ("lambda_", "lambda-dead-letter", "dead_letter"),
])
def test_module_names_do_not_repeat_the_area(area, name, module):
    assert module_name(area, name) == module


def test_a_new_resource_policy_is_registered_and_its_test_fails_until_written(tree):
    written = scaffold("sqs", "sqs-encryption", ["aws:sqs/queue:Queue"], stack=False, root=tree)
    assert {p.relative_to(tree).as_posix() for p in written} == {
        "policies/sqs/__init__.py", "policies/sqs/encryption.py", "tests/policies/sqs/test_encryption.py",
        "policies/__init__.py", "pyproject.toml"}
    packages = tomllib.loads((tree / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    assert "aws_conventions.policies.sqs" in packages
    assert packages == sorted(packages)
    assert (tree / "pyproject.toml").read_text().replace('    "aws_conventions.policies.sqs",\n', "") == (
        ROOT / "pyproject.toml").read_text()
    registry = (tree / "policies" / "__init__.py").read_text()
    assert "from .sqs import encryption\n" in registry
    assert registry.index("encryption.POLICY") < registry.index("waiver_tags.POLICY")
    loaded = run(tree, "-c", "from policies import POLICIES; print([p.name for p in POLICIES][-2:])")
    assert loaded.stdout.strip() == "['sqs-encryption', 'waiver-tags']", loaded.stderr
    lint = run(tree, "-m", "ruff", "check", "--isolated", "--line-length", "120", "policies/sqs",
               "tests/policies/sqs")
    assert lint.returncode == 0, lint.stdout
    tested = run(tree, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/policies/sqs")
    assert tested.returncode == 1 and "test_cases[violating]" in tested.stdout, tested.stdout


def test_a_second_policy_in_an_area_joins_its_import(tree):
    scaffold("dynamodb", "dynamodb-table-class", ["aws:dynamodb/table:Table"], stack=False, root=tree)
    registry = (tree / "policies" / "__init__.py").read_text()
    assert "from .dynamodb import on_demand, point_in_time_recovery, table_class\n" in registry


def test_a_stack_policy(tree):
    scaffold("exports", "export-naming", [], stack=True, root=tree)
    loaded = run(tree, "-c", "from policies import POLICIES; p = POLICIES[-2]; print(p.name, type(p).__name__)")
    assert loaded.stdout.strip() == "export-naming StackPolicy", loaded.stderr


@pytest.mark.parametrize(("args", "problem"), [
    (("sqs", "SQS_Encryption", ["aws:sqs/queue:Queue"], False), "is not kebab-case"),
    (("sqs", "sqs-encryption", ["aws:sqs/queue:Quee"], False), "unknown type token"),
    (("sqs", "sqs-encryption", [], False), "give either --stack or at least one --type"),
    (("dynamodb", "dynamodb-on-demand", ["aws:dynamodb/table:Table"], False), "exists already"),
])
def test_mistakes_are_refused_before_anything_is_written(tree, args, problem):
    before = (tree / "policies" / "__init__.py").read_text()
    with pytest.raises(SystemExit) as err:
        scaffold(*args, root=tree)
    assert problem in str(err.value)
    assert (tree / "policies" / "__init__.py").read_text() == before
