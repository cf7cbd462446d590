"""The stack a pack analyzes, and the environment suffix resolved from it."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SUFFIX_ENV = "ENVIRONMENT_SUFFIX"
SUFFIX_KEY = "environmentSuffix"


@dataclass(frozen=True)
class StackContext:
    """Stack name, project, preview or update, and the stack's config (``namespace:key``)."""

    stack: str = ""
    project: str = ""
    organization: str = ""
    dry_run: bool = True
    config: Mapping[str, str] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=dict)

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
            environ={SUFFIX_ENV: env[SUFFIX_ENV]} if SUFFIX_ENV in env else {},
        )

    def config_value(self, key: str) -> tuple[str, str] | None:
        """A stack config value by bare key in any namespace: ``(full key, value)``."""
        for full, value in sorted(self.config.items()):
            if full == key or full.rsplit(":", 1)[-1] == key:
                return full, value
        return None

    def config_text(self, full_key: str) -> str | None:
        value = self.config.get(full_key)
        return value if isinstance(value, str) else None


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


@dataclass(frozen=True)
class Suffix:
    value: str
    source: str

    def __str__(self) -> str:
        return f"'{self.value}' (from {self.source})"


def resolve_suffix(policy_config: Mapping[str, Any], stack: StackContext) -> Suffix | None:
    """The environment suffix, first found of: the policy's config ``environmentSuffix``, a
    stack config key ``environmentSuffix`` in any namespace, ``ENVIRONMENT_SUFFIX``, the stack name.
    """
    configured = policy_config.get(SUFFIX_KEY)
    if isinstance(configured, str) and configured.strip():
        return Suffix(configured.strip(), f"the policy config '{SUFFIX_KEY}'")
    found = stack.config_value(SUFFIX_KEY)
    if found and found[1].strip():
        return Suffix(found[1].strip(), f"the stack config '{found[0]}'")
    env = stack.environ.get(SUFFIX_ENV, "").strip()
    if env:
        return Suffix(env, f"the {SUFFIX_ENV} environment variable")
    if stack.stack.strip():
        return Suffix(stack.stack.strip(), "the stack name")
    return None
