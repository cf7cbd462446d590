"""stringified-output: no property holds the text Pulumi puts in place of an Output formatted as a string.

Why: an f-string, ``str()`` or ``format()`` over an ``Output`` does not wait for its value; the
Python SDK returns the text "Calling __str__ on an Output[T] is not supported..." instead, and
the program deploys that text as a bucket name, an ARN inside a policy, an environment
variable.

Reported: every string in a property of an AWS resource, at any depth (list items, dict keys and
values, asset fields), that holds that text, or the TypeScript or .NET SDK's wording of it; up to ten
properties one by one, then one finding that counts the rest. The fix reuses the program's own text
around the Output (``pulumi.Output.concat(...)``), or ``pulumi.Output.json_dumps`` for a JSON
document. In a secret the text is reported at the secret's path, and the value is not shown.

Not reported: values unknown during a preview (they hold nothing yet); the provider resource itself;
strings deeper than 64 levels or past 20,000 values in one resource. The check runs on every AWS
resource, so it costs almost nothing when the text is absent: each top-level property is tested in
its wire form (serialised protobuf bytes) first, and only a property whose bytes contain the text is
decoded and walked. The IAM policies' unreadable-document finding for the same property shares this
policy's cause, so the mistake makes one finding.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple

from .._core.aws_types import snake
from .._core.policy import ALL_AWS_TYPES, MANDATORY, Finding, PolicyContext, ResourcePolicy, stated, violation
from .._core.resource import Resource
from .._core.values import walk

NEEDLE = b"] is not supported"
"""A byte string every SDK's text contains: the cheap pre-check on a property's wire form."""


class Text(NamedTuple):
    """One SDK's stringified-Output text, the mistake that produces it and the idiom that fixes it."""

    start: str
    language: str
    mistake: str
    fix: str


TEXTS = (
    Text("Calling __str__ on an Output[T] is not supported", "Python",
         "an f-string, str() or format() over an Output",
         'pulumi.Output.concat("prefix-", other.id), pulumi.Output.format("prefix-{0}", other.id) '
         'or other.id.apply(lambda v: f"prefix-{v}")'),
    Text("Calling [toString] on an [Output<T>] is not supported", "TypeScript",
         "a template literal, + or toString() over an Output",
         "pulumi.interpolate`prefix-${other.id}` or other.id.apply(v => `prefix-${v}`)"),
    Text("Calling [toJSON] on an [Output<T>] is not supported", "TypeScript",
         "JSON.stringify over an Output",
         "pulumi.jsonStringify({...})"),
    Text("Calling [ToString] on an [Output<T>] is not supported", ".NET",
         "string interpolation or ToString() over an Output",
         'Output.Format($"prefix-{other.Id}") or other.Id.Apply(v => $"prefix-{v}")'),
)
JSON_FIX = "pulumi.Output.json_dumps({...}) (json.dumps cannot wait for the Outputs in the document)"

_TAIL_MARKERS = ("may throw in a future version of", "for more details")
"""Where each SDK's text ends (the first marker when the SDK appends it), so that a message
shows the user's own text around it, not Pulumi's."""
_TAIL_SPAN = 400
_CONTEXT = 24
MARKER = "<stringified Output>"

MAX_NODES = 20_000
"""Values visited per resource at most: a bound on the walk, never reached by real programs."""
MAX_REPORTED = 10
"""Offending properties reported one by one; the rest are counted in one last finding."""


class Hit(NamedTuple):
    path: str
    text: Text
    value: str | None
    """The offending string, or None when it is (inside) a secret."""
    key: bool = False


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    props = resource.props
    if NEEDLE not in props.wire():
        return
    suspects = [k for k, message in props.messages() if NEEDLE in message.SerializeToString()]
    if not suspects:
        return
    hits = sorted((h for key in suspects for h in find(key, resource.props.raw(key))), key=lambda h: h.path)
    for hit in hits[:MAX_REPORTED]:
        yield _finding(resource, hit)
    if len(hits) > MAX_REPORTED:
        rest = sorted({h.path for h in hits[MAX_REPORTED:]})
        more = ", ".join(rest[:5]) + (" ..." if len(rest) > 5 else "")
        yield stated(resource.label, f"{len(hits) - MAX_REPORTED} more values hold the text of a "
                      f"stringified Output ({more}).")


def find(path: str, value: Any) -> list[Hit]:
    """Every string at or under ``value`` (dict keys included) that holds a stringified Output.

    Inside a secret, a hit is reported at the secret's own path, with no value: the keys within a
    secret are part of it.
    """
    hits: list[Hit] = []
    for node in walk(value, path, keys=True, paths=True, max_nodes=MAX_NODES):
        if node.deep or not isinstance(node.value, str):
            continue
        text = _text_in(node.value)
        if text is not None:
            shown = None if node.secret_at is not None else node.value
            hits.append(Hit(node.secret_at or node.path, text, shown, key=node.key))
    return hits


def _text_in(s: str) -> Text | None:
    if "] is not supported" not in s:
        return None
    return next((t for t in TEXTS if t.start in s), None)


def _finding(resource: Resource, hit: Hit) -> Finding:
    if hit.value is None:
        found = "a secret that holds the text of a stringified Output (its value is not shown)"
    else:
        found = f"{'a key' if hit.key else 'the text'} {excerpt(hit.value, hit.text)}"
    top = hit.path.split(".", 1)[0].split("[", 1)[0]
    fix = f"{snake(top)}={_fix(hit)}" if hit.path == top else f"build {hit.path} with {_fix(hit)}"
    return violation(
        resource, hit.path, found,
        f"the Output's value: the program used {hit.text.mistake} ({hit.text.language}), "
        f"which yields this text instead of the value", fix, cause=cause_of(top))


def cause_of(prop: str) -> str:
    """The cause every policy gives a stringified Output in the top-level property ``prop``: an IAM
    document that cannot be read because of it is the same mistake."""
    return f"stringified-output:{prop}"


def _fix(hit: Hit) -> str:
    """The idiom that fixes it; for a Python string around one Output, with the user's own text."""
    if hit.text.language != "Python" or hit.value is None or hit.key:
        return hit.text.fix
    if hit.value.lstrip()[:1] in ("{", "["):
        return JSON_FIX
    before, after = split(hit.value, hit.text)
    if _text_in(after) is not None or len(before) + len(after) > 2 * _CONTEXT:
        return hit.text.fix
    parts = [json.dumps(before)] if before else []
    parts.append("<the Output>")
    parts += [json.dumps(after)] if after else []
    return f"pulumi.Output.concat({', '.join(parts)})"


def split(value: str, text: Text) -> tuple[str, str]:
    """The user's text before and after the first stringified Output in ``value``."""
    start = value.find(text.start)
    end = start + len(text.start)
    window = value[end:end + _TAIL_SPAN]
    for marker in _TAIL_MARKERS:
        at = window.find(marker)
        if at >= 0:
            stop = window.find(".", at + len(marker))
            end += stop + 1 if stop >= 0 else at + len(marker)
            break
    return value[:start], value[end:]


def excerpt(value: str, text: Text) -> str:
    """The string around the first stringified Output, which is shown as <stringified Output>."""
    before, after = split(value, text)
    lead = "..." if len(before) > _CONTEXT else ""
    trail = "..." if len(after) > _CONTEXT else ""
    return repr(f"{lead}{before[-_CONTEXT:] if before else ''}{MARKER}{after[:_CONTEXT]}{trail}")


POLICY = ResourcePolicy(
    name="stringified-output",
    description=("No property of an AWS resource holds the text Pulumi substitutes for an Output "
                 "formatted into a string."),
    severity="high",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Build strings from Outputs with pulumi.Output.concat(\"arn:aws:s3:::\", bucket.id, \"/*\"), "
        "pulumi.Output.format(\"{0}-{1}\", a, b) or bucket.id.apply(lambda v: f\"{v}-logs\"), and JSON "
        "documents with pulumi.Output.json_dumps({...}), never with an f-string, str(), format() or "
        "json.dumps over an Output. Setting PULUMI_ERROR_OUTPUT_STRING=1 makes the program fail where "
        "it happens."),
    tags=("correctness", "outputs"),
    types=frozenset({ALL_AWS_TYPES}),
    check=check,
    prefilter=NEEDLE,
)
