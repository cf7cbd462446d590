"""The SDK policies on this pack's server."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[4]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pulumi_policy import EnforcementLevel
from sdk_policies import INITIAL_CONFIG, PACK, POLICIES

from policies import PolicyPack

PolicyPack("sdk-parity", POLICIES, enforcement_level=EnforcementLevel.MANDATORY, initial_config=INITIAL_CONFIG,
           **PACK)
