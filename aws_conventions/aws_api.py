"""What an AWS SDK call the program makes (boto3) returns under the runner: a response of the shape the
operation declares in botocore's service model, with the account and region the runner knows and
values judged by each field's name, as data sources get (``datasources.py``). Nothing is sent to AWS,
so a program that reads its account id with ``boto3.client("sts").get_caller_identity()`` runs with
no credentials, as a preview with credentials would, and a program that changes something through the
SDK changes nothing. The parameters are validated as botocore validates them before it sends a request.

Runs in the program's interpreter (``capture.py``): imports only the standard library and
``datasources.py``; botocore is patched once the program imports it, and not imported otherwise.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.abc
import io
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from .datasources import CALLER
from .standins import Shaper

_DEPTH = 6
"""How deep a response is filled in: botocore's shapes nest, some into themselves (a DynamoDB item's values)."""
_COUNT = 2
"""Items in a list: two, so that a program that takes the first two availability zones finds them."""
_PAGE = ("token", "marker")
"""Endings of a response's fields that ask for the next page (``NextToken``, ``Marker``): left out, so
that a paginator stops."""
_NAMES = ("Name", "FunctionName", "RoleName", "Bucket", "TableName", "ClusterName", "StackName", "SecretId",
          "QueueName", "TopicName", "RepositoryName", "KeyId", "UserName", "GroupName")
"""Parameters that name what a call is about, for the values of its response."""
_WHEN = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)  # noqa: UP017 - the program's Python may predate 3.11


def response(operation: Any, params: Mapping[str, Any], region: str) -> dict[str, Any]:
    """The response of ``operation`` (a botocore ``OperationModel``) called with ``params``."""
    service = operation.service_model
    module = (service.metadata.get("signingName") or service.endpoint_prefix or service.service_name).lower()
    name = next((str(params[k]) for k in _NAMES if isinstance(params.get(k), (str, int))), None) \
        or operation.name.lower()
    shaper = Shaper(f"aws:{module}/{operation.name[:1].lower()}{operation.name[1:]}:{operation.name}",
                    name.rsplit("/", 1)[-1].rsplit(":", 1)[-1], region, count=_COUNT)
    shape = operation.output_shape
    found = _value(shape, "", shaper, 0) if shape is not None else {}
    if module == "sts" and operation.name == "GetCallerIdentity":
        found = {"UserId": CALLER["userId"], "Account": CALLER["accountId"], "Arn": CALLER["arn"]}
    return {**(found if isinstance(found, dict) else {}),
            "ResponseMetadata": {"RequestId": "00000000-0000-0000-0000-000000000000", "HTTPStatusCode": 200,
                                 "HTTPHeaders": {}, "RetryAttempts": 0}}


def _value(shape: Any, member: str, shaper: Shaper, depth: int) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if depth > _DEPTH:
            return {}
        return {key: value for key, child in shape.members.items()
                if not (depth == 0 and (key.startswith("Next") or key.lower().endswith(_PAGE)))
                and (value := _value(child, key, shaper, depth + 1)) is not None}
    if kind == "list":
        if depth > _DEPTH:
            return []
        singular = member[:-1] if member.endswith("s") else member
        return [v for i in range(shaper.count)
                if (v := _value(shape.member, singular, _nth(shaper, i), depth + 1)) is not None]
    if kind == "map":
        return {}
    if kind == "string":
        enum = getattr(shape, "enum", None)
        if enum:
            return enum[0]
        if member.lower() in ("zonename", "availabilityzone"):
            return f"{shaper.region}{'ab'[shaper.name.endswith('-2')]}"
        return shaper.text(member or "value")
    if kind == "boolean":
        return False
    if kind in ("integer", "long"):
        return 1
    if kind in ("float", "double"):
        return 1.0
    if kind == "timestamp":
        return _WHEN
    if kind == "blob":
        if shape.serialization.get("streaming"):
            from botocore.response import StreamingBody

            return StreamingBody(io.BytesIO(b""), 0)
        return b""
    return None


def _nth(shaper: Shaper, index: int) -> Shaper:
    return shaper if index == 0 else Shaper(shaper.token, f"{shaper.name}-{index + 1}", shaper.region)


def _answering(make_api_call: Any, region: str) -> Any:
    """``BaseClient._make_api_call`` that validates the parameters and answers without a request."""

    def _make_api_call(self: Any, operation_name: str, api_params: Mapping[str, Any]) -> Any:
        from botocore.exceptions import ParamValidationError
        from botocore.validate import ParamValidator

        operation = self.meta.service_model.operation_model(operation_name)
        if operation.input_shape is not None:
            report = ParamValidator().validate(dict(api_params), operation.input_shape)
            if report.has_errors():
                raise ParamValidationError(report=report.generate_report())
        return response(operation, api_params, self.meta.region_name or region)

    _make_api_call.__wrapped__ = make_api_call  # type: ignore[attr-defined]
    return _make_api_call


class _Patching(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Patches ``botocore.client`` when the program imports it (or now, if it is imported already)."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.client: Any = None

    def patch(self, module: Any) -> None:
        cls = getattr(module, "BaseClient", None)
        if cls is not None and self.client is None:
            self.client = cls
            cls._make_api_call = _answering(cls._make_api_call, self.region)

    def undo(self) -> None:
        if self.client is not None:
            self.client._make_api_call = self.client._make_api_call.__wrapped__
            self.client = None

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != "botocore.client" or self.client is not None:
            return None
        import importlib.machinery

        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        self.loader, spec.loader = spec.loader, self
        return spec

    def create_module(self, spec: Any) -> Any:
        return self.loader.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self.loader.exec_module(module)
        self.patch(module)


@contextlib.contextmanager
def answered(region: str) -> Iterator[None]:
    """For the duration of the block, AWS SDK calls get :func:`response` and clients have a region
    (``region``, unless the environment names one)."""
    patching = _Patching(region)
    if "botocore.client" in sys.modules:
        patching.patch(sys.modules["botocore.client"])
    sys.meta_path.insert(0, patching)
    unset = not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"))
    if unset:
        os.environ["AWS_DEFAULT_REGION"] = region
    try:
        yield
    finally:
        if unset:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        sys.meta_path.remove(patching)
        patching.undo()
