"""Stand-ins for what only AWS knows about a resource: which outputs its provider computes, and values
for them (data sources build theirs from these too: ``datasources.py``).

Every value is shaped by the type ``pulumi_aws`` declares for it (the resource's output getters, a
data source's ``Get...Result`` class), so that a program reading ``cluster.master_user_secrets[0]``
or ``get_subnets().ids`` finds a list where the provider returns a list, and an ARN is in the
format AWS uses for that kind of resource (``function:NAME`` for Lambda, ``NAME`` alone for SQS).

Imports only the standard library and the pulumi SDK: ``capture.py`` uses it in the program's own
interpreter.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import sys
import typing
from collections.abc import Mapping, Sequence
from typing import Any

ACCOUNT_ID = "123456789012"
_DEPTH = 4

# How AWS writes the ARN of each kind of resource: "{p}" partition, "{r}" region, "{a}" account,
# "{n}" the physical name, "{i}" a generated id. Kinds not listed follow their service's default.
ARN_FORMATS = {
    "acm/certificate": "arn:{p}:acm:{r}:{a}:certificate/{i}",
    "apigateway/restApi": "arn:{p}:apigateway:{r}::/restapis/{i}",
    "apigateway/stage": "arn:{p}:apigateway:{r}::/restapis/{i}/stages/{n}",
    "apigatewayv2/api": "arn:{p}:apigateway:{r}::/apis/{i}",
    "cloudfront/distribution": "arn:{p}:cloudfront::{a}:distribution/{i}",
    "cloudtrail/trail": "arn:{p}:cloudtrail:{r}:{a}:trail/{n}",
    "cloudwatch/eventBus": "arn:{p}:events:{r}:{a}:event-bus/{n}",
    "cloudwatch/eventRule": "arn:{p}:events:{r}:{a}:rule/{n}",
    "cloudwatch/logGroup": "arn:{p}:logs:{r}:{a}:log-group:{n}",
    "cloudwatch/metricAlarm": "arn:{p}:cloudwatch:{r}:{a}:alarm:{n}",
    "cloudwatch/dashboard": "arn:{p}:cloudwatch::{a}:dashboard/{n}",
    "cognito/userPool": "arn:{p}:cognito-idp:{r}:{a}:userpool/{r}_{i}",
    "dynamodb/table": "arn:{p}:dynamodb:{r}:{a}:table/{n}",
    "ec2/instance": "arn:{p}:ec2:{r}:{a}:instance/{i}",
    "ec2/securityGroup": "arn:{p}:ec2:{r}:{a}:security-group/{i}",
    "ec2/subnet": "arn:{p}:ec2:{r}:{a}:subnet/{i}",
    "ec2/vpc": "arn:{p}:ec2:{r}:{a}:vpc/{i}",
    "ecr/repository": "arn:{p}:ecr:{r}:{a}:repository/{n}",
    "ecs/cluster": "arn:{p}:ecs:{r}:{a}:cluster/{n}",
    "ecs/service": "arn:{p}:ecs:{r}:{a}:service/{n}",
    "ecs/taskDefinition": "arn:{p}:ecs:{r}:{a}:task-definition/{n}:1",
    "efs/fileSystem": "arn:{p}:elasticfilesystem:{r}:{a}:file-system/{i}",
    "elasticache/replicationGroup": "arn:{p}:elasticache:{r}:{a}:replicationgroup:{n}",
    "iam/instanceProfile": "arn:{p}:iam::{a}:instance-profile/{n}",
    "iam/policy": "arn:{p}:iam::{a}:policy/{n}",
    "iam/role": "arn:{p}:iam::{a}:role/{n}",
    "iam/user": "arn:{p}:iam::{a}:user/{n}",
    "iam/openIdConnectProvider": "arn:{p}:iam::{a}:oidc-provider/{n}",
    "kinesis/firehoseDeliveryStream": "arn:{p}:firehose:{r}:{a}:deliverystream/{n}",
    "kinesis/stream": "arn:{p}:kinesis:{r}:{a}:stream/{n}",
    "kms/alias": "arn:{p}:kms:{r}:{a}:{n}",
    "kms/key": "arn:{p}:kms:{r}:{a}:key/{i}",
    "lambda/alias": "arn:{p}:lambda:{r}:{a}:function:{n}",
    "lambda/function": "arn:{p}:lambda:{r}:{a}:function:{n}",
    "lambda/layerVersion": "arn:{p}:lambda:{r}:{a}:layer:{n}:1",
    "lb/listener": "arn:{p}:elasticloadbalancing:{r}:{a}:listener/app/{n}/{i}/{i}",
    "lb/loadBalancer": "arn:{p}:elasticloadbalancing:{r}:{a}:loadbalancer/app/{n}/{i}",
    "lb/targetGroup": "arn:{p}:elasticloadbalancing:{r}:{a}:targetgroup/{n}/{i}",
    "rds/cluster": "arn:{p}:rds:{r}:{a}:cluster:{n}",
    "rds/clusterInstance": "arn:{p}:rds:{r}:{a}:db:{n}",
    "rds/instance": "arn:{p}:rds:{r}:{a}:db:{n}",
    "rds/subnetGroup": "arn:{p}:rds:{r}:{a}:subgrp:{n}",
    "route53/zone": "arn:{p}:route53:::hostedzone/{i}",
    "s3/bucket": "arn:{p}:s3:::{n}",
    "s3/bucketV2": "arn:{p}:s3:::{n}",
    "secretsmanager/secret": "arn:{p}:secretsmanager:{r}:{a}:secret:{n}-AbCdEf",
    "sfn/stateMachine": "arn:{p}:states:{r}:{a}:stateMachine:{n}",
    "sns/topic": "arn:{p}:sns:{r}:{a}:{n}",
    "sqs/queue": "arn:{p}:sqs:{r}:{a}:{n}",
    "ssm/parameter": "arn:{p}:ssm:{r}:{a}:parameter/{n}",
    "wafv2/webAcl": "arn:{p}:wafv2:{r}:{a}:regional/webacl/{n}/{i}",
}
_SECRET_FIELDS = {"username": "dbadmin", "password": "policy-check-password", "engine": "postgres",
                  "host": "db.policy-check.internal", "port": 5432, "dbname": "app"}
"""A looked-up secret's value: the JSON structure Secrets Manager documents for database credentials
(``username``, ``password``, ``engine``, ``host``, ``port``, ``dbname``), which is what programs read
from a secret they parse."""
# The ARN's service where it differs from the type token's module.
_ARN_SERVICE = {"cloudwatch": "logs", "sfn": "states", "cfg": "config", "cognito": "cognito-idp",
                "apigatewayv2": "apigateway", "lb": "elasticloadbalancing", "alb": "elasticloadbalancing",
                "efs": "elasticfilesystem", "elasticsearch": "es", "opensearch": "es"}
# Services whose ARNs name a resource as "kind:name" rather than "kind/name".
_COLON_SERVICES = frozenset({"lambda", "rds", "secretsmanager", "states", "logs", "elasticache", "redshift",
                             "backup", "glue"})
_GLOBAL_SERVICES = frozenset({"iam", "cloudfront", "route53", "organizations", "waf"})
# Prefixes of EC2 resource ids, by the kind in the type token.
_EC2_IDS = {"vpc": "vpc", "subnet": "subnet", "securityGroup": "sg", "internetGateway": "igw",
            "natGateway": "nat", "routeTable": "rtb", "eip": "eipalloc", "instance": "i", "ami": "ami",
            "launchTemplate": "lt", "vpcEndpoint": "vpce", "networkAcl": "acl", "keyPair": "key",
            "networkInterface": "eni", "transitGateway": "tgw", "flowLog": "fl", "prefixList": "pl",
            "volume": "vol", "image": "ami", "securityGroups": "sg", "subnets": "subnet", "vpcs": "vpc",
            "instances": "i"}


def token_kind(token: str) -> tuple[str, str]:
    """``("lambda", "function")`` for ``aws:lambda/function:Function``."""
    if token.count(":") != 2:
        return "", token
    module, _, kind = token.split(":")[1].partition("/")
    if kind.startswith("get") and kind[3:4].isupper():  # a data source: getSubnets reads subnets
        kind = kind[3].lower() + kind[4:]
    return module, kind


def _hex(seed: str, size: int = 17) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:size]


_PET_WORDS = ("amber", "brisk", "calm", "deft", "eager", "fleet", "gentle", "hardy", "keen", "lively",
              "otter", "heron", "lynx", "marten", "osprey", "puffin", "raven", "stoat", "tern", "wren")
"""Words for a RandomPet's name: any will do, the provider draws from its own list."""


def random_outputs(token: str, name: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """What the ``random`` provider computes for a resource, in the shape it gives it (``RandomId.hex``:
    two hex digits per byte; ``RandomString.result``: ``length`` characters of the enabled classes),
    drawn from the logical name so that every run gives the same; ``{}`` for another provider's type."""
    if not token.startswith("random:index/"):
        return {}
    kind = token.rsplit(":", 1)[-1]
    seed = hashlib.sha256(f"{token}:{name}".encode()).digest() * 8

    def number(key: str, default: int) -> int:  # the engine sends numbers as floats
        value = _whole(inputs.get(key))
        return value if value is not None and 0 < value <= 256 else default

    if kind in ("RandomId", "RandomBytes"):
        size = number("byteLength" if kind == "RandomId" else "length", 8)
        raw = seed[:size]
        if kind == "RandomBytes":
            return {"hex": raw.hex(), "base64": base64.b64encode(raw).decode()}
        prefix = _text_input(inputs, "prefix", "")
        url = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return {"hex": prefix + raw.hex(), "b64Url": prefix + url, "dec": prefix + str(int.from_bytes(raw, "big")),
                "b64Std": prefix + base64.b64encode(raw).decode(), "id": url}
    if kind in ("RandomString", "RandomPassword"):
        classes = [chars for key, chars in (("lower", "abcdefghijklmnopqrstuvwxyz"),
                                             ("upper", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), ("numeric", "0123456789"))
                   if inputs.get(key) is not False and not (key == "numeric" and inputs.get("number") is False)]
        if inputs.get("special") is not False:
            special = inputs.get("overrideSpecial")
            classes.append(special if isinstance(special, str) and special else "!@#$%&*()-_=+[]{}<>:?")
        # Round robin over the enabled classes, so that each appears as the provider's minimums ask.
        pool = classes or ["abcdefghijklmnopqrstuvwxyz"]
        text = "".join(pool[i % len(pool)][b % len(pool[i % len(pool)])]
                       for i, b in enumerate(seed[:number("length", 16)]))
        return {"result": text, "id": "none" if kind == "RandomPassword" else text}
    if kind == "RandomPet":
        words = [_PET_WORDS[b % len(_PET_WORDS)] for b in seed[:number("length", 2)]]
        prefix = _text_input(inputs, "prefix", "")
        return {"id": _text_input(inputs, "separator", "-").join([prefix, *words] if prefix else words)}
    if kind == "RandomInteger":
        low, high = _whole(inputs.get("min")), _whole(inputs.get("max"))
        if low is not None and high is not None and high >= low:
            result = low + int.from_bytes(seed[:8], "big") % (high - low + 1)
            return {"result": result, "id": str(result)}
        return {}
    if kind == "RandomUuid":
        hexed = seed[:16].hex()
        text = f"{hexed[:8]}-{hexed[8:12]}-4{hexed[13:16]}-a{hexed[17:20]}-{hexed[20:32]}"
        return {"result": text, "id": text}
    return {}


def _whole(value: Any) -> int | None:
    """A whole number sent as an int or a float; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value != int(value):
        return None
    return int(value)


def _text_input(inputs: Mapping[str, Any], key: str, default: str) -> str:
    value = inputs.get(key)
    return value if isinstance(value, str) else default


def resource_id(token: str, physical: str) -> str:
    """The id AWS gives a resource: ``vpc-0a1b…`` for EC2, the generated id its ARN holds for a kind
    AWS names itself (a KMS key, a certificate, a REST API), the physical name otherwise."""
    module, kind = token_kind(token)
    if module == "ec2" and kind in _EC2_IDS:
        return f"{_EC2_IDS[kind]}-{_hex(physical)}"
    if "{i}" in ARN_FORMATS.get(f"{module}/{kind}", ""):
        return _hex(physical, 12)
    return physical


def arn(token: str, name: str, region: str, prop: str = "arn") -> str:
    """A well-formed ARN for a resource of type ``token`` named ``name``."""
    module, kind = token_kind(token)
    template = ARN_FORMATS.get(f"{module}/{kind}")
    if template is None:
        service = _ARN_SERVICE.get(module, module)
        words = re.sub(r"(?<!^)(?=[A-Z])", "-", kind or module).lower()
        sep = ":" if service in _COLON_SERVICES else "/"
        region_part = "" if service in _GLOBAL_SERVICES else region
        template = f"arn:{{p}}:{service}:{region_part}:{{a}}:{words}{sep}{{n}}"
    value = template.format(p="aws", r=region, a=ACCOUNT_ID, n=name, i=_hex(name, 12))
    if prop not in ("arn", "") and not prop.endswith("Arn"):
        return value
    return value if prop == "arn" else _derived_arn(value, prop, token, name, region)


def _derived_arn(base: str, prop: str, token: str, name: str, region: str) -> str:
    """Secondary ARNs: a table's stream, a function's invoke ARN, an API's execution ARN."""
    lower = prop.lower()
    if lower == "streamarn":
        return f"{base}/stream/2024-01-01T00:00:00.000"
    if lower == "invokearn":
        return f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{base}/invocations"
    if lower == "executionarn":
        return f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{_hex(name, 10)}"
    if lower == "qualifiedarn":
        return f"{base}:1"
    # Another resource's ARN (a cluster's secretArn, a function's roleArn): in that resource's format.
    wanted = prop[:-3].lower()
    kinds = sorted(ARN_FORMATS, key=lambda k: -len(k.split("/")[1]))
    key = next((k for k in kinds if wanted.endswith(k.split("/")[1].lower())), None)
    return arn(f"aws:{key}:{key.split('/')[1]}", name, region) if key else f"{base}/{prop[:-3]}"


# -- values from types -----------------------------------------------------------------------


def _optional(hint: Any) -> tuple[Any, bool]:
    """``(T, True)`` for ``Optional[T]``; Output[...] unwrapped."""
    import pulumi

    if typing.get_origin(hint) is pulumi.Output:
        hint = (typing.get_args(hint) or (Any,))[0]
    args = typing.get_args(hint)
    if typing.get_origin(hint) is typing.Union and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (rest[0] if len(rest) == 1 else Any), True
    return hint, False


def getter_types(cls: type) -> dict[str, tuple[Any, bool]]:
    """Pulumi name to ``(type, optional)`` of each output getter of a resource or output type."""
    import pulumi

    module = sys.modules.get(cls.__module__)
    globalns = dict(vars(module)) if module else {}
    found: dict[str, tuple[Any, bool]] = {}
    for klass in reversed(cls.__mro__):
        for value in vars(klass).values():
            getter = getattr(value, "fget", None)
            name = getattr(getter, "_pulumi_name", None)
            if getter is None or name is None:
                continue
            try:
                hint = typing.get_type_hints(getter, globalns=globalns, localns={"Output": pulumi.Output})
            except Exception:  # noqa: BLE001 - an unresolvable annotation only loses its shape
                hint = {}
            found[name] = _optional(hint.get("return", Any))
    return found


class Shaper:
    """Builds a value of a declared type for one property of one resource or data source."""

    def __init__(self, token: str, name: str, region: str, count: int = 1) -> None:
        self.token = token
        self.name = name
        self.region = region
        self.count = count

    def value(self, prop: str, hint: Any, depth: int = 0) -> Any:
        """A value of type ``hint`` for property ``prop``; None for a type it cannot build."""
        hint, _ = _optional(hint)
        origin = typing.get_origin(hint)
        if hint is str:
            return self.text(prop)
        if hint is bool:
            return False
        if hint is int:
            return 443 if prop.lower().endswith("port") else 1
        if hint is float:
            return 1.0
        if origin in (list, Sequence):
            item = (typing.get_args(hint) or (Any,))[0]
            return [v for v in (self._item(prop, item, depth, i) for i in range(self.count)) if v is not None]
        if origin in (dict, Mapping):
            return {}
        if isinstance(hint, type) and depth < _DEPTH and is_output_type(hint):
            return {field: self.value(field, field_hint, depth + 1)
                    for field, (field_hint, _) in getter_types(hint).items()}
        return None

    def _item(self, prop: str, hint: Any, depth: int, index: int) -> Any:
        """Element ``index`` of a list: the n-th of several distinct things (``ids``: subnets)."""
        singular = prop[:-1] if prop.endswith("s") else prop
        shaper = Shaper(self.token, f"{self.name}-{index + 1}", self.region) if index else self
        return shaper.value(singular, hint, depth + 1)

    def text(self, prop: str) -> str:
        """A string of the form AWS gives the property, judged by its name (an ARN, an id, a URL)."""
        lower = prop.lower()
        module, _ = token_kind(self.token)
        host = f"{self.name}.{_ARN_SERVICE.get(module, module)}.{self.region}.amazonaws.com"
        if lower == "arn" or prop.endswith("Arn"):
            return arn(self.token, self.name, self.region, prop)
        if lower in ("accountid", "ownerid", "account"):
            return ACCOUNT_ID
        if lower in ("region", "awsregion"):
            return self.region
        if lower in ("availabilityzone", "availabilityzones"):
            return f"{self.region}a"
        if lower in ("id", "ids") or lower == f"{token_kind(self.token)[1].lower()}id":  # a KMS key's keyId
            return resource_id(self.token, self.name)
        if module == "ec2" and prop.endswith("Id") and prop[:-2] in _EC2_IDS:
            return f"{_EC2_IDS[prop[:-2]]}-{_hex(self.name + prop)}"
        if lower.endswith("policy"):  # a policy document, as JSON text
            return '{"Version":"2012-10-17","Statement":[]}'
        if lower == "secretstring":  # a looked-up secret: programs json.loads it and read its keys
            return json.dumps(_SECRET_FIELDS, separators=(",", ":"))
        if lower.endswith("cidrblock") or lower == "cidr":
            return "10.0.0.0/16"
        if lower.endswith(("url", "uri", "uris")):
            return f"https://{host}/"
        if lower.endswith(("endpoint", "address", "dnsname", "domainname", "hostname")):
            return host
        if lower in ("name", "names"):
            return self.name
        return f"{self.name}-{re.sub(r'(?<!^)(?=[A-Z])', '-', prop).lower()}"


def is_output_type(cls: type) -> bool:
    from pulumi import _types

    return _types.is_output_type(cls)


# -- which outputs the provider computes ---------------------------------------------------------


class Catalog:
    """Resource classes by type token, and the type of each of their outputs."""

    def __init__(self) -> None:
        self._classes: dict[str, type] = {}
        self._shapes: dict[str, tuple[dict[str, tuple[Any, bool]], frozenset[str]]] = {}

    def outputs(self, token: str) -> dict[str, tuple[Any, bool]]:
        """Pulumi name to ``(type, optional)`` of each output of the type."""
        return self._shape(token)[0]

    def computed(self, token: str, inputs: Mapping[str, Any]) -> list[tuple[str, Any, bool]]:
        """``(name, type, also an input)`` of each output the provider fills in: the outputs that
        are not inputs, and the inputs left unset that the provider always sets (declared as
        never absent, like ``aws.kinesis.Stream.arn``)."""
        outputs, input_names = self._shape(token)
        return [(name, hint, name in input_names) for name, (hint, optional) in outputs.items()
                if name not in ("id", "urn") and name not in inputs and not (optional and name in input_names)]

    def regional(self, token: str) -> bool:
        """True when the type has a ``region`` output, which pulumi-aws fills from its provider."""
        return "region" in self._shape(token)[0]

    def _shape(self, token: str) -> tuple[dict[str, tuple[Any, bool]], frozenset[str]]:
        found = self._shapes.get(token)
        if found is None:
            cls = self._class(token)
            found = _shape_of(cls) if cls is not None else ({}, frozenset())
            self._shapes[token] = found
        return found

    def _class(self, token: str) -> type | None:
        if token not in self._classes:
            import pulumi
            from pulumi.type_token import get_type_token

            pending: list[type] = [pulumi.CustomResource]
            while pending:
                cls = pending.pop()
                pending.extend(cls.__subclasses__())
                found = get_type_token(cls)
                if found:
                    self._classes.setdefault(found, cls)
        return self._classes.get(token)


def _shape_of(cls: type) -> tuple[dict[str, tuple[Any, bool]], frozenset[str]]:
    """The outputs of a resource class with their types, and the names of its inputs."""
    from pulumi import _types

    args_cls = getattr(sys.modules.get(cls.__module__), f"{cls.__name__}Args", None)
    inputs: set[str] = set()
    if isinstance(args_cls, type) and _types.is_input_type(args_cls):
        inputs = set(_types.input_type_py_to_pulumi_names(args_cls).values())
    return getter_types(cls), frozenset(inputs)


# -- inputs as the provider's outputs hold them ------------------------------------------------

_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


def conform(value: Any, hint: Any, depth: int = 0) -> Any:
    """A wire-format input as the provider's state holds it: an object or list given where the
    provider takes a JSON string (``assume_role_policy={...}``) becomes the JSON text, as the
    provider serialises it; everything else is left as given."""
    hint, _ = _optional(hint)
    if isinstance(value, dict) and value.get(_SIG_KEY) == _SECRET_SIG:
        return {**value, "value": conform(value.get("value"), hint, depth)}
    if isinstance(value, dict) and value.get(_SIG_KEY) == _RESOURCE_SIG and hint is str:
        # A resource given for a string: the engine hands the provider its id, unknown until created.
        return value.get("id") or UNKNOWN
    if hint is str and isinstance(value, (dict, list)) and not (isinstance(value, dict) and _SIG_KEY in value):
        return json_text(value)
    if depth >= _DEPTH:
        return value
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if isinstance(value, list) and origin in (list, Sequence) and args:
        return [conform(v, args[0], depth + 1) for v in value]
    if isinstance(value, dict) and origin in (dict, Mapping) and len(args) == 2:
        return {k: conform(v, args[1], depth + 1) for k, v in value.items()}
    if isinstance(value, dict) and isinstance(hint, type) and is_output_type(hint):
        fields = getter_types(hint)
        return {k: conform(v, fields[k][0], depth + 1) if k in fields else v for k, v in value.items()}
    return value


def json_text(value: Any) -> Any:
    """``value`` as JSON text; unknown when any part is unknown, secret when any part is secret."""
    secret = False

    def plain(v: Any) -> Any:
        nonlocal secret
        if isinstance(v, dict):
            if v.get(_SIG_KEY) == _SECRET_SIG:
                secret = True
                return plain(v.get("value"))
            return {k: plain(x) for k, x in v.items()}
        if isinstance(v, list):
            return [plain(x) for x in v]
        if v == UNKNOWN:
            raise LookupError
        return v

    try:
        text = json.dumps(plain(value), separators=(",", ":"))
    except LookupError:
        return UNKNOWN
    return {_SIG_KEY: _SECRET_SIG, "value": text} if secret else text
