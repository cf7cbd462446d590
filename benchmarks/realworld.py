"""The pack on real programs: run the local runner over a folder of Pulumi programs and count.

    python -m benchmarks.realworld DIR [DIR ...] [--jobs 2] [--no-preview | --both] [--json OUT]
                                   [--labels benchmarks/realworld/labels.json]

Each ``DIR`` is a program (it holds ``Pulumi.yaml``) or a folder of programs. The programs are split
into ``--jobs`` lists (two by default) checked side by side with the runner's library API
(``check_all``: one pack process per list, each program in a process of its own, stopped after
``--timeout`` seconds) with a clean environment: no ``ENVIRONMENT_SUFFIX`` and stack ``dev`` (the
programs keep no stack files), ``AWS_REGION`` the region the pipeline deploys the program to (its
``lib/AWS_REGION``, else us-east-1); ``--environment-suffix pr123`` deploys them as
the repository's pull-request pipeline does (``benchmarks/pipeline.py``): that suffix, the stack
``TapStackpr123`` and the config the pipeline sets on it. A program whose ``metadata.json`` says it
is deployed to LocalStack runs with ``AWS_ENDPOINT_URL=http://localhost:4566``, as its pipeline sets.

It prints per-policy counts (findings, mandatory, programs touched), findings per program, the
programs that failed to run with the one line the runner gave, and, with ``--labels``, the share of
findings judged true. ``--both`` runs every program as a preview and as an update (``--no-preview``)
and prints that report for each mode, then how many programs ran and failed in each.

A label file maps a finding key (``program|policy|resource|property``) to ``true`` or ``false`` with a
reason; keys that no longer occur are listed as stale, findings without a
label are listed as unlabelled. Labels and results live next to this file, never the programs.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_conventions.findings import Findings
from aws_conventions.report import to_json
from aws_conventions.runner import check_all
from benchmarks import pipeline

EMULATOR_VARIABLE = "AWS_ENDPOINT_URL"
EMULATOR_ENDPOINT = "http://localhost:4566"


@dataclass
class Run:
    program: str
    exit_code: int
    seconds: float
    findings: list[dict[str, Any]] = field(default_factory=list)
    resources: int = 0
    error: str = ""


def programs(paths: Iterable[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if (path / "Pulumi.yaml").exists():
            found.append(path)
        else:
            found.extend(sorted(p.parent for p in path.glob("*/Pulumi.yaml")))
    return found


def run_all(found: list[Path], preview: bool, timeout: float, policy_config: str | None,
            stack: str = "dev", jobs: int = 2, fallback: str | None = None) -> list[Run]:
    """Every program's run, in order: ``check_all`` on each of the lists the programs are split into.
    The environment is this process's, which the programs and the pack inherit. A program that
    fails is run again with the ``fallback`` interpreter, if given (one that has the programs'
    packages, for programs written for a newer Python than this one)."""

    def check_list(programs: list[Path], python: str | None = None) -> list[Run]:
        runs: list[Run] = []
        last = time.perf_counter()

        def record(report: Findings) -> None:
            nonlocal last
            now = time.perf_counter()
            runs.append(run_of(Path(report.program.display).name, report, now - last))
            last = now

        check_all(programs, stack=stack, policy_config=policy_config, preview=preview,
                  python=python, timeout=timeout or None, on_report=record)
        return runs

    def run_group(group: list[Path]) -> dict[str, Run]:
        lists = [group[i::jobs] for i in range(max(1, min(jobs, len(group))))]
        with ThreadPoolExecutor(max_workers=len(lists)) as pool:
            by_program = {r.program: r for runs in pool.map(check_list, lists) for r in runs}
        failed = [p for p in group if by_program[p.name].error]
        if fallback and failed:
            for run in check_list(failed, fallback):
                if not run.error:
                    by_program[run.program] = run
        return by_program

    # As the pipeline deploys them: in the region it exports as AWS_REGION (which the provider fills
    # every resource's region from), and, for programs deployed to LocalStack, with the AWS SDK's
    # endpoint variable pointing at the emulator. The programs and the pack read both.
    groups: dict[tuple[str, bool], list[Path]] = {}
    for program in found:
        groups.setdefault((pipeline.region_of(program), deployed_to_emulator(program)), []).append(program)
    by_program: dict[str, Run] = {}
    for (region, emulated), group in sorted(groups.items()):
        with _environment(AWS_REGION=region, AWS_DEFAULT_REGION=None,
                          **{EMULATOR_VARIABLE: EMULATOR_ENDPOINT if emulated else None}):
            by_program.update(run_group(group))
    return [by_program[p.name] for p in found]


@contextlib.contextmanager
def _environment(**values: str | None) -> Iterator[None]:
    """Set (or, for None, unset) environment variables of this process for the block."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        _set_environment(values)
        yield
    finally:
        _set_environment(saved)


def _set_environment(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def deployed_to_emulator(program: Path) -> bool:
    """Whether the program's ``metadata.json`` (next to ``Pulumi.yaml``) says it is deployed to
    LocalStack."""
    try:
        metadata = json.loads((program / "metadata.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(metadata, dict) and str(metadata.get("provider", "")).lower() == "localstack"


def run_of(program: str, report: Findings, seconds: float) -> Run:
    run = Run(program, report.exit_code, seconds)
    if report.failure is not None:
        run.error = f"error: {report.failure.message}"[:300]
    else:
        run.findings = to_json(report)["findings"]
        run.resources = len(report.resources)
    return run


def key(program: str, finding: dict[str, Any]) -> str:
    """``program|policy|resource name|digest of the message``: stable while the policy says the same
    thing about the same resource, stale (and so judged again) when the wording or the fix changes."""
    resource = finding.get("resource", {})
    name = resource.get("name", "") if isinstance(resource, dict) else ""
    text = str(finding.get("message", ""))
    return f"{program}|{finding['policy']}|{name}|{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def summarise(runs: list[Run], labels: dict[str, Any] | None) -> dict[str, Any]:
    per_policy: dict[str, dict[str, Any]] = collections.defaultdict(
        lambda: {"findings": 0, "mandatory": 0, "programs": set(), "true": 0, "false": 0, "unlabelled": 0})
    unlabelled: list[str] = []
    seen: set[str] = set()
    for run in runs:
        for f in run.findings:
            row = per_policy[f["policy"]]
            row["findings"] += 1
            row["mandatory"] += f.get("enforcementLevel") == "mandatory"
            row["programs"].add(run.program)
            if labels is None:
                continue
            k = key(run.program, f)
            seen.add(k)
            label = labels.get(k)
            if label is None:
                row["unlabelled"] += 1
                unlabelled.append(k)
            else:
                row["true" if label["true"] else "false"] += 1
    policies = {name: {**row, "programs": len(row["programs"])} for name, row in sorted(per_policy.items())}
    ran = [r for r in runs if not r.error]
    return {
        "programs": len(runs), "ran": len(ran), "failed": {r.program: r.error for r in runs if r.error},
        "resources": sum(r.resources for r in ran), "findings": sum(len(r.findings) for r in ran),
        "perPolicy": policies,
        "perProgram": {r.program: len(r.findings) for r in ran},
        "unlabelled": unlabelled,
        "stale": sorted(set(labels) - seen) if labels is not None else [],
        "seconds": round(sum(r.seconds for r in runs), 1),
    }


def print_summary(summary: dict[str, Any], labelled: bool, out: Any = sys.stdout) -> None:
    print(f"programs {summary['programs']}, ran {summary['ran']}, failed {len(summary['failed'])}, "
          f"resources {summary['resources']}, findings {summary['findings']}", file=out)
    header = f"{'policy':40} {'findings':>8} {'mand.':>6} {'progs':>6}"
    if labelled:
        header += f" {'true':>5} {'false':>5} {'unlab.':>6} {'share':>6}"
    print(header, file=out)
    for name, row in summary["perPolicy"].items():
        line = f"{name:40} {row['findings']:8} {row['mandatory']:6} {row['programs']:6}"
        if labelled:
            judged = row["true"] + row["false"]
            share = f"{row['true'] / judged:.2f}" if judged else "-"
            line += f" {row['true']:5} {row['false']:5} {row['unlabelled']:6} {share:>6}"
        print(line, file=out)
    counts = sorted(summary["perProgram"].values())
    if counts:
        print(f"findings per program: median {counts[len(counts) // 2]}, max {counts[-1]}, "
              f"zero in {counts.count(0)}", file=out)
    for program, error in sorted(summary["failed"].items()):
        print(f"failed {program}: {error}", file=out)
    if labelled and summary["stale"]:
        print(f"{len(summary['stale'])} labels match no finding (stale)", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.realworld", description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", metavar="DIR")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-preview", dest="preview", action="store_false")
    parser.add_argument("--both", action="store_true", help="run as a preview and as an update")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--labels", type=Path)
    parser.add_argument("--json", type=Path, help="write the summary and every finding here")
    parser.add_argument("--policy-config", help="passed to check")
    parser.add_argument("--python-fallback", metavar="PATH",
                        help="run the programs that fail again with this interpreter (with pulumi and pulumi-aws "
                             "installed), e.g. a Python 3.12 for programs that need it")
    parser.add_argument("--environment-suffix", default="",
                        help="deploy as the pull-request pipeline does (benchmarks/pipeline.py): ENVIRONMENT_SUFFIX "
                             "set to this (e.g. pr123), the stack TapStack<suffix> and the config the pipeline sets "
                             "there; the programs run from copies that hold that stack's file")
    args = parser.parse_args(argv)
    found = programs(args.paths)
    os.environ.pop("ENVIRONMENT_SUFFIX", None)
    stack = "dev"
    with tempfile.TemporaryDirectory() as copies:
        if args.environment_suffix:
            os.environ["ENVIRONMENT_SUFFIX"] = args.environment_suffix
            found = [_copy(p, Path(copies)) for p in found]
            stack = pipeline.stack_of(args.environment_suffix)
            for copy in found:
                pipeline.prepare(copy, args.environment_suffix)
        return _run_modes(args, found, stack)


def _copy(program: Path, into: Path) -> Path:
    """A copy of the program, under its own folder name (the findings' keys name it)."""
    target = into / program.name
    shutil.copytree(program, target, symlinks=True, ignore=shutil.ignore_patterns("venv", ".venv", "node_modules"))
    return target


def _run_modes(args: argparse.Namespace, found: list[Path], stack: str) -> int:
    labels = json.loads(args.labels.read_text()) if args.labels else None
    modes = [True, False] if args.both else [args.preview]
    results = {}
    for preview in modes:
        mode = "preview" if preview else "update"
        if args.both:
            print(f"== {mode}")
        runs = run_all(found, preview, args.timeout, args.policy_config, stack, args.jobs, args.python_fallback)
        summary = summarise(runs, labels)
        print_summary(summary, labels is not None)
        detail = {r.program: [{"key": key(r.program, f), "level": f.get("enforcementLevel"),
                               "type": f.get("resource", {}).get("type"), "location": f.get("location"),
                               "message": f.get("message")} for f in r.findings] for r in runs}
        results[mode] = {"summary": summary, "findings": detail}
    if args.both:
        print("ran/failed per mode: " + ", ".join(f"{mode} {r['summary']['ran']}/{len(r['summary']['failed'])}"
                                                  for mode, r in results.items()))
    if args.json:
        document = results if args.both else next(iter(results.values()))
        args.json.write_text(json.dumps(document, indent=1, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
