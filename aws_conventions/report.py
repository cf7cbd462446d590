"""The runner's output formats: text like ``pulumi preview``'s Policies section, JSON, and SARIF 2.1.0.

The JSON document (``to_json``) is a stable interface, versioned by ``schemaVersion``; fields are only
ever added within a version. Version 1::

    {
      "schemaVersion": 1,
      "pack": {"name": "aws-conventions", "version": "0.1.0"},
      "program": {"path": "examples/compliant", "entry": "tap.py", "project": "tap-compliant",
                  "stack": "dev", "preview": true},
      "summary": {"passed": true, "resources": 21, "findings": 0, "mandatory": 0, "advisory": 0,
                  "waived": 0, "remediated": 0, "diagnoses": 0},
      "findings": [{
          "policy": "xray-tracing", "enforcementLevel": "advisory", "severity": "medium",
          "resource": {"urn": "urn:pulumi:...", "type": "aws:lambda/function:Function", "name": "api-dev"},
          "location": {"file": "lib/tap_stack.py", "line": 42},
          "message": "aws:lambda/function:Function 'api-dev': tracingConfig.mode is ...",
          "description": "Lambda functions, API Gateway REST stages and ..."}],
      "waived": [{"policy": ..., "reason": ..., "resource": {...}, "location": {...}}],
      "remediations": [{"policy": ..., "resource": {...}, "location": {...},
                        "changes": [{"property": "retentionInDays", "from": "not set", "to": "14"}]}],
      "resources": [{"urn": ..., "type": ..., "name": ..., "kind": "custom", "parent": ..., "location": {...}}],
      "timing": {"programSeconds": 1.9, "policySeconds": 0.1},
      "diagnoses": [{"check": "project-config", "enforcementLevel": "mandatory",
                     "location": {"file": "Pulumi.yaml", "line": 7}, "message": "Pulumi.yaml config ...",
                     "fix": "set it as a value: ...", "cause": ""}],
      "workedAround": [],
      "error": null
    }

``diagnoses`` are the project checks' findings and the explanation of a failed program
(``aws_conventions/diagnose``); ``cause`` is the error line a diagnosis explains, empty for a project
check. ``summary.diagnoses`` counts them; a mandatory one makes ``passed`` false. ``workedAround`` lists
the failures (one line each) that ``check --keep-going`` ran past by applying the fix their diagnosis
gives: the program fails in ``pulumi preview`` at the first of them.

``error`` is ``null`` when the program was checked. When it could not be (exit status 2), ``error`` is
``{"kind": ..., "message": ..., "details": ...}``: ``kind`` is ``usage`` (the check could not start),
``program`` (the program failed, printed what the runner cannot read, or registered no resources),
``timeout`` or ``pack``; ``message`` is the one line the runner prints; ``details`` the program's
traceback or last output, or empty. ``passed`` is then false, and the report has ``diagnoses`` and,
for a program that raised after it declared resources, those resources and the resource policies'
findings on them, as ``pulumi preview`` reports them beside the error (no stack policy runs); else no
findings or resources.

Checking several programs gives one document that holds each program's document, in order::

    {"schemaVersion": 1,
     "summary": {"passed": false, "exitCode": 2, "programs": 3, "checked": 2, "mandatory": 4,
                 "advisory": 1},
     "programs": [{...}, {...}, {...}]}

``exitCode`` is the worst of the programs' exit statuses, with a program that could not be checked
(2) above a mandatory violation (1).

``location`` is ``null`` when unknown; ``file`` is relative to the program's directory (the one that
holds ``Pulumi.yaml``). ``kind`` is ``custom``, ``component``, ``provider``, ``stack`` or ``read``.
``enforcementLevel`` is ``mandatory`` or ``advisory`` (``remediate`` policies report as mandatory,
as the engine does). Findings are sorted by resource URN, then policy, then message; resources by URN.
``timing`` varies from run to run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .diagnose import CHECKS
from .findings import LEVEL_RANK, SEVERITY_RANK, Diagnosis, Finding, Findings, Location, PolicyInfo

SCHEMA_VERSION = 1
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_SARIF_LEVEL = {"mandatory": "error", "remediate": "error", "advisory": "warning", "disabled": "none"}
_SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


# -- JSON ----------------------------------------------------------------------------------


def _location(location: Location | None) -> dict[str, Any] | None:
    return {"file": location.file, "line": location.line} if location else None


def _resource(urn: str, type_: str, name: str) -> dict[str, str]:
    return {"urn": urn, "type": type_, "name": name}


def _entry(findings: Findings) -> str | None:
    source = findings.program.source
    if source is None:
        return None
    try:
        return source.resolve().relative_to(findings.program.root.resolve()).as_posix()
    except ValueError:
        return source.name


def to_json(findings: Findings) -> dict[str, Any]:
    """The findings as the documented JSON document (see the module docstring)."""
    program = findings.program
    return {
        "schemaVersion": SCHEMA_VERSION,
        "pack": {"name": findings.pack_name, "version": findings.pack_version},
        "program": {"path": program.display, "entry": _entry(findings), "project": program.project,
                    "stack": findings.stack, "preview": findings.preview},
        "summary": {"passed": findings.passed, "resources": len(findings.resources),
                    "findings": len(findings), "mandatory": len(findings.mandatory),
                    "advisory": len(findings.advisory), "waived": len(findings.waived),
                    "remediated": len(findings.remediations), "diagnoses": len(findings.diagnoses)},
        "findings": [{
            "policy": f.policy, "enforcementLevel": f.level, "severity": f.severity,
            "resource": _resource(f.urn, f.resource_type, f.resource_name),
            "location": _location(f.location), "message": f.message, "description": f.description,
        } for f in findings],
        "waived": [{"policy": w.policy, "reason": w.reason,
                    "resource": _resource(w.urn, w.resource_type, w.resource_name),
                    "location": _location(w.location)} for w in findings.waived],
        "remediations": [{"policy": r.policy, "resource": _resource(r.urn, r.resource_type, r.resource_name),
                          "location": _location(r.location),
                          "changes": [{"property": k, "from": a, "to": b} for k, a, b in r.changes]}
                         for r in findings.remediations],
        "resources": [{"urn": r.urn, "type": r.type, "name": r.name, "kind": r.kind, "parent": r.parent,
                       "location": _location(r.location)} for r in findings.resources],
        "timing": dict(findings.timing),
        "diagnoses": [{"check": d.check, "enforcementLevel": d.level, "location": _location(d.location),
                       "message": d.message, "fix": d.fix, "cause": d.cause} for d in findings.diagnoses],
        "workedAround": list(findings.worked_around),
        "error": {"kind": failure.kind, "message": failure.message, "details": failure.details}
        if (failure := findings.failure) else None,
    }


def to_json_many(reports: list[Findings]) -> dict[str, Any]:
    """Several programs' reports as one document (see the module docstring)."""
    checked = [r for r in reports if r.failure is None]
    return {
        "schemaVersion": SCHEMA_VERSION,
        "summary": {"passed": exit_code(reports) == 0, "exitCode": exit_code(reports), "programs": len(reports),
                    "checked": len(checked), "mandatory": sum(len(r.mandatory) for r in checked),
                    "advisory": sum(len(r.advisory) for r in checked)},
        "programs": [to_json(r) for r in reports],
    }


def exit_code(reports: list[Findings]) -> int:
    """The runner's exit status for several programs: the worst of theirs, 2 (not checked) above 1
    (a mandatory violation) above 0."""
    return max((r.exit_code for r in reports), default=0)


# -- text ----------------------------------------------------------------------------------


def to_text(findings: Findings) -> str:
    """``pulumi preview``'s Policies section, with the violations grouped by resource; for a program
    that could not be checked, the error (:func:`failure_lines`)."""
    if findings.failure is not None:
        before = declared_lines(findings)
        return "\n".join([*failure_lines(findings), *([""] if before else []), *before]) + "\n"
    lines = [f"Checked {findings.program.display} (stack {findings.stack}, "
             f"{'preview' if findings.preview else 'update'}): {_plural(len(findings.resources), 'resource')}.",
             ""]
    if findings.diagnoses:
        lines.extend(["Project:", *diagnosis_lines(findings.diagnoses), ""])
    if findings.worked_around:
        lines.extend([f"Checked past {_plural(len(findings.worked_around), 'failure')} with the runner's fixes applied "
                      "(--keep-going); `pulumi preview` stops at the first:",
                      *(f"    {line}" for line in findings.worked_around), ""])
    lines.extend(_policy_lines(findings))
    lines.append("")
    lines.append(_summary(findings))
    return "\n".join(lines) + "\n"


def declared_lines(findings: Findings) -> list[str]:
    """For a program that failed after it declared resources: the resource policies' findings on them,
    which ``pulumi preview`` reports beside the program's error (it analyzes each resource as the
    program registers it; no stack policy runs). Nothing when they found nothing."""
    if findings.failure is None or not (findings.findings or findings.remediations or findings.waived):
        return []
    return [f"Before it failed, the program declared {_plural(len(findings.resources), 'resource')}; "
            f"`pulumi preview` reports the resource policies' findings on them (no stack policy runs):",
            *_policy_lines(findings), "", _policy_summary(findings)]


def _policy_lines(findings: Findings) -> list[str]:
    """The Policies section: remediations, then the violations grouped by resource, then waivers."""
    lines = ["Policies:"]
    mark = "❌" if findings.mandatory else "⚠️" if findings.findings else "✅"
    lines.append(f"    {mark} {findings.pack_name}@v{findings.pack_version}")
    counts: dict[str, int] = {}
    for r in findings.remediations:
        counts[r.policy] = counts.get(r.policy, 0) + 1
    for policy in sorted(counts):
        lines.append(f"        - [remediate]  {policy}  ({_plural(counts[policy], 'resource')})")
        for r in (r for r in findings.remediations if r.policy == policy):
            changed = ", ".join(f"{k}: {a} -> {b}" for k, a, b in r.changes)
            lines.append(f"            {r.resource_type} '{r.resource_name}': {changed}")
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.urn, []).append(f)
    for urn in sorted(groups, key=lambda u: _group_key(groups[u][0])):
        first = groups[urn][0]
        where = f"  {first.location}" if first.location else ""
        lines.append("")
        lines.append(f"    {first.resource_type}: {first.resource_name}{where}")
        for f in sorted(groups[urn], key=lambda f: (LEVEL_RANK.get(f.level, 9),
                                                     SEVERITY_RANK.get(f.severity, 9), f.policy, f.message)):
            severity = f" [severity: {f.severity}]" if f.severity else ""
            lines.append(f"        - [{f.level}]{severity}  {f.policy}")
            body = f"{f.description}\n{f.message}" if f.description else f.message
            lines.extend(f"          {line}".rstrip() for line in body.splitlines())
    if findings.waived:
        lines.append("")
        lines.append("    Waived:")
        for w in findings.waived:
            lines.append(f"        - {w.policy}  ({w.resource_type}: {w.resource_name})  {w.reason}")
    return lines


def to_text_many(reports: list[Findings]) -> str:
    """Each program's report under a header, then :func:`summary_lines`."""
    return "".join(section(r) for r in reports) + "\n".join(summary_lines(reports)) + "\n"


def section(findings: Findings) -> str:
    """One program's report in a report of several, under a header naming it."""
    return f"== {findings.program.display} ==\n{to_text(findings)}\n"


def summary_lines(reports: list[Findings]) -> list[str]:
    """A line per program (status, counts or the error) under a line of totals and the exit status."""
    checked = [r for r in reports if r.failure is None]
    failed = sum(not r.passed for r in checked)
    head = (f"{_plural(len(reports), 'program')}: {len(checked) - failed} passed, {failed} failed, "
            f"{len(reports) - len(checked)} not checked (exit status {exit_code(reports)})")
    width = max((len(r.program.display) for r in reports), default=0)
    lines = [head]
    for r in reports:
        if r.failure is not None:
            status, detail = "error", r.failure.message
        else:
            status = "passed" if r.passed else "failed"
            detail = (f"{_plural(len(r.resources), 'resource')}, "
                      f"{len(r.mandatory)} mandatory, {len(r.advisory)} advisory")
            blocking = sum(d.level == "mandatory" for d in r.diagnoses)
            if blocking:
                detail += f", {_plural(blocking, 'project mistake')}"
        lines.append(f"    {status:6}  {r.program.display:{width}}  {detail}")
    return lines


def failure_lines(findings: Findings) -> list[str]:
    """A program that could not be checked: the error line, then what the project checks found and
    the known cause with its fix, else the program's error as it printed it."""
    failure = findings.failure
    if failure is None:
        return []
    lines = [f"error: {failure.message}"]
    if findings.diagnoses:
        lines.extend(diagnosis_lines(findings.diagnoses))
    if failure.details and not any(d.cause for d in findings.diagnoses):
        lines.append(failure.details)
    return lines


def diagnosis_lines(diagnoses: list[Diagnosis]) -> list[str]:
    """Project checks and explanations in the layout of policy findings: grouped by file and line,
    then level, check, what is wrong and the fix."""
    lines: list[str] = []
    ordered = sorted(diagnoses, key=lambda d: (LEVEL_RANK.get(d.level, 9), d.location is None,
                                               str(d.location or ""), d.check))
    for d in ordered:
        lines.append(f"    {d.location or '(project)'}")
        lines.append(f"        - [{d.level}]  {d.check}")
        if d.cause:
            lines.append(f"          {d.cause}")
        lines.extend(f"          {line}".rstrip() for line in d.message.splitlines())
        fix = d.fix.splitlines() or [""]
        lines.append(f"          Fix: {fix[0]}".rstrip())
        lines.extend(f"            {line}".rstrip() for line in fix[1:])
    return lines


def _group_key(f: Finding) -> tuple[Any, ...]:
    loc = f.location
    return (loc is None, loc.file if loc else "", loc.line if loc else 0, f.urn)


def _summary(findings: Findings) -> str:
    blocking = sum(d.level == "mandatory" for d in findings.diagnoses)
    text = _policy_summary(findings)
    if blocking:
        text += f" {_plural(blocking, 'project mistake')} would stop `pulumi preview`."
    return text


def _policy_summary(findings: Findings) -> str:
    if not findings.findings:
        text = "No policy violations."
    else:
        parts = []
        if findings.mandatory:
            parts.append(f"{len(findings.mandatory)} mandatory")
        if findings.advisory:
            parts.append(f"{len(findings.advisory)} advisory")
        affected = len({f.urn for f in findings})
        text = (f"{' and '.join(parts)} {'violation' if len(findings) == 1 else 'violations'} "
                f"on {_plural(affected, 'resource')}.")
    if findings.waived:
        text += f" {len(findings.waived)} waived."
    if findings.mandatory:
        text += " A `pulumi preview` with this pack would fail."
    return text


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# -- SARIF ---------------------------------------------------------------------------------


def to_sarif(findings: Findings | list[Findings], base: Path | None = None) -> dict[str, Any]:
    """A SARIF 2.1.0 log for code-scanning views: one run, with one invocation per program (a program
    that could not be checked is an unsuccessful invocation with the error as a notification) and
    every program's results. File URIs are relative to ``base`` (the working directory by default,
    normally the repository root) when the program lies under it."""
    reports = findings if isinstance(findings, list) else [findings]
    base = (base or Path.cwd()).resolve()
    policies = _policies_of(reports)
    rules: list[dict[str, Any]] = [{
        "id": p.name,
        "name": "".join(part.capitalize() for part in p.name.split("-")),
        "shortDescription": {"text": p.description},
        "fullDescription": {"text": p.description},
        "helpUri": p.url,
        "help": {"text": p.remediation or p.description},
        "defaultConfiguration": {"level": _SARIF_LEVEL.get(p.level, "warning"),
                                 "enabled": p.level != "disabled"},
        "properties": {"tags": list(p.tags), "severity": p.severity,
                       **({"security-severity": _SECURITY_SEVERITY[p.severity]}
                          if p.severity in _SECURITY_SEVERITY else {})},
    } for p in policies]
    information_uri = _information_uri(policies)
    rules.extend({
        "id": c.name,
        "name": "".join(part.capitalize() for part in c.name.split("-")),
        "shortDescription": {"text": c.description},
        "fullDescription": {"text": c.description},
        "helpUri": f"{information_uri}#{c.name}",
        "help": {"text": c.description},
        "defaultConfiguration": {"level": _SARIF_LEVEL[c.level], "enabled": True},
        "properties": {"tags": ["project"]},
    } for c in CHECKS)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = [result for r in reports for result in _sarif_results(r, base, index)]
    first = reports[0]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": first.pack_name, "version": next((r.pack_version for r in reports
                                                                      if r.pack_version), ""),
                            "informationUri": information_uri, "rules": rules}},
        "originalUriBaseIds": {"SRCROOT": {"uri": base.as_uri() + "/"}},
        "invocations": [_invocation(r) for r in reports],
        "results": results,
    }
    if len(reports) == 1:
        run["properties"] = {"stack": first.stack, "project": first.program.project, "preview": first.preview}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _policies_of(reports: list[Findings]) -> list[PolicyInfo]:
    """The pack's policies, as the first program that was checked saw them (the policy config is the
    same for every program)."""
    return next((r.policies for r in reports if r.policies), [])


def _invocation(findings: Findings) -> dict[str, Any]:
    invocation: dict[str, Any] = {
        "executionSuccessful": findings.failure is None, "exitCode": findings.exit_code,
        "properties": {"program": findings.program.display, "project": findings.program.project,
                       "stack": findings.stack, "preview": findings.preview}}
    failure = findings.failure
    if failure is not None:
        text = f"{failure.message}\n{failure.details}" if failure.details else failure.message
        invocation["toolExecutionNotifications"] = [{
            "level": "error", "message": {"text": text},
            "descriptor": {"id": f"check-{failure.kind}"},
            "properties": {"program": findings.program.display}}]
    return invocation


def _sarif_results(findings: Findings, base: Path, index: Mapping[str, int]) -> list[dict[str, Any]]:
    root = findings.program.root.resolve()
    results = [_sarif_diagnosis(d, root, base, index) for d in findings.diagnoses]
    for f in findings:
        location = f.location or _fallback(findings)
        result: dict[str, Any] = {
            "ruleId": f.policy,
            "level": _SARIF_LEVEL.get(f.level, "warning"),
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {"artifactLocation": _artifact(root / location.file, base),
                                     "region": {"startLine": max(location.line, 1)}},
                "logicalLocations": [{"name": f.resource_name, "fullyQualifiedName": f.urn,
                                      "kind": "resource"}],
            }] if location else [],
            "partialFingerprints": {"awsConventionsFinding/v1": _fingerprint(f)},
            "properties": {"resourceType": f.resource_type, "urn": f.urn, "severity": f.severity},
        }
        if f.policy in index:
            result["ruleIndex"] = index[f.policy]
        results.append(result)
    return results


def _sarif_diagnosis(d: Diagnosis, root: Path, base: Path, index: Mapping[str, int]) -> dict[str, Any]:
    text = f"{d.cause}\n{d.message}" if d.cause else d.message
    return {
        "ruleId": d.check,
        "ruleIndex": index[d.check],
        "level": _SARIF_LEVEL.get(d.level, "warning"),
        "message": {"text": f"{text}\nFix: {d.fix}"},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact(root / d.location.file, base),
                                            "region": {"startLine": max(d.location.line, 1)}}}]
        if d.location else [],
        "partialFingerprints": {"awsConventionsFinding/v1": hashlib.sha256(
            f"{d.check}|{d.location}|{d.message.splitlines()[0] if d.message else ''}".encode()).hexdigest()[:32]},
    }


def _fallback(findings: Findings) -> Location | None:
    entry = _entry(findings)
    return Location(entry, 1) if entry else None


def _artifact(path: Path, base: Path) -> dict[str, str]:
    try:
        relative = path.resolve().relative_to(base)
    except ValueError:
        return {"uri": path.resolve().as_uri()}
    return {"uri": relative.as_posix(), "uriBaseId": "SRCROOT"}


def _fingerprint(f: Finding) -> str:
    first_line = f.message.splitlines()[0] if f.message else ""
    return hashlib.sha256(f"{f.policy}|{f.urn}|{first_line}".encode()).hexdigest()[:32]


def _information_uri(policies: list[PolicyInfo]) -> str:
    url = next((p.url for p in policies if p.url), "")
    return url.split("#", 1)[0] if url else "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/"


def render(findings: Findings | list[Findings], fmt: str, base: Path | None = None) -> str:
    """The findings in ``text``, ``json`` or ``sarif``: of one program, or of several (a list) in
    one report."""
    several = isinstance(findings, list) and len(findings) != 1
    reports = findings if isinstance(findings, list) else [findings]
    if fmt == "text":
        return to_text_many(reports) if several else to_text(reports[0])
    if fmt == "json":
        document: Mapping[str, Any] = to_json_many(reports) if several else to_json(reports[0])
    else:
        document = to_sarif(reports, base)
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


