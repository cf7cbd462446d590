"""How long the IAM policies take on a 5,000-statement policy document.

Run: ``python -m benchmarks.iam_document`` (a script, not a test). It prints:

* cold: a fresh interpreter with the pack imported, catalogue not yet read; one resource analyzed;
* warm: catalogue and expansion caches filled, a new document text (so it is parsed again);
* repeat: the same document text again (several policies of the pack read it in turn).

Each figure is the best of ``--repeat`` runs, through ``Analyzer.analyze_resource`` with every
policy of the registry that applies to ``aws:iam/rolePolicy:RolePolicy``, as the engine calls it.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STATEMENTS = 5_000
TYPE = "aws:iam/rolePolicy:RolePolicy"

_SCOPED = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "s3:GetObject", "s3:PutObject",
           "s3:ListBucket", "sqs:SendMessage", "sqs:ReceiveMessage", "sns:Publish", "kms:Decrypt",
           "secretsmanager:GetSecretValue", "lambda:InvokeFunction", "logs:CreateLogStream",
           "logs:PutLogEvents", "ssm:GetParameter", "states:StartExecution", "events:PutEvents"]
_STAR_ONLY = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "cloudwatch:PutMetricData",
              "ec2:DescribeInstances", "sts:GetCallerIdentity", "ecr:GetAuthorizationToken"]
_PATTERNS = ["s3:Get*", "dynamodb:Batch*", "sqs:*Message*", "logs:Describe*", "kms:Generate*"]
_TYPOS = ["dynamodb:PutItems", "s3:GetObjekt", "dynamdb:GetItem", "dynamodb:Putitem"]


def document(statements: int = STATEMENTS, seed: int = 7, tag: str = "S") -> str:
    """A deterministic document mixing every shape the policies look at."""
    rng = random.Random(seed)
    out = []
    for i in range(statements):
        roll = rng.random()
        st: dict = {"Sid": f"{tag}{i}", "Effect": "Allow"}
        if roll < 0.40:
            st["Action"] = rng.sample(_SCOPED, 3)
            st["Resource"] = [f"arn:aws:dynamodb:us-east-1:123456789012:table/t{i}"]
        elif roll < 0.60:
            st["Action"] = rng.sample(_SCOPED, 2)
            st["Resource"] = "*"
        elif roll < 0.75:
            st["Action"] = rng.sample(_STAR_ONLY, 2)
            st["Resource"] = "*"
        elif roll < 0.85:
            st["Action"] = rng.choice(_PATTERNS)
            st["Resource"] = "*"
        elif roll < 0.90:
            st["Action"] = [rng.choice(_TYPOS), rng.choice(_SCOPED)]
            st["Resource"] = [f"arn:aws:s3:::bucket-{i}/*"]
        elif roll < 0.95:
            st["Effect"] = "Deny"
            st["Action"] = "*"
            st["Resource"] = "*"
            st["Condition"] = {"Bool": {"aws:SecureTransport": "false"}}
        else:
            st["Action"] = ["iam:PassRole", "s3:*"]
            st["Resource"] = "*"
        out.append(st)
    return json.dumps({"Version": "2012-10-17", "Statement": out})


def _analyzer():
    from policies import POLICIES
    from policies._core.analyzer import Analyzer
    from policies._core.context import StackContext

    return Analyzer("aws-conventions", POLICIES, stack=StackContext(stack="dev", project="bench"))


def _timed(analyzer, text: str) -> tuple[float, int]:
    from policies._core.resource import Resource

    resource_ = Resource.of(TYPE, {"role": "app-role-dev", "policy": text}, name="app-policy-dev")
    start = time.perf_counter()
    findings = analyzer.analyze_resource(resource_)
    return time.perf_counter() - start, len(findings)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cold_child() -> None:
    """Runs in a fresh interpreter: imports the pack, then times the first analysis."""
    analyzer = _analyzer()
    from policies.iam import catalogue

    assert not catalogue.is_loaded()
    text = document()
    seconds, count = _timed(analyzer, text)
    print(json.dumps({"seconds": seconds, "findings": count, "services": len(catalogue.loaded_services()),
                      "peak_rss_mb": _rss_mb()}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (the best is shown)")
    parser.add_argument("--cold-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cold_child:
        cold_child()
        return 0

    colds = []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-m", "benchmarks.iam_document", "--cold-child"], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        colds.append(json.loads(out.stdout))
    best = min(colds, key=lambda c: c["seconds"])

    analyzer = _analyzer()
    _timed(analyzer, document(tag="W"))  # fill the catalogue and expansion caches
    warm = min(_timed(analyzer, document(tag=f"N{i}"))[0] for i in range(args.repeat))
    text = document(tag="R")
    _timed(analyzer, text)
    repeat, findings = min(_timed(analyzer, text) for _ in range(args.repeat))
    size = len(document()) / 1024

    print(f"document: {STATEMENTS} statements, {size:.0f} KiB of JSON; {findings} findings "
          f"(policies cap findings per document)")
    print(f"cold   (fresh process, catalogue not read): {best['seconds'] * 1000:7.1f} ms; "
          f"{best['services']} services read; peak RSS {best['peak_rss_mb']:.1f} MB")
    print(f"warm   (catalogue read, new document text): {warm * 1000:7.1f} ms")
    print(f"repeat (same document text):                {repeat * 1000:7.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
