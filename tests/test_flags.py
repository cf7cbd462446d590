"""A flag's finding and its remediation come from one description, and agree: what the remediation
writes passes the check, and a resource that passes is left alone."""

from __future__ import annotations

import pytest

from policies._core.flags import Flag
from policies._core.resource import Resource
from policies._core.values import UNKNOWN, Secret
from policies.dynamodb.on_demand import ON_DEMAND
from policies.dynamodb.point_in_time_recovery import ENABLED
from policies.ecr.scan_on_push import SCAN_ON_PUSH
from policies.kms.key_rotation import ROTATION
from policies.tracing.xray import FLAGS

ALL = [ON_DEMAND, ENABLED, SCAN_ON_PUSH, ROTATION, *FLAGS.values()]
VALUES = [None, True, False, "Active", "PAY_PER_REQUEST", "PROVISIONED", 1, UNKNOWN, Secret(False), Secret(True)]


def bag(flag: Flag, value):
    if value is None:
        return {}
    return {flag.path[0]: value} if len(flag.path) == 1 else {flag.path[0]: {flag.path[1]: value}}


@pytest.mark.parametrize("flag", ALL, ids=lambda f: ".".join(f.path))
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_finding_and_the_remediation_agree(flag, value):
    resource = Resource.of("aws:test/thing:Thing", bag(flag, value))
    found, change = flag.finding(resource), flag.remediation(resource)
    if value is UNKNOWN:
        assert found is None and change is None
        return
    assert (found is None) == (change is None)
    if change is not None:
        assert flag.finding(Resource.of("aws:test/thing:Thing", {**bag(flag, value), **change})) is None


def test_the_finding_says_what_was_found_and_the_fix():
    (found,) = [SCAN_ON_PUSH.finding(Resource.of("aws:ecr/repository:Repository", {}, name="images"))]
    assert found.message == (
        "aws:ecr/repository:Repository 'images': imageScanningConfiguration.scanOnPush is not set (images are "
        "scanned only on request); expected true.\nFix: " + SCAN_ON_PUSH.fix)
    assert ON_DEMAND.finding(Resource.of("aws:dynamodb/table:Table", {"billingMode": "PROVISIONED"})).expected \
        == "'PAY_PER_REQUEST'"


def test_a_one_item_list_block_as_pulumi_aws_6_sends_it():
    resource = Resource.of("aws:dynamodb/table:Table", {"pointInTimeRecovery": [{"enabled": True}]})
    assert ENABLED.finding(resource) is None and ENABLED.remediation(resource) is None
