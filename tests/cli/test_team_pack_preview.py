"""A team's pack built on this one (``examples/team-pack``) under the real ``pulumi`` CLI: the engine
loads it, reconciles its policy config against the schemas it publishes (an SDK policy's included),
and reports the reused policies and the team's own."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEAM = "acme-aws"


@pytest.fixture(scope="module")
def team_pack(tmp_path_factory):
    """The example's files, reached through symlinks, next to a ``venv`` link to this environment."""
    farm = tmp_path_factory.mktemp("team") / "team-pack"
    farm.mkdir()
    for entry in (ROOT / "examples" / "team-pack").iterdir():
        if entry.name not in ("venv", "__pycache__"):
            (farm / entry.name).symlink_to(entry)
    (farm / "venv").symlink_to(Path(sys.prefix))
    return farm


@pytest.fixture(scope="module")
def compliant(cli_env):
    return cli_env.program("compliant")


def test_the_engine_runs_the_teams_policies_with_its_config(compliant, cli_env, team_pack):
    config = cli_env.write_config("team", {"acme-allowed-regions": {"allowedRegions": ["eu-west-1"]},
                                           "acme-cost-center-tag": "advisory"})
    result = compliant.preview(config, pack=team_pack)
    assert result.returncode == 1, result.describe()
    assert [v for k, v in result.summary()["PolicyPacks"].items() if k.startswith(f"{TEAM}|local|")] == ["1.0.0"]
    events = result.policy_events(TEAM)
    levels = {(e["policyName"], e["enforcementLevel"]) for e in events}
    assert levels == {("acme-allowed-regions", "mandatory"), ("acme-cost-center-tag", "advisory")}, result.describe()
    regions = [e for e in events if e["policyName"] == "acme-allowed-regions"]
    assert len(regions) >= 20, "every aws resource of the program"
    assert all("is deployed to us-east-1; Acme runs in eu-west-1 only." in e["message"] for e in regions)
    tags = [e for e in events if e["policyName"] == "acme-cost-center-tag"]
    assert all("tags.CostCenter is not set" in e["message"] for e in tags) and tags


def test_the_engine_checks_the_sdk_policys_config_against_its_schema(compliant, cli_env, team_pack):
    config = cli_env.write_config("team-invalid", {"acme-allowed-regions": {"allowedRegions": "eu-west-1"}})
    result = compliant.preview(config, pack=team_pack)
    assert result.returncode != 0
    assert "acme-allowed-regions: allowedRegions: Invalid type. Expected: array" in result.output, result.describe()
    assert result.policy_events(TEAM) == []
