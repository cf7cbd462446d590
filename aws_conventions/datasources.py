"""What a data source returns under the runner: the values only AWS knows, in the shapes ``pulumi_aws``
declares, and the account, region, partition and IAM policy documents the runner knows.

Runs in the program's interpreter (``capture.py``): imports only the standard library, the pulumi SDK
and ``standins.py``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .standins import ACCOUNT_ID, UNKNOWN, Shaper, getter_types, is_output_type, token_kind

CALLER = {"accountId": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/policy-check", "userId": "AIDAPOLICYCHECK"}
"""Who the runner runs a program as (``aws.get_caller_identity()``, STS ``GetCallerIdentity``)."""


def policy_document(args: dict[str, Any]) -> str:
    """Render ``aws.iam.get_policy_document`` arguments as the provider does (sets sorted, one
    element collapsed to a string)."""

    def one_or_many(values: list[Any]) -> Any:
        values = sorted(set(values), key=str)
        return values[0] if len(values) == 1 else values

    statements = []
    for s in args.get("statements") or []:
        out: dict[str, Any] = {}
        if s.get("sid"):
            out["Sid"] = s["sid"]
        out["Effect"] = s.get("effect") or "Allow"
        for key, field in (("actions", "Action"), ("notActions", "NotAction"),
                           ("resources", "Resource"), ("notResources", "NotResource")):
            if s.get(key):
                out[field] = one_or_many(s[key])
        for key, field in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            principals = s.get(key) or []
            if any(p.get("type") == "*" for p in principals):
                out[field] = "*"
            elif principals:
                out[field] = {p["type"]: one_or_many(p.get("identifiers") or []) for p in principals}
        if s.get("conditions"):
            conditions: dict[str, dict[str, Any]] = {}
            for c in s["conditions"]:
                conditions.setdefault(c["test"], {})[c["variable"]] = one_or_many(c.get("values") or [])
            out["Condition"] = conditions
        statements.append(out)
    doc: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        doc["Id"] = args["policyId"]
    doc["Statement"] = statements
    # A value the program has not resolved yet (an Output passed to the plain form) stays unknown.
    return json.dumps(doc, indent=2, default=lambda _: UNKNOWN)


def invoke_result(token: str, args: dict[str, Any], region: str) -> dict[str, Any]:
    """The data source's result: values of the types its result class declares, with the account,
    region and policy documents the runner knows; the arguments echoed for an unknown function."""
    shaped = data_source_result(token, args, region)
    found = _known_result(token, args, region)
    if shaped is None:
        return found if found is not None else {**args, "id": f"{token.rsplit(':', 1)[-1]}-id"}
    return {**shaped, **(found or {})}


def _known_result(token: str, args: dict[str, Any], region: str) -> dict[str, Any] | None:
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {**CALLER, "id": ACCOUNT_ID}
    if token == "aws:index/getRegion:getRegion":
        return {"name": region, "region": region, "id": region, "description": region,
                "endpoint": f"ec2.{region}.amazonaws.com"}
    if token == "aws:index/getPartition:getPartition":
        return {"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws",
                "id": "aws"}
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        return {"names": [f"{region}{z}" for z in "abc"], "zoneIds": [f"az{i}" for i in (1, 2, 3)],
                "groupNames": [region] * 3, "id": region}
    if token == "aws:iam/getPolicyDocument:getPolicyDocument":
        text = policy_document(args)
        return {"json": text, "minifiedJson": json.dumps(json.loads(text), separators=(",", ":")),
                "id": hashlib.sha256(text.encode()).hexdigest()[:10]}
    return None


def result_class(token: str) -> type | None:
    """The ``Get...Result`` class of a data source token, from the provider's Python package."""
    import importlib
    import keyword

    package, _, rest = token.partition(":")
    module, _, function = rest.partition(":")
    module = module.split("/")[0]
    path = f"pulumi_{package}" if module in ("index", "") else \
        f"pulumi_{package}.{module + '_' if keyword.iskeyword(module) else module}"
    try:
        found = getattr(importlib.import_module(path), f"{function[:1].upper()}{function[1:]}Result", None)
    except ImportError:
        return None
    return found if isinstance(found, type) and is_output_type(found) else None


def data_source_result(token: str, args: Mapping[str, Any], region: str) -> dict[str, Any] | None:
    """What the data source returns: its arguments echoed, and a value of the declared type for every
    attribute it computes (those its result class declares as always set). None for an unknown token."""
    cls = result_class(token)
    if cls is None:
        return None
    name = next((args[k] for k in ("name", "functionName", "roleName", "bucket", "repositoryName")
                 if isinstance(args.get(k), str)), None) or token_kind(token)[1]
    shaper = Shaper(token, name, region, count=2)
    result: dict[str, Any] = {}
    for prop, (hint, optional) in getter_types(cls).items():
        if prop in args:
            result[prop] = args[prop]
        elif not optional:
            result[prop] = shaper.value(prop, hint)
    return result
