"""A pack whose one resource policy and one stack policy report what reached them: the resource
options and the stack tags, through the pack's own analyzer, started as the engine starts it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from policies._core.analyzer import PolicyPack
from policies._core.policy import ADVISORY, Finding, ResourcePolicy, StackPolicy


def _options(resource, ctx):
    o = resource.options
    yield Finding(f"protect={o.protect} ignore={','.join(o.ignore_changes)} dbr={o.delete_before_replace} "
                  f"secret_outputs={','.join(o.additional_secret_outputs)} aliases={','.join(o.aliases)} "
                  f"delete_timeout={o.custom_timeouts.delete} parent={o.parent} "
                  f"tags={sorted(ctx.stack.tags.items())}")


def _stack(view, ctx):
    for r in view.resources:
        yield Finding(f"{r.name}: protect={r.options.protect}", urn=r.urn)


COMMON = dict(description="Reports what reached it.", severity="low", enforcement_level=ADVISORY,
              remediation_steps="none", tags=("test",))
PolicyPack("echo", [ResourcePolicy(name="echo-options", types=frozenset({"aws:s3/bucket:Bucket"}), check=_options,
                                   **COMMON),
                    StackPolicy(name="echo-stack", check=_stack, **COMMON)])
