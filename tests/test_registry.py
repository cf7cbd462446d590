"""The registry is complete and every policy's metadata is: the meta-tests STYLE.md asks for."""

import ast
import json
from pathlib import Path

import pytest

from policies import POLICIES
from policies._core import config as config_mod
from policies._core.policy import (
    ALL_AWS_TYPES,
    ENFORCEMENT_LEVELS,
    NAME_RE,
    PULUMI_NAME_RE,
    SEVERITIES,
    ResourcePolicy,
    StackPolicy,
)
from tools import aws_catalog, policy_docs
from tools.new_policy import module_name

ROOT = Path(__file__).resolve().parents[1]
TYPES = json.loads((ROOT / "policies/_data/aws_types.json").read_text())["types"]
IDS = [p.name for p in POLICIES]


def _modules_defining_policy():
    for path in sorted((ROOT / "policies").rglob("*.py")):
        if "_core" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        if any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "POLICY" for t in n.targets)
               for n in tree.body):
            yield path


def test_names_are_unique():
    assert len(IDS) == len(set(IDS))


def test_every_policy_module_is_registered():
    registered = {p.check.__module__ for p in POLICIES}
    modules = {".".join(path.relative_to(ROOT).with_suffix("").parts) for path in _modules_defining_policy()}
    assert modules, "no policy modules found"
    assert modules - registered == set(), "policy modules missing from policies/__init__.py"


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_a_policy_is_found_by_its_name(policy):
    """``policies/<area>/<name without the area's word>.py``, as the scaffolder writes it."""
    parts = policy.check.__module__.split(".")
    assert parts[0] == "policies" and len(parts) == 3, policy.check.__module__
    assert parts[2] == module_name(parts[1], policy.name), f"{policy.name} lives in {policy.check.__module__}"


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_metadata_is_complete(policy):
    assert NAME_RE.match(policy.name) and PULUMI_NAME_RE.match(policy.name)
    assert policy.name != "all"
    assert policy.description[0].isupper() and policy.description.endswith(".")
    assert policy.severity in SEVERITIES
    assert policy.enforcement_level in ENFORCEMENT_LEVELS
    assert len(policy.remediation_steps) > 20
    assert policy.tags and all(t == t.lower() for t in policy.tags)
    assert policy.url.endswith(f"#{policy.name}")
    assert callable(policy.check)
    assert isinstance(policy, (ResourcePolicy, StackPolicy))


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_config_defaults_satisfy_their_own_schema(policy):
    resolved, errors = config_mod.resolve(policy.name, policy.all_options, policy.defaults)
    assert errors == []
    assert set(resolved) == {o.name for o in policy.all_options}
    for option in policy.options:
        assert option.description.strip(), f"{option.name} lacks a description"
        json.dumps(option.to_schema())


@pytest.mark.parametrize("policy", [p for p in POLICIES if isinstance(p, ResourcePolicy)],
                         ids=[p.name for p in POLICIES if isinstance(p, ResourcePolicy)])
def test_resource_policies_declare_real_type_tokens(policy):
    assert policy.types, "a resource policy must declare the type tokens it applies to"
    unknown = {t for t in policy.types if t != ALL_AWS_TYPES and t not in TYPES}
    assert unknown == set(), "type tokens not in the installed pulumi_aws"


def test_type_table_is_current_with_installed_pulumi_aws():
    table = aws_catalog.build()
    assert (ROOT / "policies/_data/aws_types.json").read_text() == aws_catalog.render(table), \
        "run: python -m tools.aws_catalog"
    assert (ROOT / "policies/_data/aws_deprecations.json").read_text() == aws_catalog.render_deprecations(table), \
        "run: python -m tools.aws_catalog"


def test_readme_policy_table_is_current():
    readme = (ROOT / "README.md").read_text()
    assert policy_docs.render() in readme, "run: python -m tools.policy_docs"


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_policy_module_docstring_has_the_headings(policy):
    doc = policy_docs.module_doc(policy)
    summary = doc.splitlines()[0] if doc else ""
    assert summary.startswith(f"{policy.name}: ") and summary.endswith("."), \
        f"{policy_docs.source_path(policy)}: the first line must be '{policy.name}: <one sentence>.'"
    found = policy_docs.sections(doc)
    assert [heading for heading, _ in found] == list(policy_docs.HEADINGS), \
        f"{policy_docs.source_path(policy)}: the docstring needs the headings {policy_docs.HEADINGS}, in order, once"
    assert all(text for _, text in found), "every heading needs text"


def test_docstring_sections_render_as_markdown():
    doc = ("x-policy: one line.\n\nWhy: the ``name`` breaks.\nSecond line.\n\nReported:\n\n"
           "* a ``*`` wildcard\n  wrapped <here>\n* two\n\nNot reported: nothing.\n")
    found = policy_docs.sections(doc)
    assert [h for h, _ in found] == ["Why", "Reported", "Not reported"]
    assert policy_docs.markdown(found[0][1]) == ["the `name` breaks. Second line."]
    assert policy_docs.markdown(found[1][1]) == ["* a `*` wildcard wrapped &lt;here>\n* two"]
    assert policy_docs.sections("x: y.\n\nWhy: a.\nReported: b.\n") == [("Why", "a."), ("Reported", "b.")]


def test_readme_links_each_policy_to_its_source():
    readme = (ROOT / "README.md").read_text()
    for policy in POLICIES:
        path = policy_docs.source_path(policy)
        assert (ROOT / path).is_file()
        assert f"- **Source:** [`{path}`]({path})" in readme
