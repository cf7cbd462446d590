"""Do the pack and the runner catch what reviews found in first drafts?

    python -m benchmarks.drafts DIR [--causes FILE] [--findings FILE] [--propose] [--json OUT] [--deployed RW_JSON]

Each program folder of ``DIR`` holds a first draft as markdown (``lib/MODEL_RESPONSE.md``: code blocks,
each named by the heading, bold or backticked path before it or by a ``# path`` first line) and its
review (``lib/MODEL_FAILURES.md``). The draft's files are written over a temporary copy of the
program's project files (what the draft does not show stays as the program has it), the runner checks
that folder, and the causes it names (its check names) are compared with the causes labelled for the
review in the causes file. The policies' findings on the draft are compared with the review's findings
that a policy covers (``--findings``, default ``benchmarks/realworld/drafts_findings.json``): a review
finding is caught when its policy reports on a resource of the labelled type. A review finding that is
not a mistake by the pack's rules (a name that cannot collide, a policy AWS documents), or whose code
the stored draft does not hold (a summary showing fragments), is listed under the program's
``not_counted`` with why, and counted nowhere. A program whose task states a requirement
that the pack's configuration expresses (a 365-day log retention, customer-managed keys) runs with
that configuration (``policyConfig``: the config and the task's words), as its team would set it. No
program text is kept: only ids and labels live in the repository.

``--propose`` prints labels suggested by the review's wording, to be read and corrected by hand.
``--deployed`` takes the realworld benchmark's ``--both --json`` output for the same programs and lists
the caught review findings that the deployed (reviewed and fixed) version still draws.
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
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import pipeline
from policies import STACK_TYPE

ROOT = Path(__file__).resolve().parents[1]
CAUSES = ROOT / "benchmarks" / "realworld" / "drafts_causes.json"
FINDINGS = ROOT / "benchmarks" / "realworld" / "drafts_findings.json"
_PATH = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.(?:py|ya?ml|txt|cfg|toml))\b")
_FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.M | re.S)
"""A fenced code block: its language line and its body."""
_LANGUAGES = {".py": {"py", "python", "python3"}, ".yaml": {"yaml", "yml"}, ".yml": {"yaml", "yml"},
              ".txt": {"txt", "text", "plaintext", "requirements", "pip"}}
"""The languages a block may name for a file of each kind."""
SAME = {"program-missing-module": "project-requirements", "program-local-module": "project-lib-import"}
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
        body = block.group(2)
        first = body.split("\n", 1)[0].strip()
        named = _PATH.fullmatch(first.lstrip("#").strip()) if first.startswith("#") else None
        if named is None:
            before = [ln for ln in markdown[:block.start()].splitlines()[-3:] if ln.strip()]
            named = _PATH.search(before[-1]) if before else None
        language = block.group(1).strip().lower()
        if named is not None and language and language not in _LANGUAGES.get(Path(named.group(1)).suffix, {language}):
            continue  # a shell session or a YAML block that a heading names after the file it concerns
        if named is not None and not named.group(1).startswith(("tests/", "test_")):
            files[named.group(1).lstrip("./")] = body
    return files


ENTRIES = ("tap.py", "__main__.py")
"""The entry files a TapStack program starts from."""


def whole_program(markdown: str) -> str | None:
    """A draft that names no file often shows the whole program as one Python block: the last one that
    imports pulumi and declares something is the final answer (an answer that closes with excerpts, such
    as the imports and the tags alone, still has its program in an earlier block)."""
    blocks = [m.group(2) for m in _FENCE.finditer(markdown)
              if m.group(1).strip().lower() in ("py", "python") and "import pulumi" in m.group(2)]
    declaring = [b for b in blocks if _DECLARES.search(b)]
    return (declaring or blocks or [None])[-1]


_DECLARES = re.compile(r"\baws\.\w+\.[A-Z]\w*\(|\bpulumi\.export\(")
"""A resource declared (``aws.sqs.Queue(``) or a stack output exported."""


def materialise(program: Path, into: Path, template: Path | None = None) -> bool:
    """The program's project files with the draft's files written over them; False without a draft.

    The draft's own code runs: when it shows an entry file (``tap.py``, ``__main__.py``, or a
    directory's ``__main__.py``), the deployed version's other entry files are left out and, unless
    the draft shows its own Pulumi.yaml, ``main:`` names the draft's. When it shows none, the draft
    ran from the project template's ``tap.py`` (``template``, if given), not from the one its
    review's fixes went into."""
    draft = program / "lib" / "MODEL_RESPONSE.md"
    if not draft.is_file():
        return False
    text = draft.read_bytes().decode("utf-8", errors="replace")
    files = draft_files(text)
    if not any(name.endswith(".py") for name in files) and (block := whole_program(text)) is not None:
        files["__main__.py"] = block
    if "tap_stack.py" in files and "lib/tap_stack.py" not in files:
        files["lib/tap_stack.py"] = files.pop("tap_stack.py")  # a heading that names the module without lib/
    stack = files.get("lib/tap_stack.py", "")
    if not _entries(files) and "import pulumi" in stack and "class TapStack" not in stack:
        files["__main__.py"] = files.pop("lib/tap_stack.py")  # no component: the module is the whole program
    if not _entries(files) and template is not None and (template / "tap.py").is_file():
        files["tap.py"] = (template / "tap.py").read_text(encoding="utf-8")
    shutil.copytree(program, into, ignore=shutil.ignore_patterns("*.md", "tests", "metadata.json", "venv"))
    shown = _entries(files)
    if shown:
        for name in ENTRIES:
            if name not in files:
                (into / name).unlink(missing_ok=True)
        if len(shown) == 1 and "Pulumi.yaml" not in files and (into / "Pulumi.yaml").is_file():
            main = shown[0] if shown[0] in ENTRIES else shown[0].rsplit("/", 1)[0] + "/"
            project = (into / "Pulumi.yaml").read_text(encoding="utf-8").splitlines()
            kept = [line for line in project if not line.startswith("main:")]
            (into / "Pulumi.yaml").write_text("\n".join([*kept, f"main: {main}"]) + "\n", encoding="utf-8")
    for name, body in files.items():
        target = (into / name).resolve()
        if into.resolve() in target.parents:
            target.parent.mkdir(parents=True, exist_ok=True)
            # Bytes as written: the draft's line endings are part of what is checked.
            target.write_bytes((unmangled(body) if name.endswith(".py") else body).encode())
    return True


MAX_REINDENTS = 50


def unmangled(code: str) -> str:
    """The draft's code as its author wrote it, where storing it as markdown mangled it: some stored
    drafts escape ``_`` and ``*`` (``print("=" \\* 50)``) and lose the indentation of a block's first
    line (a function's docstring at column 0). Only code that does not compile as stored is touched,
    and only when undoing those two makes it compile; anything else is left for the runner to explain."""
    try:
        compile(code, "draft", "exec")
        return code
    except (SyntaxError, ValueError):
        pass
    lines = re.sub(r"\\([_*])", r"\1", code).split("\n")
    for _ in range(MAX_REINDENTS):
        try:
            compile("\n".join(lines), "draft", "exec")
            return "\n".join(lines)
        except IndentationError as e:
            if "expected an indented block" not in e.msg or not e.lineno or e.lineno < 2:
                return code
            at = e.lineno - 1
            above = _indent(lines[at - 1])
            below = next((_indent(line) for line in lines[at + 1:] if line.strip()), 0)
            lines[at] = " " * (below if below > above else above + 4) + lines[at].lstrip()
        except (SyntaxError, ValueError):
            return code
    return code


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _entries(files: Mapping[str, str]) -> list[str]:
    """The entry files among a draft's files."""
    return [name for name in files if name in ENTRIES or name.endswith("/__main__.py")]


def has_code(program: Path) -> bool:
    """Whether the draft shows any Python file (some only describe the files)."""
    text = (program / "lib" / "MODEL_RESPONSE.md").read_bytes().decode("utf-8", errors="replace")
    return any(name.endswith(".py") for name in draft_files(text)) or whole_program(text) is not None


@dataclass
class Outcome:
    """What the runner said about one draft."""

    causes: list[str] = field(default_factory=list)
    """The check names of the project checks and explanations (causes that stop a program)."""
    findings: list[tuple[str, str, str]] = field(default_factory=list)
    """(policy, type token, resource name) of every policy finding."""
    ran: bool = False
    """Whether the draft ran far enough for the pack to evaluate it (and declared a resource: a draft
    cut off before it creates its stack declares none)."""


def run_draft(program: Path, template: Path | None = None, keep_going: bool = False, preview: bool = True,
              policy_config: Mapping[str, Any] | None = None) -> Outcome:
    """The runner's report on the program's draft (``keep_going``: run past the failures it can fix;
    ``preview`` False: as an update, where documents built from outputs are known; ``policy_config``: the
    pack's configuration, as ``--policy-config`` takes it)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / program.name
        if not materialise(program, folder, template):
            return Outcome()
        configured = []
        if policy_config:
            (Path(tmp) / "policy-config.json").write_text(json.dumps(policy_config), encoding="utf-8")
            configured = ["--policy-config", str(Path(tmp) / "policy-config.json")]
        # As the pipeline deploys the pull request: its suffix, its stack and the config it sets there.
        suffix = pipeline.suffix_of(program)
        stack = pipeline.prepare(folder, suffix)
        env = {k: v for k, v in os.environ.items() if k not in ("ENVIRONMENT_SUFFIX", "PYTHONPATH")
               and not k.startswith("PULUMI_")}
        env["PYTHONPATH"] = str(ROOT)
        env["ENVIRONMENT_SUFFIX"] = suffix
        env["AWS_REGION"] = pipeline.region_of(program)  # where the pipeline deploys it
        env.pop("AWS_DEFAULT_REGION", None)
        report = Path(tmp) / "report.json"
        done = subprocess.run([sys.executable, "-m", "aws_conventions", "check", str(folder), "--stack", stack,
                               *(["--keep-going"] if keep_going else []),
                               *([] if preview else ["--no-preview"]), *configured,
                               "--quiet", "--format", "json", "--output", str(report)],
                              capture_output=True, env=env, cwd=ROOT, timeout=300, check=False)
        try:
            document = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Outcome()
    return Outcome(
        causes=sorted({SAME.get(d["check"], d["check"]) for d in document.get("diagnoses", [])}),
        findings=[(f["policy"], f["resource"]["type"], f["resource"]["name"]) for f in document.get("findings", [])],
        ran=done.returncode in (0, 1) and document.get("summary", {}).get("resources", 0) > 1)


def propose(program: Path) -> list[str]:
    review = program / "lib" / "MODEL_FAILURES.md"
    text = review.read_text(encoding="utf-8", errors="replace") if review.is_file() else ""
    return sorted(check for check, pattern in WORDING.items() if re.search(pattern, text, re.I | re.S))


def _type_matches(hint: str, type_: str) -> bool:
    """A label's resource hint (type tokens ``aws:lambda/function:Function`` or Python classes
    ``aws.lambda_.Function``, maybe with logical names after them; a hint that names several, such as
    ``aws.sqs.Queue, aws.dynamodb.Table``, matches any of them) against a finding's type token."""
    tokens = re.findall(r"aws:[\w-]+/\w+:\w+", hint)
    if tokens:
        return type_ in tokens
    classes = re.findall(r"aws\.(\w+)\.(\w+)", hint)
    if classes:
        return any(type_.startswith(f"aws:{module.rstrip('_')}/") and type_.rsplit(":", 1)[-1] == name
                   for module, name in classes)
    return True


def caught(label: Mapping[str, str], outcome: Outcome) -> bool:
    """Whether the label's policy reported on a resource of the labelled type (a stack-level label,
    or one without a type, is caught by any finding of its policy)."""
    hint = label.get("resource") or ""
    return any(policy == label["policy"] and (type_ == STACK_TYPE or _type_matches(hint, type_))
               for policy, type_, _ in outcome.findings)


def _either(preview: Outcome, update: Outcome) -> Outcome:
    """What the pack reports in the preview or in the update of the same draft."""
    return Outcome(causes=preview.causes, findings=[*preview.findings, *update.findings],
                   ran=preview.ran or update.ran)


SAME_CAUSE = {"project-output-json": "program-output-json"}
"""Checks that name a cause another check names too: found in the source, or explained once it fails."""


def _causes_report(labelled: Mapping[str, list[str]], outcomes: Mapping[str, Outcome],
                   unobservable: Mapping[str, str], excluded: Mapping[str, Mapping[str, str]]) -> None:
    """Per draft, the reviewed causes the runner names. Not counted: causes no check can see in a
    stored draft (``unobservable``) and per-program labels the review names but the draft does not
    have (``excluded``, each with why)."""
    hits = total = matched_programs = programs = 0
    for name in sorted(set(labelled) & set(outcomes)):
        expected = set(labelled[name]) - set(unobservable) - set(excluded.get(name, {}))
        named = outcomes[name].causes
        named = [*named, *(SAME_CAUSE[c] for c in named if c in SAME_CAUSE)]
        if not expected:
            continue
        programs += 1
        got = expected & set(named)
        hits += len(got)
        total += len(expected)
        matched_programs += bool(got)
        missed = sorted(expected - got)
        print(f"{name}: review {sorted(expected)}; runner {named}" + (f"; missed {missed}" if missed else ""))
    print(f"causes: {matched_programs} of {programs} drafts get at least one reviewed "
          f"cause named; {hits} of {total} reviewed causes named")
    for cause, why in unobservable.items():
        print(f"not counted: {cause}: {why}")
    for name, causes in sorted(excluded.items()):
        for cause, why in causes.items():
            print(f"not counted: {name} {cause}: {why}")


def _findings_report(labelled: Mapping[str, Any], outcomes: Mapping[str, Outcome],
                     policies: set[str]) -> dict[str, dict[str, int]]:
    """Per policy: review findings labelled, caught, missed on a draft that ran, missed because the
    draft failed before the pack could see it. Labels that name no policy of the pack are counted
    apart (conventions not covered yet)."""
    table: dict[str, dict[str, int]] = {}
    for name in sorted(set(labelled) & set(outcomes)):
        outcome = outcomes[name]
        for label in labelled[name].get("findings", []):
            row = table.setdefault(label["policy"], {"labelled": 0, "caught": 0, "missed": 0, "failed": 0})
            row["labelled"] += 1
            if caught(label, outcome):
                row["caught"] += 1
            elif outcome.ran:
                row["missed"] += 1
                if label["policy"] in policies:
                    print(f"{name}: missed {label['policy']} on {label.get('resource', '?')}: {label.get('what', '')}")
            else:
                row["failed"] += 1
    covered = {k: v for k, v in table.items() if k in policies}
    print(f"{'policy':36} labelled caught missed draft-failed")
    for key, row in sorted(covered.items()):
        print(f"{key:36} {row['labelled']:8} {row['caught']:6} {row['missed']:6} {row['failed']:12}")
    total = {k: sum(row[k] for row in covered.values()) for k in ("labelled", "caught", "missed", "failed")}
    ran = total["labelled"] - total["failed"]
    print(f"in scope: {total['caught']} of {total['labelled']} caught"
          f" ({total['caught'] / max(1, total['labelled']):.2f}); on drafts that ran: {total['caught']} of {ran}"
          f" ({total['caught'] / max(1, ran):.2f})")
    others = {k: v["labelled"] for k, v in table.items() if k not in policies}
    if others:
        ranked = sorted(others.items(), key=lambda kv: -kv[1])
        print("not covered by a policy: " + ", ".join(f"{k} {n}" for k, n in ranked))
    return table


def _uncounted_report(labelled: Mapping[str, Any]) -> None:
    """The review findings kept under ``not_counted``, each with why, by program."""
    for name in sorted(labelled):
        for label in labelled[name].get("not_counted", []):
            print(f"review finding not counted: {name} {label['policy']}: {label['why']}")


def deployed_outcome(document: Mapping[str, Any], program: str) -> Outcome:
    """What the realworld benchmark (``--both --json``) found on the deployed version of ``program``, in
    its preview or its update."""
    found = []
    for mode in ("preview", "update"):
        for f in (document.get(mode) or {}).get("findings", {}).get(program) or []:
            _, policy, name, _ = str(f["key"]).split("|", 3)
            found.append((policy, str(f.get("type") or ""), name))
    return Outcome(findings=found, ran=True)


def _still_reported(labelled: Mapping[str, Any], outcomes: Mapping[str, Outcome],
                    deployed: Mapping[str, Any]) -> tuple[int, int]:
    """Of the review findings caught in the drafts, those the deployed (reviewed and fixed) version of the
    program still draws: a fix the review asked for and the program never got, or a finding that does
    not go away with the fix. Returns (caught, still reported)."""
    total = still = 0
    for name in sorted(set(labelled) & set(outcomes)):
        fixed = deployed_outcome(deployed, name)
        for label in labelled[name].get("findings", []):
            if not caught(label, outcomes[name]):
                continue
            total += 1
            if caught(label, fixed):
                still += 1
                print(f"{name}: {label['policy']} on {label.get('resource', '?')} is still reported on the "
                      f"deployed version")
    print(f"caught in the drafts: {total}; still reported on the deployed version: {still}")
    return total, still


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.drafts", description=__doc__.split("\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--causes", type=Path, default=CAUSES)
    parser.add_argument("--findings", type=Path, default=FINDINGS)
    parser.add_argument("--propose", action="store_true")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write every draft's outcome here")
    parser.add_argument("--deployed", type=Path,
                        help="the realworld benchmark's --both --json output for the same programs: say which caught "
                             "review findings their deployed version still draws")
    parser.add_argument("--template", type=Path,
                        help="the project template the drafts started from (its tap.py runs a draft that shows none)")
    args = parser.parse_args(argv)
    programs = sorted(p.parent.parent for p in args.directory.glob("*/lib/MODEL_RESPONSE.md"))
    if args.propose:
        print(json.dumps({p.name: found for p in programs if (found := propose(p))}, indent=1, sort_keys=True))
        return 0
    causes_file = json.loads(args.causes.read_text(encoding="utf-8"))
    causes, unobservable = causes_file["programs"], causes_file.get("unobservable", {})
    excluded = causes_file.get("excluded", {})
    findings = json.loads(args.findings.read_text(encoding="utf-8"))["programs"] if args.findings.is_file() else {}
    chosen = [p for p in programs if (p.name in causes or findings.get(p.name, {}).get("findings")) and has_code(p)]
    without = sorted((set(causes) | {k for k, v in findings.items() if v.get("findings")}) - {p.name for p in chosen})

    def run(program: Path, keep_going: bool = False, preview: bool = True) -> Outcome:
        configured = findings.get(program.name, {}).get("policyConfig", {}).get("config")
        return run_draft(program, args.template, keep_going, preview, configured)

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        outcomes = dict(zip([p.name for p in chosen], pool.map(run, chosen), strict=True))
        going = dict(zip([p.name for p in chosen], pool.map(lambda p: run(p, True), chosen), strict=True))
        updates = dict(zip([p.name for p in chosen], pool.map(lambda p: run(p, True, False), chosen), strict=True))
    # Written first: the runs took minutes, and the reports below only read them.
    if args.json:
        args.json.write_text(json.dumps({"preview": {k: asdict(v) for k, v in outcomes.items()},
                                         "keepGoing": {k: asdict(v) for k, v in going.items()},
                                         "keepGoingUpdate": {k: asdict(v) for k, v in updates.items()}}, indent=1),
                             encoding="utf-8")
    for name, configured in sorted((k, v["policyConfig"]) for k, v in findings.items() if v.get("policyConfig")):
        print(f"{name} ran with the pack configured as its task requires: {json.dumps(configured['config'])} "
              f"({configured['because']})")
    _causes_report(causes, outcomes, unobservable, excluded)
    from policies import POLICIES
    print("\nAs `pulumi preview` runs them (a draft stops at its first failure):")
    _findings_report(findings, outcomes, {p.name for p in POLICIES})
    print("\nWith --keep-going (the runner's fix applied to each failure it explains):")
    _findings_report(findings, going, {p.name for p in POLICIES})
    print("\nWith --keep-going, in the preview or in the update (`pulumi up` evaluates the pack again on every "
          "resource before it creates it, with the values its dependencies then have):")
    either = {k: _either(v, updates[k]) for k, v in going.items()}
    _findings_report(findings, either, {p.name for p in POLICIES})
    if args.deployed:
        print("\nOn the deployed version of each program (reviewed and fixed; stack dev, the default config):")
        _still_reported(findings, either, json.loads(args.deployed.read_text(encoding="utf-8")))
    print(f"drafts without code, not counted: {', '.join(without) or 'none'}")
    _uncounted_report(findings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
