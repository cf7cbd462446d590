"""The installed pack's entry point: what the repository's ``__main__.py`` is to a clone.

The runner starts it as the engine starts a pack (``python -m pulumi.policy <engine> <this directory>``,
which runs this file as a script), so it imports the policies by their installed name. As the clone's
entry point, it keeps the garbage collector off until the analyzer has frozen what startup built.
"""

import gc

gc.disable()

from aws_conventions.policies import PACK_DESCRIPTION, PACK_NAME, PACK_VERSION, POLICIES  # noqa: E402
from aws_conventions.policies._core.analyzer import PolicyPack  # noqa: E402

PolicyPack(PACK_NAME, POLICIES, version=PACK_VERSION, description=PACK_DESCRIPTION)
