"""This pack's policies on the stock pulumi-policy path, for the benchmark and the parity tests.

Each policy is wrapped in the SDK's ResourceValidationPolicy / StackValidationPolicy; the SDK
decodes and proxies the properties once per policy, and this adapter turns them back into the
pack's resource view.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from pulumi_policy import PolicyPack

from benchmarks.stock_pack.adapter import to_stock
from policies import PACK_DESCRIPTION, PACK_NAME, POLICIES
from policies._core import info

PolicyPack(PACK_NAME, [to_stock(p) for p in POLICIES], description=PACK_DESCRIPTION,
           display_name=info.DISPLAY_NAME, readme=info.readme(), provider=info.PROVIDER, tags=list(info.TAGS),
           repository=info.repository() or None)
