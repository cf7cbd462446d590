import pytest

from policies._core.context import StackContext
from policies._core.dependencies import Upstream
from policies._core.resource import Resource
from policies._core.stack import StackView
from policies._core.values import UNKNOWN
from tests.conftest import assert_findings, check_stack

NAME = "config-dependency-order"
RECORDER = "aws:cfg/recorder:Recorder"
CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"
STATUS = "aws:cfg/recorderStatus:RecorderStatus"
RULE = "aws:cfg/rule:Rule"
PACK = "aws:cfg/conformancePack:ConformancePack"
COMPONENT = "tap:index:ConfigStack"
STACK = StackContext(stack="dev", project="tap", config={"aws:region": "us-east-1"})


def urn(type_, name):
    return f"urn:pulumi:dev::project::{type_}::{name}"


STATUS_URN, CHANNEL_URN, RECORDER_URN = urn(STATUS, "status"), urn(CHANNEL, "channel"), urn(RECORDER, "recorder")


def setup(rule_deps=(STATUS_URN,), status_deps=(CHANNEL_URN,), channel_deps=(RECORDER_URN,), rule_props=None,
          rule_kwargs=None, extra=()):
    """The program the AWS docs show: recorder, then channel, then status, then rules."""
    return [
        Resource.of(RECORDER, {"name": "config-recorder-dev", "roleArn": "arn:aws:iam::1:role/config"},
                    name="recorder"),
        Resource.of(CHANNEL, {"name": "config-channel-dev", "s3BucketName": "config-dev"}, name="channel",
                    dependencies=channel_deps),
        Resource.of(STATUS, {"name": "config-recorder-dev", "isEnabled": True}, name="status",
                    dependencies=(*status_deps, urn(RECORDER, "recorder")),
                    property_dependencies={"name": (urn(RECORDER, "recorder"),)}),
        Resource.of(RULE, {"name": "s3-versioning-dev", **(rule_props or {})}, name="rule",
                    dependencies=rule_deps, **(rule_kwargs or {})),
        *extra,
    ]


COMPONENT_WITH_DEPENDENCY = Resource.of(COMPONENT, {}, name="rules", dependencies=(urn(STATUS, "status"),))
HOP = Resource.of("aws:iam/role:Role", {"name": "remediation"}, name="hop", dependencies=(urn(STATUS, "status"),))

CASES = [
    ("compliant", setup(), []),
    ("rule-without-depends-on", setup(rule_deps=()),
     [("rule", ["aws:cfg/rule:Rule 'rule': does not depend on aws:cfg/recorder:Recorder 'recorder' in "
                "region 'us-east-1'", "NoAvailableConfigurationRecorderException",
                "aws.cfg.Rule(..., opts=pulumi.ResourceOptions(depends_on=[recorder]))",
                "depends_on is a resource option, not an argument of aws.cfg.Rule"])]),
    ("rule-depends-on-the-recorder-as-documented", setup(rule_deps=(urn(RECORDER, "recorder"),)), []),
    ("rule-depends-through-a-property", setup(rule_deps=(), rule_kwargs={
        "property_dependencies": {"inputParameters": (urn(STATUS, "status"),)}}), []),
    ("rule-depends-through-its-parent", setup(rule_deps=(), rule_kwargs={"parent": urn(COMPONENT, "rules")},
                                              extra=[COMPONENT_WITH_DEPENDENCY]), []),
    ("rule-depends-transitively", setup(rule_deps=(urn("aws:iam/role:Role", "hop"),), extra=[HOP]), []),
    ("rule-in-another-region", setup(rule_deps=(), rule_props={"region": "eu-west-1"}), []),
    ("rule-region-unknown-from-an-output", setup(rule_deps=(), rule_props={"region": UNKNOWN}, rule_kwargs={
        "property_dependencies": {"region": (urn("aws:x/y:Z", "z"),)}}), []),
    ("status-without-channel", setup(status_deps=()),
     [("status", ["aws:cfg/recorderStatus:RecorderStatus 'status': does not depend on "
                  "aws:cfg/deliveryChannel:DeliveryChannel 'channel'", "NoAvailableDeliveryChannelException",
                  "depends_on=[delivery_channel]"])]),
    ("channel-without-recorder", setup(channel_deps=()),
     [("channel", ["does not depend on aws:cfg/recorder:Recorder 'recorder'",
                   "creating the delivery channel before the recorder exists",
                   "aws.cfg.DeliveryChannel(..., opts=pulumi.ResourceOptions(depends_on=[recorder]))"])]),
    ("everything-in-parallel", setup(rule_deps=(), status_deps=(), channel_deps=()),
     [("rule", []), ("status", []), ("channel", [])]),
    ("conformance-pack", setup(extra=[Resource.of(PACK, {"name": "ops"}, name="pack")]),
     [("pack", ["aws:cfg/conformancePack:ConformancePack 'pack': does not depend on"])]),
]


@pytest.mark.parametrize(("resources", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(resources, expected):
    findings = check_stack(NAME, resources, stack=STACK)
    assert_findings(sorted(findings, key=lambda f: f.urn.rsplit("::", 1)[1]), sorted(expected))


def test_rules_without_recorder_status_in_the_stack_are_fine():
    rules = [Resource.of(RULE, {"name": f"rule-{i}"}, name=f"rule-{i}") for i in range(3)]
    assert check_stack(NAME, rules, stack=STACK) == []


def test_recorder_that_is_never_started():
    resources = setup()[:2]
    [finding] = check_stack(NAME, resources, stack=STACK)
    assert finding.urn == resources[0].urn and finding.property == "name"
    assert "no aws.cfg.RecorderStatus in region 'us-east-1' names this recorder (name 'config-recorder-dev')" \
        in finding.message
    assert 'aws.cfg.RecorderStatus("recorder-status", name=recorder.name, is_enabled=True' in finding.message
    assert check_stack(NAME, resources, stack=STACK, config={"requireRecorderStatus": False}) == []


def test_status_naming_another_recorder_leaves_it_unstarted():
    resources = setup()
    resources[0] = Resource.of(RECORDER, {"name": "other"}, name="recorder")
    [finding] = check_stack(NAME, resources, stack=STACK)
    assert "(name 'other')" in finding.message


@pytest.mark.parametrize("where", ["status", "recorder"])
def test_unknown_recorder_names_are_quiet(where):
    resources = setup()
    index = 0 if where == "recorder" else 2
    old = resources[index]
    resources[index] = Resource.of(old.type, {"name": UNKNOWN}, name=old.name, dependencies=old.dependencies)
    resources[0] = Resource.of(RECORDER, {"name": "other" if where == "status" else UNKNOWN}, name="recorder")
    assert check_stack(NAME, resources, stack=STACK) == []


def test_malformed_graphs_do_not_raise():
    a, b = urn(RULE, "a"), urn(RULE, "b")
    resources = [
        Resource.of(RULE, {"name": "a"}, name="a", dependencies=(b,), parent=urn(COMPONENT, "missing")),
        Resource.of(RULE, {"name": "b"}, name="b", dependencies=(a, "not-a-urn")),
        *setup()[:3],
        Resource.of(RULE, {"name": 7}, name="c", parent=urn(RULE, "c")),
    ]
    findings = check_stack(NAME, resources, stack=STACK)
    assert sorted(f.urn.rsplit("::", 1)[1] for f in findings) == ["a", "b", "c"]


def test_upstream_is_linear_on_a_long_chain():
    chain = [Resource.of("aws:x/y:Z", {}, name=f"n{i}", dependencies=(urn("aws:x/y:Z", f"n{i - 1}"),) if i else ())
             for i in range(20_000)]
    upstream = Upstream(StackView(chain), [chain[0].urn])
    assert upstream.of(chain[-1].urn) == {chain[0].urn}
    assert upstream.of(chain[1].urn) == {chain[0].urn}
