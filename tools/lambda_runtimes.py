"""Derive the pack's Lambda runtime table from maintained sources installed with the dev requirements.

* the runtimes pulumi-aws knows: the ``aws.lambda_.Runtime`` enum of the installed ``pulumi_aws``
  (read from its source, ``lambda_/_enums.py``, without importing the package);
* their lifecycle: ``LmbdRuntimeLifecycle.json`` of the installed ``cfn-lint``, which cfn-lint keeps
  in step with AWS's Lambda runtimes page (deprecation date, the dates after which functions can no
  longer be created and then updated, and the successor AWS recommends).

Writes ``policies/_data/lambda_runtimes.json``. Run ``python -m tools.lambda_runtimes`` after
upgrading either package; a test fails when the file is stale.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import sys
from pathlib import Path
from typing import Any

from tools.aws_catalog import package_dir

OUT = Path(__file__).resolve().parents[1] / "policies" / "_data" / "lambda_runtimes.json"
LIFECYCLE_FILE = "LmbdRuntimeLifecycle.json"
_ENUM_RE = re.compile(r"class Runtime\(.*?\):\n(.*?)(?:\n\n\n|\Z)", re.S)
_VALUE_RE = re.compile(r'^\s+\w+ = "([^"]+)"$', re.M)
FIELDS = ("deprecated", "create-block", "update-block", "successor")


def enum_values() -> list[str]:
    source = (package_dir() / "lambda_" / "_enums.py").read_text(encoding="utf-8")
    match = _ENUM_RE.search(source)
    if match is None:
        raise SystemExit("no Runtime enum in pulumi_aws/lambda_/_enums.py")
    return _VALUE_RE.findall(match.group(1))


def lifecycle() -> dict[str, dict[str, Any]]:
    files = importlib.metadata.distribution("cfn-lint").files or []
    path = next((f for f in files if f.name == LIFECYCLE_FILE), None)
    if path is None:
        raise SystemExit(f"cfn-lint has no {LIFECYCLE_FILE}: pip install -r requirements-dev.txt")
    dates: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return dates


def build() -> dict[str, dict[str, Any]]:
    """Every runtime either source names, with the lifecycle dates AWS has announced (none: no end set)."""
    dates = lifecycle()
    known = set(enum_values())
    return {name: {"inPulumiAws": name in known,
                   **{k: dates[name][k] for k in FIELDS if dates.get(name, {}).get(k)}}
            for name in sorted(known | set(dates))}


def render(table: dict[str, dict[str, Any]]) -> str:
    return json.dumps({"sources": {"pulumi_aws": importlib.metadata.version("pulumi_aws"),
                                   "cfn-lint": importlib.metadata.version("cfn-lint")},
                       "runtimes": table}, indent=0, sort_keys=True) + "\n"


def main() -> int:
    OUT.write_text(render(build()), encoding="utf-8")
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
