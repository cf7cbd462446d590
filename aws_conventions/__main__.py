"""``python -m aws_conventions check PROGRAM [PROGRAM ...]``: check Pulumi programs against the pack, offline.

Exit status: 0 when there is no violation or only advisory ones, 1 on a mandatory violation or a
mandatory project mistake, 2 on a usage error or when a program could not be checked: it failed (one
line saying so, what the project checks found and the known cause with its fix, else the program's
traceback), timed out, printed what the runner cannot read, or registered no resources. With several
programs the status is the worst of theirs, 2 above 1: one program that could not be checked makes it
2 even when another has a mandatory violation. Interrupted (SIGINT, SIGTERM): 128 + the signal.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from .installation import requirements_problem

try:
    from .engine import PACK_DIR
    from .findings import Findings
    from .report import declared_lines, exit_code, failure_lines, render, section, summary_lines
    from .runner import Progress, check_all
except ImportError:  # grpc, protobuf or pulumi, which the runner needs as well as the pack
    if (problem := requirements_problem()) is None:
        raise
    print(f"error: {problem}", file=sys.stderr)
    sys.exit(2)

DEFAULT_TIMEOUT = 300.0

EPILOG = """\
examples:
  python -m aws_conventions check examples/compliant
  python -m aws_conventions check . --stack pr123 --config environmentSuffix=pr123
  python -m aws_conventions check infra --policy-config policy-config.json --format sarif --output policies.sarif
  python -m aws_conventions check services/* --timeout 120
  python -m aws_conventions check infra --pack ../team-pack

exit status: 0 clean or advisory findings only, 1 a mandatory violation, 2 a usage error or a program that
could not be checked (with several programs: the worst of theirs, 2 above 1)
"""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m aws_conventions",
        description="Check Pulumi Python programs against the aws-conventions policy pack, without the "
                    "Pulumi CLI, AWS credentials or a stack.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cmd = commands.add_parser(
        "check", help="run programs under mocks and evaluate the pack on them",
        description="Run Pulumi Python programs under the SDK's mocks (as a first `pulumi preview` "
                    "would: provider-computed outputs are unknown) and evaluate the pack on every "
                    "resource, as the engine does. A program runs with your privileges and environment: "
                    "check only code you would run.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    cmd.add_argument("programs", nargs="+", metavar="PROGRAM",
                     help="a directory with Pulumi.yaml (its main: is honoured) or a Python file; several "
                          "are checked one after another, with one report")
    cmd.add_argument("--stack", "-s", metavar="NAME",
                     help="stack name; config comes from Pulumi.NAME.yaml (default: dev, or the only stack file)")
    cmd.add_argument("--config", "-c", metavar="KEY=VALUE", action="append", default=[],
                     help="set a config value (bare keys get the project's namespace); repeatable")
    cmd.add_argument("--policy-config", metavar="FILE",
                     help="a JSON file as `pulumi preview --policy-pack-config` takes: "
                          '{"policy-name": "mandatory" | {"enforcementLevel": ..., "field": value}}')
    cmd.add_argument("--no-preview", dest="preview", action="store_false",
                     help="run as an update: ids, ARNs and other computed outputs are known (synthetic)")
    cmd.add_argument("--keep-going", "-k", action="store_true",
                     help="when a program fails for a cause the runner explains and knows the fix of (an argument "
                          "a class does not take, json.dumps of an Output), apply that fix and run it again, so "
                          "that one check reports every such failure and the policies' findings behind them")
    cmd.add_argument("--format", "-f", choices=("text", "json", "sarif"), default="text",
                     help="output format (default: text)")
    cmd.add_argument("--output", "-o", metavar="FILE",
                     help="write the report to FILE instead of stdout (also when a program cannot be checked)")
    cmd.add_argument("--pack", metavar="DIR", type=Path, default=PACK_DIR,
                     help="the policy pack to evaluate: a directory with __main__.py and PulumiPolicy.yaml, "
                          "such as a pack built on this one (default: this pack)")
    cmd.add_argument("--python", metavar="PATH",
                     help="interpreter that runs the programs (default: the virtualenv Pulumi.yaml "
                          "names if it exists, else this one)")
    cmd.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                     help=f"stop a program whose check takes longer, with its processes (default: "
                          f"{DEFAULT_TIMEOUT:g}; 0: no limit)")
    cmd.add_argument("--quiet", "-q", action="store_true", help="no progress output on stderr")
    return top


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds (0: no limit), got {text!r}")
    return value


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    if (problem := requirements_problem()) is not None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    if not (args.pack / "__main__.py").is_file():
        print(f"error: {args.pack} is not a policy pack (no __main__.py)", file=sys.stderr)
        return 2
    several = len(args.programs) > 1
    # With several programs, the text report goes out program by program; each error is in its section.
    streamed = several and args.format == "text" and not args.output

    def on_report(report: Findings) -> None:
        if streamed:
            sys.stdout.write(section(report))
            sys.stdout.flush()
        elif report.failure is not None:
            print("\n".join(failure_lines(report)), file=sys.stderr, flush=True)

    try:
        with _signals_stop():
            reports = check_all(args.programs, stack=args.stack, config=args.config,
                                policy_config=args.policy_config, preview=args.preview, python=args.python,
                                pack_dir=args.pack.resolve(), progress=None if args.quiet else Progress(),
                                timeout=args.timeout or None, on_report=on_report,
                                keep_going=args.keep_going)
    except _Stopped as e:
        print(f"interrupted ({signal.Signals(e.signum).name}): stopped the programs and the policy pack",
              file=sys.stderr)
        return 128 + e.signum
    code = exit_code(reports)
    if streamed:
        sys.stdout.write("\n".join(summary_lines(reports)) + "\n")
        return code
    if not several and reports[0].failure is not None and (args.format == "text" and not args.output):
        before = declared_lines(reports[0])  # the error is on stderr; what preview reports beside it on stdout
        if before:
            sys.stdout.write("\n".join(before) + "\n")
        return code
    try:
        wrote = _write(args, render(reports if several else reports[0], args.format))
    except OSError as e:
        print(f"error: cannot write the report to {args.output}: {e.strerror}", file=sys.stderr)
        return 2
    if several:
        if wrote:
            print(f"wrote {args.output}", file=sys.stderr)
        print("\n".join(summary_lines(reports)), file=sys.stderr)
    elif wrote and reports[0].failure is None:
        findings = reports[0]
        print(f"wrote {args.output}: {len(findings.mandatory)} mandatory and {len(findings.advisory)} "
              f"advisory findings", file=sys.stderr)
    return code


def _write(args: argparse.Namespace, report: str) -> bool:
    """The report to ``--output`` (then True) or stdout."""
    if args.output:
        Path(args.output).write_text(report, encoding="utf-8")
        return True
    sys.stdout.write(report)
    return False


class _Stopped(BaseException):
    """SIGINT or SIGTERM reached the runner: unwinding stops the programs and the pack."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _signals_stop() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into :class:`_Stopped`, so that the clean-up on the way out runs (by
    default SIGTERM ends the process at once). The first signal wins; later ones are ignored while the
    runner cleans up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    watched = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.getsignal(s) for s in watched}

    def stop(signum: int, frame: FrameType | None) -> None:
        for s in watched:
            signal.signal(s, signal.SIG_IGN)
        raise _Stopped(signum)

    for s in watched:
        signal.signal(s, stop)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


if __name__ == "__main__":
    sys.exit(main())
