"""Virtualenvs for the installation tests: a fresh one, and one that lacks a single distribution."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

PIP_TIMEOUT = 900


def env(**extra: str) -> dict[str, str]:
    """This process's environment without what would point another interpreter at this checkout or
    this virtualenv (the installed copy must be found on its own)."""
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    return {**{k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PULUMI_")}, **extra}


def create(path: Path, python: str = sys.executable, *, pip: bool = True) -> Path:
    """A new virtualenv at ``path`` (based on ``python``'s base interpreter); returns its python."""
    args = [python, "-m", "venv", str(path)] + ([] if pip else ["--without-pip"])
    subprocess.run(args, check=True, capture_output=True, timeout=300, env=env())
    return path / "bin" / "python"


def pip_install(python: Path, *requirements: str) -> None:
    """``pip install`` into ``python``'s virtualenv, with pip's cache (nothing is forced to download)."""
    proc = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                           *requirements], capture_output=True, text=True, timeout=PIP_TIMEOUT, env=env())
    assert proc.returncode == 0, f"pip install {' '.join(requirements)} failed:\n{proc.stdout}\n{proc.stderr}"


def site_packages(python: Path | str) -> Path:
    """The site-packages directory of ``python``'s environment."""
    proc = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True, timeout=60, env=env())
    return Path(proc.stdout.strip())


def without(distribution: str, python: Path | str, dest: Path) -> Path:
    """A virtualenv at ``dest`` holding everything of ``python``'s site-packages (by symlink) but
    the files of ``distribution``, as if it had never been installed there; returns its python."""
    source = site_packages(python)
    found = list(importlib.metadata.distributions(name=distribution, path=[str(source)]))
    assert found, f"{distribution} is not installed in {source}"
    removed = {Path(str(f)).parts[0] for f in found[0].files or ()}
    new_python = create(dest, str(python), pip=False)
    target = site_packages(new_python)
    for entry in source.iterdir():
        if entry.name not in removed and not (target / entry.name).exists():
            (target / entry.name).symlink_to(entry)
    return new_python
