"""The registry: the one list of every policy in the pack, in the order they run.

Adding a policy: write its module (metadata and check in one place), then list it here.
``tests/test_registry.py`` fails when a policy module is not listed.
"""

from __future__ import annotations

from ._core.policy import Policy
from .dynamodb import on_demand
from .kms import key_rotation
from .logs import log_retention
from .naming import environment_suffix
from .tracing import xray_tracing
from .waivers import waiver_tags

PACK_NAME = "aws-conventions"
PACK_DESCRIPTION = ("Catches the AWS mistakes Pulumi programs keep making (names without the "
                    "environment suffix, missing tracing and log retention, provisioned DynamoDB, "
                    "unrotated KMS keys, broad IAM, account-level singletons, missing exports) at "
                    "preview time.")

POLICIES: list[Policy] = [
    environment_suffix.POLICY,
    xray_tracing.POLICY,
    log_retention.POLICY,
    on_demand.POLICY,
    key_rotation.POLICY,
    waiver_tags.POLICY,
]
