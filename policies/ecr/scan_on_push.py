"""ecr-scan-on-push: ECR repositories scan every image for vulnerabilities when it is pushed.

Why: without scan on push an image's known CVEs are found only when someone starts a scan by
hand. Basic scanning costs nothing.

Reported: a repository whose ``imageScanningConfiguration.scanOnPush`` is not ``true`` (false, not
set, or no block).

Not reported: a ``scanOnPush`` unknown during a preview; repositories whose logical or physical name
matches ``exemptRepositories``. A registry-wide scanning configuration
(``aws.ecr.RegistryScanningConfiguration``) overrides the repository setting, but this policy checks
only the repository's own setting, so such a registry still needs the repository's flag or an
exemption.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from .._core.flags import Flag
from .._core.policy import FSBP, MANDATORY, Finding, Framework, Option, PolicyContext, ResourcePolicy
from .._core.resource import Resource

REPOSITORY = "aws:ecr/repository:Repository"
FIX = "image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True)"
SCAN_ON_PUSH = Flag(("imageScanningConfiguration", "scanOnPush"), True, FIX,
                    "not set (images are scanned only on request)")


def check(resource: Resource, ctx: PolicyContext) -> Iterator[Finding]:
    if resource.name_matches(ctx.config["exemptRepositories"]):
        return
    found = SCAN_ON_PUSH.finding(resource)
    if found is not None:
        yield found


def remediate(resource: Resource, ctx: PolicyContext) -> Mapping[str, Any] | None:
    if resource.name_matches(ctx.config["exemptRepositories"]):
        return None
    return SCAN_ON_PUSH.remediation(resource)



POLICY = ResourcePolicy(
    name="ecr-scan-on-push",
    description="ECR repositories scan images for vulnerabilities on push.",
    severity="medium",
    enforcement_level=MANDATORY,
    remediation_steps=(
        "Set image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True) "
        "on aws.ecr.Repository. For enhanced (Inspector) scanning of every repository use "
        "aws.ecr.RegistryScanningConfiguration instead."),
    tags=("security", "containers", "ecr"),
    framework=Framework(FSBP, "1.0.0", "ECR.1", "ECR private repositories should have image scanning configured"),
    types=frozenset({REPOSITORY}),
    options=(
        Option("exemptRepositories", "array", [],
               "Glob patterns of logical or physical repository names that need not scan on push.",
               {"items": {"type": "string"}}),
    ),
    check=check,
    remediate=remediate,
)
