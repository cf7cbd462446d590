"""The pack under the real ``pulumi`` CLI (v3.276.0, built by tools/pulumi-cli/build.sh).

Each example program is copied to a temporary directory and previewed with
``pulumi preview --policy-pack <pack>`` against a local file backend (passphrase secrets
provider) and the stand-in aws provider; the results are read from the CLI's structured event
log (``--event-log``), not from its text output. Covered:

* the compliant example passes with no policy event; the violating one fails (exit code 1) on
  mandatory policies, with messages naming the resource and the property;
* every example reports, under the CLI, exactly the findings of the runner's snapshot;
* ``--policy-pack-config``: lowering levels to advisory (exit code 0), an ``all`` entry next to
  per-policy levels, invalid configs failing with the CLI's validation errors;
* ``remediate``: the fix shows as a ``policyRemediationEvent`` in preview and is what
  ``pulumi up`` stores (``pulumi stack export``);
* ``pulumi policy analyze`` on the deployed stack;
* what ``pulumi policy publish`` would upload: the archive built by the CLI's own archive code,
  and that archive, unpacked, working as a pack.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from policies import PACK_VERSION, POLICIES
from policies import STACK_TYPE as STACK
from tools.stage_pack import StageError, stage

ROOT = Path(__file__).resolve().parents[2]
PACK = "aws-conventions"
EXAMPLES = sorted(p.name for p in (ROOT / "examples").iterdir() if (p / "Pulumi.yaml").is_file())
DESCRIPTIONS = {p.name: p.description for p in POLICIES}

TABLE = "aws:dynamodb/table:Table"
KEY = "aws:kms/key:Key"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
FUNCTION = "aws:lambda/function:Function"
FUNCTION_URL = "aws:lambda/functionUrl:FunctionUrl"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SECRET = "aws:secretsmanager/secret:Secret"

# What `examples/violations` breaks, as the CLI reports it by default: policy -> (enforcement
# level, type and name of the resource the event is about, text the message must contain: the
# resource and the property at fault).
VIOLATIONS = {
    "environment-suffix-naming": ("mandatory", TABLE, "transactions-dev",
                                  f"{TABLE} 'transactions-dev': name is 'transactions'"),
    "kms-key-rotation": ("mandatory", KEY, "webhook-key-dev",
                         f"{KEY} 'webhook-key-dev': enableKeyRotation is not set"),
    "log-retention": ("mandatory", LOG_GROUP, "webhook-logs-dev",
                      f"{LOG_GROUP} 'webhook-logs-dev': retentionInDays is not set"),
    "stringified-output": ("mandatory", ROLE_POLICY, "webhook-policy-dev",
                           f"{ROLE_POLICY} 'webhook-policy-dev': policy is the text"),
    "iam-least-privilege": ("mandatory", ROLE_POLICY, "webhook-policy-dev",
                            f"{ROLE_POLICY} 'webhook-policy-dev': policy statement 1 allows every action of a "
                            f"service (dynamodb:*)"),
    "lambda-function-url-auth": ("mandatory", FUNCTION_URL, "webhook-url-dev",
                                 f"{FUNCTION_URL} 'webhook-url-dev': authorizationType is 'NONE'"),
    "destroyability": ("mandatory", SECRET, "webhook-secret-dev",
                       f"{SECRET} 'webhook-secret-dev': recoveryWindowInDays is not set"),
    "stack-exports": ("mandatory", STACK, "tap-violations-dev",
                      f"{STACK} 'tap-violations-dev': the stack exports no outputs"),
    "dynamodb-on-demand": ("advisory", TABLE, "transactions-dev",
                           f"{TABLE} 'transactions-dev': billingMode is 'PROVISIONED'"),
    "dynamodb-point-in-time-recovery": ("advisory", TABLE, "transactions-dev",
                                        f"{TABLE} 'transactions-dev': pointInTimeRecovery.enabled is not set"),
    "xray-tracing": ("advisory", FUNCTION, "webhook-dev", f"{FUNCTION} 'webhook-dev': tracingConfig.mode is not set"),
}
MANDATORY = sorted(p for p, (level, *_) in VIOLATIONS.items() if level == "mandatory")

# Three policies at `remediate`, each with a fix the stand-in provider passes through unchanged.
REMEDIATE = {
    "kms-key-rotation": "remediate",
    "log-retention": {"enforcementLevel": "remediate", "defaultDays": 30},
    "xray-tracing": "remediate",
}
# policy -> (resource type, resource name, the inputs the remediation sets)
REMEDIATED = {
    "kms-key-rotation": (KEY, "webhook-key-dev", {"enableKeyRotation": True}),
    "log-retention": (LOG_GROUP, "webhook-logs-dev", {"retentionInDays": 30}),
    "xray-tracing": (FUNCTION, "webhook-dev", {"tracingConfig": {"mode": "Active"}}),
}


def by_policy(events: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        out.setdefault(e["policyName"], []).append(e)
    return out


def resource_of(urn: str) -> tuple[str, str]:
    """(type, name) of a URN: ``urn:pulumi:<stack>::<project>::<parent$...$type>::<name>``."""
    _, _, qualified_type, name = urn.split("::", 3)
    return qualified_type.split("$")[-1], name


def finding(event: dict[str, Any]) -> tuple[str, str, str, str]:
    """(policy, level, urn, reported message) of a policyEvent; the CLI's message is the policy's
    description, a newline, then what the policy reported (plus a newline in the event log)."""
    message = event["message"].rstrip("\n")
    prefix = DESCRIPTIONS[event["policyName"]] + "\n"
    assert message.startswith(prefix), f"{event['policyName']}: message does not start with its description"
    return event["policyName"], event["enforcementLevel"], event["resourceUrn"], message[len(prefix):]


# --- previews, one stack per example ------------------------------------------------------------


@pytest.fixture(scope="module")
def programs(cli_env):
    """example -> its copied program (stack ``dev`` created on first use)."""
    cache = {}

    def get(example: str):
        if example not in cache:
            cache[example] = cli_env.program(example)
        return cache[example]

    return get


@pytest.fixture(scope="module")
def default_previews(programs):
    """example -> the result of ``pulumi preview --policy-pack <pack>`` with no pack config."""
    cache = {}

    def get(example: str):
        if example not in cache:
            cache[example] = programs(example).preview()
        return cache[example]

    return get


def test_compliant_example_passes_every_policy(default_previews):
    result = default_previews("compliant")
    assert result.returncode == 0, result.describe()
    assert result.policy_events() == [], result.describe()
    summary = result.summary()
    assert summary["result"] == "succeeded"
    assert [v for k, v in summary["PolicyPacks"].items() if k.startswith(f"{PACK}|local|")] == [PACK_VERSION]
    # The pack did run: every aws resource was analyzed and passed the policies that watch it.
    analyzed = {resource_of(s["resourceUrn"]): s for s in result.of_kind("policyAnalyzeSummaryEvent")
                if s["policyPackName"] == PACK}
    assert all(s.get("failed", []) == [] for s in analyzed.values())
    assert "kms-key-rotation" in analyzed[(KEY, "data-key-dev")]["passed"]
    assert "log-retention" in analyzed[(LOG_GROUP, "api-logs-dev")]["passed"]
    assert "xray-tracing" in analyzed[(FUNCTION, "api-dev")]["passed"]
    assert sum(1 for type_, _ in analyzed if type_.startswith("aws:")) >= 20


def test_violations_fail_on_mandatory_policies(default_previews):
    result = default_previews("violations")
    assert result.returncode == 1, result.describe()
    assert result.summary()["result"] == "failed"
    events = by_policy(result.policy_events())
    assert sorted(events) == sorted(VIOLATIONS), result.describe()
    for policy, (level, type_, name, text) in VIOLATIONS.items():
        [event] = events[policy]
        assert event["enforcementLevel"] == level, policy
        assert resource_of(event["resourceUrn"]) == (type_, name), policy
        _, _, _, message = finding(event)
        assert text in message, f"{policy}: {message!r}"
    assert "error: preview failed" in result.output


@pytest.mark.parametrize("example", EXAMPLES)
def test_cli_reports_the_runner_snapshot_findings(default_previews, example):
    """The engine, the stand-in provider and the pack's gRPC service together report exactly what
    ``python -m aws_conventions check`` recorded for the example (tests/runner/snapshots)."""
    result = default_previews(example)
    snapshot = json.loads((ROOT / "tests" / "runner" / "snapshots" / f"{example}.json").read_text())
    expected = sorted((f["policy"], f["enforcementLevel"], f["resource"]["urn"], f["message"])
                      for f in snapshot["findings"])
    assert sorted(finding(e) for e in result.policy_events()) == expected, result.describe()
    mandatory = any(level == "mandatory" for _, level, _, _ in expected)
    assert result.returncode == (1 if mandatory else 0), result.describe()


# --- --policy-pack-config ------------------------------------------------------------------------


def test_config_lowering_mandatory_policies_to_advisory_passes(programs, cli_env):
    config = cli_env.write_config("advisory", dict.fromkeys(MANDATORY, "advisory"))
    result = programs("violations").preview(config)
    assert result.returncode == 0, result.describe()
    assert result.summary()["result"] == "succeeded"
    events = by_policy(result.policy_events())
    assert sorted(events) == sorted(VIOLATIONS)
    for policy, (_, type_, name, text) in VIOLATIONS.items():
        [event] = events[policy]
        assert event["enforcementLevel"] == "advisory", policy
        assert resource_of(event["resourceUrn"]) == (type_, name)
        assert text in event["message"]


def test_config_all_entry_keeps_per_policy_levels(programs, cli_env):
    """``all`` sets every policy's level, and a policy's own entry overrides it, whatever order
    the engine hands the entries to the pack in (the engine resolves ``all`` itself, then passes
    the ``all`` entry along with the others)."""
    config = cli_env.write_config("all-advisory", {
        "all": "advisory",
        "log-retention": "mandatory",
        "kms-key-rotation": "mandatory",
        "environment-suffix-naming": {"enforcementLevel": "mandatory"},
    })
    result = programs("violations").preview(config)
    levels = {p: [e["enforcementLevel"] for e in es] for p, es in by_policy(result.policy_events()).items()}
    expected = {p: ["mandatory" if p in ("log-retention", "kms-key-rotation", "environment-suffix-naming")
                    else "advisory"] for p in VIOLATIONS}
    assert levels == expected, result.describe()
    assert result.returncode == 1


@pytest.mark.parametrize(("config", "errors"), [
    ({"log-retention": {"maxDays": "x"}},
     [f"validating policy config: aws-conventions {PACK_VERSION}",
      "log-retention: maxDays: Invalid type. Expected: integer, given: string"]),
    ({"log-retention": {"maxDays": 99999}},
     [f"validating policy config: aws-conventions {PACK_VERSION}",
      "log-retention: maxDays: Must be less than or equal to 3653"]),
    ({"kms-key-rotation": {"enforcementLevel": "sometimes"}},
     ['parsing enforcement level for "kms-key-rotation": "sometimes" is not a valid enforcement level']),
    # Past the CLI's schema check, the pack rejects names it does not have.
    ({"log-retention": {"maxDyas": 90}},
     ["invalid config for policy pack 'aws-conventions'",
      "policy 'log-retention': unknown config field 'maxDyas' (known fields: defaultDays, maxDays, minDays, "
      "waivers)"]),
    ({"no-such-policy": "advisory"},
     ["invalid config for policy pack 'aws-conventions'", "unknown policy 'no-such-policy' in the pack config"]),
], ids=["wrong-type", "out-of-range", "bad-level", "unknown-field", "unknown-policy"])
def test_invalid_config_fails_before_any_policy_runs(programs, cli_env, config, errors):
    path = cli_env.write_config("invalid", config)
    result = programs("violations").preview(path)
    assert result.returncode != 0, result.describe()
    for error in errors:
        assert error in result.output, result.describe()
    assert result.policy_events() == []
    assert not [e for e in result.of_kind("resourcePreEvent") if e["metadata"]["type"].startswith("aws:")]


# --- remediate ----------------------------------------------------------------------------------


def test_remediate_level_fixes_the_planned_inputs(programs, cli_env):
    result = programs("violations").preview(cli_env.write_config("remediate", REMEDIATE))
    remediations = by_policy(result.remediations())
    assert sorted(remediations) == sorted(REMEDIATED), result.describe()
    for policy, (type_, name, fix) in REMEDIATED.items():
        [event] = remediations[policy]
        assert resource_of(event["resourceUrn"]) == (type_, name)
        before, after = event["before"], event["after"]
        assert {k: after.get(k) for k in fix} == fix, policy
        assert all(before.get(k) != v for k, v in fix.items()), policy
        # Nothing else changed.
        assert {k: v for k, v in after.items() if k not in fix} == {k: v for k, v in before.items() if k not in fix}
    # The fixed inputs are what the policies then check, so the three no longer fire.
    reported = by_policy(result.policy_events())
    assert sorted(reported) == sorted(set(VIOLATIONS) - set(REMEDIATED)), result.describe()
    assert result.returncode == 1  # the other mandatory policies still fail the preview


@pytest.fixture(scope="module")
def deployed(programs, cli_env):
    """``pulumi up`` of the violating example with the three remediations, and the policies
    that still fail at advisory; its stack then holds remediated state."""
    program = programs("violations")
    others = {p: "advisory" for p, (level, *_) in VIOLATIONS.items() if level == "mandatory" and p not in REMEDIATED}
    result = program.up(cli_env.write_config("up", {**REMEDIATE, **others}))
    assert result.returncode == 0, result.describe()
    return program, result


def test_up_stores_the_remediated_inputs(deployed):
    program, result = deployed
    assert result.summary()["result"] == "succeeded"
    assert result.summary()["resourceChanges"] == {"create": 10}  # the stack, the component, 8 aws resources
    assert sorted(by_policy(result.remediations())) == sorted(REMEDIATED)
    resources = {(r["type"], r["urn"].rsplit("::", 1)[-1]): r for r in program.export()["deployment"]["resources"]}
    for policy, (type_, name, fix) in REMEDIATED.items():
        state = resources[(type_, name)]
        assert {k: state["inputs"].get(k) for k in fix} == fix, policy
        assert {k: state["outputs"].get(k) for k in fix} == fix, policy


# `pulumi policy analyze` starts the pack without calling ConfigureStack, so the pack knows
# neither the stack config nor the stack tags; it takes the stack name from the URNs, and the
# ENVIRONMENT_SUFFIX variable, as TapStack pipelines set it, still wins over the stack name.
SUFFIX_POLICIES = {"environment-suffix-naming", "destroyability"}
SUFFIX_ENV = {"ENVIRONMENT_SUFFIX": "dev"}


def test_policy_analyze_checks_the_existing_stack(deployed):
    program, _ = deployed
    result = program.analyze(env=SUFFIX_ENV)
    assert result.returncode == 1, result.describe()
    assert "one or more mandatory policy violations were found" in result.stderr
    assert result.summary()["result"] == "failed"
    events = by_policy(result.policy_events())
    # The state holds the remediated inputs, so those policies pass; the rest still fail.
    assert sorted(events) == sorted(set(VIOLATIONS) - set(REMEDIATED)), result.describe()
    for policy, es in events.items():
        level, type_, name, text = VIOLATIONS[policy]
        [event] = es
        assert event["enforcementLevel"] == level
        assert resource_of(event["resourceUrn"]) == (type_, name)
        assert text in event["message"]
    [naming] = events["environment-suffix-naming"]
    assert "'dev' (from the ENVIRONMENT_SUFFIX environment variable)" in naming["message"]


def test_policy_analyze_without_a_suffix_takes_the_stack_name_from_the_urns(deployed):
    program, _ = deployed
    result = program.analyze()
    assert result.returncode == 1, result.describe()
    events = by_policy(result.policy_events())
    assert sorted(events) == sorted(set(VIOLATIONS) - set(REMEDIATED)), result.describe()
    assert SUFFIX_POLICIES <= set(events)
    [naming] = events["environment-suffix-naming"]
    assert "'dev' (from the stack name)" in naming["message"]


def test_policy_analyze_honours_the_pack_config(deployed, cli_env):
    program, _ = deployed
    result = program.analyze(cli_env.write_config("analyze-advisory", {"all": "advisory"}), env=SUFFIX_ENV)
    assert result.returncode == 0, result.describe()
    events = result.policy_events()
    assert events and {e["enforcementLevel"] for e in events} == {"advisory"}


# --- pulumi policy publish ----------------------------------------------------------------------


def policy_archive(pulumi_bin: Path, pack: Path, out: Path) -> list[str]:
    """The members of the .tgz `pulumi policy publish` would upload for ``pack``."""
    proc = subprocess.run([str(pulumi_bin / "policy-archive"), "-o", str(out), str(pack)], capture_output=True,
                          text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    with tarfile.open(out) as tgz:
        return sorted(tgz.getnames())


def test_publish_archive_from_the_repository_root_leaves_out_venv_and_caches(pulumi_bin, tmp_path):
    """What publishing from the root would upload today: the root's .gitignore keeps the
    virtualenv, bytecode and tool caches out, and the pack's own files are in."""
    members = policy_archive(pulumi_bin, ROOT, tmp_path / "root.tgz")
    assert all(m.startswith("package/") for m in members)
    paths = [m.removeprefix("package/") for m in members]
    for required in ("PulumiPolicy.yaml", "__main__.py", "requirements.txt", "policies/__init__.py",
                     "policies/_core/analyzer.py"):
        assert required in paths
    for excluded in ("venv/", ".venv/", ".git/", ".pytest_cache/", ".ruff_cache/", ".mypy_cache/", ".hypothesis/"):
        assert not [p for p in paths if p.startswith(excluded)], excluded
    assert not [p for p in paths if "__pycache__/" in p or p.endswith(".pyc")]


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """The pack as `make pack` stages it (tools/stage_pack.py), with its `venv` linked to the tests' own."""
    return stage(tmp_path_factory.mktemp("staged") / PACK, venv=Path(sys.prefix))


def test_publish_archive_of_the_staged_pack_is_the_pack_only(pulumi_bin, tmp_path, staged, deployed):
    """The archive publish builds from the staged directory holds the pack's files and nothing
    else, and, unpacked, runs as the same pack."""
    # Caches appear in the staged directory once the pack has run there; they stay out too.
    (staged / "policies" / "__pycache__").mkdir(exist_ok=True)
    (staged / "policies" / "__pycache__" / "registry.cpython-311.pyc").write_bytes(b"\0")
    archive = tmp_path / "staged.tgz"
    members = policy_archive(pulumi_bin, staged, archive)

    pack_files = sorted(
        ["PulumiPolicy.yaml", "__main__.py", "requirements.txt", "README.md", ".gitignore"]
        + [p.relative_to(ROOT).as_posix() for p in (ROOT / "policies").rglob("*")
           if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"])
    assert members == [f"package/{p}" for p in pack_files]
    assert not [m for m in members if m.split("/")[1] in ("venv", "tests", "examples", "benchmarks", "tools",
                                                           "aws_conventions", ".ci")]

    # Unpacked as the Pulumi Cloud would, with a virtualenv next to it, it is a working pack:
    # `pulumi policy analyze` on the deployed stack reports what the repository's pack reports.
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tgz:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
            tgz.extractall(unpacked, filter="data")
        else:
            tgz.extractall(unpacked)  # our own archive of our own files
    (unpacked / "package" / "venv").symlink_to(Path(sys.prefix))
    program, _ = deployed
    from_archive = program.analyze(pack=unpacked / "package", env=SUFFIX_ENV)
    from_repo = program.analyze(env=SUFFIX_ENV)
    assert from_archive.returncode == from_repo.returncode == 1, from_archive.describe()
    assert sorted(map(finding, from_archive.policy_events())) == sorted(map(finding, from_repo.policy_events()))


def test_preview_with_the_staged_pack_reports_what_the_repository_pack_does(staged, programs, default_previews):
    from_staged = programs("violations").preview(pack=staged)
    from_repo = default_previews("violations")
    assert from_staged.returncode == from_repo.returncode == 1, from_staged.describe()
    assert sorted(map(finding, from_staged.policy_events())) == sorted(map(finding, from_repo.policy_events()))
    packs = from_staged.summary()["PolicyPacks"]
    assert packs == {f"{PACK}|local|{staged}": PACK_VERSION}, packs


def test_a_pack_below_a_gitignored_directory_would_publish_nothing(pulumi_bin, tmp_path, staged):
    """Why the pack is staged outside the repository: publish applies the .gitignore files above
    the pack to its files, so a pack in the repository's git-ignored build/ uploads no file."""
    repository = tmp_path / "repository"
    repository.mkdir()
    (repository / ".gitignore").write_text("/build/\n")
    inside = repository / "build" / "pack"
    shutil.copytree(staged, inside, symlinks=True)
    assert policy_archive(pulumi_bin, inside, tmp_path / "inside.tgz") == []
    with pytest.raises(StageError, match="would apply it to the pack's files"):
        stage(repository / "build" / "other-pack")
