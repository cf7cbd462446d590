"""The stack a pack analyzes, and the environment suffix resolved from it."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

SUFFIX_ENV = "ENVIRONMENT_SUFFIX"
SUFFIX_KEY = "environmentSuffix"
CLASS_TAG = "environment-class"
"""A stack tag (``pulumi stack tag set environment-class ephemeral``) that states the environment's
class outright, instead of deriving it from the suffix."""
CLASSES = ("ephemeral", "persistent", "emulator")
"""``emulator``: the stack deploys to an AWS emulator (see ``emulator``); it is also ephemeral."""


class StackContext(NamedTuple):
    """Stack name, project, preview or update, the stack's config (``namespace:key``), which
    config keys are secret, and the stack's tags."""

    stack: str = ""
    project: str = ""
    organization: str = ""
    dry_run: bool = True
    config: Mapping[str, str] = MappingProxyType({})
    environ: Mapping[str, str] = MappingProxyType({})
    secret_keys: frozenset[str] = frozenset()
    """Config keys marked secret: their values may be used, never quoted in a message."""
    tags: Mapping[str, str] = MappingProxyType({})
    """Stack tags (``pulumi stack tag set``, and Pulumi Cloud's ``pulumi:*`` tags)."""

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> StackContext:
        """What the engine passes a plugin it starts: ``PULUMI_*`` variables."""
        env = os.environ if environ is None else environ
        return cls(
            stack=env.get("PULUMI_STACK", ""),
            project=env.get("PULUMI_PROJECT", ""),
            organization=env.get("PULUMI_ORGANIZATION", ""),
            dry_run=env.get("PULUMI_DRY_RUN", "true") != "false",
            config=parse_config_env(env.get("PULUMI_CONFIG", "")),
            environ=_kept_environ(env),
        )

    @classmethod
    def from_urn(cls, urn: str, base: StackContext) -> StackContext:
        """``base`` with the stack and project read from a URN (``urn:pulumi:<stack>::<project>::...``),
        for commands that never call ``ConfigureStack`` (``pulumi policy analyze``)."""
        parts = urn.split("::")
        head = parts[0].split(":", 2)
        if len(parts) < 3 or len(head) != 3 or head[:2] != ["urn", "pulumi"] or not head[2]:
            return base
        return base._replace(stack=base.stack or head[2], project=base.project or parts[1])

    def environment_class(self) -> str | None:
        """``ephemeral``, ``persistent`` or ``emulator`` from the stack tag :data:`CLASS_TAG`, else None."""
        value = self.tags.get(CLASS_TAG, "").strip().lower()
        return value if value in CLASSES else None

    def is_secret(self, full_key: str) -> bool:
        return full_key in self.secret_keys

    def secret_values(self) -> list[str]:
        """The values of secret config keys, for masking in messages."""
        return [v for k, v in self.config.items() if k in self.secret_keys and isinstance(v, str)]

    def config_value(self, key: str) -> tuple[str, str] | None:
        """A stack config value by bare key in any namespace: ``(full key, value)``."""
        for full, value in sorted(self.config.items()):
            if full == key or full.rsplit(":", 1)[-1] == key:
                return full, value
        return None

    def config_text(self, full_key: str) -> str | None:
        value = self.config.get(full_key)
        return value if isinstance(value, str) else None


def _kept_environ(env: Mapping[str, str]) -> dict[str, str]:
    """The variables policies consult: the environment suffix, and the AWS SDK's endpoint variables
    (``AWS_ENDPOINT_URL``, ``AWS_ENDPOINT_URL_<SERVICE>``) that send the provider to an emulator."""
    kept = {k: v for k, v in env.items() if k == "AWS_ENDPOINT_URL" or k.startswith("AWS_ENDPOINT_URL_")}
    if SUFFIX_ENV in env:
        kept[SUFFIX_ENV] = env[SUFFIX_ENV]
    return kept


def parse_config_env(text: str) -> dict[str, str]:
    """``PULUMI_CONFIG`` is a JSON object of ``namespace:key`` to string values."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}


class Suffix(NamedTuple):
    value: str
    source: str
    secret: bool = False
    """From a secret config key: used for checks, never quoted."""

    def __str__(self) -> str:
        return f"{self.shown} (from {self.source})"

    @property
    def shown(self) -> str:
        return "[secret]" if self.secret else f"'{self.value}'"


def resolve_suffix(policy_config: Mapping[str, Any], stack: StackContext) -> Suffix | None:
    """The environment suffix, first found of: the policy's config ``environmentSuffix``, a
    stack config key ``environmentSuffix`` in any namespace, ``ENVIRONMENT_SUFFIX``, the stack name.
    """
    configured = policy_config.get(SUFFIX_KEY)
    if isinstance(configured, str) and configured.strip():
        return Suffix(configured.strip(), f"the policy config '{SUFFIX_KEY}'")
    found = stack.config_value(SUFFIX_KEY)
    if found and found[1].strip():
        return Suffix(found[1].strip(), f"the stack config '{found[0]}'", stack.is_secret(found[0]))
    env = stack.environ.get(SUFFIX_ENV, "").strip()
    if env:
        return Suffix(env, f"the {SUFFIX_ENV} environment variable")
    if stack.stack.strip():
        return Suffix(stack.stack.strip(), "the stack name")
    return None
