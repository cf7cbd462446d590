"""key-resource-exports: each key resource can be found among the stack's exports by a name, ARN, ID or URL.

Why: an integration test that cannot find a resource in the outputs hard-codes its name, which breaks
with the next environment suffix.

Reported: once the policy is enabled, a resource of the configured ``types`` none of whose identifiers (per type,
e.g. a table's name, ARN or stream ARN; for a type the table does not know, its ``name``, ``arn`` or
``id``) is among the stack's exports. An export counts when it equals an identifier or holds it as a
whole word (an ARN or URL built from it, a JSON document listing it), and a KMS key counts as
exported when an exported alias points at it.

Not reported:

* anything while any export value is unknown (during a preview, an unknown value may turn out to be
  the resource's identifier);
* a stack with no exports at all: that is stack-exports's finding, not one per resource here;
* types not in ``types``;
* anything by default: the policy is disabled. Which resources a team's pipeline reads is the team's
  knowledge, not the pack's; on real programs most unexported KMS keys, VPCs and log groups are read
  by nobody, so the check speaks only where a team turns it on and narrows ``types`` to what its
  tests look up.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._core.policy import DISABLED, Finding, Option, PolicyContext, StackPolicy, stated
from .._core.resource import Resource
from .._core.stack import StackView
from .._core.urns import STACK_TYPE
from .identifiers import (
    KEY_RESOURCES,
    STAND_INS,
    ExportIndex,
    export_line,
    has_unknown,
    identifiers_of,
    known_identifiers,
)

_MAX_SHOWN = 3


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    root = view.root
    if root is None:
        return
    keys = list(root.props.keys())
    if not keys:
        return
    values = [root.props.raw(k) for k in keys]
    if any(has_unknown(v) for v in values):
        return
    index = ExportIndex(values)
    types = set(ctx.config["types"])
    stand_ins = _exported_stand_ins(view, index, types)
    for resource in view.resources:
        if resource.type not in types:
            continue
        found = known_identifiers(resource, identifiers_of(resource.type))
        if any(index.has(value) for _, value, _ in found) or any(value in stand_ins for _, value, _ in found):
            continue
        yield _finding(view, resource, found, len(keys))


def _exported_stand_ins(view: StackView, index: ExportIndex, types: set[str]) -> set[str]:
    """Identifiers of resources that an exported stand-in (a KMS alias) points at."""
    pointed: set[str] = set()
    for token, (stand_in, targets, names) in STAND_INS.items():
        if token not in types:
            continue
        for resource in view.of_type(stand_in):
            if any(index.has(value) for _, value, _ in known_identifiers(resource, names)):
                pointed.update(value for _, value, _ in known_identifiers(resource, targets))
    return pointed


def _finding(view: StackView, resource: Resource, found: list[tuple[str, str, str]], count: int) -> Finding:
    names = identifiers_of(resource.type)
    if found:
        shown = ", ".join(f"{prop} {text}" for prop, _, text in found[:_MAX_SHOWN])
        what = f"none of its identifiers ({shown}) is among the stack's {count} exports"
    else:
        what = (f"its identifiers ({', '.join(names)}) are not known yet, so none of the stack's {count} "
                f"exports, all known, can be one of them")
    parent = view.parent_of(resource)
    hint = ""
    if parent is not None and parent.type != STACK_TYPE and not parent.type.startswith("aws:"):
        hint = (f" It is built inside {parent.label}, whose register_outputs() does not export it: export "
                f"the component's attribute from the entry point.")
    return stated(
        resource.label, f"{what}; expected its {' or '.join(names[:2])} to be exported, so that integration "
        f"tests and pipelines can find it.{hint}",
        f"{export_line(resource)}",
        urn=resource.urn, property=names[0])


POLICY = StackPolicy(
    name="key-resource-exports",
    description=("Each key resource (Lambda function and URL, table, bucket, topic, queue, API stage, state "
                 "machine, secret, key, database, load balancer, service, VPC, ...) has a name, ARN, ID or URL "
                 "among the stack's exports."),
    severity="medium",
    enforcement_level=DISABLED,
    remediation_steps=(
        "Export an identifier of each key resource from the program's entry point, e.g. "
        "pulumi.export(\"transactions_table_name\", table.name) or pulumi.export(\"api_url\", stage.invoke_url). "
        "Narrow the checked types with the types option."),
    tags=("operability", "testing", "exports"),
    options=(
        Option("types", "array", list(KEY_RESOURCES),
               "Type tokens of the key resources to check; a type not in the built-in table is identified by "
               "its name, arn or id.",
               {"items": {"type": "string", "pattern": "^aws:[^:]+:[^:]+$"}}),
    ),
    check=check,
)
