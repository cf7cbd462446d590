"""Stand-in for the ``aws`` resource provider plugin (``pulumi-resource-aws``): a TEST DOUBLE.

The real plugin is a large binary fetched from outside the package registries, so the
end-to-end tests run ``pulumi preview`` against this small Python gRPC server instead.
It never talks to AWS. It speaks the ResourceProvider protocol with the protobufs shipped
in the ``pulumi`` Python SDK (``pulumi.runtime.proto``) and is launched by the Pulumi CLI
the way any provider plugin is: the CLI starts the ``pulumi-resource-aws`` executable next
to this file (found on ``$PATH`` or through a project ``plugins:`` entry), passing the
engine address, and reads the port this server listens on from the first line of stdout.

Behaviours of the real provider (pulumi-aws 7.51.1, a Terraform-bridged provider) that it
reproduces, because policies see their effect on the checked inputs:

* ``GetPluginInfo`` reports version 7.51.1 (the version the ``pulumi-aws`` package
  requests).
* ``Check`` returns the program's inputs plus the provider-side defaults for the few
  properties listed in ``DEFAULTS`` (e.g. ``billingMode: "PROVISIONED"`` on
  ``aws:dynamodb/table:Table`` when absent), and records the defaulted keys in the
  ``__defaults`` list, as the bridge does.
* ``Check`` auto-names: when a resource type in ``AUTONAMED`` has no physical name, the
  name becomes the engine's proposed name, or ``<logical name>-<7 hex chars>`` derived
  from the request's random seed (the bridge's format).
* ``Create``/``Update`` in preview return the inputs with computed outputs (``id``,
  ``arn`` and the others in ``COMPUTED``) unknown; outside preview they return a fake id
  and fake ARNs in account 123456789012.
* ``Diff`` reports the changed top-level keys, and a replacement when a key in
  ``REPLACE_ON_CHANGE`` changed.
* Provider configuration (``CheckConfig``/``DiffConfig``/``Configure``) accepts anything and
  declares ``acceptSecrets``/``supportsPreview``; ``Invoke`` answers ``getCallerIdentity``,
  ``getRegion`` and ``getPartition`` with fixed values, and ``iam.getPolicyDocument`` by
  rendering the document as the Terraform data source does (see ``_policy_document``).

It does not validate inputs, enforce required properties, or model any other default or
computed output of the real provider. Extend the tables below when a policy under test
depends on another provider-side behaviour, and say so in the table.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
import time
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from aws_conventions.datasources import policy_document  # the runner renders it the same way

VERSION = "7.51.1"
ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

# The sentinel the engine uses on the wire for an unknown (computed) value.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

# Provider-side defaults applied by Check when the property is absent (type -> {key: value}).
DEFAULTS: dict[str, dict[str, Any]] = {
    # Terraform schema default of billing_mode.
    "aws:dynamodb/table:Table": {"billingMode": "PROVISIONED"},
}

# Types whose physical-name property the real provider fills in when it is absent.
AUTONAMED: dict[str, str] = {
    "aws:dynamodb/table:Table": "name",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:iam/role:Role": "name",
    "aws:iam/policy:Policy": "name",
    "aws:lambda/function:Function": "name",
    "aws:sqs/queue:Queue": "name",
    "aws:sns/topic:Topic": "name",
}

# Computed outputs beyond ``id``: unknown in preview, faked on create/update.
COMPUTED: dict[str, tuple[str, ...]] = {
    "aws:dynamodb/table:Table": ("arn", "streamArn", "streamLabel", "tagsAll"),
    "aws:kms/key:Key": ("arn", "keyId", "tagsAll"),
    "aws:cloudwatch/logGroup:LogGroup": ("arn", "tagsAll"),
    "aws:s3/bucket:Bucket": ("arn", "bucketDomainName", "tagsAll"),
    "aws:s3/bucketV2:BucketV2": ("arn", "bucketDomainName", "tagsAll"),
    "aws:iam/role:Role": ("arn", "uniqueId", "tagsAll"),
    "aws:lambda/function:Function": ("arn", "invokeArn", "qualifiedArn", "version", "tagsAll"),
    "aws:sqs/queue:Queue": ("arn", "url", "tagsAll"),
    "aws:sns/topic:Topic": ("arn", "tagsAll"),
}
DEFAULT_COMPUTED = ("arn", "tagsAll")

# Keys whose change forces a replacement (type -> keys).
REPLACE_ON_CHANGE: dict[str, tuple[str, ...]] = {
    "aws:dynamodb/table:Table": ("name",),
    "aws:s3/bucket:Bucket": ("bucket",),
    "aws:s3/bucketV2:BucketV2": ("bucket",),
    "aws:cloudwatch/logGroup:LogGroup": ("name",),
    "aws:sqs/queue:Queue": ("name",),
}

INVOKES: dict[str, dict[str, Any]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/standin",
        "id": ACCOUNT_ID,
        "userId": "AIDASTANDIN",
    },
    "aws:index/getPartition:getPartition": {
        "dnsSuffix": "amazonaws.com",
        "id": "aws",
        "partition": "aws",
        "reverseDnsPrefix": "com.amazonaws",
    },
}


def _to_dict(s: struct_pb2.Struct | None) -> dict[str, Any]:
    if s is None:
        return {}
    return json_format.MessageToDict(s, preserving_proto_field_name=True)


def _to_struct(d: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(d)
    return out


def _type_of(urn: str, given: str = "") -> str:
    # urn:pulumi:<stack>::<project>::<qualified type>::<name>; the last type is the resource's.
    if given:
        return given
    qualified = urn.split("::")[2] if urn.count("::") >= 3 else ""
    return qualified.split("$")[-1]


def _name_of(urn: str, given: str = "") -> str:
    return given or urn.split("::")[-1]


def _autoname(logical: str, seed: bytes) -> str:
    digest = hashlib.sha256(seed + logical.encode()).hexdigest()
    return f"{logical}-{digest[:7]}"


def _arn(typ: str, region: str, name: str) -> str:
    # "aws:dynamodb/table:Table" -> arn:aws:dynamodb:<region>:<account>:table/<name>
    module = typ.split(":")[1] if typ.count(":") == 2 else "standin/resource"
    service, _, kind = module.partition("/")
    return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{kind.lower()}/{name}"


class StandInAwsProvider(provider_pb2_grpc.ResourceProviderServicer):
    """ResourceProvider servicer; see the module docstring for what it reproduces."""

    def __init__(self) -> None:
        self.region = DEFAULT_REGION
        self._counter = 0

    # --- plugin and provider configuration -------------------------------------------------

    def GetPluginInfo(self, request, context):
        return plugin_pb2.PluginInfo(version=VERSION)

    def Handshake(self, request, context):
        return provider_pb2.ProviderHandshakeResponse(
            accept_secrets=True,
            accept_resources=True,
            accept_outputs=False,
            supports_autonaming_configuration=True,
        )

    def GetSchema(self, request, context):
        return provider_pb2.GetSchemaResponse(schema=json.dumps({"name": "aws", "version": VERSION}))

    def CheckConfig(self, request, context):
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(self, request, context):
        return provider_pb2.DiffResponse(changes=provider_pb2.DiffResponse.DIFF_NONE)

    def Configure(self, request, context):
        region = request.variables.get("aws:config:region") or _to_dict(request.args).get("region")
        if isinstance(region, str) and region and region != UNKNOWN:
            self.region = region
        return provider_pb2.ConfigureResponse(
            acceptSecrets=True,
            supportsPreview=True,
            acceptResources=True,
            acceptOutputs=False,
            supports_autonaming_configuration=True,
        )

    def Invoke(self, request, context):
        if request.tok == "aws:index/getRegion:getRegion":
            result = {
                "id": self.region,
                "name": self.region,
                "region": self.region,
                "endpoint": f"ec2.{self.region}.amazonaws.com",
                "description": self.region,
            }
        elif request.tok in INVOKES:
            result = INVOKES[request.tok]
        elif request.tok == "aws:iam/getPolicyDocument:getPolicyDocument":
            text = policy_document(_to_dict(request.args))
            result = {
                "id": hashlib.sha256(text.encode()).hexdigest()[:10],
                "json": text,
                "minifiedJson": json.dumps(json.loads(text), separators=(",", ":")),
            }
        else:
            return provider_pb2.InvokeResponse(
                failures=[
                    provider_pb2.CheckFailure(
                        property="", reason=f"the stand-in aws provider does not implement {request.tok}"
                    )
                ]
            )
        return provider_pb2.InvokeResponse(**{"return": _to_struct(result)})

    def GetMapping(self, request, context):
        return provider_pb2.GetMappingResponse(provider="", data=b"")

    def GetMappings(self, request, context):
        return provider_pb2.GetMappingsResponse(providers=[])

    def Cancel(self, request, context):
        return empty_pb2.Empty()

    # --- resources ---------------------------------------------------------------------------

    def Check(self, request, context):
        typ = _type_of(request.urn, request.type)
        news = _to_dict(request.news)
        defaulted: list[str] = []
        for key, value in DEFAULTS.get(typ, {}).items():
            if key not in news:
                news[key] = value
                defaulted.append(key)
        name_key = AUTONAMED.get(typ)
        if name_key and name_key not in news:
            olds = _to_dict(request.olds)
            naming = request.autonaming if request.HasField("autonaming") else None
            mode_disabled = naming is not None and naming.mode == provider_pb2.CheckRequest.AutonamingOptions.DISABLE
            if name_key in olds and olds[name_key] != UNKNOWN:
                news[name_key] = olds[name_key]
                defaulted.append(name_key)
            elif not mode_disabled:
                if naming is not None and naming.proposed_name:
                    news[name_key] = naming.proposed_name
                else:
                    news[name_key] = _autoname(_name_of(request.urn, request.name), request.randomSeed)
                defaulted.append(name_key)
        news["__defaults"] = sorted(defaulted)
        return provider_pb2.CheckResponse(inputs=_to_struct(news))

    def Diff(self, request, context):
        typ = _type_of(request.urn, request.type)
        olds = {k: v for k, v in _to_dict(request.olds).items() if k != "__defaults"}
        news = {k: v for k, v in _to_dict(request.news).items() if k != "__defaults"}
        ignored = set(request.ignoreChanges)
        computed = set(COMPUTED.get(typ, DEFAULT_COMPUTED)) | {"id"}
        changed = sorted(
            k
            for k in set(olds) | set(news)
            if k not in ignored and not (k in computed and k not in news) and olds.get(k) != news.get(k)
        )
        replaces = [k for k in changed if k in REPLACE_ON_CHANGE.get(typ, ())]
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE,
            diffs=changed,
            replaces=replaces,
        )

    def _outputs(self, typ: str, props: dict[str, Any], preview: bool, resource_id: str) -> dict[str, Any]:
        out = {k: v for k, v in props.items() if k != "__defaults"}  # inputs-only meta key
        for key in COMPUTED.get(typ, DEFAULT_COMPUTED):
            if key in out and key != "tagsAll":
                continue
            if preview:
                out[key] = UNKNOWN
            elif key == "tagsAll":
                out[key] = dict(props.get("tags") or {})
            elif key == "arn":
                out[key] = _arn(typ, self.region, resource_id)
            else:
                out[key] = f"{resource_id}-{key}"
        return out

    def Create(self, request, context):
        typ = _type_of(request.urn, request.type)
        props = _to_dict(request.properties)
        if request.preview:
            return provider_pb2.CreateResponse(id="", properties=_to_struct(self._outputs(typ, props, True, "")))
        self._counter += 1
        name_key = AUTONAMED.get(typ)
        resource_id = str(props.get(name_key) or f"{_name_of(request.urn, request.name)}-{self._counter:04d}")
        outputs = self._outputs(typ, props, False, resource_id)
        outputs["id"] = resource_id
        return provider_pb2.CreateResponse(id=resource_id, properties=_to_struct(outputs))

    def Read(self, request, context):
        return provider_pb2.ReadResponse(id=request.id, properties=request.properties, inputs=request.inputs)

    def Update(self, request, context):
        typ = _type_of(request.urn, request.type)
        news = _to_dict(request.news)
        outputs = self._outputs(typ, news, request.preview, request.id)
        if not request.preview:
            outputs["id"] = request.id
        return provider_pb2.UpdateResponse(properties=_to_struct(outputs))

    def Delete(self, request, context):
        return empty_pb2.Empty()


def serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", nargs="?", help="engine address (unused)")
    parser.parse_known_args(argv)  # the CLI may add --logtostderr, -v=N, --tracing
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4), options=[("grpc.max_receive_message_length", 400 * 1024 * 1024)]
    )
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(StandInAwsProvider(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    # The CLI reads the port from the first line of stdout.
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    # Stop once the CLI that started us is gone, so a killed test run leaves no process behind
    # (the launcher execs this file, so the parent is the CLI).
    parent = os.getppid()
    with contextlib.suppress(KeyboardInterrupt):
        while os.getppid() == parent:
            time.sleep(1)
    server.stop(0)


if __name__ == "__main__":
    serve(sys.argv[1:])
