"""How the engine names resources: the root stack's type token, providers' type tokens, and URNs.

Standard library only: the local runner's program process, which runs in the program's interpreter
where the pack cannot be imported, loads this file by its path (``aws_conventions/capture.py``).
"""

from __future__ import annotations

STACK_TYPE = "pulumi:pulumi:Stack"
"""The root stack resource's type token; its outputs are the stack's exports."""
PROVIDER_PREFIX = "pulumi:providers:"
"""How a provider resource's type token starts (``pulumi:providers:aws``)."""


def make_urn(type_: str, name: str, stack: str = "dev", project: str = "project",
             parent_type: str | None = None) -> str:
    """A URN as the engine builds it: the type is qualified by the parent's qualified type
    (``parent_type``), unless the parent is the root stack."""
    qualified = f"{parent_type}${type_}" if parent_type and parent_type != STACK_TYPE else type_
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


def qualified_type(urn: str) -> str:
    """A URN's qualified type (``tap:index:TapStack$aws:s3/bucket:Bucket``); empty for a malformed URN."""
    return urn.split("::")[2] if urn.count("::") >= 3 else ""
