import json

import pytest

from policies._core.config import ConfigError
from policies._core.resource import Resource
from tests.conftest import analyzer_for, assert_findings, check_stack

NAME = "account-singleton-owner"
RECORDER = "aws:cfg/recorder:Recorder"
CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"
STATUS = "aws:cfg/recorderStatus:RecorderStatus"
RULE = "aws:cfg/rule:Rule"
DETECTOR = "aws:guardduty/detector:Detector"
METADATA = "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults"


def res(type_, name, props=None):
    return Resource.of(type_, props or {"name": name}, name=name)


CONFIG_SETUP = [res(RULE, "s3-versioning"), res(STATUS, "status"), res(CHANNEL, "channel"), res(RECORDER, "recorder")]

CASES = [
    ("config-not-owned", CONFIG_SETUP, {},
     [("recorder", ["aws:cfg/recorder:Recorder 'recorder' (with aws:cfg/deliveryChannel:DeliveryChannel 'channel', "
                    "aws:cfg/recorderStatus:RecorderStatus 'status')",
                    "not configured as the owner of AWS Config",
                    "one configuration recorder and one delivery channel per account and region",
                    "MaxNumberOfConfigurationRecordersExceededException",
                    'aws.cfg.Recorder.get("recorder", "default")',
                    "pulumi import aws:cfg/recorder:Recorder recorder default",
                    '--policy-pack-config file: {"account-singleton-owner": {"configOwner": true}}'])]),
    ("config-owner", CONFIG_SETUP, {"configOwner": True}, []),
    ("account-owner", [*CONFIG_SETUP, res(DETECTOR, "detector", {"enable": True})], {"accountOwner": True}, []),
    ("rules-only-reuse-the-recorder", [res(RULE, "s3-versioning")], {}, []),
    ("channel-without-recorder", [res(CHANNEL, "channel")], {},
     [("channel", ["aws:cfg/deliveryChannel:DeliveryChannel 'channel': this stack sets up AWS Config"])]),
    ("detector-not-owned", [res(DETECTOR, "detector", {"enable": True})], {},
     [("detector", ["aws:guardduty/detector:Detector 'detector': this stack creates the GuardDuty detector",
                    "one per account and region", "the second deployment fails",
                    'aws.guardduty.Detector.get("existing", "00b00fd5aecc0ab60a708659477e9617")',
                    "(the ID is the detector ID)",
                    "pulumi import aws:guardduty/detector:Detector existing",
                    json.dumps({NAME: {"ownedTypes": [DETECTOR]}})])]),
    ("config-owner-does-not-cover-guardduty", [res(DETECTOR, "detector")], {"configOwner": True},
     [("detector", ["GuardDuty detector"])]),
    ("owned-types", [res(DETECTOR, "detector")], {"ownedTypes": [DETECTOR]}, []),
    ("setting-overwrites", [res("aws:ebs/encryptionByDefault:EncryptionByDefault", "ebs", {"enabled": True})], {},
     [("ebs", ["the copies overwrite each other's setting", "pulumi import "
               "aws:ebs/encryptionByDefault:EncryptionByDefault existing default"])]),
    ("not-importable", [res(METADATA, "imds", {"httpTokens": "required"})], {},
     [("imds", ["aws.ec2.InstanceMetadataDefaults cannot be imported, so manage it from one stack only"])]),
    ("account-wide", [res("aws:iam/accountAlias:AccountAlias", "alias", {"accountAlias": "acme-dev"})], {},
     [("alias", ["IAM account alias, of which AWS allows one per account,"])]),
]


@pytest.mark.parametrize(("resources", "config", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_cases(resources, config, expected):
    findings = check_stack(NAME, resources, config=config)
    assert_findings(findings, expected)


def test_config_resources_in_several_regions_give_one_warning():
    resources = [res(RECORDER, f"recorder-{r}", {"name": "default", "region": r}) for r in ("us-east-1", "eu-west-1")]
    [finding] = check_stack(NAME, resources)
    assert "'recorder-eu-west-1' (with aws:cfg/recorder:Recorder 'recorder-us-east-1')" in finding.message


def test_owned_types_are_validated_against_the_table():
    with pytest.raises(ConfigError, match="ownedTypes"):
        analyzer_for(NAME, {"ownedTypes": ["aws:s3/bucket:Bucket"]})


def test_the_setting_named_in_the_message_is_accepted():
    analyzer_for(NAME, {"configOwner": True, "ownedTypes": [DETECTOR], "accountOwner": False})
