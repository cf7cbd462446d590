"""How the development set's pipeline deploys a Pulumi Python program, so that a benchmark can check it
the same way.

At the benchmark's commit, the repository's ``scripts/deploy.sh`` exports ``ENVIRONMENT_SUFFIX`` (the
pull request's, ``pr1234``) and runs the Pipfile's ``pulumi-create-stack``: it selects the stack
``TapStack${ENVIRONMENT_SUFFIX}`` (creating it) and sets these keys of the ``TapStack`` namespace,
``dbPassword`` as a secret. A program reads them whatever its ``Pulumi.yaml`` says, and reads only
them: the pipeline's stack is new, so the program's own ``Pulumi.<stack>.yaml`` files do not apply.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

CONFIG = {
    "TapStack:environmentSuffix": None,  # the suffix
    "TapStack:environment": "production",
    "TapStack:project": "tap-infrastructure",
    "TapStack:costCenter": "engineering",
    "TapStack:enableDeletionProtection": "false",
    "TapStack:dbPassword": {"secure": "set-by-the-pipeline"},
}
"""The stack config ``pulumi-create-stack`` sets (``None``: the environment suffix)."""


def suffix_of(program: Path) -> str:
    """The suffix the pipeline deploys a program's pull request with: ``pr8360`` for ``Pr8360``."""
    number = re.search(r"\d+", program.name)
    return f"pr{number.group()}" if number else "pr1"


DEFAULT_REGION = "us-east-1"
"""The region the pipeline deploys to when a program names none."""


def region_of(program: Path) -> str:
    """The region the pipeline deploys a program to: its ``lib/AWS_REGION`` file (which the deployment
    scripts export as ``AWS_REGION``), else :data:`DEFAULT_REGION`."""
    try:
        named = (program / "lib" / "AWS_REGION").read_text(encoding="utf-8").strip()
    except OSError:
        return DEFAULT_REGION
    return named if re.fullmatch(r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}", named) else DEFAULT_REGION


def stack_of(suffix: str) -> str:
    return f"TapStack{suffix}"


def prepare(folder: Path, suffix: str) -> str:
    """Write the pipeline's stack config into the program ``folder`` (a copy) and return the stack's name."""
    stack = stack_of(suffix)
    config = {key: suffix if value is None else value for key, value in CONFIG.items()}
    (folder / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}), encoding="utf-8")
    return stack
