"""Waivers by tag and by config: applied, expired, malformed; and the waiver-tags policy."""

import datetime as dt

import pytest

from policies import POLICIES
from policies._core import config as config_mod
from policies._core.analyzer import Analyzer
from policies._core.context import StackContext
from policies._core.resource import Resource
from policies._core.values import UNKNOWN, Secret
from tests.conftest import assert_findings, check

TODAY = dt.date(2026, 6, 1)
TABLE = "aws:dynamodb/table:Table"
PROVISIONED = {"name": "legacy-dev", "billingMode": "PROVISIONED"}


def evaluate(props, config=None, name="legacy-dev"):
    analyzer = Analyzer("aws-conventions", POLICIES, stack=StackContext(stack="dev"), today=TODAY)
    analyzer.configure({"dynamodb-on-demand": (None, config or {})})
    return analyzer.evaluate_resource(Resource.of(TABLE, props, name=name))


def on_demand(result):
    return [f for p, _, f in result.findings if p.name == "dynamodb-on-demand"]


@pytest.mark.parametrize(("tag", "waived", "note"), [
    ("steady load, reviewed expires=2026-12-31", True, None),
    ("steady load; expires=2026-06-01", True, None),
    ("steady load expires=2026-05-31", False, "expired on 2026-05-31"),
    ("steady load", False, "has no 'expires=YYYY-MM-DD'"),
    ("steady load expires=2026-02-30", False, "is not a date YYYY-MM-DD"),
    ("expires=2026-12-31", False, "gives no reason"),
], ids=["active", "semicolon-and-last-day", "expired", "no-expiry", "bad-date", "no-reason"])
def test_tag_waivers(tag, waived, note):
    result = evaluate({**PROVISIONED, "tags": {"policy-waiver:dynamodb-on-demand": tag}})
    if waived:
        assert on_demand(result) == []
        reason = "steady load, reviewed" if "reviewed" in tag else "steady load"
        assert [(p.name, r) for p, r in result.waived] == [
            ("dynamodb-on-demand",
             f"waived by the tag 'policy-waiver:dynamodb-on-demand' until {tag.split('expires=')[1]}: {reason}")]
    else:
        findings = on_demand(result)
        assert len(findings) == 1 and note in findings[0].message
        assert result.waived == []


def test_a_waiver_for_another_policy_does_not_apply():
    result = evaluate({**PROVISIONED, "tags": {"policy-waiver:xray-tracing": "x expires=2030-01-01"}})
    assert len(on_demand(result)) == 1


@pytest.mark.parametrize("tags", [UNKNOWN, Secret({"policy-waiver:dynamodb-on-demand": "x expires=2030-01-01"}),
                                  "not-a-map", None])
def test_unknown_secret_or_odd_tags_waive_nothing(tags):
    assert len(on_demand(evaluate({**PROVISIONED, "tags": tags}))) == 1


@pytest.mark.parametrize(("pattern", "waived"), [
    ("legacy-*", True), ("urn:pulumi:dev::*::legacy-dev", True), ("orders-*", False)])
def test_config_waivers_match_logical_name_or_urn(pattern, waived):
    config = {"waivers": [{"resource": pattern, "reason": "steady load", "expires": "2026-12-31"}]}
    result = evaluate(PROVISIONED, config)
    assert (on_demand(result) == []) is waived
    assert bool(result.waived) is waived


def test_expired_config_waiver_resurfaces_with_a_note():
    config = {"waivers": [{"resource": "legacy-*", "reason": "steady load", "expires": "2026-01-01"}]}
    (finding,) = on_demand(evaluate(PROVISIONED, config))
    assert "The waiver in the pack config expired on 2026-01-01 (steady load)" in finding.message


@pytest.mark.parametrize(("waivers", "expected"), [
    ([{"resource": "x", "reason": "r"}], "config field 'waivers' item 0 lacks the field 'expires'"),
    ([{"resource": "x", "reason": "r", "expires": "soon"}], "item 0 field 'expires' must match"),
    ([{"resource": "x", "reason": "r", "expires": "2026-02-30"}],
     "item 0 field 'expires' must be a date YYYY-MM-DD, got '2026-02-30'"),
    ([{"resource": "x", "reason": "r", "expires": "2026-12-31", "owner": "me"}], "unknown field 'owner'"),
    ("x", "config field 'waivers' must be of type array"),
])
def test_malformed_config_waivers_are_rejected(waivers, expected):
    analyzer = Analyzer("aws-conventions", POLICIES, stack=StackContext(stack="dev"))
    with pytest.raises(config_mod.ConfigError) as err:
        analyzer.configure({"dynamodb-on-demand": (None, {"waivers": waivers})})
    assert "policy 'dynamodb-on-demand'" in str(err.value) and expected in str(err.value)


@pytest.mark.parametrize(("tags", "expected"), [
    ({"policy-waiver:dynamodb-on-demand": "steady expires=2099-01-01"}, None),
    ({"policy-waiver:no-such-policy": "x expires=2099-01-01"}, "names no policy of this pack"),
    ({"policy-waiver:dynamodb-on-demand": "steady"}, "has no 'expires=YYYY-MM-DD'"),
    ({"policy-waiver:dynamodb-on-demand": "steady expires=2020-01-01"}, "expired on 2020-01-01"),
    ({"Team": "payments"}, None),
])
def test_waiver_tags_policy(tags, expected):
    findings = check("waiver-tags", TABLE, {**PROVISIONED, "tags": tags})
    assert_findings(findings, expected)
