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

    found = Path(policies.__file__).parent if policies.__file__ else Path(next(iter(policies.__path__), "."))
    if found.resolve() != POLICIES_DIR:
        raise ImportError(f"'policies' is imported from {found}, not from the pack at {POLICIES_DIR}: run from "
                          f"the repository root or put it first on PYTHONPATH")
    from policies._core import aws_types
    from policies._core.applicability import is_waiver
    from policies._core.values import SECRET_SIG, SIG_KEY, Props, show, to_struct

__all__ = ["SECRET_SIG", "SIG_KEY", "Props", "aws_types", "is_waiver", "show", "to_struct"]
