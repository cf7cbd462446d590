"""What the runner uses of the policies, imported from where :mod:`.installation` found them:
``aws_conventions.policies`` when installed, the clone's top-level ``policies`` otherwise.

The pack's public API (``policies/__init__.py``) where it has what the runner needs. Besides it, what
the runner shares with the pack's server as the engine's stand-in: the protocol's numbers
(``protocol``), how the engine names resources (``urns``, which the program process loads by its
path), the wire format of secrets (``values``), the AWS type table (``aws_types``), and how a waiver
reads as a not-applicable reason.
"""

from __future__ import annotations

from pathlib import Path

from .installation import INSTALLED, POLICIES_DIR

if INSTALLED:
    from .policies import PACK_NAME, STACK_TYPE, and_more, make_urn
    from .policies._core import aws_types, protocol, urns
    from .policies._core.applicability import is_waiver
    from .policies._core.values import SECRET_SIG, SIG_KEY, Props, show, to_struct
else:
    import policies

    found = Path(policies.__file__).parent if policies.__file__ else Path(next(iter(policies.__path__), "."))
    if found.resolve() != POLICIES_DIR:
        raise ImportError(f"'policies' is imported from {found}, not from the pack at {POLICIES_DIR}: run from "
                          f"the repository root or put it first on PYTHONPATH")
    from policies import PACK_NAME, STACK_TYPE, and_more, make_urn
    from policies._core import aws_types, protocol, urns
    from policies._core.applicability import is_waiver
    from policies._core.values import SECRET_SIG, SIG_KEY, Props, show, to_struct

__all__ = ["PACK_NAME", "SECRET_SIG", "SIG_KEY", "STACK_TYPE", "Props", "and_more", "aws_types", "is_waiver",
           "make_urn", "protocol", "show", "to_struct", "urns"]
