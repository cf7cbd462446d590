"""``python -m aws_conventions check PROGRAM``: check a Pulumi program against the pack, offline.

Exit status: 0 when there is no violation or only advisory ones, 1 on a mandatory violation or a
mandatory project mistake, 2 on a usage error or when the program fails (one line saying so, what the
project checks found and the known cause with its fix, else the program's traceback).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .installation import requirements_problem

try:
    from .engine import PACK_DIR, PackStartError
    from .findings import Diagnosis
    from .report import diagnosis_lines, render
    from .runner import ProgramError, Progress, UsageError, check
except ImportError:  # grpc, protobuf or pulumi, which the runner needs as well as the pack
    if (problem := requirements_problem()) is None:
        raise
    print(f"error: {problem}", file=sys.stderr)
    sys.exit(2)

EXIT_OK, EXIT_VIOLATION, EXIT_ERROR = 0, 1, 2

EPILOG = """\
examples:
  python -m aws_conventions check examples/compliant
  python -m aws_conventions check . --stack pr123 --config environmentSuffix=pr123
  python -m aws_conventions check infra --policy-config policy-config.json --format sarif --output policies.sarif
  python -m aws_conventions check infra --pack ../team-pack

exit status: 0 clean or advisory findings only, 1 a mandatory violation, 2 a usage error or a failing program
"""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m aws_conventions",
        description="Check Pulumi Python programs against the aws-conventions policy pack, without the "
                    "Pulumi CLI, AWS credentials or a stack.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cmd = commands.add_parser(
        "check", help="run a program under mocks and evaluate the pack on it",
        description="Run a Pulumi Python program under the SDK's mocks (as a first `pulumi preview` "
                    "would: provider-computed outputs are unknown) and evaluate the pack on every "
                    "resource, as the engine does.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    cmd.add_argument("program", metavar="PROGRAM",
                     help="a directory with Pulumi.yaml (its main: is honoured) or a Python file")
    cmd.add_argument("--stack", "-s", metavar="NAME",
                     help="stack name; config comes from Pulumi.NAME.yaml (default: dev, or the only stack file)")
    cmd.add_argument("--config", "-c", metavar="KEY=VALUE", action="append", default=[],
                     help="set a config value (bare keys get the project's namespace); repeatable")
    cmd.add_argument("--policy-config", metavar="FILE",
                     help="a JSON file as `pulumi preview --policy-pack-config` takes: "
                          '{"policy-name": "mandatory" | {"enforcementLevel": ..., "field": value}}')
    cmd.add_argument("--no-preview", dest="preview", action="store_false",
                     help="run as an update: ids, ARNs and other computed outputs are known (synthetic)")
    cmd.add_argument("--format", "-f", choices=("text", "json", "sarif"), default="text",
                     help="output format (default: text)")
    cmd.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    cmd.add_argument("--pack", metavar="DIR", type=Path, default=PACK_DIR,
                     help="the policy pack to evaluate: a directory with PulumiPolicy.yaml, such as a pack "
                          "built on this one (default: this pack)")
    cmd.add_argument("--python", metavar="PATH",
                     help="interpreter that runs the program (default: the virtualenv Pulumi.yaml "
                          "names if it exists, else this one)")
    cmd.add_argument("--quiet", "-q", action="store_true", help="no progress output on stderr")
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    if not (args.pack / "PulumiPolicy.yaml").is_file():
        print(f"error: {args.pack} is not a policy pack (no PulumiPolicy.yaml)", file=sys.stderr)
        return EXIT_ERROR
    try:
        findings = check(args.program, stack=args.stack, config=args.config, policy_config=args.policy_config,
                         preview=args.preview, python=args.python, pack_dir=args.pack.resolve(),
                         progress=None if args.quiet else Progress())
    except UsageError as e:
        print(f"error: {e}", file=sys.stderr)
        _explain(getattr(e, "diagnoses", []))
        report = getattr(e, "findings", None)
        if report is not None and args.format != "text":
            _write(args, render(report, args.format))
        return EXIT_ERROR
    except ProgramError as e:
        print(f"error: {e.summary}", file=sys.stderr)
        explained = _explain(e.diagnoses)
        if e.details and not explained:
            print(e.details, file=sys.stderr)
        if e.findings is not None and args.format != "text":
            _write(args, render(e.findings, args.format))
        return EXIT_ERROR
    except PackStartError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_ERROR
    if _write(args, render(findings, args.format)):
        print(f"wrote {args.output}: {len(findings.mandatory)} mandatory and {len(findings.advisory)} "
              f"advisory findings", file=sys.stderr)
    return EXIT_OK if findings.passed else EXIT_VIOLATION


def _write(args: argparse.Namespace, report: str) -> bool:
    """The report to ``--output`` (then True) or stdout."""
    if args.output:
        Path(args.output).write_text(report, encoding="utf-8")
        return True
    sys.stdout.write(report)
    return False


def _explain(diagnoses: list[Diagnosis]) -> bool:
    """The project checks' findings and the failure's known cause on stderr; True when one explains
    the failure, which then stands instead of the traceback."""
    if diagnoses:
        print("\n".join(diagnosis_lines(diagnoses)), file=sys.stderr)
    return any(d.cause for d in diagnoses)


if __name__ == "__main__":
    sys.exit(main())
