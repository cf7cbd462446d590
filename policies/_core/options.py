"""A resource's options as the engine sends them (``AnalyzerResourceOptions``).

``protect``, ``ignore_changes``, ``delete_before_replace`` and the rest are facts a policy may
need (a protected database cannot be destroyed unattended); they come with every ``Analyze``,
``Remediate`` and ``AnalyzeStack`` resource, and are converted only when a policy asks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from pulumi.runtime.proto.analyzer_pb2 import AnalyzerResourceOptions


class CustomTimeouts(NamedTuple):
    """Seconds per operation; 0 means the provider's default."""

    create: float = 0.0
    update: float = 0.0
    delete: float = 0.0
    read: float = 0.0


class ResourceOptions(NamedTuple):
    protect: bool = False
    ignore_changes: tuple[str, ...] = ()
    delete_before_replace: bool = False
    delete_before_replace_defined: bool = False
    """Whether ``delete_before_replace`` was set explicitly (False included)."""
    additional_secret_outputs: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    custom_timeouts: CustomTimeouts = CustomTimeouts()
    parent: str = ""


NO_OPTIONS = ResourceOptions()


def options_of(message: AnalyzerResourceOptions | None) -> ResourceOptions:
    """The options of an ``AnalyzerResourceOptions`` message (None or unset: the defaults)."""
    if message is None:
        return NO_OPTIONS
    timeouts = message.customTimeouts
    return ResourceOptions(
        protect=message.protect,
        ignore_changes=tuple(message.ignoreChanges),
        delete_before_replace=message.deleteBeforeReplace,
        delete_before_replace_defined=message.deleteBeforeReplaceDefined,
        additional_secret_outputs=tuple(message.additionalSecretOutputs),
        aliases=tuple(message.aliases),
        custom_timeouts=CustomTimeouts(timeouts.create, timeouts.update, timeouts.delete, timeouts.read),
        parent=message.parent,
    )
