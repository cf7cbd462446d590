"""The type checker's settings (``[tool.mypy]`` in pyproject.toml; ``make test`` runs mypy): the
policies and tools are checked with every flag of ``--strict``, the runner with mypy's defaults."""

from __future__ import annotations

import pytest
from mypy.main import define_options, process_options
from mypy.options import Options

from tests.conftest import ROOT


def _strict_flags() -> list[tuple[str, bool]]:
    return define_options()[2]


@pytest.fixture(scope="module")
def configured() -> Options:
    _, options = process_options(["--config-file", str(ROOT / "pyproject.toml"), str(ROOT / "policies")])
    return options


@pytest.mark.parametrize("module", ["policies", "policies._core.values", "policies.iam.least_privilege",
                                    "tools.policy_docs"])
def test_the_policies_and_tools_get_every_flag_of_strict(configured, module):
    options = configured.clone_for_module(module)
    assert _strict_flags(), "mypy names no strict flags"
    assert [(flag, getattr(options, flag)) for flag, on in _strict_flags() if getattr(options, flag) != on] == []


def test_the_runner_is_checked_with_the_defaults(configured):
    options = configured.clone_for_module("aws_conventions.runner")
    defaults = Options()
    assert [flag for flag, _ in _strict_flags()
            if getattr(options, flag) != getattr(defaults, flag)] == ["warn_redundant_casts", "warn_unused_ignores"]
