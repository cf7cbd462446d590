"""stack-exports: the stack exports outputs, including every key the pipeline requires.

Why: integration tests and pipelines read a stack's outputs (``pulumi stack output --json``, flattened
into files such as ``cfn-outputs/flat-outputs.json``). A program that builds everything inside a
component and calls only ``register_outputs()`` exports nothing: the outputs are ``{}`` and every
test that looks a resource up fails.

Reported: a stack that manages resources and exports nothing (the message names the components
whose ``register_outputs()`` does not reach the stack, and proposes exports for its key resources);
and every key of ``requiredExports`` the stack does not export. Export keys are always known, even
in a preview, so this is checked from the first preview on.

Not reported: a stack that manages no resources (providers aside); the values of exports, which may
be unknown or secret: only their keys count. Whether each key resource is among the exports is
key-resource-exports's question.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from .._core.policy import MANDATORY, Finding, Option, PolicyContext, StackPolicy, stated
from .._core.resource import Resource
from .._core.stack import StackView
from .._core.text import and_more
from .._core.urns import STACK_TYPE
from .identifiers import KEY_RESOURCES, export_line

_MAX_LISTED = 5


def check(view: StackView, ctx: PolicyContext) -> Iterator[Finding]:
    root = view.root
    if root is None:
        return
    keys = set(root.props.keys())
    if not keys:
        managed = [r for r in view.resources if r is not root and r.type != STACK_TYPE
                   and not r.type.startswith("pulumi:providers:")]
        if managed:
            yield _nothing_exported(view, root, managed)
    missing = [k for k in dict.fromkeys(ctx.config["requiredExports"]) if k not in keys]
    if missing:
        yield _missing(root, missing, sorted(keys))


def _nothing_exported(view: StackView, root: Resource, managed: list[Resource]) -> Finding:
    key_resources = sorted((r for r in managed if r.type in KEY_RESOURCES), key=lambda r: r.urn)
    lines = [export_line(r) for r in key_resources[:_MAX_LISTED]]
    if len(key_resources) > _MAX_LISTED:
        lines.append(f"# ... and {len(key_resources) - _MAX_LISTED} more key resources")
    if not lines:
        lines = ["pulumi.export(\"bucket_name\", bucket.bucket)  # one line per value the tests need"]
    components = sorted({p.label for p in (view.parent_of(r) for r in key_resources or managed)
                         if p is not None and p.type != STACK_TYPE and not p.type.startswith("aws:")})
    hint = ""
    if components:
        hint = (f" The resources are built inside {', '.join(components[:2])}: a component's "
                f"register_outputs() does not export anything from the stack.")
    return stated(
        root.label, f"the stack exports no outputs (`pulumi stack output --json` returns {{}}); expected at "
        f"least one export, so that integration tests and pipelines can find what was deployed.{hint}",
        "in the program's entry point (__main__.py or tap.py), export the values the tests need, e.g.\n"
        + "\n".join(f"    {line}" for line in lines),
        urn=root.urn)


def _missing(root: Resource, missing: list[str], present: list[str]) -> Finding:
    shown = and_more([json.dumps(k) for k in present], 10) or "none"
    return stated(
        root.label, f"the stack does not export {', '.join(json.dumps(k) for k in missing)}; expected every "
        f"key listed in the policy's requiredExports config. It exports: {shown}.",
        "" + "; ".join(f"pulumi.export({json.dumps(k)}, ...)" for k in missing[:_MAX_LISTED]),
        urn=root.urn)


POLICY = StackPolicy(
    name="stack-exports",
    description=("The stack exports at least one output, and every export key the configuration requires, "
                 "so that integration tests and pipelines can find what was deployed."),
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Call pulumi.export(\"name\", value) in the program's entry point for each value the tests and pipeline "
        "read (names, ARNs, URLs). Outputs registered on a component with register_outputs() are not stack "
        "exports: export the component's attributes, e.g. pulumi.export(\"table_name\", stack.table.name)."),
    tags=("operability", "testing", "exports"),
    options=(
        Option("requiredExports", "array", [],
               "Export keys the stack must have, e.g. [\"api_url\", \"table_name\"].",
               {"items": {"type": "string"}}),
    ),
    check=check,
)
