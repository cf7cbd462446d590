"""The API for users' own tests: ``check_program`` and the assertion helpers (``aws_conventions.testing``)."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest

from aws_conventions.testing import (
    Findings,
    ProgramError,
    UsageError,
    assert_compliant,
    assert_violates,
    check_program,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parents[2]


def audit_stack() -> None:
    """A log group without retention (mandatory) and a provisioned table (advisory)."""
    logs = aws.cloudwatch.LogGroup("audit-logs-dev", name="/tap/audit-dev")
    table = aws.dynamodb.Table(
        "ledger-dev", name="ledger-dev", billing_mode="PROVISIONED", read_capacity=1, write_capacity=1,
        hash_key="id", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
        point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True))
    pulumi.export("audit_log_group", logs.name)
    pulumi.export("ledger_table", table.name)


@pytest.fixture(scope="module")
def findings() -> Findings:
    return check_program(audit_stack, config={"environmentSuffix": "dev"})


def test_a_callable_is_checked_in_process(findings):
    assert [(f.policy, f.level, f.resource_name) for f in findings] == [
        ("log-retention", "mandatory", "audit-logs-dev"),
        ("dynamodb-on-demand", "advisory", "ledger-dev"),
    ]
    assert not findings.passed
    assert [f.policy for f in findings.mandatory] == ["log-retention"]
    assert [f.policy for f in findings.advisory] == ["dynamodb-on-demand"]
    assert findings.by_policy("dynamodb-on-demand") == findings.for_resource("ledger-dev")
    source = Path(__file__).name
    assert all(f.location is not None and f.location.file == source for f in findings)


def test_assert_violates_returns_the_matching_findings(findings):
    [found] = assert_violates(findings, "log-retention", resource="audit-logs-dev", level="mandatory",
                              message="retentionInDays is not set")
    assert found.urn.endswith("::audit-logs-dev")


def test_assert_violates_fails_listing_what_was_found(findings):
    with pytest.raises(AssertionError) as failed:
        assert_violates(findings, "kms-key-rotation")
    text = str(failed.value)
    assert text.startswith("expected a finding of 'kms-key-rotation' in audit_stack (stack dev); found 2 findings:")
    assert "  1. [mandatory] log-retention  (aws:cloudwatch/logGroup:LogGroup: audit-logs-dev)" in text
    assert "  2. [advisory] dynamodb-on-demand  (aws:dynamodb/table:Table: ledger-dev)" in text


def test_assert_compliant_fails_listing_every_finding(findings):
    with pytest.raises(AssertionError) as failed:
        assert_compliant(findings)
    text = str(failed.value)
    assert text.startswith("audit_stack (stack dev) has 2 findings:\n")
    assert "log-retention" in text and "dynamodb-on-demand" in text
    assert "Fix: retention_in_days=14" in text


def test_assert_compliant_can_tolerate_advisories_or_ignore_policies(findings):
    with pytest.raises(AssertionError, match="has 1 finding:"):
        assert_compliant(findings, allow_advisory=True)
    assert_compliant(findings, allow_advisory=True, ignore=["log-retention"])


def test_a_program_directory_is_checked_in_its_own_process():
    assert_compliant(check_program(ROOT / "examples" / "compliant", stack="dev"))


def test_policy_config_changes_levels_and_remediates():
    findings = check_program(audit_stack, policy_config={"log-retention": "remediate",
                                                         "dynamodb-on-demand": "mandatory"})
    assert [(r.policy, r.resource_name) for r in findings.remediations] == [("log-retention", "audit-logs-dev")]
    assert [c[0] for c in findings.remediations[0].changes] == ["retentionInDays"]
    assert findings.remediations[0].changes[0][2] == "14"
    assert [(f.policy, f.level) for f in findings] == [("dynamodb-on-demand", "mandatory")]


def test_an_update_run_sees_computed_outputs():
    seen: list[str] = []

    def program() -> None:
        topic = aws.sns.Topic("alerts-dev", name="alerts-dev")
        topic.arn.apply(seen.append)
        pulumi.export("alerts_topic", topic.name)

    assert check_program(program).findings == []
    assert seen == []
    check_program(program, preview=False)
    assert seen == ["arn:aws:sns:us-east-1:123456789012:alerts-dev"]


def test_a_failing_program_raises_program_error():
    def program() -> None:
        raise RuntimeError("missing VPC id")

    with pytest.raises(ProgramError) as failed:
        check_program(program)
    assert failed.value.summary == "the program test_a_failing_program_raises_program_error.<locals>.program " \
                                   "failed: RuntimeError: missing VPC id"


def test_a_missing_program_raises_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file or directory"):
        check_program(tmp_path / "infra")
