"""account-singleton-owner: only the stack configured as their owner creates account-level singletons.

Why: a program is deployed once per environment (dev, pr123, prod) into one account. A resource AWS
allows once per account or region, such as the Config recorder, collides with the other
environments' copy: the second deployment fails (``MaxNumberOfConfigurationRecordersExceededException``)
or silently overwrites the first's settings. One stack should own each singleton; the others reuse it.
Which stack owns what is pack config, since nothing in a program says so.

Reported: every resource of a singleton type (``singletons.py``) that the stack creates without
being configured as its owner; AWS Config's recorder, delivery channel and recorder status together
make one finding. Region and account do not matter: the collision is with other stacks.

Not reported: the types the stack owns (``configOwner`` for AWS Config, ``ownedTypes`` for others,
``accountOwner`` for all). Two copies within one stack are account-singleton-duplicates's finding.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from .._core.policy import ADVISORY, Finding, Option, PolicyContext, StackPolicy, stated
from .._core.resource import Resource
from .._core.stack import StackView
from .._core.text import and_more
from .singletons import BY_TOKEN, CONFIG_GROUP, SINGLETONS, Singleton

NAME = "account-singleton-owner"
_MAX_NAMED = 4


def owned(entry: Singleton, config: Mapping[str, Any]) -> bool:
    if config["accountOwner"] or entry.token in config["ownedTypes"]:
        return True
    return entry.group == CONFIG_GROUP and config["configOwner"]


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    config_resources: dict[str, Resource] = {}
    for resource in view.resources:
        entry = BY_TOKEN.get(resource.type)
        if entry is None or owned(entry, ctx.config):
            continue
        if entry.group == CONFIG_GROUP:
            config_resources.setdefault(resource.urn, resource)
        else:
            yield _finding(resource, entry)
    if config_resources:
        yield _config_finding(list(config_resources.values()))


def _finding(resource: Resource, entry: Singleton) -> Finding:
    consequence = ("the second deployment fails (or, where each stack imports the existing one, they share it "
                   "and destroying either stack deletes it for all)" if entry.on_second.startswith("fails")
                   else "the copies overwrite each other's setting, and destroying either resets it for the account")
    setting = json.dumps({NAME: {"ownedTypes": [entry.token]}})
    return stated(
        resource.label, f"this stack creates the {entry.what}, of which AWS allows one {entry.per}, but the "
        f"stack is not configured as its owner. Deployed for a second environment in the same account, or next "
        f"to another stack that creates one, {consequence} (creating a second one {entry.on_second}).",
        f"{_reuse(entry)} In the one stack that owns it, declare so in a --policy-pack-config file: "
        f"{setting} (or {{\"{NAME}\": {{\"accountOwner\": true}}}} for an account baseline stack).",
        urn=resource.urn)


def _config_finding(resources: list[Resource]) -> Finding:
    order = {s.token: i for i, s in enumerate(SINGLETONS)}
    resources.sort(key=lambda r: (order.get(r.type, len(order)), r.urn))
    first, others = resources[0], resources[1:]
    also = ""
    if others:
        also = f" (with {and_more([r.label for r in others], _MAX_NAMED)})"
    recorder = BY_TOKEN["aws:cfg/recorder:Recorder"]
    setting = json.dumps({NAME: {"configOwner": True}})
    return stated(
        f"{first.label}{also}", "this stack sets up AWS Config, but it is not configured as the owner of AWS "
        "Config in its account. AWS allows one configuration recorder and one delivery channel per account "
        "and region, so deploying this stack for a second environment in the same account, or next to another "
        "stack that sets up Config, fails with MaxNumberOfConfigurationRecordersExceededException.",
        f"in stacks that do not own Config, create only the Config rules and reuse the existing recorder: "
        f"recorder = aws.cfg.Recorder.get(\"recorder\", \"{recorder.example_id}\") (the ID is the existing "
        f"recorder's name, often \"default\"; `aws configservice describe-configuration-recorders` lists it). "
        f"To bring an existing recorder under the owning stack, import it: "
        f"pulumi import {recorder.token} recorder {recorder.example_id}. "
        f"In the one stack that owns Config, declare so in a --policy-pack-config file: {setting}.",
        urn=first.urn)


def _reuse(entry: Singleton) -> str:
    if not entry.import_id:
        return (f"{entry.python} cannot be imported, so manage it from one stack only (an account baseline "
                f"stack) and remove it from the others.")
    return (f"in the other stacks, reuse the existing one instead of creating it: "
            f"{entry.python}.get(\"existing\", \"{entry.example_id}\") (the ID is {entry.import_id}); "
            f"to bring an existing one under the owning stack, import it: "
            f"pulumi import {entry.token} existing {entry.example_id}.")


POLICY = StackPolicy(
    name=NAME,
    description=("Resources that AWS allows once per account or region (the Config recorder and delivery "
                 "channel, a GuardDuty detector, account settings) are created only by the stack configured "
                 "as their owner, so that deploying a program for several environments does not collide."),
    severity="medium",
    enforcement_level=ADVISORY,
    remediation_steps=(
        "Create account-level singletons in one stack (an account baseline) and reuse them elsewhere with "
        "Resource.get(name, id) or a data source; adopt existing ones with pulumi import. Declare the owning "
        "stack in its --policy-pack-config file: {\"account-singleton-owner\": {\"configOwner\": true}} for "
        "AWS Config, \"ownedTypes\" for others, or \"accountOwner\": true for all."),
    tags=("reliability", "account", "multi-environment"),
    options=(
        Option("configOwner", "boolean", False,
               "This stack owns AWS Config (recorder, delivery channel, recorder status) in its account."),
        Option("ownedTypes", "array", [],
               "Type tokens of the other account-level singletons this stack owns.",
               {"items": {"type": "string", "enum": [s.token for s in SINGLETONS]}}),
        Option("accountOwner", "boolean", False,
               "This stack is its account's baseline and owns every account-level singleton."),
    ),
    check=check,
)
