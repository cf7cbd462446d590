"""Run a Pulumi Python program under the SDK's mocks and record what the engine would receive.

For every resource the program registers this records the ``RegisterResource`` request as the SDK
serialized it (type, name, parent, camelCase inputs in wire format with secrets and unknowns kept,
dependencies, property dependencies, provider reference, source position) and the outputs a first
deployment would produce: the inputs echoed plus the properties only the provider computes, which
are unknown in a preview and synthetic but known otherwise (``standins.py``; data sources answer
from ``datasources.py``, AWS SDK calls from ``aws_api.py``). The root stack's outputs are the exports.

``program_process.py`` runs :func:`main` in a fresh process, in the program's interpreter, with the
program's directory as working directory: it reads a JSON spec on stdin and answers in JSON lines on
stdout. This module and the ones it imports need only the standard library and the pulumi SDK, so
that it runs under the program's own virtualenv. :func:`capture` also runs a callable in-process,
for the test API.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import json
import logging
import os
import re
import runpy
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from . import aws_api, datasources, standins, workarounds
from .program_failure import (
    CALLBACK_TRACEBACK,
    ProgramFailed,
    first_line,
    missing_config,
    syntax_summary,
    user_traceback,
)

__all__ = ["ProgramFailed", "capture", "main"]

UNKNOWN = standins.UNKNOWN
_MAX_FRAMES = 30
# Outputs that are also optional inputs, which an update run gives a value when the program sets
# none: identities the provider always assigns. Settings left unset keep the provider's default,
# which the runner does not know, so they stay absent rather than take an invented value.
_ASSIGNED = re.compile(r"^(arn|id|url|endpoint)$|(Arn|Id|Url|Endpoint)$")


# -- the recording monitor -----------------------------------------------------------------------


def _position(request: Any) -> dict[str, Any] | None:
    if not request.HasField("sourcePosition") or not request.sourcePosition.uri:
        return None
    return {"file": _path_of(request.sourcePosition.uri), "line": request.sourcePosition.line}


def _path_of(uri: str) -> str:
    from urllib.parse import unquote, urlparse

    return unquote(urlparse(uri).path) if uri.startswith("file:") else uri


def _struct_dict(struct: Any) -> dict[str, Any]:
    from google.protobuf import json_format

    return json_format.MessageToDict(struct)


def _make_classes(urns: ModuleType) -> tuple[type, type]:
    """Build the Mocks and MockMonitor subclasses (the SDK is imported only when running), with the
    engine's naming rules (``policies/_core/urns.py``)."""
    from google.protobuf import struct_pb2
    from pulumi.runtime import mocks
    from pulumi.runtime.proto import resource_pb2
    from pulumi.runtime.sync_await import _ensure_event_loop

    class CaptureMocks(mocks.Mocks):
        def __init__(self, region: str) -> None:
            self.region = region
            self.regions: dict[str, str] = {}
            """Each explicit provider's region, by URN (the monitor records them as they register)."""

        def call(self, args: mocks.MockCallArgs) -> dict:  # type: ignore[override]
            return datasources.invoke_result(args.token, args.args, self.region_of(args))

        def region_of(self, args: mocks.MockCallArgs) -> str:
            """Where a data source looks: its own ``region`` argument, else its provider's region (a
            lookup of zones with a provider for us-west-2 answers us-west-2's), else the default."""
            own = args.args.get("region")
            if isinstance(own, str) and own:
                return own
            provider = getattr(args, "provider", "") or ""
            return self.regions.get(provider.rsplit("::", 1)[0], self.region)

        def new_resource(self, args: mocks.MockResourceArgs) -> tuple[str | None, dict]:
            # Only resource reads come here (Resource.get): return the state as it was given.
            return args.resource_id or f"{args.name}-id", dict(args.inputs)

    class CaptureMonitor(mocks.MockMonitor):
        def __init__(self, mocks_: CaptureMocks, preview: bool, on_register: Callable[[int], None],
                     autonames: Mapping[str, Sequence[str]]) -> None:
            super().__init__(mocks_)
            self.preview = preview
            self.autonames = autonames
            self.region = mocks_.region
            self.records: list[dict[str, Any]] = []
            self.outputs: dict[str, dict[str, Any]] = {}
            self._catalog = standins.Catalog()
            self._regions = mocks_.regions
            self._lock = threading.Lock()
            self._on_register = on_register

        def make_urn(self, parent: str, type_: str, name: str) -> str:
            """As the engine builds URNs: the parent's whole qualified type, except the root stack's."""
            from pulumi.runtime.settings import get_project, get_stack

            return urns.make_urn(type_, name, get_stack(), get_project(), urns.qualified_type(parent))

        def RegisterResource(self, request: Any) -> Any:
            urn = self.make_urn(request.parent, request.type, request.name)
            inputs = _struct_dict(request.object)
            if request.type.startswith(urns.PROVIDER_PREFIX) and isinstance(inputs.get("region"), str):
                self._regions[urn] = inputs["region"]
            checked = self._autoname(request, urn, inputs) if request.custom else {}
            inputs.update(checked)
            conformed = self._conformed(request.type, inputs) if request.custom else {}
            computed = {**conformed, **self._computed(request, inputs)} if request.custom else {}
            known = {**checked, **conformed, **{k: v for k, v in computed.items() if v != UNKNOWN}}
            self._record({
                "urn": urn, "type": request.type, "name": request.name, "custom": request.custom,
                "parent": request.parent, "provider": request.provider,
                "dependencies": list(request.dependencies),
                "propertyDependencies": {k: list(v.urns) for k, v in request.propertyDependencies.items()},
                "inputs": inputs, "outputs": {**inputs, **computed},
                "protect": bool(request.protect),
                "source": _position(request),
                "frames": [_path_of(f.pc.uri) + f":{f.pc.line}"
                           for f in request.stackTrace.frames[:_MAX_FRAMES] if f.pc.uri],
            })
            if request.type == urns.STACK_TYPE:
                return resource_pb2.RegisterResourceResponse(urn=urn)
            _ensure_event_loop()
            obj = struct_pb2.Struct()
            obj.CopyFrom(request.object)
            if known:
                obj.update(known)
            id_ = self._id(request, known)
            # Kept in wire form: deserializing here, on the SDK's executor thread, would turn resource
            # references into resources bound to this thread's event loop.
            self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, id_, _struct_dict(obj))
            return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=obj)

        def ReadResource(self, request: Any) -> Any:
            response = super().ReadResource(request)
            self._record({
                "urn": response.urn, "type": request.type, "name": request.name, "custom": True,
                "parent": request.parent, "provider": request.provider, "dependencies": list(request.dependencies),
                "propertyDependencies": {}, "inputs": {}, "outputs": _struct_dict(response.properties),
                "read": True, "source": _position(request), "frames": [],
            })
            return response

        def RegisterResourceOutputs(self, request: Any) -> Any:
            with self._lock:
                self.outputs[request.urn] = _struct_dict(request.outputs)
            return super().RegisterResourceOutputs(request)

        def _record(self, record: dict[str, Any]) -> None:
            # Counted and reported under one lock: the SDK registers from several threads, and the
            # counts must reach the runner in order.
            with self._lock:
                self.records.append(record)
                self._on_register(len(self.records))

        def _autoname(self, request: Any, urn: str, inputs: dict[str, Any]) -> dict[str, Any]:
            """The physical name the engine's check assigns when the program sets none: the logical
            name and a suffix, known even in a preview."""
            names = self.autonames.get(request.type, ())
            target = next((n for n in names if not n.endswith("Prefix")), None)
            if target is None or any(n in inputs for n in names):
                return {}
            suffix = hashlib.sha256(urn.encode()).hexdigest()[:7]
            value = f"{request.name}-{suffix}"
            return {target: value.lower() if request.type.startswith("aws:s3/") else value}

        def _id(self, request: Any, known: Mapping[str, Any]) -> str:
            """Unknown in a preview, except a provider's: the engine configures providers even in
            a preview, so that invokes through them can run."""
            if request.type.startswith(urns.PROVIDER_PREFIX):
                return hashlib.sha256(request.name.encode()).hexdigest()[:32]
            if self.preview or not request.custom:
                return ""
            return str(known.get("id") or f"{request.name}-id")

        def _conformed(self, token: str, inputs: dict[str, Any]) -> dict[str, Any]:
            """The inputs the provider's state holds in another shape (JSON text for an object)."""
            outputs = self._catalog.outputs(token)
            changed = {}
            for name, value in inputs.items():
                if name in outputs:
                    shaped = standins.conform(value, outputs[name][0])
                    if shaped != value:
                        changed[name] = shaped
            return changed

        def _computed(self, request: Any, inputs: dict[str, Any]) -> dict[str, Any]:
            computed = self._catalog.computed(request.type, inputs)
            region = inputs.get("region")
            if not isinstance(region, str):
                region = self._regions.get(request.provider.rsplit("::", 1)[0], self.region)
            values: dict[str, Any] = {}
            if "region" not in inputs and self._catalog.regional(request.type):
                values["region"] = region
            if self.preview:
                return {**{name: UNKNOWN for name, _, _ in computed}, **values}
            physical = next((inputs[k] for k in (*self.autonames.get(request.type, ()), "name", "identifier")
                             if isinstance(inputs.get(k), str)), request.name)
            values["id"] = standins.resource_id(request.type, physical)
            shaper = standins.Shaper(request.type, physical, region)
            for name, hint, also_input in computed:
                if name == "tagsAll":
                    value = inputs.get("tags") if isinstance(inputs.get("tags"), dict) else {}
                elif also_input and not _ASSIGNED.search(name):
                    continue
                else:
                    value = shaper.value(name, hint)
                if value is not None and name not in values:
                    values[name] = value
            values.update(standins.random_outputs(request.type, request.name, inputs))
            return values

    return CaptureMocks, CaptureMonitor


# -- running a program -------------------------------------------------------------------------


def capture(target: str | Callable[[], Any], *, root: str, project: str, stack: str, preview: bool,
            config: dict[str, str], secret_keys: list[str], organization: str = "organization",
            on_register: Callable[[int], None] | None = None,
            autonames: Mapping[str, Sequence[str]] | None = None, urns: ModuleType | None = None,
            fixes: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """Run ``target`` (a file or directory to run as ``__main__``, or a callable) under mocks.

    ``autonames`` maps a type token to its physical-name properties (``name``, ``namePrefix``...);
    the first that is not a prefix is autonamed when the program sets none of them. ``urns`` is the
    pack's ``policies/_core/urns.py`` (by default imported from the pack, which the program's process
    cannot do: there :func:`main` loads the file the runner names). ``fixes`` are the runner's fixes of
    earlier failures, applied while the program runs (``workarounds.py``).

    Returns the records (see the module docstring); raises :class:`ProgramFailed` when the program
    raises. Runs in a new thread with a fresh context, so the caller's SDK state is left alone.
    """
    if urns is None:
        from .policy_core import urns as pack_urns

        urns = pack_urns
    result: dict[str, Any] = {}
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.update(_run(target, root=root, project=project, stack=stack, preview=preview,
                               config=config, secret_keys=secret_keys, organization=organization,
                               on_register=on_register or (lambda _: None), autonames=autonames or {},
                               urns=urns, fixes=fixes))
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread below
            error.append(e)

    with _settings_defaults_restored():
        thread = threading.Thread(target=contextvars.Context().run, args=(run,), name="program")
        thread.start()
        thread.join()
    if error:
        raise error[0]
    return result


def _run(target: str | Callable[[], Any], *, root: str, project: str, stack: str, preview: bool,
         config: dict[str, str], secret_keys: list[str], organization: str,
         on_register: Callable[[int], None], autonames: Mapping[str, Sequence[str]], urns: ModuleType,
         fixes: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    import pulumi
    from google.protobuf import empty_pb2
    from pulumi.runtime import mocks, settings
    from pulumi.runtime.stack import run_in_stack

    mocks_cls, monitor_cls = _make_classes(urns)
    region = config.get("aws:region") or os.environ.get("AWS_REGION") or os.environ.get(
        "AWS_DEFAULT_REGION") or "us-east-1"
    monitor = monitor_cls(mocks_cls(region), preview, on_register, autonames)
    pulumi.runtime.set_all_config(dict(config), list(secret_keys))
    settings.configure(mocks.MockSettings(
        monitor=monitor, engine=mocks.MockEngine(logging.getLogger("aws_conventions.program")),
        monitor_features=set(monitor.GetDeploymentInfo(empty_pb2.Empty()).supportedFeatures),
        project=project, stack=stack, dry_run=preview, organization=organization,
        root_directory=root, callbacks=None, parallel=None, legacy_apply_enabled=False,
        outputs=set(), lock=threading.Lock()))

    def program() -> None:
        if callable(target):
            target()
        else:
            runpy.run_path(target, run_name="__main__")

    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    apply = vars(pulumi.Output)["apply"]
    pulumi.Output.apply = _remembering(apply)  # type: ignore[method-assign]
    try:
        with aws_api.answered(region):
            _run_program(loop, run_in_stack(program), fixes, root, project, stack)
    except ProgramFailed as e:
        # The engine analyzes each resource as it is registered: what came before the failure is reported.
        e.partial = _registered(monitor)
        raise
    finally:
        pulumi.Output.apply = apply  # type: ignore[method-assign]
        loop.close()
    return _registered(monitor)


def _remembering(apply: Callable[..., Any]) -> Callable[..., Any]:
    """``Output.apply`` whose callback's exception keeps the traceback at the callback (the program's
    frame that raised), whatever traceback the SDK's task gives it later."""

    def patched(self: Any, func: Callable[[Any], Any], run_with_unknowns: bool = False) -> Any:
        def remembered(value: Any) -> Any:
            try:
                return func(value)
            except Exception as e:
                with contextlib.suppress(AttributeError, TypeError):  # an exception that takes no attributes
                    setattr(e, CALLBACK_TRACEBACK, e.__traceback__)
                raise

        return apply(self, remembered, run_with_unknowns)

    return patched


def _registered(monitor: Any) -> dict[str, Any]:
    """What the program registered: the records this module's docstring describes."""
    return {"resources": monitor.records, "outputs": monitor.outputs, "versions": _versions()}


def _run_program(loop: asyncio.AbstractEventLoop, main: Any, fixes: Sequence[Mapping[str, Any]], root: str,
                 project: str, stack: str) -> None:
    """Run the program's coroutine; its failure as :class:`ProgramFailed`."""
    import pulumi

    try:
        with workarounds.applied(fixes):  # around the applies too, which run after the program returns
            loop.run_until_complete(main)
    except pulumi.ConfigMissingError as e:
        raise ProgramFailed(missing_config(e.key, project, stack), str(e)) from e
    except pulumi.RunError as e:
        raise ProgramFailed(f"{type(e).__name__}: {first_line(e)}", str(e)) from e
    except SyntaxError as e:
        raise ProgramFailed(syntax_summary(e), user_traceback(e, root)) from e
    except SystemExit as e:
        if e.code not in (None, 0):
            raise ProgramFailed(f"the program called sys.exit({e.code!r})", "") from e
    except Exception as e:
        raise ProgramFailed(f"{type(e).__name__}: {first_line(e)}", user_traceback(e, root)) from e


def _versions() -> dict[str, str]:
    """Versions of the provider SDKs the program loaded: ``{"aws": "7.51.1"}``."""
    from importlib import metadata

    found = {}
    for module in list(sys.modules):
        if module.startswith("pulumi_") and "." not in module:
            try:
                found[module[len("pulumi_"):]] = metadata.version(module)
            except metadata.PackageNotFoundError:
                continue
    return found


class _settings_defaults_restored:
    """The SDK's context properties turn the first value set in a fresh context into their default
    for every context; put the previous defaults back so that a run leaves no trace."""

    def __enter__(self) -> None:
        from pulumi._utils import ContextProperty
        from pulumi.runtime.settings import Settings

        # The SDK keeps the default in a private attribute, which its annotations do not declare.
        self._saved = [(p, p._ContextProperty__default) for p in vars(Settings).values()  # type: ignore[attr-defined]
                       if isinstance(p, ContextProperty)]

    def __exit__(self, *exc: object) -> None:
        for prop, default in self._saved:
            prop._ContextProperty__default = default  # type: ignore[attr-defined]


# -- the program process -------------------------------------------------------------------------


def main() -> None:
    """Read the spec on stdin, run the program, answer in JSON lines on the original stdout.

    The program's own output (prints, warnings, subprocesses) goes to stderr, so that it cannot
    mix with the answer.
    """
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    spec = json.load(sys.stdin)
    root = spec["root"]
    os.chdir(root)
    sys.argv = [spec["program"]]
    every = spec.get("progressEvery") or 0
    lock = threading.Lock()

    def progress(count: int) -> None:
        if every and count % every == 0:
            with lock:
                channel.write(json.dumps({"progress": count}) + "\n")

    try:
        result = capture(spec["program"], root=root, project=spec["project"], stack=spec["stack"],
                         preview=spec["preview"], config=spec["config"], secret_keys=spec["secretKeys"],
                         organization=spec.get("organization") or "organization", on_register=progress,
                         autonames=spec.get("autonames") or {}, urns=_module(Path(spec["urns"])),
                         fixes=spec.get("fixes") or ())
    except ProgramFailed as e:
        answer: dict[str, Any] = {"error": {"summary": e.summary, "details": e.details,
                                            **({"partial": e.partial} if e.partial else {})}}
    else:
        answer = {"result": result}
    with lock:
        channel.write(json.dumps(answer) + "\n")
        channel.flush()
    sys.stdout.flush()
    sys.stderr.flush()



def _module(path: Path) -> ModuleType:
    """A module of the standard library alone, loaded from its file."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"_aws_conventions_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
