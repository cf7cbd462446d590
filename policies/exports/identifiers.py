"""Key resources, the outputs that identify them, and finding those among a stack's exports.

Integration tests and pipelines find deployed resources through the stack's exports: a table by
its name, a queue by its URL, an API by its invoke URL. The output names come from the installed
``pulumi_aws`` getters (camelCase, as the engine sends them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from .._core import aws_types
from .._core.regex import LazyPattern
from .._core.resource import Resource
from .._core.values import UNKNOWN, Secret, prop_of

FALLBACK_IDENTIFIERS = ("name", "arn", "id")
"""For a type added by config that the table does not know."""

KEY_RESOURCES: dict[str, tuple[str, ...]] = {
    "aws:lambda/function:Function": ("name", "arn", "invokeArn", "qualifiedArn", "id"),
    "aws:lambda/functionUrl:FunctionUrl": ("functionUrl", "urlId", "id"),
    "aws:dynamodb/table:Table": ("name", "arn", "streamArn", "id"),
    "aws:s3/bucket:Bucket": ("bucket", "arn", "id", "bucketDomainName", "bucketRegionalDomainName",
                             "websiteEndpoint"),
    "aws:sns/topic:Topic": ("arn", "name", "id"),
    "aws:sqs/queue:Queue": ("url", "arn", "name", "id"),
    "aws:apigateway/stage:Stage": ("invokeUrl", "executionArn", "arn", "id", "restApi"),
    "aws:apigatewayv2/stage:Stage": ("invokeUrl", "executionArn", "arn", "apiId"),
    "aws:sfn/stateMachine:StateMachine": ("arn", "name", "id"),
    "aws:secretsmanager/secret:Secret": ("arn", "name", "id"),
    "aws:kms/key:Key": ("arn", "keyId", "id"),
    "aws:rds/cluster:Cluster": ("endpoint", "clusterIdentifier", "arn", "readerEndpoint", "id"),
    "aws:rds/instance:Instance": ("address", "endpoint", "identifier", "arn", "id"),
    "aws:lb/loadBalancer:LoadBalancer": ("dnsName", "arn", "name", "id"),
    "aws:alb/loadBalancer:LoadBalancer": ("dnsName", "arn", "name", "id"),
    "aws:ecs/cluster:Cluster": ("name", "arn", "id"),
    "aws:ecs/service:Service": ("name", "arn", "id"),
    "aws:ec2/vpc:Vpc": ("id", "arn"),
    "aws:cloudfront/distribution:Distribution": ("domainName", "id", "arn"),
    "aws:ecr/repository:Repository": ("repositoryUrl", "name", "arn", "id"),
    "aws:cognito/userPool:UserPool": ("id", "arn", "endpoint", "name"),
    "aws:kinesis/stream:Stream": ("name", "arn", "id"),
    "aws:eks/cluster:Cluster": ("name", "endpoint", "arn", "id"),
    "aws:cloudwatch/eventBus:EventBus": ("name", "arn", "id"),
    "aws:opensearch/domain:Domain": ("endpoint", "domainName", "arn", "id"),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("primaryEndpointAddress", "configurationEndpointAddress",
                                                          "replicationGroupId", "arn", "id"),
    "aws:efs/fileSystem:FileSystem": ("id", "dnsName", "arn"),
    "aws:appsync/graphQLApi:GraphQLApi": ("uris", "arn", "id"),
}

STAND_INS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "aws:kms/key:Key": ("aws:kms/alias:Alias", ("targetKeyId", "targetKeyArn"), ("name", "arn")),
}
"""A resource that identifies another when exported: an exported KMS alias names its key."""

MIN_EMBEDDED = 5
"""Identifiers at least this long also count inside a longer export (an ARN, a URL, a JSON document)."""

_MAX_NODES = 100_000
_WORD = LazyPattern(r"[0-9A-Za-z_-]")


def identifiers_of(token: str) -> tuple[str, ...]:
    return KEY_RESOURCES.get(token, FALLBACK_IDENTIFIERS)


def strings(value: Any) -> Iterator[tuple[str, bool]]:
    """Every string in a decoded value, with whether it sits inside a secret (never to be shown)."""
    todo, budget = [(value, False)], _MAX_NODES
    while todo and budget > 0:
        budget -= 1
        item, secret = todo.pop()
        if isinstance(item, Secret):
            todo.append((item.value, True))
        elif isinstance(item, str):
            yield item, secret
        elif isinstance(item, dict):
            todo.extend((v, secret) for v in item.values())
        elif isinstance(item, list):
            todo.extend((v, secret) for v in item)


def has_unknown(value: Any) -> bool:
    todo, budget = [value], _MAX_NODES
    while todo and budget > 0:
        budget -= 1
        item = todo.pop()
        if item is UNKNOWN:
            return True
        if isinstance(item, Secret):
            todo.append(item.value)
        elif isinstance(item, dict):
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return budget <= 0


class ExportIndex:
    """The strings of a stack's export values, searchable for an identifier."""

    def __init__(self, values: Iterable[Any]) -> None:
        found = [s for v in values for s, _ in strings(v) if s]
        self._exact = set(found)
        self._blob = "\n".join(found)

    def has(self, identifier: str) -> bool:
        """True when an export equals ``identifier`` or holds it as a whole word (``/``, ``:``, ``.`` bound it)."""
        if not identifier:
            return False
        if identifier in self._exact:
            return True
        if len(identifier) < MIN_EMBEDDED:
            return False
        blob, start = self._blob, 0
        while (i := blob.find(identifier, start)) >= 0:
            end = i + len(identifier)
            if (i == 0 or not _WORD.match(blob[i - 1])) and (end == len(blob) or not _WORD.match(blob[end])):
                return True
            start = i + 1
        return False


def known_identifiers(resource: Resource, names: Iterable[str]) -> list[tuple[str, str, str]]:
    """``(property, value, shown)`` for each known string identifier; ``shown`` never reveals a secret."""
    out = []
    for name in names:
        prop = resource.get(name)
        if not prop.known:
            continue
        for value, secret in strings(prop.value):
            out.append((name, value, "[secret]" if secret or prop.secret else prop_of(name, value).display()))
    return out


def python_variable(token: str) -> str:
    """A plausible variable name for a resource of this type: ``function_url`` for ``FunctionUrl``."""
    cls = token.rsplit(":", 1)[-1]
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", cls).lower() or "resource"


def export_line(resource: Resource) -> str:
    """The ``pulumi.export(...)`` that would identify ``resource``."""
    attr = identifiers_of(resource.type)[0]
    key = re.sub(r"[^0-9a-zA-Z]+", "_", resource.name).strip("_").lower() or "resource"
    return (f"pulumi.export(\"{key}_{aws_types.snake(attr)}\", {python_variable(resource.type)}."
            f"{aws_types.snake(attr)})  # the {aws_types.python_class(resource.type)} '{resource.name}'")
