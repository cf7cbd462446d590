"""The SDK policies on the SDK's own server."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pulumi_policy import EnforcementLevel, PolicyPack
from sdk_policies import INITIAL_CONFIG, PACK, POLICIES

PolicyPack("sdk-parity", POLICIES, enforcement_level=EnforcementLevel.MANDATORY, initial_config=INITIAL_CONFIG,
           **PACK)
