"""What Lambda itself says about an account's concurrency, for ``lambda-reserved-concurrency``'s
``readAccount``: the quota, what is still unreserved, and what the stack's functions reserve today.

Read with the credentials the preview runs with (the engine starts the pack with the CLI's
environment: ``AWS_PROFILE``, ``AWS_ACCESS_KEY_ID``, the CI runner's role), in the functions' region,
with the ``profile`` their provider names, if any. Two calls: ``GetAccountSettings`` once, and
``GetFunctionConcurrency`` for each of the stack's functions there (their present reservations are
part of what is reserved already, and are given back when the deployment changes them). Providers
whose credentials come from their own settings (keys, roles to assume, other credential files) are
not read: the pack cannot act as them.

Never raises and never waits long: short timeouts on every client, a bounded read as a whole, no
profile that may prompt for an MFA code or run a program. What cannot be read comes back as a
short reason (an error's name, never its text, which may hold an account id or an ARN), and the
policy falls back to its configured quota.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._core.context import StackContext
from .._core.emulator import emulator_target
from .._core.resource import Resource
from .._core.values import prop_of

KEPT_UNRESERVED = 100
"""What AWS keeps unreserved of an account's quota ("Configuring reserved concurrency for a function",
Lambda Developer Guide: "You can reserve up to the Unreserved account concurrency value that is shown,
minus 100 for functions that don't have reserved concurrency"); an account whose quota is 100 or less
can reserve nothing (the error then names its quota: "minimum value of [10]")."""
MAX_FUNCTIONS = 200
"""Beyond this many functions in one place the stack's present reservations are not read one by one
(each is a call): the configured quota decides."""
DEADLINE_S = 20.0
"""The longest a read may take, credentials included; past it the configured quota decides."""
FOREIGN_CREDENTIALS = ("accessKey", "assumeRoles", "assumeRole", "assumeRoleWithWebIdentity",
                       "sharedCredentialsFiles", "sharedConfigFiles", "token", "secretKey")
"""Provider settings (and ``aws:`` stack config keys) that give the provider credentials of its own."""
INTERACTIVE = ("mfa_serial", "credential_process")
"""Profile settings whose credentials may wait on a person (an MFA code read from the terminal) or on
a program botocore runs without a time limit: not read. (An SSO profile reads its cached token.)"""
_TIMEOUTS = {"connect_timeout": 3, "read_timeout": 5, "retries": {"mode": "standard", "total_max_attempts": 3}}
"""Every client the read creates (Lambda, and STS where a profile assumes a role): throttling is retried."""


def kept_of(quota: int) -> int:
    """What AWS keeps unreserved of ``quota``."""
    return min(KEPT_UNRESERVED, quota)


class Account:
    """Lambda's concurrency figures for one account and region, and what the stack holds of them."""

    __slots__ = ("held", "quota", "unreserved")

    def __init__(self, quota: int, unreserved: int, held: Mapping[str, int]) -> None:
        self.quota = quota
        """``AccountLimit.ConcurrentExecutions``: the account's quota in the region."""
        self.unreserved = unreserved
        """``AccountLimit.UnreservedConcurrentExecutions``: the quota less every reservation made."""
        self.held = held
        """What each of the stack's functions (by function name) reserves today; functions that do not
        exist yet, or reserve nothing, are not in it."""

    @property
    def kept(self) -> int:
        return kept_of(self.quota)

    @property
    def elsewhere(self) -> int:
        """What functions outside the stack reserve."""
        return max(0, self.quota - self.unreserved - sum(self.held.values()))

    @property
    def reservable(self) -> int:
        """What the stack's functions may reserve together."""
        return max(0, self.quota - self.kept - self.elsewhere)

    def __repr__(self) -> str:
        return f"Account(quota={self.quota}, unreserved={self.unreserved}, held={self.held})"


Client = Any
"""A botocore Lambda client (or a test's stand-in with the same two methods)."""
ClientFactory = Callable[[str | None, str], Client]


def read(functions: Sequence[Resource], stack: StackContext, region: str,
         client_for: ClientFactory | None = None) -> Account | str:
    """The account's figures for ``functions`` (the stack's functions in one account and ``region``,
    all behind one provider), or why they cannot be read."""
    if not region:
        return "no region is configured"
    if any(emulator_target(f, stack, "lambda") is not None for f in functions):
        return "the functions deploy to an emulator"
    if len(functions) > MAX_FUNCTIONS:
        return f"more than {MAX_FUNCTIONS} functions"
    names = [f.get("name").as_str() for f in functions]
    if not all(names):  # its present reservation could not be told apart from other functions'
        return "a function's name is not known yet"
    profile = _profile(functions[0], stack)
    if not isinstance(profile, tuple):
        return profile
    outcome: list[Account | str] = []
    reader = threading.Thread(target=lambda: outcome.append(_read(client_for or _client, profile[0], region,
                                                                  [n for n in names if n])),
                              daemon=True, name="lambda-account-read")
    reader.start()
    reader.join(DEADLINE_S)
    return outcome[0] if outcome else f"no answer within {DEADLINE_S:.0f} s"


def _read(client_for: ClientFactory, profile: str | None, region: str, names: list[str]) -> Account | str:
    try:
        client = client_for(profile, region)
        limits = client.get_account_settings()["AccountLimit"]
        quota, unreserved = int(limits["ConcurrentExecutions"]), int(limits["UnreservedConcurrentExecutions"])
        held = {name: n for name in names if (n := _reserved_now(client, name)) > 0}
    except Exception as e:  # noqa: BLE001 - whatever goes wrong, the configured quota decides
        return _reason(e)
    return Account(quota, unreserved, held)


def _profile(function: Resource, stack: StackContext) -> tuple[str | None] | str:
    """``(profile or None,)`` for the credentials to read with, or why the pack cannot use them."""
    provider = function.provider
    if provider is not None and not provider.is_default:
        settings = {k: prop_of(k, provider.props.raw(k)) for k in (*FOREIGN_CREDENTIALS, "profile")}
        if any(not settings[k].absent for k in FOREIGN_CREDENTIALS):
            return f"provider '{provider.name}' has credentials of its own"
        profile = settings["profile"]
        if profile.unknown:
            return f"provider '{provider.name}''s profile is not known yet"
        return (profile.as_str() or None,)
    if any(f"aws:{k}" in stack.config for k in FOREIGN_CREDENTIALS):
        return "the stack's aws: config gives the provider credentials of its own"
    return (stack.config_text("aws:profile") or None,)


def _reserved_now(client: Client, name: str) -> int:
    try:
        answer = client.get_function_concurrency(FunctionName=name)
    except Exception as e:
        if _code(e) == "ResourceNotFoundException":  # not deployed yet: it holds nothing
            return 0
        raise
    return int(answer.get("ReservedConcurrentExecutions") or 0)


def _client(profile: str | None, region: str) -> Client:
    """A Lambda client of ``profile`` (botocore is imported only here): every client the session makes
    has short timeouts, the instance metadata service gets one short try, and a profile whose
    credentials may wait on a person or a program is refused."""
    from botocore.config import Config
    from botocore.session import Session

    session = Session(profile=profile)
    waits = sorted(k for k in INTERACTIVE if k in session.get_scoped_config())
    if waits:
        raise _Refused(f"the profile's {waits[0]}")
    session.set_config_variable("metadata_service_timeout", 1)
    session.set_config_variable("metadata_service_num_attempts", 1)
    config = Config(**_TIMEOUTS)
    session.set_default_client_config(config)
    return session.create_client("lambda", region_name=region, config=config)


class _Refused(Exception):
    """Credentials the pack does not use; the message is the reason (a setting's name)."""


def _code(error: BaseException) -> str:
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code if isinstance(code, str) and code.isidentifier() else ""


def _reason(error: BaseException) -> str:
    """An error's code or class name: its text may hold the account id, an ARN or a profile's path."""
    if isinstance(error, _Refused):
        return str(error)
    if isinstance(error, ImportError):
        return "botocore is not installed"
    return _code(error) or type(error).__name__
