"""Regenerate the runner's snapshots of the bundled examples: ``tests/runner/snapshots/<example>.json``.

Each snapshot is the runner's JSON report on one example (stack ``dev``, preview) without the parts
that change from run to run or from release to release: ``timing``, the pack's version and the path
the program was given as. ``tests/runner/test_snapshots.py`` compares against them.

Run after changing a policy's message or an example, then review the diff:

    python -m tools.regenerate_snapshots            # every example
    python -m tools.regenerate_snapshots compliant  # some
    python -m tools.regenerate_snapshots --check    # exit 1 when a snapshot is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = ROOT / "examples"
SNAPSHOT_DIR = ROOT / "tests" / "runner" / "snapshots"


def examples() -> list[str]:
    """Every example: a directory of ``examples/`` with a ``Pulumi.yaml``."""
    return sorted(p.parent.name for p in EXAMPLES_DIR.glob("*/Pulumi.yaml"))


def snapshot_all(names: list[str]) -> list[dict[str, Any]]:
    """The runner's JSON reports on ``examples/<name>`` for each name, stable across runs. One pack
    process serves them all, as ``check A B C`` does: the snapshots, made so or one by one, are the same."""
    from aws_conventions.report import to_json
    from aws_conventions.runner import check_all

    documents = []
    for name, report in zip(names, check_all([EXAMPLES_DIR / n for n in names], stack="dev"), strict=True):
        document = to_json(report)
        document.pop("timing", None)
        document["pack"].pop("version", None)
        document["program"]["path"] = f"examples/{name}"
        documents.append(document)
    return documents


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def snapshots(names: list[str]) -> dict[str, dict[str, Any]]:
    """Snapshots of several examples, in two lists checked side by side (each check runs two processes)."""
    halves = [names[0::2], names[1::2]]
    with ThreadPoolExecutor(max_workers=2) as pool:
        documents = dict(pair for half, found in zip(halves, pool.map(snapshot_all, halves), strict=True)
                         for pair in zip(half, found, strict=True))
    return {name: documents[name] for name in names}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("examples", nargs="*", help="examples to regenerate (default: all)")
    parser.add_argument("--check", action="store_true", help="report stale snapshots instead of writing them")
    args = parser.parse_args(argv)
    known = examples()
    unknown = sorted(set(args.examples) - set(known))
    if unknown:
        parser.error(f"no such example: {', '.join(unknown)} (known: {', '.join(known)})")
    stale = []
    SNAPSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for name, document in snapshots(args.examples or known).items():
        path = SNAPSHOT_DIR / f"{name}.json"
        text = render(document)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            path.write_text(text, encoding="utf-8")
        summary = document["summary"]
        print(f"{'stale' if args.check else 'wrote'} {path.relative_to(ROOT)}: {summary['mandatory']} mandatory, "
              f"{summary['advisory']} advisory, {summary['waived']} waived")
    if not stale:
        print("snapshots are up to date")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
