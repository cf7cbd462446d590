"""Derive the pack's AWS type table from the installed ``pulumi_aws`` package.

Reads the package's source (without importing it, which takes seconds) and writes
``policies/_data/aws_types.json``: for every resource type token, the Python class that creates
it (for fix snippets), its physical-name properties (for the naming policy), and what pulumi-aws
deprecates: the type itself (with the type that replaces it) and its deprecated inputs, with the
provider's own notes (``policies/_data/aws_deprecations.json``, for aws-deprecated).

A property is a physical name when it is the resource's own name as AWS knows it:

* ``name``, unless listed in ``NAME_IS_A_REFERENCE`` (where it names another resource);
* a property ``X`` that has an ``XPrefix`` sibling, and that prefix (``bucket``/``bucketPrefix``,
  ``identifier``/``identifierPrefix``, ``name``/``namePrefix``);
* a property documented as "If omitted, ... will assign a random, unique name" (autonamed);
* ``<class>Name``, ``<class>Id`` or ``<class>Identifier`` (``stageName`` on ``Stage``).

Run ``python -m tools.aws_catalog`` after upgrading pulumi-aws; a test fails when the file is stale.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "policies" / "_data" / "aws_types.json"
DEPRECATIONS = OUT.with_name("aws_deprecations.json")

NAME_IS_A_REFERENCE = {
    "aws:cfg/recorderStatus:RecorderStatus": "name",  # the recorder's name
    "aws:ssm/association:Association": "name",  # the SSM document's name
}

REGION_INPUTS = frozenset({
    "policy", "sourceArn", "kmsKeyId", "kmsKeyArn", "kmsMasterKeyId",
    "availabilityZone", "availabilityZones", "availabilityZoneName", "preferredAvailabilityZones",
    "preferredCacheClusterAzs", "placement", "serviceName", "imageUri", "containerDefinitions", "dashboardBody",
    "uri", "authorizerUri", "arn", "endpoint", "serverSideEncryption", "definition", "resourceArn", "webAclArn",
    "certificateArn", "layers", "eventSourceArn", "functionName", "alarmActions", "okActions",
    "insufficientDataActions"})
"""Input names that can name a region or zone where it must be the resource's own (hard-coded-region
reads, of each type, those it has)."""

_TOKEN_RE = re.compile(r"super\((\w+), __self__\).__init__\(\s*'(aws:[^']+)'")
_GETTER_RE = re.compile(
    r"@pulumi\.getter(?:\(name=\"(\w+)\"\))?\n\s+def (\w+)\(self\)[^:]*:\n\s+(?:\"\"\"\n?([^\"]*))?")
_AUTONAME_RE = re.compile(r"assign a random,?\s+unique name", re.I)
_DEPRECATED_TYPE_RE = re.compile(
    r'^warnings\.warn\("""(.*?)""", DeprecationWarning\)\n\n\n@pulumi\.type_token\("(aws:[^"]+)"\)', re.M | re.S)
_TAGS_MAP_RE = re.compile(r"def tags\(self\) -> [^:]*Mapping\[str")
_DEPRECATED_INPUT_RE = re.compile(
    r'@pulumi\.getter(?:\(name="(\w+)"\))?\n\s+@_utilities\.deprecated\("""(.*?)"""\)\n\s+def (\w+)\(self\)', re.S)
_IN_FAVOR_RE = re.compile(r"in favou?r of (?:aws\.)?([\w/.]+)")


def _camel(snake: str) -> str:
    head, *rest = snake.rstrip("_").split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def package_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("pulumi_aws")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pulumi_aws is not installed: pip install -r requirements-dev.txt")
    return Path(next(iter(spec.submodule_search_locations)))


def parse_resource_file(path: Path, root: Path) -> list[dict[str, Any]]:
    """The resources a module file defines: token, class, Python path, inputs, physical names."""
    text = path.read_text(encoding="utf-8")
    found = []
    for cls, token in _TOKEN_RE.findall(text):
        args_start = text.find(f"class {cls}Args:")
        deprecated_inputs: dict[str, str] = {}
        taggable = False
        if args_start < 0:
            inputs: dict[str, str] = {}
        else:
            args_end = text.find("\nclass ", args_start + 1)
            block = text[args_start: args_end if args_end > 0 else len(text)]
            inputs = _getters(block)
            deprecated_inputs = {wire or _camel(py): note for wire, note, py in _DEPRECATED_INPUT_RE.findall(block)}
            taggable = _TAGS_MAP_RE.search(block) is not None and "def tags_all(self)" in text
        module = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
        python = f"aws.{module}.{cls}" if module else f"aws.{cls}"
        entry = {"token": token, "class": cls, "python": python, "inputs": inputs,
                 "names": physical_names(token, cls, inputs),
                 "taggable": taggable}
        if deprecated_inputs:
            entry["deprecatedInputs"] = deprecated_inputs
        note = dict((t, n) for n, t in _DEPRECATED_TYPE_RE.findall(text)).get(token)
        if note:
            entry["deprecated"] = note
        found.append(entry)
    return found


def _getters(block: str) -> dict[str, str]:
    """camelCase input name -> its docstring."""
    out = {}
    for wire, py, doc in _GETTER_RE.findall(block):
        out[wire or _camel(py)] = (doc or "").strip()
    return out


def physical_names(token: str, cls: str, inputs: dict[str, str]) -> list[str]:
    names = set()
    if "name" in inputs:
        names.add("name")
    for prop in inputs:
        if prop.endswith("Prefix") and prop[: -len("Prefix")] in inputs:
            names.update({prop, prop[: -len("Prefix")]})
        if _AUTONAME_RE.search(inputs[prop]):
            names.add(prop)
    own = _lower_first(cls)
    names.update(p for p in (f"{own}Name", f"{own}Id", f"{own}Identifier") if p in inputs)
    reference = NAME_IS_A_REFERENCE.get(token)
    names.discard(reference or "")
    if reference:
        names.discard(f"{reference}Prefix")
    return sorted(names)


def build(root: Path | None = None) -> dict[str, dict[str, Any]]:
    root = root or package_dir()
    table: dict[str, dict[str, Any]] = {}
    for path in sorted(root.rglob("*.py")):
        if path.name.startswith("_") or "config" in path.parts[len(root.parts):-1]:
            continue
        for res in parse_resource_file(path, root):
            table[res["token"]] = res
    for res in table.values():
        if "deprecated" in res:
            res["replacement"] = _replacement(res["deprecated"], table)
    return table


def _replacement(note: str, table: dict[str, dict[str, Any]]) -> str | None:
    """The token a deprecation note names as the successor (``... in favor of
    aws.s3/bucketversioning.BucketVersioning`` or ``... in favor of s3.Bucket``), if it is a type."""
    match = _IN_FAVOR_RE.search(note)
    if match is None:
        return None
    module, _, cls = match.group(1).rpartition(".")
    module = module.split("/", 1)[0]
    return next((token for token, res in sorted(table.items())
                 if res["class"] == cls and token.startswith(f"aws:{module}/")), None)


def runtime_table(table: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What the pack ships: the Python path of every type, physical names where there are any,
    whether it takes AWS tags (a ``tags`` map, merged with the provider's default tags: ``tagsAll``),
    and which of :data:`REGION_INPUTS` it has."""
    out = {}
    for token, res in sorted(table.items()):
        entry: dict[str, Any] = {"python": res["python"]}
        if res["names"]:
            entry["names"] = res["names"]
        if res["taggable"]:
            entry["tags"] = True
        regional = sorted(REGION_INPUTS.intersection(res["inputs"]))
        if regional:
            entry["regionInputs"] = regional
        out[token] = entry
    return out


def render(table: dict[str, dict[str, Any]]) -> str:
    import importlib.metadata

    return json.dumps({"pulumi_aws": importlib.metadata.version("pulumi_aws"),
                       "types": runtime_table(table)}, indent=0, sort_keys=True) + "\n"


def render_deprecations(table: dict[str, dict[str, Any]]) -> str:
    """What pulumi-aws deprecates, small enough to load with the pack: per type token, the type's own
    deprecation (note and successor) and its deprecated inputs (camelCase, with the provider's note)."""
    import importlib.metadata

    types = {token: {"note": res["deprecated"], "replacement": res.get("replacement")}
             for token, res in sorted(table.items()) if res.get("deprecated")}
    inputs = {token: res["deprecatedInputs"] for token, res in sorted(table.items()) if res.get("deprecatedInputs")}
    return json.dumps({"pulumi_aws": importlib.metadata.version("pulumi_aws"), "types": types, "inputs": inputs},
                      indent=0, sort_keys=True) + "\n"


def main() -> int:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    table = build()
    OUT.write_text(render(table), encoding="utf-8")
    DEPRECATIONS.write_text(render_deprecations(table), encoding="utf-8")
    print(f"wrote {OUT} and {DEPRECATIONS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
