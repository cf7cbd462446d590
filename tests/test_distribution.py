"""The ``aws-conventions`` distribution's definition (``pyproject.toml``) against the repository.

Installing it for real is ``tests/install``; these checks are the ones that fail first when a file
changes without the other: a requirement, the version, a new policy folder, a data file.
"""

from __future__ import annotations

import ast
import fnmatch
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from policies import PACK_VERSION
from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
INSTALLED_POLICIES = "aws_conventions.policies"


def pins(path: Path) -> list[str]:
    """The requirements of a requirements file, without comments and options (``-r``)."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("-")]


def source_dir(package: str) -> Path:
    """Where setuptools takes ``package`` from: the longest ``package-dir`` prefix, else the root."""
    parts = package.split(".")
    for i in range(len(parts), 0, -1):
        prefix = ".".join(parts[:i])
        if prefix in SETUPTOOLS["package-dir"]:
            return ROOT / SETUPTOOLS["package-dir"][prefix] / Path(*parts[i:])
    return ROOT / Path(*parts)


def installed_name(directory: Path) -> str:
    """The package a source directory becomes in the distribution."""
    relative = directory.relative_to(ROOT)
    if relative.parts[0] == "policies":
        return ".".join([INSTALLED_POLICIES, *relative.parts[1:]])
    return ".".join(relative.parts)


def test_the_distribution_requires_what_the_pack_installs():
    assert sorted(PYPROJECT["project"]["dependencies"]) == sorted(pins(ROOT / "requirements.txt"))


def test_the_distribution_version_is_the_pack_version():
    """setuptools reads ``PACK_VERSION`` statically (an assignment of a literal, found through
    ``package-dir``), which is also what the pack reports to the engine."""
    assert "version" not in PYPROJECT["project"] and "version" in PYPROJECT["project"]["dynamic"]
    module, _, name = SETUPTOOLS["dynamic"]["version"]["attr"].rpartition(".")
    tree = ast.parse((source_dir(module) / "__init__.py").read_text(encoding="utf-8"))
    values = [node.value for node in tree.body if isinstance(node, ast.Assign)
              and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)]
    assert len(values) == 1 and isinstance(values[0], ast.Constant)
    assert values[0].value == PACK_VERSION
    assert re.fullmatch(r"\d+\.\d+\.\d+", PACK_VERSION)


def test_pulumi_policy_yaml_leaves_the_version_to_the_pack():
    """The CLI prefers a ``version`` in PulumiPolicy.yaml to the one the pack reports; there is none
    to drift from ``PACK_VERSION``."""
    assert "version" not in yaml.safe_load((ROOT / "PulumiPolicy.yaml").read_text(encoding="utf-8"))


def test_every_package_is_listed_and_only_under_aws_conventions():
    """A new policy folder must be listed in ``[tool.setuptools] packages`` (``make policy`` adds
    it); no package is installed outside ``aws_conventions``."""
    on_disk = {installed_name(init.parent) for top in ("aws_conventions", "policies")
               for init in (ROOT / top).rglob("__init__.py")}
    listed = set(SETUPTOOLS["packages"])
    assert sorted(on_disk - listed) == [], "add these to [tool.setuptools] packages in pyproject.toml"
    assert sorted(listed - on_disk) == []
    assert all(p == "aws_conventions" or p.startswith("aws_conventions.") for p in listed)
    assert SETUPTOOLS["package-dir"] == {INSTALLED_POLICIES: "policies"}


def test_every_data_file_of_the_policies_is_package_data():
    globs = SETUPTOOLS["package-data"][INSTALLED_POLICIES]
    data = [p.relative_to(ROOT / "policies").as_posix() for p in (ROOT / "policies").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert data, "the policies read data files (policies/_data)"
    assert [d for d in data if not any(fnmatch.fnmatch(d, g) for g in globs)] == []


def test_the_policies_import_each_other_relatively():
    """Installed, the policies are ``aws_conventions.policies``: an absolute ``policies`` import
    would fail there (or find another pack's ``policies``)."""
    absolute = []
    for path in sorted((ROOT / "policies").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            absolute += [f"{path.relative_to(ROOT)}: {n}" for n in names
                         if n.split(".")[0] in ("policies", "aws_conventions")]
    assert absolute == []


def test_the_python_floor_is_the_one_ruff_checks_for():
    floor = re.fullmatch(r">=(\d+)\.(\d+)", PYPROJECT["project"]["requires-python"])
    assert floor is not None
    assert PYPROJECT["tool"]["ruff"]["target-version"] == f"py{floor[1]}{floor[2]}"


def test_the_licence_is_shipped_and_named():
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    assert "Apache License\n                           Version 2.0" in (ROOT / "LICENSE").read_text()


def test_in_a_clone_another_policies_package_is_not_taken_for_the_pack(tmp_path):
    """Run from a team's repository with this clone on PYTHONPATH, ``import policies`` would find the
    team's own folder first: the runner stops, naming both, rather than check with the wrong pack."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "__init__.py").write_text("POLICIES = []\n")
    proc = subprocess.run([sys.executable, "-m", "aws_conventions", "check", "infra"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1 and proc.stdout == ""
    assert (f"ImportError: 'policies' is imported from {tmp_path / 'policies'}, not from the pack at "
            f"{ROOT / 'policies'}") in proc.stderr
