"""Entry point the Pulumi engine runs (``python -m pulumi.policy <engine> <pack dir>``).

Constructing the pack starts the Analyzer gRPC server and blocks, so nothing else lives here.
"""

import gc

# What is imported and built before the first request lives as long as the process: collecting on
# the way there only delays the start. The analyzer freezes it all and enables the collector again.
gc.disable()

from policies import PACK_DESCRIPTION, PACK_NAME, PACK_VERSION, POLICIES  # noqa: E402
from policies._core.analyzer import PolicyPack  # noqa: E402

PolicyPack(PACK_NAME, POLICIES, version=PACK_VERSION, description=PACK_DESCRIPTION)
