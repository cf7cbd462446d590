"""A policy is defined with its check: one without a function to run is refused where it is written,
not when the first resource reaches it."""

from __future__ import annotations

import pytest

from policies._core.policy import ADVISORY, Finding, ResourcePolicy, StackPolicy

COMMON = dict(name="acme-check", description="Checks something.", severity="low", enforcement_level=ADVISORY,
              remediation_steps="Fix it.", tags=("test",))


def _check(subject: object, ctx: object) -> list[Finding]:
    return []


@pytest.mark.parametrize("kind", [ResourcePolicy, StackPolicy], ids=["resource", "stack"])
def test_a_policy_without_a_check_is_an_error_where_it_is_defined(kind):
    with pytest.raises(TypeError, match="'check'"):
        kind(**COMMON)


@pytest.mark.parametrize("kind", [ResourcePolicy, StackPolicy], ids=["resource", "stack"])
@pytest.mark.parametrize("check", [None, "check", object()], ids=["none", "a-string", "an-object"])
def test_a_check_that_is_not_a_function_is_an_error_naming_the_policy(kind, check):
    with pytest.raises(TypeError, match=r"policy 'acme-check': check must be a function"):
        kind(**COMMON, check=check)


@pytest.mark.parametrize("kind", [ResourcePolicy, StackPolicy], ids=["resource", "stack"])
def test_with_a_check_the_policy_is_defined(kind):
    assert kind(**COMMON, check=_check).check is _check



@pytest.mark.parametrize("kind", [ResourcePolicy, StackPolicy], ids=["resource", "stack"])
def test_a_policy_cannot_be_changed_once_defined(kind):
    policy = kind(**COMMON, check=_check)
    with pytest.raises(AttributeError, match="cannot be changed"):
        policy.severity = "high"
    with pytest.raises(AttributeError, match="cannot be changed"):
        del policy.check
    assert policy.severity == "low"


def test_replace_makes_a_copy_with_the_changes_and_keeps_every_other_field():
    policy = ResourcePolicy(**COMMON, check=_check, types=frozenset({"aws:s3/bucket:Bucket"}), prefilter=b"x",
                            condense_after=7)
    copy = policy.replace(enforcement_level="mandatory", condense_after=2)
    assert (copy.enforcement_level, copy.condense_after) == ("mandatory", 2)
    assert (policy.enforcement_level, policy.condense_after) == (ADVISORY, 7)
    assert type(copy) is ResourcePolicy and copy is not policy
    assert (copy.name, copy.types, copy.prefilter, copy.check, copy.tags) == \
        ("acme-check", frozenset({"aws:s3/bucket:Bucket"}), b"x", _check, ("test",))


def test_replace_refuses_a_field_the_policy_does_not_have():
    with pytest.raises(TypeError, match="no field types"):
        StackPolicy(**COMMON, check=_check).replace(types=frozenset())


def test_a_policy_is_shown_by_its_kind_and_name():
    assert repr(StackPolicy(**COMMON, check=_check)) == "StackPolicy(name='acme-check')"
