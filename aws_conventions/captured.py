"""What a program registers, as the engine receives it: the program run under mocks (in a process of
its own, ``program_process.py``; a callable in-process, ``capture.py``), its records read back, and the
default providers the engine adds."""

from __future__ import annotations

import dataclasses
import functools
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import capture as capture_mod
from . import program_process
from .installation import POLICIES_DIR
from .policy_core import SECRET_SIG, SIG_KEY, STACK_TYPE, aws_types, make_urn, urns
from .program import Program, ProgramError, StackConfig

AWS_TYPES = POLICIES_DIR / "_data" / "aws_types.json"
"""The pack's AWS type table (``tools/aws_catalog.py``): which properties hold a physical name."""
PROGRESS_EVERY = 50
"""Resources between two counts the program reports, when progress is shown."""


@dataclass(frozen=True)
class Captured:
    """One resource the program registered, as the engine receives it (see ``capture.py``)."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    """The provider reference, ``<provider urn>::<provider id>``; empty for the default provider."""
    dependencies: tuple[str, ...]
    property_dependencies: Mapping[str, Sequence[str]]
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    source: Mapping[str, Any] | None = None
    frames: tuple[str, ...] = ()
    read: bool = False
    protect: bool = False

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> Captured:
        return cls(urn=record["urn"], type=record["type"], name=record["name"], custom=record["custom"],
                   parent=record["parent"], provider=record["provider"],
                   dependencies=tuple(record["dependencies"]),
                   property_dependencies=record["propertyDependencies"], inputs=record["inputs"],
                   outputs=record["outputs"], source=record.get("source"), frames=tuple(record.get("frames", ())),
                   read=bool(record.get("read")), protect=bool(record.get("protect")))

    @property
    def options(self) -> dict[str, Any]:
        """The resource options the engine sends with it, as far as the program's registration tells."""
        return {"protect": self.protect, "parent": self.parent}

    @property
    def kind(self) -> str:
        if self.type == STACK_TYPE and not self.parent:
            return "stack"
        if self.type.startswith(urns.PROVIDER_PREFIX):
            return "provider"
        if self.read:
            return "read"
        return "custom" if self.custom else "component"


@functools.cache
def autonames() -> dict[str, list[str]]:
    """Type token to physical-name properties, from the pack's AWS type table, for autonaming."""
    tokens = json.loads(AWS_TYPES.read_text(encoding="utf-8"))["types"]
    return {token: names for token in tokens if (names := list(aws_types.physical_names(token)))}


def _in_process(program: Program, spec: Mapping[str, Any], on_progress: Callable[[int], None]) -> dict[str, Any]:
    every = spec["progressEvery"]
    assert program.function is not None
    try:
        return capture_mod.capture(
            program.function, root=spec["root"], project=spec["project"], stack=spec["stack"],
            preview=spec["preview"], config=spec["config"], secret_keys=spec["secretKeys"],
            on_register=lambda n: on_progress(n) if every and n % every == 0 else None,
            autonames=spec["autonames"])
    except capture_mod.ProgramFailed as e:
        raise ProgramError(f"the program {program.display} failed: {e.summary}", e.details, partial=e.partial) from e


def spec_of(program: Program, stack: str, preview: bool, cfg: StackConfig, progress: bool) -> dict[str, Any]:
    """What the program is run with (``capture.capture``'s arguments, as ``capture.main`` reads them)."""
    return {"program": str(program.entry) if program.entry else "", "root": str(program.root),
            "project": program.project, "stack": stack, "preview": preview, "config": cfg.values,
            "secretKeys": cfg.secret_keys, "progressEvery": PROGRESS_EVERY if progress else 0,
            "autonames": autonames()}


def run(program: Program, spec: Mapping[str, Any], python: str | None, on_progress: Callable[[int], None],
        deadline: float | None, timeout: float | None) -> dict[str, Any]:
    """What the program registered (see ``capture.py``): a callable in-process, a file or directory in a
    process of its own run by ``python`` (None: the program's virtualenv or this interpreter) within
    ``deadline``. Raises :class:`ProgramError` when it fails or registers no resource."""
    if program.function is not None:
        captured = _in_process(program, spec, on_progress)
    else:
        captured = program_process.run(program, spec, python or program.python, on_progress, deadline, timeout)
    _require_resources(program, captured)
    return captured


def records_of(captured: Mapping[str, Any], cfg: StackConfig, stack: str, project: str) -> list[Captured]:
    """Every resource, the engine's default providers included, in a fixed order: the stack, the
    providers, then by URN. The SDK registers resources concurrently, so their order varies from run to
    run; the engine promises no order either. A fixed one keeps the findings the same from run to run."""
    records = [Captured.of(r) for r in captured["resources"]]
    records = _with_default_providers(records, captured.get("versions", {}), cfg, stack, project)
    return sorted(records, key=lambda r: (r.kind != "stack", r.kind != "provider", r.urn))


def declares(captured: Mapping[str, Any]) -> bool:
    """Whether the program registered a resource besides its stack."""
    return any(r.get("type") != STACK_TYPE or r.get("parent") for r in captured.get("resources", []))


def _require_resources(program: Program, captured: Mapping[str, Any]) -> None:
    """A program that registers nothing but its stack has nothing to check: most often ``main:``
    names a file that only defines the stack's classes, or the code that declares them did not run."""
    if declares(captured):
        return
    entry = f" (it ran {program.entry.name}: does that file declare them?)" if program.entry else ""
    raise ProgramError(f"the program {program.display} registered no resources: there is nothing to check{entry}",
                       explain=False)


def _with_default_providers(records: Iterable[Captured], versions: Mapping[str, str], cfg: StackConfig,
                            stack: str, project: str) -> list[Captured]:
    """Add the default provider the engine registers before the first resource of each package that
    names no provider (``default_7_51_1``, its inputs the package's stack config), and point those
    resources at it."""
    out: list[Captured] = []
    defaults: dict[str, str] = {}
    for r in records:
        package = r.type.split(":", 1)[0]
        if r.custom and not r.provider and r.type.count(":") == 2 and package != "pulumi":
            if package not in defaults:
                provider = _default_provider(package, versions.get(package, ""), cfg, stack, project)
                out.append(provider)
                defaults[package] = provider.urn
            r = dataclasses.replace(r, provider=f"{defaults[package]}::default-provider-id")
        out.append(r)
    return out


def _default_provider(package: str, version: str, cfg: StackConfig, stack: str, project: str) -> Captured:
    name = f"default_{version.replace('.', '_')}" if version else "default"
    inputs: dict[str, Any] = {}
    for key, value in sorted(cfg.values.items()):
        if key.startswith(package + ":"):
            inputs[key.split(":", 1)[1]] = {SIG_KEY: SECRET_SIG, "value": value} if key in cfg.secret_keys else value
    if version:
        inputs["version"] = version
    type_ = f"{urns.PROVIDER_PREFIX}{package}"
    return Captured(urn=make_urn(type_, name, stack, project), type=type_, name=name, custom=True, parent="",
                    provider="", dependencies=(), property_dependencies={}, inputs=inputs, outputs=inputs)
