"""The parts of the policies the runner itself uses, imported from where :mod:`.installation` found
them: ``aws_conventions.policies`` when installed, the clone's top-level ``policies`` otherwise."""

from __future__ import annotations

from pathlib import Path

from .installation import INSTALLED, POLICIES_DIR

if INSTALLED:
    from .policies._core import aws_types
    from .policies._core.applicability import is_waiver
    from .policies._core.values import SECRET_SIG, SIG_KEY, Props, show, to_struct
else:
    import policies
    from policies._core import aws_types
    from policies._core.applicability import is_waiver
    from policies._core.values import SECRET_SIG, SIG_KEY, Props, show, to_struct

    if Path(policies.__file__).resolve().parent != POLICIES_DIR:
        raise ImportError(f"'policies' is imported from {Path(policies.__file__).parent}, not from the pack "
                          f"at {POLICIES_DIR}: run from the repository root or put it first on PYTHONPATH")

__all__ = ["SECRET_SIG", "SIG_KEY", "Props", "aws_types", "is_waiver", "show", "to_struct"]
