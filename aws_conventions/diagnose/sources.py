"""Checks on the program's source that find, without running it, a mistake that fails it later.

``json.dumps`` over a document that holds a resource's attribute (``log_group.name``, ``bucket.arn``)
raises "Object of type Output is not JSON serializable". When the call sits inside an ``apply``
callback it runs only once the values are known: a preview may pass and ``pulumi up`` fail; and a
program that fails earlier on another mistake never reaches it. So the source is read for it too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from ..findings import Diagnosis, Location
from .checks import level_of

CHECK = "project-output-json"


def output_json_rules(sources: Iterator[tuple[Path, str]], root: Path) -> Iterator[Diagnosis]:
    """One diagnosis per ``json.dumps`` call whose argument reads an attribute of a pulumi-aws resource
    bound to a name in the same module (``x = aws.s3.Bucket(...)``, ``self.x = ...``)."""
    for path, text in sources:
        if "dumps" not in text or "pulumi_aws" not in text:
            continue
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        aws = _aws_roots(tree)
        resources = _resource_names(tree, aws)
        if not resources:
            continue
        relative = path.relative_to(root).as_posix()
        for call, params in _json_dumps_calls(tree):
            read = _resource_attribute(call, resources - params)
            if read is None:
                continue
            yield Diagnosis(
                CHECK, level_of(CHECK),
                f"{relative}:{call.lineno} passes {read} to json.dumps. It is a pulumi Output (known only once "
                "the resource exists), which json cannot serialize: the program fails with \"TypeError: Object "
                "of type Output is not JSON serializable\" when this line runs (inside an apply callback, only "
                "when `pulumi up` knows the values).",
                f"pulumi.Output.json_dumps({{... {read} ...}}) (it waits for the Outputs inside), or pass "
                f"{read} through pulumi.Output.all(..., {read}).apply(lambda args: json.dumps(...)) and "
                "read it from args.",
                Location(relative, call.lineno))


def _json_dumps_calls(tree: ast.AST) -> Iterator[tuple[ast.Call, set[str]]]:
    """Every ``json.dumps(...)`` call, with the parameter names of the lambdas and functions around
    and inside it (a parameter ``bucket`` hides the resource ``bucket``)."""
    stack: list[tuple[ast.AST, frozenset[str]]] = [(tree, frozenset())]
    while stack:
        node, params = stack.pop()
        if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef)):
            params = params | {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
        if isinstance(node, ast.Call) and _is_json_dumps(node.func):
            inner = {a.arg for n in ast.walk(node) if isinstance(n, ast.Lambda) for a in n.args.args}
            yield node, set(params) | inner
        stack.extend((child, params) for child in ast.iter_child_nodes(node))


def _aws_roots(tree: ast.AST) -> set[str]:
    """Names that refer to pulumi_aws or one of its modules (``import pulumi_aws as aws``,
    ``from pulumi_aws import s3``)."""
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(a.asname or a.name.split(".", 1)[0] for a in node.names if a.name.startswith("pulumi_aws"))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("pulumi_aws"):
            roots.update(a.asname or a.name for a in node.names if a.name[:1].islower())
    return roots


def _resource_names(tree: ast.AST, aws: set[str]) -> set[str]:
    """Names (``x`` or ``self.x``) assigned a pulumi-aws resource: a capitalised class, not ``...Args``."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        func = node.value.func
        if not (isinstance(func, ast.Attribute) and func.attr[:1].isupper() and not func.attr.endswith("Args")):
            continue
        if _root(func) not in aws:
            continue
        for target in node.targets:
            name = _dotted(target)
            if name is not None:
                found.add(name)
    return found


def _root(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return f"self.{node.attr}"
    return None


def _is_json_dumps(func: ast.AST) -> bool:
    return isinstance(func, ast.Attribute) and func.attr == "dumps" and isinstance(func.value, ast.Name) \
        and func.value.id == "json"


def _resource_attribute(call: ast.Call, resources: set[str]) -> str | None:
    """The first ``<resource>.<attribute>`` read inside the call's arguments, except inside ``str(...)``
    and f-strings, which json can serialize (a stringified Output is another policy's finding)."""
    stack: list[ast.AST] = [*call.args, *(k.value for k in call.keywords)]
    while stack:
        node = stack.pop(0)
        if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                                               and node.func.id == "str"):
            continue
        if isinstance(node, ast.Attribute) and not node.attr.startswith("_"):
            owner = _dotted(node.value)
            if owner is not None and owner in resources:
                return f"{owner}.{node.attr}"
        stack.extend(ast.iter_child_nodes(node))
    return None
