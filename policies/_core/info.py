"""What ``GetAnalyzerInfo`` tells the engine and Pulumi Cloud about the pack and each policy.

Pulumi Cloud shows the pack's display name, provider, tags, repository and readme, and per
policy its display name, framework control and a link to its documentation. The readme is the
README's generated policy section (``tools/policy_docs.py``), and each policy's ``url`` is that
section's anchor in the README: by default the README shipped with the pack (a ``file://`` URL,
which resolves wherever the pack runs), or under ``AWS_CONVENTIONS_DOCS_URL`` when the README is
published elsewhere (``https://git.example.com/platform/aws-conventions/blob/main/README.md``).
``AWS_CONVENTIONS_REPOSITORY`` sets the repository link the same way.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from .policy import Policy

PACK_DIR = Path(__file__).resolve().parents[2]
README = PACK_DIR / "README.md"
DOCS_ENV = "AWS_CONVENTIONS_DOCS_URL"
REPOSITORY_ENV = "AWS_CONVENTIONS_REPOSITORY"
POLICY_DOCS_BEGIN = "<!-- policy-table:begin"
POLICY_DOCS_END = "<!-- policy-table:end -->"

DISPLAY_NAME = "AWS conventions"
PROVIDER = "aws"
TAGS = ("aws", "python", "multi-environment", "iam", "observability", "cost")


class About(NamedTuple):  # not a dataclass, which would take several times longer to define at startup
    """What Pulumi Cloud shows of a pack besides its policies: this pack's, unless a pack built on
    it gives its own (``PolicyPack(display_name=..., readme=..., ...)``, as in the SDK)."""

    display_name: str = DISPLAY_NAME
    provider: str = PROVIDER
    tags: tuple[str, ...] = TAGS
    readme: str | None = None
    """None: this pack's generated policy documentation (:func:`readme`)."""
    repository: str | None = None
    """None: ``AWS_CONVENTIONS_REPOSITORY`` (:func:`repository`)."""

    def readme_text(self) -> str:
        return readme() if self.readme is None else self.readme

    def repository_url(self) -> str:
        return repository() if self.repository is None else self.repository


_WORDS = {"iam": "IAM", "kms": "KMS", "xray": "X-Ray", "dynamodb": "DynamoDB", "rds": "RDS", "ecr": "ECR",
          "s3": "S3", "url": "URL", "auth": "authorization"}


def display_name(policy: Policy) -> str:
    """The policy's own display name, else its name in words (``iam-least-privilege``: IAM least privilege)."""
    if policy.display_name:
        return policy.display_name
    words = [_WORDS.get(w, w) for w in policy.name.split("-")]
    first = words[0]
    return " ".join([first[:1].upper() + first[1:], *words[1:]])


def docs_base(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get(DOCS_ENV, "").strip() or README.as_uri()


def repository(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get(REPOSITORY_ENV, "").strip()


@lru_cache(maxsize=1)
def readme() -> str:
    """The generated policy documentation, or '' when the README is not shipped with the pack."""
    try:
        text = README.read_text(encoding="utf-8")
    except OSError:
        return ""
    start, end = text.find(POLICY_DOCS_BEGIN), text.find(POLICY_DOCS_END)
    if start < 0 or end < 0:
        return ""
    body = text[text.index("\n", start) + 1:end].strip()
    return f"# {DISPLAY_NAME}\n\n{body}\n"
