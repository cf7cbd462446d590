"""Start a new policy: its module, its table-driven test, and its line in the registry.

    python -m tools.new_policy AREA NAME --type TOKEN [--type TOKEN ...]   # a resource policy
    python -m tools.new_policy AREA NAME --stack                            # a stack policy

``AREA`` is the folder under ``policies/`` (a service or concern: ``sqs``, ``naming``); ``NAME`` is the
policy's kebab-case name. The module is ``policies/AREA/<NAME without the area's word>.py``. Type
tokens must exist in the pack's AWS type table (``policies/_data/aws_types.json``, from pulumi_aws).

What it writes runs but finds nothing, and its test fails until the check is written: fill in the
docstring's headings, the check and the cases, then ``make regen`` rebuilds every generated file.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

MODULE = '''"""{name}: <one sentence: what every compliant resource has>.

Why: <the failure this prevents, with the AWS error message users see where there is one>.

Reported: <exactly what counts as a violation>.

Not reported: values unknown during a preview; <what deliberately does not count, and why>.
"""

from __future__ import annotations

from collections.abc import Iterator

from .._core.policy import {level_const}, Finding, PolicyContext, {kind}
from .._core.{subject_module} import {subject}

{types_block}

def check({arg}: {subject}, ctx: PolicyContext) -> Iterator[Finding]:
    return
    yield


POLICY = {kind}(
    name="{name}",
    description="<A full sentence: what a compliant resource has.>",
    severity="medium",
    enforcement_level={level_const},
    remediation_steps="<What to change, in pulumi-aws Python.>",
    tags=("{area}",),{types_arg}
    check=check,
)
'''

RESOURCE_TEST = '''import pytest

from policies._core.values import UNKNOWN, Secret
from tests.conftest import REMOVE, check, merged

NAME = "{name}"
TYPE = "{token}"
BASE: dict = {{}}
"""A compliant property bag as the engine sends it (camelCase, after the provider's Check)."""

CASES = [
    # (id, changes to BASE, config, substrings of the one finding, or None for silence)
    ("compliant", {{}}, {{}}, None),
    ("violating", {{"<property>": "<a value that breaks the convention>"}}, {{}}, ["<property> is"]),
    ("absent", {{"<property>": REMOVE}}, {{}}, ["<property> is not set"]),
    ("unknown", {{"<property>": UNKNOWN}}, {{}}, None),
    ("secret", {{"<property>": Secret("<violating value>")}}, {{}}, ["[secret]"]),
]


@pytest.mark.parametrize(("changes", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(changes, config, expected):
    findings = check(NAME, TYPE, merged(BASE, **changes), config=config)
    if expected is None:
        assert findings == []
        return
    (finding,) = findings
    for text in expected:
        assert text in finding.message


def test_other_types_are_not_checked():
    assert check(NAME, "aws:sns/topic:Topic", {{}}) == []
'''

STACK_TEST = '''from policies import STACK_TYPE, Resource
from tests.conftest import check_stack

NAME = "{name}"


def test_a_compliant_stack_is_quiet():
    assert check_stack(NAME, [Resource.of(STACK_TYPE, {{}}, name="tap-dev")]) == []


def test_a_violating_stack_is_reported():
    findings = check_stack(NAME, [Resource.of(STACK_TYPE, {{}}, name="tap-dev")])
    assert findings, "<build the resources that break the convention>"
'''


def module_name(area: str, name: str) -> str:
    """``sqs-encryption`` in ``sqs`` is ``encryption``: the area's word is not repeated."""
    words = [w for w in name.split("-") if w != area.rstrip("_")]
    return "_".join(words or name.split("-"))


def scaffold(area: str, name: str, types: list[str], stack: bool, root: Path = ROOT) -> list[Path]:
    """Write the module and its test and register the policy; return the files written."""
    problems = _problems(area, name, types, stack, root)
    if problems:
        raise SystemExit("\n".join(f"error: {p}" for p in problems))
    module = module_name(area, name)
    package = root / "policies" / area
    path, test = package / f"{module}.py", root / "tests" / "policies" / area / f"test_{module}.py"
    written = []
    if not (package / "__init__.py").exists():
        package.mkdir(parents=True, exist_ok=True)
        (package / "__init__.py").write_text("")
        _distribute(root / "pyproject.toml", area)
        written += [package / "__init__.py", root / "pyproject.toml"]
    path.write_text(_module_text(area, name, types, stack))
    test.parent.mkdir(parents=True, exist_ok=True)
    test.write_text((STACK_TEST if stack else RESOURCE_TEST).format(name=name, token=types[0] if types else ""))
    _register(root / "policies" / "__init__.py", area, module)
    return [*written, path, test, root / "policies" / "__init__.py"]


def _problems(area: str, name: str, types: list[str], stack: bool, root: Path) -> list[str]:
    problems = []
    if not NAME_RE.match(name):
        problems.append(f"policy name {name!r} is not kebab-case (a-z, 0-9, single hyphens)")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", area):
        problems.append(f"area {area!r} is not a Python package name")
    if stack == bool(types):
        problems.append("give either --stack or at least one --type")
    if NAME_RE.match(name) and re.fullmatch(r"[a-z][a-z0-9_]*", area):
        if (root / "policies" / area / f"{module_name(area, name)}.py").exists():
            problems.append(f"policies/{area}/{module_name(area, name)}.py exists already")
        if f'name="{name}"' in "".join(p.read_text() for p in (root / "policies").rglob("*.py")):
            problems.append(f"a policy named {name!r} exists already")
    if types:
        from policies._core import aws_types

        problems += [f"unknown type token {t!r} (see policies/_data/aws_types.json)"
                     for t in types if not aws_types.known(t)]
    return problems


def _module_text(area: str, name: str, types: list[str], stack: bool) -> str:
    if stack:
        return MODULE.format(name=name, area=area, kind="StackPolicy", level_const="ADVISORY",
                             subject_module="stack", subject="StackView", arg="view", types_block="",
                             types_arg="")
    constants = "\n".join(f'{_constant(t)} = "{t}"' for t in types) + "\n"
    return MODULE.format(name=name, area=area, kind="ResourcePolicy", level_const="ADVISORY",
                         subject_module="resource", subject="Resource", arg="resource", types_block=constants,
                         types_arg=f"\n    types=frozenset({{{', '.join(_constant(t) for t in types)}}}),")


def _constant(token: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", token.rsplit(":", 1)[-1]).upper()


def _register(registry: Path, area: str, module: str) -> None:
    """Import the module and list its POLICY last but one (``waiver-tags`` stays last: it reports on
    the waivers of every other policy)."""
    text = registry.read_text()
    line = f"from .{area} import {module}\n"
    same_area = re.search(rf"^from \.{re.escape(area)} import (.+)$", text, re.M)
    if same_area:
        names = sorted({*same_area.group(1).split(", "), module})
        text = text.replace(same_area.group(0), f"from .{area} import {', '.join(names)}")
    else:
        imports = sorted([*re.findall(r"^from \.\w+ import .+\n", text, re.M), line])
        first = re.search(r"^from \.\w+ import .+\n", text, re.M)
        block_end = max(m.end() for m in re.finditer(r"^from \.\w+ import .+\n", text, re.M))
        text = text[:first.start()] + "".join(imports) + text[block_end:]  # type: ignore[union-attr]
    text = text.replace("    waiver_tags.POLICY,\n]", f"    {module}.POLICY,\n    waiver_tags.POLICY,\n]")
    registry.write_text(text)


def _distribute(pyproject: Path, area: str) -> None:
    """List the new folder in the distribution's packages (``[tool.setuptools] packages``), in order."""
    text = pyproject.read_text()
    lines = re.findall(r'^    "aws_conventions\.policies\.\w+",\n', text, re.M)
    new = f'    "aws_conventions.policies.{area}",\n'
    block = "".join(lines)
    pyproject.write_text(text.replace(block, "".join(sorted([*lines, new])), 1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.new_policy", description=__doc__.split("\n")[0])
    parser.add_argument("area")
    parser.add_argument("name")
    parser.add_argument("--type", dest="types", action="append", default=[], metavar="TOKEN")
    parser.add_argument("--stack", action="store_true")
    args = parser.parse_args(argv)
    for path in scaffold(args.area, args.name, args.types, args.stack):
        print(f"wrote {path.relative_to(ROOT)}")
    print("next: write the check and its cases, add a violation to an example, then `make regen`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
