import pytest

from policies._core.resource import Resource
from policies._core.values import UNKNOWN, Secret
from tests.conftest import REMOVE, analyzer_for, assert_findings, check, merged

NAME = "ecr-scan-on-push"
REPOSITORY = "aws:ecr/repository:Repository"
BASE = {"name": "api-dev", "imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}}
FIX = "Fix: image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True)"

CASES = [
    ("compliant", {}, {}, None),
    ("off", {"imageScanningConfiguration": {"scanOnPush": False}}, {},
     ["imageScanningConfiguration.scanOnPush is false; expected true", FIX]),
    ("block-absent", {"imageScanningConfiguration": REMOVE}, {},
     ["imageScanningConfiguration.scanOnPush is not set (images are scanned only on request)"]),
    ("field-absent", {"imageScanningConfiguration": {}}, {}, ["scanOnPush is not set"]),
    ("block-unknown", {"imageScanningConfiguration": UNKNOWN}, {}, None),
    ("field-unknown", {"imageScanningConfiguration": {"scanOnPush": UNKNOWN}}, {}, None),
    ("secret-off", {"imageScanningConfiguration": {"scanOnPush": Secret(False)}}, {},
     ["scanOnPush is [secret]"]),
    ("secret-block-on", {"imageScanningConfiguration": Secret({"scanOnPush": True})}, {}, None),
    ("one-element-list", {"imageScanningConfiguration": [{"scanOnPush": True}]}, {}, None),
    ("wrong-type", {"imageScanningConfiguration": "scan"}, {}, ["scanOnPush is not set"]),
    ("string-true", {"imageScanningConfiguration": {"scanOnPush": "true"}}, {}, None),
    ("exempt-by-name", {"imageScanningConfiguration": REMOVE}, {"exemptRepositories": ["api-*"]}, None),
]


@pytest.mark.parametrize(("changes", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(changes, config, expected):
    findings = check(NAME, REPOSITORY, merged(BASE, **changes), config=config)
    assert_findings(findings, expected)


@pytest.mark.parametrize(("changes", "config", "expected"), [
    ({"imageScanningConfiguration": REMOVE}, {}, {"scanOnPush": True}),
    ({"imageScanningConfiguration": {"scanOnPush": False}}, {}, {"scanOnPush": True}),
    ({"imageScanningConfiguration": {"scanOnPush": Secret(False)}}, {}, {"scanOnPush": Secret(True)}),  # stays secret
    ({}, {}, None),
    ({"imageScanningConfiguration": UNKNOWN}, {}, None),
    ({"imageScanningConfiguration": {"scanOnPush": UNKNOWN}}, {}, None),
    ({"imageScanningConfiguration": Secret({"scanOnPush": False})}, {}, None),
    ({"imageScanningConfiguration": [{"scanOnPush": False}]}, {}, None),
    ({"imageScanningConfiguration": REMOVE}, {"exemptRepositories": ["api-*"]}, None),
], ids=["absent", "off", "secret-off", "compliant", "block-unknown", "field-unknown", "secret-block", "list-shape",
        "exempt"])
def test_remediation(changes, config, expected):
    props = merged(BASE, **changes)
    analyzer = analyzer_for(NAME, config, level="remediate")
    applied = analyzer.remediate_resource(Resource.of(REPOSITORY, props, name="api-dev"))
    if expected is None:
        assert applied == []
        return
    assert [p.name for p, _ in applied] == [NAME]
    assert applied[0][1] == {**props, "imageScanningConfiguration": expected}


def test_remediation_only_at_the_remediate_level():
    analyzer = analyzer_for(NAME, level="mandatory")
    assert analyzer.remediate_resource(Resource.of(REPOSITORY, merged(BASE, imageScanningConfiguration=REMOVE))) == []


def test_other_types_are_ignored():
    assert check(NAME, "aws:ecr/lifecyclePolicy:LifecyclePolicy", {"repository": "api-dev", "policy": "{}"}) == []
