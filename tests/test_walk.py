"""One bounded walk over nested values: every walker of the pack gives the same answer past its
depth limit (what lies below reads as unknown: nothing found there, a secret test says secret,
masking still sees every secret)."""

from __future__ import annotations

import pytest

from policies._core import masking
from policies._core.values import (
    MAX_DEPTH,
    STRINGIFIED_OUTPUT_TEXT,
    UNKNOWN,
    Asset,
    Props,
    Secret,
    contains_secret,
    contains_unknown,
    walk,
)
from policies.iam import documents
from policies.outputs.stringified_output import find


def nested(depth: int, leaf):
    value = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


def test_paths_keys_secrets_and_assets():
    value = {"a": [{"b": Secret({"c": "x"})}], "odd key": Asset("archive", {"path": "./lib"})}
    nodes = [(n.path, n.value, n.secret_at, n.key) for n in walk(value, "props", keys=True, paths=True)
             if isinstance(n.value, str)]
    assert nodes == [("props", "a", None, True), ("props", "odd key", None, True),
                     ("props.a[0]", "b", None, True), ("props.a[0].b", "c", "props.a[0].b", True),
                     ("props.a[0].b.c", "x", "props.a[0].b", False), ("props['odd key']", "path", None, True),
                     ("props['odd key'].path", "./lib", None, False)]


@pytest.mark.parametrize("depth", [MAX_DEPTH - 2, MAX_DEPTH + 5, 90])  # the wire format nests 100 at most
def test_every_walker_agrees_past_the_limit(depth):
    deep = depth >= MAX_DEPTH - 1
    secret = nested(depth, Secret("hunter2-value"))
    assert contains_secret(secret)  # found, or too deep to tell: secret either way
    assert contains_unknown(nested(depth, UNKNOWN))
    assert contains_unknown(nested(depth, "plain")) is deep
    assert contains_secret(nested(depth, "plain")) is deep
    # Masking walks everything: a secret is never left unmasked, however deep.
    assert masking.secret_strings(Props.from_dict({"p": secret})) == {"hunter2-value"}
    # A finding needs evidence: nothing is reported from below the limit.
    assert bool(find("p", nested(depth, f"arn-{STRINGIFIED_OUTPUT_TEXT}"))) is not deep


def test_a_document_nested_past_the_limit_reads_as_unknown():
    unwrapped = documents._unwrap(nested(MAX_DEPTH + 3, Secret("x")))
    assert UNKNOWN in [n.value for n in walk(unwrapped, limit=None)]
    assert documents._unwrap(nested(3, Secret("x"))) == nested(3, "x")


def test_the_node_budget_ends_the_walk_with_a_deep_node():
    nodes = list(walk(list(range(100)), max_nodes=10))
    assert len(nodes) == 11 and nodes[-1].deep
