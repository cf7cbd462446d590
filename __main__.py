"""Entry point the Pulumi engine runs (``python -m pulumi.policy <engine> <pack dir>``).

Constructing the pack starts the Analyzer gRPC server and blocks, so nothing else lives here.
"""

from policies import PACK_DESCRIPTION, PACK_NAME, PACK_VERSION, POLICIES
from policies._core.analyzer import PolicyPack

PolicyPack(PACK_NAME, POLICIES, version=PACK_VERSION, description=PACK_DESCRIPTION)
