"""config-dependency-order: AWS Config resources are created in the order AWS requires.

Why: AWS Config accepts a delivery channel only once a recorder exists, starts a recorder only once a
delivery channel exists, and accepts rules only once a recorder exists. Nothing in the arguments
links these resources, so without ``depends_on`` Pulumi creates them in parallel and the deployment
fails (``NoAvailableConfigurationRecorderException``, ``NoAvailableDeliveryChannelException``). And
``depends_on`` is a resource option: ``aws.cfg.Rule(..., depends_on=[...])`` is a TypeError.

Reported:

* an ``aws.cfg.DeliveryChannel`` that does not depend on a recorder of the stack in its account and
  region;
* an ``aws.cfg.RecorderStatus`` that does not depend on a delivery channel there;
* an ``aws.cfg.Rule`` or ``ConformancePack`` that does not depend on a recorder there (depending on
  the recorder status or the delivery channel reaches it);
* with ``requireRecorderStatus`` (on by default), a recorder that no ``aws.cfg.RecorderStatus`` in
  its account and region names: it is never started.

A dependency counts when it is direct, through a property, through a parent (``depends_on`` on a
component), or transitive.

Not reported: resources whose account or region is unknown during a preview; requirements with no
counterpart in the stack (resources in other regions or accounts, or ones the stack does not manage,
such as a recorder reused from another stack, impose nothing); a recorder while its name, or the name
of a recorder status in its place, is unknown. Whether a recorder status sets ``is_enabled=True`` is
not checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from .._core import aws_types
from .._core.dependencies import Upstream
from .._core.policy import MANDATORY, Finding, Option, PolicyContext, StackPolicy, stated
from .._core.resource import Resource
from .._core.stack import StackView
from ..account.scope import Scope, scope_of

RECORDER = "aws:cfg/recorder:Recorder"
DELIVERY_CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"
RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus"
RULE = "aws:cfg/rule:Rule"
CONFORMANCE_PACK = "aws:cfg/conformancePack:ConformancePack"


class Edge(NamedTuple):
    dependents: tuple[str, ...]
    required: str
    why: str
    variable: str


EDGES = (
    # A rule needs a recorder to exist, not to be started (pulumi-aws's own example depends on the
    # recorder); depending on the recorder status or the delivery channel reaches it transitively.
    Edge((RULE, CONFORMANCE_PACK), RECORDER,
         "creating it before any recorder exists fails with NoAvailableConfigurationRecorderException",
         "recorder"),
    Edge((RECORDER_STATUS,), DELIVERY_CHANNEL,
         "starting the recorder before a delivery channel exists fails with NoAvailableDeliveryChannelException",
         "delivery_channel"),
    Edge((DELIVERY_CHANNEL,), RECORDER,
         "creating the delivery channel before the recorder exists fails with "
         "NoAvailableConfigurationRecorderException", "recorder"),
)
TYPES = frozenset({RECORDER, DELIVERY_CHANNEL, RECORDER_STATUS, RULE, CONFORMANCE_PACK})
_MAX_NAMED = 3


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    found = [r for r in view.resources if r.type in TYPES]
    if not found:
        return
    scopes: dict[str, Scope | None] = {r.urn: scope_of(r, ctx.stack) for r in found}
    placed: dict[tuple[str, str, str | None], list[Resource]] = {}
    for r in found:
        scope = scopes[r.urn]
        if scope is not None:
            placed.setdefault((r.type, scope.account, scope.region), []).append(r)
    upstream = Upstream(view, (r.urn for r in found if r.type in (RECORDER, DELIVERY_CHANNEL, RECORDER_STATUS)))
    for edge in EDGES:
        for dependent in found:
            scope = scopes[dependent.urn]
            if dependent.type not in edge.dependents or scope is None:
                continue
            required = [r for r in placed.get((edge.required, scope.account, scope.region), [])
                        if r.urn != dependent.urn]
            reached = upstream.of(dependent.urn) if required else frozenset()
            if required and not any(r.urn in reached for r in required):
                yield _order_finding(dependent, required, scope, edge)
    if ctx.config["requireRecorderStatus"]:
        yield from _unstarted(placed, scopes)


def _order_finding(dependent: Resource, required: list[Resource], scope: Scope, edge: Edge) -> Finding:
    named = " or ".join(sorted(r.label for r in required)[:_MAX_NAMED])
    python = aws_types.python_class(dependent.type)
    return stated(
        dependent.label, f"does not depend on {named} in {scope.label}; expected it to be created after "
        f"that, since {edge.why}. Nothing in the arguments links them, so Pulumi creates them in parallel.",
        f"{python}(..., opts=pulumi.ResourceOptions(depends_on=[{edge.variable}])) "
        f"(depends_on is a resource option, not an argument of {python}).",
        urn=dependent.urn)


def _unstarted(placed: dict[tuple[str, str, str | None], list[Resource]],
               scopes: dict[str, Scope | None]) -> Iterator[Finding]:
    for (type_, account, region), recorders in placed.items():
        if type_ != RECORDER:
            continue
        statuses = placed.get((RECORDER_STATUS, account, region), [])
        names = [s.get("name") for s in statuses]
        if any(n.unknown for n in names):
            continue
        started = {n.as_str() for n in names}
        for recorder in recorders:
            name = recorder.get("name")
            if name.unknown or name.as_str() in started:
                continue
            scope = scopes[recorder.urn]
            where = f" in {scope.label}" if scope else ""
            yield stated(
                recorder.label, f"no aws.cfg.RecorderStatus{where} names this recorder (name "
                f"{name.display()}); expected one with is_enabled=True. A recorder that is never started "
                f"records nothing, and Config rules evaluate nothing.",
                "aws.cfg.RecorderStatus(\"recorder-status\", name=recorder.name, is_enabled=True, "
                "opts=pulumi.ResourceOptions(depends_on=[delivery_channel]))",
                urn=recorder.urn, property="name")


POLICY = StackPolicy(
    name="config-dependency-order",
    description=("AWS Config resources depend on each other in the order AWS requires: delivery channel after "
                 "recorder, recorder status after delivery channel, Config rules after the recorder."),
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Pass opts=pulumi.ResourceOptions(depends_on=[...]) (a resource option, not an argument): "
        "aws.cfg.DeliveryChannel on the aws.cfg.Recorder, aws.cfg.RecorderStatus on the DeliveryChannel, "
        "and each aws.cfg.Rule or ConformancePack on the Recorder (or the RecorderStatus). Start every "
        "recorder with an aws.cfg.RecorderStatus(is_enabled=True)."),
    tags=("reliability", "config", "ordering"),
    options=(
        Option("requireRecorderStatus", "boolean", True,
               "Also require an aws.cfg.RecorderStatus naming each recorder the stack creates."),
    ),
    check=check,
)
