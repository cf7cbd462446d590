"""The resources pulumi-aws can create of which AWS allows one per account (or per account and region).

Each entry's type token is checked against ``policies/_data/aws_types.json`` by the tests, and its
import ID is the one the resource's own documentation gives for ``pulumi import``.
Two kinds behave differently when a second copy appears: a *service* (a recorder, a detector) makes
the second create fail; a *setting* (encryption by default, a password policy) is overwritten by each
copy, and destroying any copy resets it for every stack in the account.
"""

from __future__ import annotations

from typing import NamedTuple

from .._core import aws_types

CONFIG_GROUP = "config"
"""AWS Config's recorder, delivery channel and recorder status: owned together (option ``configOwner``)."""

SETTING = ("does not fail: each copy overwrites the other's setting, and destroying any one of them "
           "resets it for every stack in the account")


class Singleton(NamedTuple):
    token: str
    what: str
    regional: bool
    import_id: str
    """What ``pulumi import`` and ``.get()`` take, as the resource's documentation names it; empty when
    the documentation gives no import."""
    example_id: str
    on_second: str = SETTING
    """What AWS does when a second copy is created in the same place."""
    group: str = ""

    @property
    def python(self) -> str:
        return aws_types.python_class(self.token)

    @property
    def per(self) -> str:
        return "per account and region" if self.regional else "per account"


def _service(token: str, what: str, import_id: str, example_id: str, error: str, *, regional: bool = True,
             group: str = "") -> Singleton:
    return Singleton(token, what, regional, import_id, example_id, f"fails with {error}", group)


def _setting(token: str, what: str, import_id: str, example_id: str, *, regional: bool = True) -> Singleton:
    return Singleton(token, what, regional, import_id, example_id)


SINGLETONS: tuple[Singleton, ...] = (
    _service("aws:cfg/recorder:Recorder", "AWS Config configuration recorder", "the recorder's name",
             "default", "MaxNumberOfConfigurationRecordersExceededException", group=CONFIG_GROUP),
    _service("aws:cfg/deliveryChannel:DeliveryChannel", "AWS Config delivery channel", "the channel's name",
             "default", "MaxNumberOfDeliveryChannelsExceededException", group=CONFIG_GROUP),
    Singleton("aws:cfg/recorderStatus:RecorderStatus", "AWS Config recorder status", True,
              "the recorder's name", "default", SETTING, CONFIG_GROUP),
    _service("aws:guardduty/detector:Detector", "GuardDuty detector", "the detector ID",
             "00b00fd5aecc0ab60a708659477e9617",
             "BadRequestException (a detector already exists for the current account)"),
    _service("aws:securityhub/account:Account", "Security Hub subscription", "the AWS account ID",
             "123456789012", "ResourceConflictException (the account is already subscribed to Security Hub)"),
    _service("aws:macie2/account:Account", "Macie account", "the Macie account ID", "abcd1",
             "a conflict (Macie is already enabled)"),
    _service("aws:detective/graph:Graph", "Detective behavior graph", "the graph ARN",
             "arn:aws:detective:us-east-1:123456789012:graph:231684d34gh74g4bae1dbc7bd807d02d",
             "a conflict (the account already has a behavior graph)"),
    _service("aws:resourceexplorer/index:Index", "Resource Explorer index", "the index ARN",
             "arn:aws:resource-explorer-2:us-east-1:123456789012:index/6047ac4e-207e-4487-9bcf-cb53bb0ff5cc",
             "a conflict (the region already has an index)"),
    _service("aws:organizations/organization:Organization", "AWS Organizations organization",
             "the organization ID", "o-1234567", "AlreadyInOrganizationException", regional=False),
    _service("aws:shield/subscription:Subscription", "Shield Advanced subscription", "the AWS account ID",
             "123456789012", "a conflict (the account is already subscribed)", regional=False),
    _setting("aws:ebs/encryptionByDefault:EncryptionByDefault", "EBS encryption-by-default setting",
             "the word default", "default"),
    _setting("aws:ebs/defaultKmsKey:DefaultKmsKey", "EBS default KMS key", "the KMS key ARN",
             "arn:aws:kms:us-east-1:123456789012:key/abcd-1234"),
    _setting("aws:ebs/snapshotBlockPublicAccess:SnapshotBlockPublicAccess", "EBS snapshot block public access",
             "the word default", "default"),
    _setting("aws:ec2/serialConsoleAccess:SerialConsoleAccess", "EC2 serial console access setting",
             "the word default", "default"),
    _setting("aws:ec2/imageBlockPublicAccess:ImageBlockPublicAccess", "EC2 AMI block public access setting",
             "", ""),
    _setting("aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults", "EC2 instance metadata defaults",
             "", ""),
    _setting("aws:ec2/vpcBlockPublicAccessOptions:VpcBlockPublicAccessOptions", "VPC block public access options",
             "the region", "us-east-1"),
    _setting("aws:ec2/allowedImagesSettings:AllowedImagesSettings", "EC2 allowed images settings",
             "the region", "us-east-1"),
    _setting("aws:emr/blockPublicAccessConfiguration:BlockPublicAccessConfiguration",
             "EMR block public access configuration", "the word current", "current"),
    _setting("aws:xray/encryptionConfig:EncryptionConfig", "X-Ray encryption configuration", "the region",
             "us-east-1"),
    _setting("aws:apigateway/account:Account", "API Gateway account settings", "the AWS account ID",
             "123456789012"),
    _setting("aws:ecr/registryPolicy:RegistryPolicy", "ECR registry policy", "the registry ID (the AWS account ID)",
             "123456789012"),
    _setting("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
             "ECR registry scanning configuration", "the registry ID (the AWS account ID)", "123456789012"),
    _setting("aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration",
             "Bedrock model invocation logging configuration", "the region", "us-east-1"),
    _setting("aws:backup/regionSettings:RegionSettings", "AWS Backup region settings", "the region", "us-east-1"),
    _setting("aws:iam/accountPasswordPolicy:AccountPasswordPolicy", "IAM account password policy",
             "the word iam-account-password-policy", "iam-account-password-policy", regional=False),
    _setting("aws:iam/accountAlias:AccountAlias", "IAM account alias", "the alias", "my-account-alias",
             regional=False),
    _setting("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", "S3 account-level public access block",
             "the AWS account ID", "123456789012", regional=False),
    _setting("aws:backup/globalSettings:GlobalSettings", "AWS Backup global settings", "the AWS account ID",
             "123456789012", regional=False),
    _setting("aws:account/primaryContact:PrimaryContact", "account primary contact", "the AWS account ID",
             "123456789012", regional=False),
)

BY_TOKEN: dict[str, Singleton] = {s.token: s for s in SINGLETONS}
