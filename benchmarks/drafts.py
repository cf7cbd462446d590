"""Do the runner's project checks and explanations name the causes reviews found in first drafts?

    python -m benchmarks.drafts DIR [--causes benchmarks/realworld/drafts_causes.json] [--propose]

Each program folder of ``DIR`` holds a first draft as markdown (``lib/MODEL_RESPONSE.md``: code blocks,
each named by the heading, bold or backticked path before it or by a ``# path`` first line) and its
review (``lib/MODEL_FAILURES.md``). The draft's files are written over a temporary copy of the
program's project files (what the draft does not show stays as the program has it), the runner checks
that folder, and the causes it names (its check names) are compared with the causes labelled for the
review in the causes file. No program text is kept: only ids and labels live in the repository.

``--propose`` prints labels suggested by the review's wording, to be read and corrected by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CAUSES = ROOT / "benchmarks" / "realworld" / "drafts_causes.json"
_PATH = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.(?:py|ya?ml|txt|cfg|toml))\b")
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
SAME = {"program-missing-module": "project-requirements"}
"""Checks that name the same cause as another."""
WORDING = {
    "project-config": r"not namespaced|should not define a default",
    "project-lib-import": r"No module named .lib",
    "project-requirements": r"No module named .pulumi",
    "program-output-json": r"Object of type Output is not JSON serializable",
    "program-resource-option": r"unexpected keyword argument .depends_on",
    "program-removed-argument": r"unexpected keyword argument .(vpc|stage_name)\b|vpc=True",
    "program-unknown-argument": r"unexpected keyword argument .(?!depends_on|vpc\b|stage_name)\w+",
    "project-line-endings": r"CRLF",
    "project-entry-points": r"__main__\.py",
    "project-main": r"main:.{0,80}(not exist|missing|wrong)|entry point.{0,60}(not exist|missing)",
}


def draft_files(markdown: str) -> dict[str, str]:
    """Path to content for every named code block of a draft."""
    files: dict[str, str] = {}
    for block in _FENCE.finditer(markdown):
        body = block.group(1)
        first = body.split("\n", 1)[0].strip()
        named = _PATH.fullmatch(first.lstrip("#").strip()) if first.startswith("#") else None
        if named is None:
            before = [ln for ln in markdown[:block.start()].splitlines()[-3:] if ln.strip()]
            named = _PATH.search(before[-1]) if before else None
        if named is not None and not named.group(1).startswith(("tests/", "test_")):
            files[named.group(1).lstrip("./")] = body
    return files


def materialise(program: Path, into: Path) -> bool:
    """The program's project files with the draft's files written over them; False without a draft."""
    draft = program / "lib" / "MODEL_RESPONSE.md"
    if not draft.is_file():
        return False
    shutil.copytree(program, into, ignore=shutil.ignore_patterns("*.md", "tests", "metadata.json", "venv"))
    for name, body in draft_files(draft.read_bytes().decode("utf-8", errors="replace")).items():
        target = (into / name).resolve()
        if into.resolve() in target.parents:
            target.parent.mkdir(parents=True, exist_ok=True)
            # Bytes as written: the draft's line endings are part of what is checked.
            target.write_bytes(body.encode())
    return True


def has_code(program: Path) -> bool:
    """Whether the draft shows any Python file (some only describe the files)."""
    text = (program / "lib" / "MODEL_RESPONSE.md").read_bytes().decode("utf-8", errors="replace")
    return any(name.endswith(".py") for name in draft_files(text))


def named_causes(program: Path) -> list[str]:
    """The checks the runner names on the program's draft."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / program.name
        if not materialise(program, folder):
            return []
        env = {k: v for k, v in os.environ.items() if k not in ("ENVIRONMENT_SUFFIX", "PYTHONPATH")
               and not k.startswith("PULUMI_")}
        env["PYTHONPATH"] = str(ROOT)
        report = Path(tmp) / "report.json"
        subprocess.run([sys.executable, "-m", "aws_conventions", "check", str(folder), "--stack", "dev", "--quiet",
                        "--format", "json", "--output", str(report)], capture_output=True, env=env, cwd=ROOT,
                       timeout=300, check=False)
        try:
            document = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
    return sorted({SAME.get(d["check"], d["check"]) for d in document.get("diagnoses", [])})


def propose(program: Path) -> list[str]:
    review = program / "lib" / "MODEL_FAILURES.md"
    text = review.read_text(encoding="utf-8", errors="replace") if review.is_file() else ""
    return sorted(check for check, pattern in WORDING.items() if re.search(pattern, text, re.I | re.S))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.drafts", description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--causes", type=Path, default=CAUSES)
    parser.add_argument("--propose", action="store_true")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    programs = sorted(p.parent.parent for p in args.directory.glob("*/lib/MODEL_RESPONSE.md"))
    if args.propose:
        print(json.dumps({p.name: found for p in programs if (found := propose(p))}, indent=1, sort_keys=True))
        return 0
    labelled = json.loads(args.causes.read_text(encoding="utf-8"))["programs"]
    chosen = [p for p in programs if p.name in labelled and has_code(p)]
    without = sorted(set(labelled) - {p.name for p in chosen})
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        named = dict(zip([p.name for p in chosen], pool.map(named_causes, chosen), strict=True))
    hits = total = matched_programs = 0
    for name in sorted(named):
        expected = set(labelled[name])
        got = expected & set(named[name])
        hits += len(got)
        total += len(expected)
        matched_programs += bool(got)
        missed = sorted(expected - got)
        print(f"{name}: review {sorted(expected)}; runner {named[name]}" + (f"; missed {missed}" if missed else ""))
    print(f"{matched_programs} of {len(named)} drafts get at least one reviewed cause named; "
          f"{hits} of {total} reviewed causes named; drafts without code, not counted: {', '.join(without) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
