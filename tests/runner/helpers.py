"""Small Pulumi programs for the runner's tests, written to a temporary directory."""

from __future__ import annotations

import textwrap
from pathlib import Path

import yaml

HEADER = "import pulumi\nimport pulumi_aws as aws\n\n"


def write_program(directory: Path, body: str, *, project: str = "tap-test", main: str = "__main__.py",
                  config: dict[str, str] | None = None, stack: str = "dev") -> Path:
    """A program directory: ``Pulumi.yaml`` (naming ``main``), ``Pulumi.<stack>.yaml``, ``requirements.txt``
    and the main file."""
    directory.mkdir(parents=True, exist_ok=True)
    spec = {"name": project, "runtime": {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}}
    if main != "__main__.py":
        spec["main"] = main
    (directory / "Pulumi.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    (directory / "requirements.txt").write_text("pulumi>=3.0.0,<4.0.0\npulumi-aws>=7.0.0,<8.0.0\n", encoding="utf-8")
    stack_config = {"aws:region": "us-east-1", f"{project}:environmentSuffix": "dev", **(config or {})}
    (directory / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": stack_config}), encoding="utf-8")
    entry = directory / main
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(HEADER + textwrap.dedent(body).lstrip(), encoding="utf-8")
    return directory


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first occurrence of ``text`` in ``path``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


LOG_GROUP_WITHOUT_RETENTION = """
    logs = aws.cloudwatch.LogGroup("audit-logs-dev", name="/tap/audit-dev")
    pulumi.export("audit_log_group", logs.name)
"""
"""A program with one mandatory violation: a log group that keeps its logs forever."""
