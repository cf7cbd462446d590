"""Whether resources go to an AWS emulator (LocalStack and the like) instead of AWS.

Programs are often deployed to an emulator to test them: the AWS provider is pointed at a local
endpoint, by the provider's ``endpoints`` (an explicit provider, or stack config ``aws:endpoints``
for the default one) or by the AWS SDK's variables ``AWS_ENDPOINT_URL`` and
``AWS_ENDPOINT_URL_<SERVICE>``, which the provider reads and the engine passes on to the pack. A
stack tag ``environment-class: emulator`` says so outright.

An emulator keeps nothing worth protecting: policies about backups and recovery of real data are
not applicable there (they say so, with the endpoint), and programs commonly leave such features
out when they target one. Every other convention still applies: the same code reaches AWS later.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from .context import CLASS_TAG, StackContext
from .resource import Resource
from .values import prop_of

EMULATOR_CLASS = "emulator"
ENDPOINT_ENV = "AWS_ENDPOINT_URL"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal"})
"""Hosts that are never AWS; together with any host naming LocalStack (``localstack``,
``localhost.localstack.cloud``)."""


def is_emulator_url(url: Any) -> bool:
    """Whether an endpoint URL points at a local host or at LocalStack."""
    if not isinstance(url, str) or not url.strip():
        return False
    text = url.strip()
    try:
        host = urlsplit(text if "://" in text else f"//{text}").hostname or ""
    except ValueError:
        return False
    return host in LOCAL_HOSTS or host.endswith(".localhost") or "localstack" in host


def stack_emulator(stack: StackContext, service: str) -> str | None:
    """Why the stack's default AWS provider reaches an emulator for ``service``, else None."""
    if stack.tags.get(CLASS_TAG, "").strip().lower() == EMULATOR_CLASS:
        return f"the stack tag '{CLASS_TAG}' is '{EMULATOR_CLASS}'"
    for name in (f"{ENDPOINT_ENV}_{service.upper()}", ENDPOINT_ENV):
        if is_emulator_url(stack.environ.get(name)):
            return f"{name} is {_shown(stack.environ[name])}"
    for key in ("aws:endpoints", "aws:config:endpoints"):
        if key in stack.config and not stack.is_secret(key):
            url = _endpoint(stack.config[key], service)
            if url is not None:
                return f"the stack config '{key}' sends {service} to {url}"
    return None


def emulator_target(resource: Resource, stack: StackContext, service: str) -> str | None:
    """Why ``resource`` is deployed to an emulator, else None: its provider's ``endpoints`` for
    ``service``, or the stack's (see :func:`stack_emulator`)."""
    if resource.provider is not None:
        endpoints = prop_of("endpoints", resource.provider.props.raw("endpoints"))
        if endpoints.known and not endpoints.secret:
            url = _endpoint(endpoints.value, service)
            if url is not None:
                return f"its provider {resource.provider.name!r} sends {service} to {url}"
    return stack_emulator(stack, service)


def _shown(url: str) -> str:
    """The endpoint as a message may quote it: scheme, host and port, never user info or a path."""
    text = url.strip()
    try:
        parts = urlsplit(text if "://" in text else f"//{text}")
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return "a local endpoint"
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme + '://' if parts.scheme else ''}{host}{f':{port}' if port else ''}"


def _endpoint(value: Any, service: str) -> str | None:
    """The emulator URL for ``service`` in a provider's ``endpoints`` (a list of maps of service
    to URL; providers' inputs may hold it as JSON text)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, list):
        return None
    for block in value:
        if isinstance(block, dict) and is_emulator_url(block.get(service)):
            return _shown(str(block[service]))
    return None
