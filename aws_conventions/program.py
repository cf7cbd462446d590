"""The program to check: where it lives, what runs it, the config it runs with, and how a check of
it fails.

A program is a directory with ``Pulumi.yaml`` (whose ``main:`` is honoured), a Python file, or a
callable. Its stack config is ``Pulumi.yaml``'s project config, then ``Pulumi.<stack>.yaml``, then
overrides, with bare keys namespaced by the project as ``pulumi config`` does. The policy config is
a ``--policy-pack-config`` document. A check that cannot start raises :class:`UsageError`; a
program that fails, times out or registers nothing raises :class:`ProgramError`.
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from .findings import Diagnosis, Findings

SECURE_PLACEHOLDER = "secure-value-not-decrypted"
"""What a program reads for a ``secure:`` stack config value, which the runner cannot decrypt."""
ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
ProgramTarget = str | os.PathLike[str] | Callable[[], Any]


class UsageError(ValueError):
    """The check cannot start: a missing program, a malformed config, an invalid policy config.
    ``findings`` is the report of the check that could not start (set by the runner)."""

    findings: Findings | None = None


class ProgramError(RuntimeError):
    """The program failed. ``summary`` is one line; ``details`` is the program's error; ``diagnoses``
    explain it where the cause is known (``aws_conventions/diagnose``), with the project checks'
    findings; ``findings`` is the report of the failed check (its ``diagnoses``, and the resource
    policies' findings on what the program registered before it failed, as the engine reports them).
    ``explain`` is False for a failure that the program's code does not explain (it registered
    nothing, or something else answered for it): the report then holds the error alone. ``partial``
    is what the program registered before it failed (the records a run returns), if anything."""

    def __init__(self, summary: str, details: str = "", *, explain: bool = True,
                 partial: dict[str, Any] | None = None) -> None:
        super().__init__(f"{summary}\n{details}" if details else summary)
        self.summary = summary
        self.details = details
        self.explain = explain
        self.partial = partial
        self.diagnoses: list[Diagnosis] = []
        self.findings: Findings | None = None


class ProgramTimeout(ProgramError):
    """The program, or the pack's evaluation of it, did not finish within the runner's timeout."""

    def __init__(self, summary: str) -> None:
        super().__init__(summary, explain=False)


@dataclass(frozen=True)
class Program:
    """A Pulumi program to check: where it lives, what to run, and with which interpreter."""

    root: Path
    project: str
    entry: Path | None = None
    function: Callable[[], Any] | None = None
    python: str | None = None
    display: str = ""
    project_config: Mapping[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> Path | None:
        """The file that starts the program (the ``main`` file, the callable's module)."""
        if self.function is not None:
            found = inspect.getsourcefile(self.function)
            return Path(found).resolve() if found else None
        if self.entry is not None and self.entry.is_dir():
            return self.entry / "__main__.py"
        return self.entry


def load_program(target: ProgramTarget, *, main: str | None = None) -> Program:
    """A directory with ``Pulumi.yaml`` (honouring ``main:``, or ``main`` when given), a Python file, or
    a callable."""
    if callable(target):
        source = inspect.getsourcefile(target)
        start = Path(source).resolve().parent if source else Path.cwd()
        project_dir = _find_project(start)
        spec = _read_project(project_dir / "Pulumi.yaml") if project_dir else {}
        root = project_dir or start
        return Program(root=root, project=spec.get("name") or root.name, function=target,
                       display=getattr(target, "__qualname__", repr(target)),
                       project_config=spec.get("config") or {})
    path = Path(target)
    display = str(target)
    if not path.exists():
        raise UsageError(f"{display}: no such file or directory")
    path = path.resolve()
    if path.is_file():
        project_dir = _find_project(path.parent)
        spec = _read_project(project_dir / "Pulumi.yaml") if project_dir else {}
        root = project_dir or path.parent
        return Program(root=root, project=spec.get("name") or root.name, entry=path,
                       python=_virtualenv_python(root, spec), display=display,
                       project_config=spec.get("config") or {})
    yaml_path = next((path / n for n in ("Pulumi.yaml", "Pulumi.yml") if (path / n).is_file()), None)
    if yaml_path is None:
        if (path / "__main__.py").is_file():
            return Program(root=path, project=path.name, entry=path / "__main__.py", display=display)
        raise UsageError(f"{display}: not a Pulumi program (no Pulumi.yaml or __main__.py in it)")
    spec = _read_project(yaml_path)
    if main is not None:
        spec = {**spec, "main": main}
    entry = (path / str(spec["main"])).resolve() if spec.get("main") else path / "__main__.py"
    if not entry.exists() or (entry.is_dir() and not (entry / "__main__.py").is_file()):
        where = f"main: {spec['main']}" if spec.get("main") else "no main: in Pulumi.yaml"
        raise UsageError(f"{display}: the program's entry point {entry.name} does not exist ({where})")
    if not spec.get("name"):
        raise UsageError(f"{yaml_path}: the project has no name")
    return Program(root=path, project=str(spec["name"]), entry=entry, python=_virtualenv_python(path, spec),
                   display=display, project_config=spec.get("config") or {})


def _find_project(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / "Pulumi.yaml").is_file():
            return directory
    return None


def _read_project(path: Path) -> dict[str, Any]:
    data = _load_yaml(path)
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping with name, runtime and main")
    return data


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise UsageError(f"{path}: not valid YAML{where}: {getattr(e, 'problem', e)}") from e


def _virtualenv_python(root: Path, spec: Mapping[str, Any]) -> str | None:
    """The interpreter of the virtualenv that ``runtime.options.virtualenv`` names, if it exists."""
    runtime = spec.get("runtime")
    options = runtime.get("options") if isinstance(runtime, dict) else None
    venv = options.get("virtualenv") if isinstance(options, dict) else None
    if not isinstance(venv, str):
        return None
    base = (root / venv).resolve()
    for candidate in (base / "bin" / "python", base / "Scripts" / "python.exe"):
        if candidate.is_file():
            return str(candidate)
    return None


# -- stack config ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StackConfig:
    values: dict[str, str]
    secret_keys: list[str]


def default_stack(program: Program) -> str:
    """The only stack with a ``Pulumi.<stack>.yaml``, else ``dev``; asks for ``--stack`` when several
    stack files exist and none is ``dev``."""
    stacks = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in program.root.glob("Pulumi.*.yaml"))
    if len(stacks) == 1:
        return stacks[0]
    if len(stacks) > 1 and "dev" not in stacks:
        raise UsageError(f"{program.display}: several stacks ({', '.join(stacks)}); choose one with --stack")
    return "dev"


def stack_config(program: Program, stack: str, overrides: Mapping[str, Any] | Sequence[str] | None = None,
                 ) -> StackConfig:
    """Project config (``Pulumi.yaml``), then ``Pulumi.<stack>.yaml``, then ``overrides``.

    Bare keys get the project's namespace, as ``pulumi config`` does. ``overrides`` is a mapping or
    ``KEY=VALUE`` strings. Structured values become JSON text, as the engine passes them.
    """
    values: dict[str, str] = {}
    secrets: set[str] = set()

    def put(key: str, value: Any) -> None:
        full = key if ":" in key else f"{program.project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[full] = SECURE_PLACEHOLDER
            secrets.add(full)
            return
        values[full] = _config_text(value)
        secrets.discard(full)

    for key, value in (program.project_config or {}).items():
        if isinstance(value, dict) and ("value" in value or "default" in value):
            put(str(key), value.get("value", value.get("default")))
        elif not isinstance(value, dict):
            put(str(key), value)
    stack_file = program.root / f"Pulumi.{stack}.yaml"
    if stack_file.is_file():
        data = _load_yaml(stack_file) or {}
        config = data.get("config") if isinstance(data, dict) else None
        if config is not None and not isinstance(config, dict):
            raise UsageError(f"{stack_file}: config: must be a mapping of keys to values")
        for key, value in (config or {}).items():
            put(str(key), value)
    items = overrides.items() if isinstance(overrides, Mapping) else [_split_override(o) for o in overrides or ()]
    for key, value in items:
        put(str(key), value)
    return StackConfig(values, sorted(secrets))


def _split_override(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--config {text!r}: expected KEY=VALUE, e.g. --config environmentSuffix=pr123")
    return key.strip(), value


def _config_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def load_policy_config(source: str | os.PathLike[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """A ``--policy-pack-config`` document: ``{"policy": "mandatory" | {"enforcementLevel": ..., ...}}``."""
    if source is None:
        return {}
    if isinstance(source, Mapping):
        data: Any = dict(source)
        where = "the policy config"
    else:
        where = str(source)
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8"))
        except OSError as e:
            raise UsageError(f"{where}: cannot read the policy config ({e.strerror})") from e
        except ValueError as e:
            raise UsageError(f"{where}: not valid JSON ({e})") from e
    if not isinstance(data, dict):
        raise UsageError(f"{where}: expected a JSON object of policy names to settings")
    for name, value in data.items():
        level = value if isinstance(value, str) else value.get("enforcementLevel") if isinstance(value, dict) else None
        if not isinstance(value, (str, dict)):
            raise UsageError(f"{where}: policy '{name}': expected an enforcement level or an object")
        if level is not None and level not in ENFORCEMENT_LEVELS:
            raise UsageError(f"{where}: policy '{name}': enforcementLevel must be one of "
                             f"{', '.join(ENFORCEMENT_LEVELS)}, got {level!r}")
    return data


# -- the program's requirements --------------------------------------------------------------


def unmet_pins(program: Program) -> list[str]:
    """The program's pins on Pulumi packages that this interpreter does not meet, as
    ``pulumi-aws>=6.0.0,<7.0.0 (7.51.1 here)``. The pins come from ``requirements.txt`` in the
    program's directory or next to its main file."""
    from importlib import metadata

    from packaging.requirements import InvalidRequirement, Requirement

    unmet = []
    for line in _requirement_lines(program):
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if not requirement.name.lower().startswith("pulumi"):
            continue
        try:
            installed = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            unmet.append(f"{requirement} (not installed here)")
            continue
        if requirement.specifier and not requirement.specifier.contains(installed, prereleases=True):
            unmet.append(f"{requirement} ({installed} here)")
    return unmet


def _requirement_lines(program: Program) -> list[str]:
    places = [program.root]
    if program.entry is not None:
        places.append(program.entry if program.entry.is_dir() else program.entry.parent)
    for place in places:
        path = place / "requirements.txt"
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            return [ln.split("#", 1)[0].strip() for ln in text.splitlines() if ln.split("#", 1)[0].strip()]
    return []
