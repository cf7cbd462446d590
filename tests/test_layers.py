"""The test layers: each test file's marker comes from its directory, and every marker is registered."""

import tomllib

import pytest

from tests.conftest import LAYERS, ROOT, TESTS, layer_of


@pytest.mark.parametrize(("path", "layer"), [
    ("test_registry.py", "unit"),
    ("policies/iam/test_least_privilege.py", "unit"),
    ("e2e/test_protocol.py", "e2e"),
    ("runner/test_runner_cli.py", "runner"),
    ("cli/test_pulumi_preview.py", "cli"),
    ("fuzz/test_generated_inputs.py", "fuzz"),
    ("install/test_install.py", "slow"),
])
def test_a_test_files_layer_is_its_directorys(path, layer):
    assert layer_of(TESTS / path) == layer


def test_every_test_file_is_in_a_layer():
    assert {layer_of(p) for p in TESTS.rglob("test_*.py")} == {"unit", *LAYERS.values()}


def test_a_directory_of_no_layer_is_an_error():
    with pytest.raises(pytest.UsageError, match="tests/newlayer belongs to no test layer"):
        layer_of(TESTS / "newlayer" / "test_x.py")


def test_every_layer_is_a_registered_marker():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    registered = {m.split(":", 1)[0] for m in config["tool"]["pytest"]["ini_options"]["markers"]}
    assert {"unit", *LAYERS.values()} <= registered
