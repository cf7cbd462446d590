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

