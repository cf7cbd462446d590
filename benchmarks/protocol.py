"""Benchmark over the engine's protocol: this pack against the stock pulumi-policy path.

Every pack is started as the engine starts it and driven over gRPC with the same requests:

* ``bare``: an Analyzer that answers with empty responses (the protocol's own cost);
* ``noop``: one resource and one stack policy that do nothing, on the stock SDK path (baseline);
* ``stock``: this pack's policies wrapped in the stock SDK's classes;
* ``pack``: this pack.

Printed per stack size: startup (process start to GetAnalyzerInfo answered, best of
``--startups`` interleaved starts), Analyze total and per resource, AnalyzeStack, and peak memory
(VmHWM) of the pack process, with ratios to ``noop``. Times are the best of ``--repeat`` runs,
interleaved across packs so that a noisy moment hits each alike. Usage::

    python -m benchmarks.protocol --sizes 5000 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import compileall
import json
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from aws_conventions.engine import PACK_DIR, PackProcess
from benchmarks import synthetic

HERE = Path(__file__).resolve().parent
PACKS = {"bare": HERE / "bare_pack", "noop": HERE / "noop_pack", "stock": HERE / "stock_pack", "pack": PACK_DIR}


@dataclass
class Result:
    pack: str
    size: int
    startup_s: float
    analyze_s: float
    analyze_stack_s: float
    peak_mb: float
    diagnostics: int

    @property
    def per_resource_us(self) -> float:
        return self.analyze_s / self.size * 1e6


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run_once(name: str, size: int, planned: list[synthetic.Planned]) -> Result:
    with PackProcess(PACKS[name], stack=synthetic.STACK, project=synthetic.PROJECT,
                     stack_config={"aws:region": "us-east-1"}) as pack:
        startup = pack.startup_seconds
        pack.configure_stack()
        pack.configure({})
        requests = [pack.analyze_request(p.type, p.props, name=p.name, urn=p.urn)
                    for p in planned if not p.type.startswith("tap:")]
        stack_request = pack.stack_request(synthetic.stack_resources(planned))
        stub = pack.stub
        for request in requests[:200]:
            stub.Analyze(request)
        diagnostics = 0
        began = time.perf_counter()
        for request in requests:
            diagnostics += len(stub.Analyze(request).diagnostics)
        analyze = time.perf_counter() - began
        began = time.perf_counter()
        diagnostics += len(stub.AnalyzeStack(stack_request, timeout=600).diagnostics)
        analyze_stack = time.perf_counter() - began
        peak = _peak_mb(pack.pid)
    return Result(name, size, startup, analyze, analyze_stack, peak, diagnostics)


def measure_startup(packs: list[str], count: int) -> dict[str, float]:
    """Best of ``count`` interleaved starts per pack: process start to GetAnalyzerInfo answered."""
    seen: dict[str, list[float]] = {name: [] for name in packs}
    for i in range(count):
        print(f"startup {i + 1}/{count}", file=sys.stderr)
        for name in packs:
            with PackProcess(PACKS[name]) as pack:
                seen[name].append(pack.startup_seconds)
    return {name: min(times) for name, times in seen.items()}


def best(results: list[Result]) -> Result:
    first = results[0]
    return Result(first.pack, first.size, min(r.startup_s for r in results), min(r.analyze_s for r in results),
                  min(r.analyze_stack_s for r in results), min(r.peak_mb for r in results), first.diagnostics)


def report(rows: list[Result]) -> str:
    base = {r.size: r for r in rows if r.pack == "noop"}
    lines = [f"{'pack':<6} {'size':>6} {'startup ms':>11} {'Analyze s':>10} {'us/res':>8} "
             f"{'Stack s':>8} {'peak MB':>8} {'diags':>6} | {'x startup':>9} {'x Analyze':>9} "
             f"{'x Stack':>8} {'x memory':>8}"]
    for r in rows:
        b = base.get(r.size)
        ratios = "" if b is None else (
            f"{r.startup_s / b.startup_s:>9.2f} {r.analyze_s / b.analyze_s:>9.2f} "
            f"{r.analyze_stack_s / b.analyze_stack_s:>8.2f} {r.peak_mb / b.peak_mb:>8.2f}")
        lines.append(f"{r.pack:<6} {r.size:>6} {r.startup_s * 1000:>11.0f} {r.analyze_s:>10.2f} "
                     f"{r.per_resource_us:>8.0f} {r.analyze_stack_s:>8.3f} {r.peak_mb:>8.1f} "
                     f"{r.diagnostics:>6} | {ratios}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 20000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--packs", nargs="+", default=list(PACKS), choices=list(PACKS))
    parser.add_argument("--startups", type=int, default=15,
                        help="starts per pack for the startup figure (it does not depend on the stack size)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    # Installed packages (pulumi_policy among them) come with bytecode compiled by pip; compile
    # the pack's own modules too, so that startup compares like with like.
    for package in ("policies", "aws_conventions", "benchmarks"):
        compileall.compile_dir(PACK_DIR / package, quiet=1)
    rows = []
    for size in args.sizes:
        planned = synthetic.plan(size)
        for rep in range(args.repeat):
            for name in args.packs:  # interleaved, so a noisy moment hits every pack alike
                print(f"size {size} run {rep + 1}/{args.repeat}: {name}", file=sys.stderr)
                rows.append(run_once(name, size, planned))
    startup = measure_startup(args.packs, args.startups)
    merged = [best([r for r in rows if r.pack == name and r.size == size])
              for size in args.sizes for name in args.packs]
    for r in merged:
        r.startup_s = startup[r.pack]
    print(report(merged))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in merged], indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
