"""Project checks: what the Pulumi CLI refuses, or what fails under it, before the program's first resource.

Each check follows the CLI's own rule (pulumi/pulumi, cited per check) and returns :class:`Diagnosis`
values located in ``Pulumi.yaml``, the entry file or ``requirements.txt``. They run on the program's
files only: nothing here imports or runs the program.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from ..findings import Diagnosis, Location
from ..policy_core import and_more
from .checks import level_of
from .sources import output_json_rules

_SKIP_DIRS = frozenset({"venv", ".venv", "env", "site-packages", "__pycache__", "node_modules", "build", "dist",
                        "cdk.out", "cfn-outputs"})
_SECRET_KEY = re.compile(r"(secret|password|passwd|token|private|credential|access_?key)", re.I)
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_PROVIDER_IMPORT = re.compile(r"^\s*(?:import|from)\s+(pulumi_[a-z0-9_]+)", re.M)
REQUIREMENTS_FIX = "requirements.txt:\n  pulumi>=3.0.0,<4.0.0\n  pulumi-aws>=7.0.0,<8.0.0"


def check_project(root: Path, environ: Mapping[str, str] | None = None) -> list[Diagnosis]:
    """Every project check on the program directory ``root`` (the one that holds ``Pulumi.yaml``)."""
    spec_path = root / "Pulumi.yaml"
    spec = _read(spec_path)
    if spec is None:
        return []
    lines = yaml_lines(spec_path)
    found = [*config_rules(spec, lines), *main_rules(root, spec, lines), *entry_point_rules(root, spec),
             *requirements_rules(root, spec, lines), *line_ending_rules(root),
             *output_json_rules(program_sources(root, (".py",)), root)]
    # Without a runnable entry, the file project-main proposes: its imports are the next thing to fail.
    entry = entry_file(root, spec) or next((root / e for e in _python_entries(root) if e != "__main__.py"), None)
    if entry is not None:
        found.extend(lib_import_rules(root, entry, environ if environ is not None else os.environ))
    return found


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def yaml_lines(path: Path) -> dict[tuple[str, ...], int]:
    """The 1-based line of every mapping key in a YAML file, by its path of keys."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    found: dict[tuple[str, ...], int] = {}

    def walk(n: Any, prefix: tuple[str, ...]) -> None:
        if isinstance(n, yaml.MappingNode):
            for key, value in n.value:
                path_ = (*prefix, str(key.value))
                found[path_] = key.start_mark.line + 1
                walk(value, path_)

    walk(node, ())
    return found


def _at(file: str, lines: Mapping[tuple[str, ...], int], *path: str) -> Location:
    for depth in range(len(path), 0, -1):
        if path[:depth] in lines:
            return Location(file, lines[path[:depth]])
    return Location(file, 1)


def _diagnosis(check: str, message: str, fix: str, location: Location | None) -> Diagnosis:
    return Diagnosis(check, level_of(check), message, fix, location)


# -- Pulumi.yaml config (sdk/go/common/workspace/project.go: Project.Validate) --------------------------


def config_rules(spec: Mapping[str, Any], lines: Mapping[tuple[str, ...], int]) -> Iterator[Diagnosis]:
    """A key outside the project's namespace is a value, never a typed schema with a default; no key
    has both ``default`` and ``value``."""
    config = spec.get("config")
    name = str(spec.get("name") or "")
    if not isinstance(config, dict):
        return
    for key, entry in config.items():
        key = str(key)
        if not isinstance(entry, dict):
            continue  # shorthand: a default for the project's keys, a value for the others
        where = _at("Pulumi.yaml", lines, "config", key)
        shown = _shown(key, entry.get("default", entry.get("value")))
        if "default" in entry and "value" in entry:
            yield _diagnosis("project-config", f"Pulumi.yaml config '{key}' sets both default: and value:; the CLI "
                             f"refuses it (\"project config '{key}' cannot have both a 'default' and 'value' "
                             "attribute\").", f"keep one of them:\nconfig:\n  {key}:\n    value: {shown}", where)
            continue
        if ":" not in key or key.startswith(name + ":"):
            continue
        for attribute in ("type", "default"):
            if attribute in entry:
                yield _diagnosis(
                    "project-config",
                    f"Pulumi.yaml config '{key}' is not in the project's namespace ('{name}') and declares "
                    f"{attribute}:; `pulumi preview` stops with \"Configuration key '{key}' is not namespaced by "
                    f"the project and should not define a {'default value' if attribute == 'default' else 'type'}\".",
                    f"set it as a value:\nconfig:\n  {key}:\n    value: {shown}\n"
                    f"(or `pulumi config set {key} {shown}` in each stack)", _at("Pulumi.yaml", lines, "config", key,
                                                                                    attribute))
                break
        else:
            if "value" not in entry:
                yield _diagnosis(
                    "project-config", f"Pulumi.yaml config '{key}' is not in the project's namespace and has no "
                    f"value:; the CLI stops with \"Configuration key '{key}' is namespaced and must provide an "
                    "attribute 'value'\".", f"config:\n  {key}:\n    value: <value>", where)


def _shown(key: str, value: Any) -> str:
    """A config value for a fix; never one whose key looks secret."""
    if _SECRET_KEY.search(key) or isinstance(value, (dict, list)) or value is None:
        return "<value>"
    return str(value).lower() if isinstance(value, bool) else str(value)


# -- main: and the entry point (pkg/engine/project.go: getPwdMain; the Python language host) ------------


def entry_file(root: Path, spec: Mapping[str, Any]) -> Path | None:
    """The file the CLI runs: ``main:`` when it names a file, else ``__main__.py`` of its directory."""
    main = spec.get("main")
    target = root / str(main) if isinstance(main, str) and main.strip() else root
    if target.is_file():
        return target
    candidate = target / "__main__.py"
    return candidate if candidate.is_file() else None


def _python_entries(root: Path) -> list[str]:
    """Top-level Python files that look like a program's entry (they import pulumi)."""
    return [path.name for path in sorted(root.glob("*.py"))
            if not path.name.startswith("test") and _imports_pulumi(path)]


def _imports_pulumi(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*(?:import|from)\s+pulumi\b", text, re.M) is not None


def proposed_main(root: Path) -> str | None:
    """What ``main:`` should name when the program the CLI would run does not exist: the first top-level
    Python file that imports pulumi (``tap.py``), else the one directory whose ``__main__.py`` does (``lib/``)."""
    entries = [e for e in _python_entries(root) if e != "__main__.py"]
    if entries:
        return entries[0]
    directories = [f"{path.parent.name}/" for path in sorted(root.glob("*/__main__.py")) if _imports_pulumi(path)]
    return directories[0] if len(directories) == 1 else None


def main_rules(root: Path, spec: Mapping[str, Any], lines: Mapping[tuple[str, ...], int]) -> Iterator[Diagnosis]:
    """``main:`` must exist (the CLI: "project 'main' could not be read"); the directory it names, or
    the project's, must hold ``__main__.py`` (the host: "unable to find main python program")."""
    main = spec.get("main")
    proposed = proposed_main(root)
    suggestion = f"main: {proposed}" if proposed else "main: <the file that declares the stack>"
    if isinstance(main, str) and main.strip():
        target = root / main
        where = _at("Pulumi.yaml", lines, "main")
        if not target.exists():
            yield _diagnosis("project-main", f"Pulumi.yaml names main: {main}, which does not exist; `pulumi "
                             f"preview` stops with \"project 'main' could not be read\".", suggestion, where)
        elif target.is_dir() and not (target / "__main__.py").is_file():
            yield _diagnosis("project-main", f"Pulumi.yaml names the directory main: {main}, which has no "
                             "__main__.py; the CLI stops with \"unable to find main python program `__main__.py`\".",
                             suggestion, where)
    elif not (root / "__main__.py").is_file() and proposed:
        yield _diagnosis("project-main", f"Pulumi.yaml has no main: and there is no __main__.py, so `pulumi "
                         f"preview` finds no program (\"unable to find main python program `__main__.py`\"); "
                         f"the program is in {proposed}.", f"add to Pulumi.yaml:\n{suggestion}",
                         _at("Pulumi.yaml", lines, "name"))


def entry_point_rules(root: Path, spec: Mapping[str, Any]) -> Iterator[Diagnosis]:
    """A second entry file beside the one the CLI runs is never run, and drifts from it."""
    entry = entry_file(root, spec)
    if entry is None or entry.parent != root:
        return
    others = [e for e in _python_entries(root) if e != entry.name and e in ("__main__.py", "tap.py", "main.py")]
    for other in others:
        yield _diagnosis(
            "project-entry-points", f"{other} and {entry.name} both start the program, but `pulumi preview` runs "
            f"only {entry.name} (" + (f"main: {spec['main']}" if spec.get("main") else "no main: in Pulumi.yaml")
            + f"); changes made to {other} are never deployed.",
            f"delete {other}, or point Pulumi.yaml at it (main: {other}) and delete {entry.name}",
            Location(other, 1))


# -- requirements.txt (sdk/python/toolchain/pip.go: EnsureVenv, InstallDependencies) ---------------------


def _runtime_options(spec: Mapping[str, Any]) -> Mapping[str, Any]:
    runtime = spec.get("runtime")
    options = runtime.get("options") if isinstance(runtime, dict) else None
    return options if isinstance(options, dict) else {}


def requirements_rules(root: Path, spec: Mapping[str, Any],
                       lines: Mapping[tuple[str, ...], int]) -> Iterator[Diagnosis]:
    """With a virtualenv and pip, the CLI creates the virtualenv and installs requirements.txt, if any:
    without pulumi in it the program fails with "No module named 'pulumi'"."""
    options = _runtime_options(spec)
    if not isinstance(options.get("virtualenv"), str) or options.get("toolchain", "pip") != "pip":
        return
    venv = options["virtualenv"]
    requirements = root / "requirements.txt"
    if not requirements.is_file():
        yield _diagnosis(
            "project-requirements", f"Pulumi.yaml runs the program in the virtualenv '{venv}' but there is no "
            "requirements.txt: the CLI creates the virtualenv with nothing in it and the program fails with "
            "\"ModuleNotFoundError: No module named 'pulumi'\".", f"add {REQUIREMENTS_FIX}\nthen `pulumi install`",
            _at("Pulumi.yaml", lines, "runtime", "options", "virtualenv"))
        return
    listed = _requirement_names(requirements)
    if listed is None:
        return
    needed = {"pulumi", *(_canonical(m.replace("_", "-")) for m in _provider_imports(root))}
    missing = sorted(needed - listed)
    if missing:
        yield _diagnosis(
            "project-requirements", f"requirements.txt does not list {', '.join(missing)}, which the program "
            f"imports; the CLI installs only requirements.txt into the virtualenv '{venv}', so the program "
            f"fails with \"ModuleNotFoundError: No module named '{missing[0].replace('-', '_')}'\".",
            "add to requirements.txt:\n" + "\n".join(f"  {m}" for m in missing) + "\nthen `pulumi install`",
            Location("requirements.txt", 1))


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(path: Path) -> set[str] | None:
    """The distributions a requirements file names; None when it includes others (``-r``), which are
    not followed."""
    names = set()
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith(("-r", "-c", "--requirement", "--constraint", "-e", "--editable")):
            return None
        match = _REQUIREMENT.match(line)
        if match and not line.startswith("-"):
            names.add(_canonical(match.group(1)))
    return names


def _provider_imports(root: Path) -> set[str]:
    found = set()
    for _, text in program_sources(root, (".py",)):
        found.update(_PROVIDER_IMPORT.findall(text))
    return found


def program_sources(root: Path, suffixes: tuple[str, ...]) -> Iterator[tuple[Path, str]]:
    """Each file of the program with one of ``suffixes`` and its text, outside virtualenvs, build output,
    hidden folders and tests."""
    for directory, dirs, files in os.walk(root):
        # Tests import what the test runner installs, not what the program needs.
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS | {"tests", "test"} and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(suffixes):
                path = Path(directory) / name
                try:
                    yield path, path.read_bytes().decode("utf-8", errors="replace")
                except OSError:
                    continue


# -- line endings --------------------------------------------------------------------------------------


def line_ending_rules(root: Path) -> Iterator[Diagnosis]:
    """CRLF line endings: Python runs them, but linters (pylint C0328) and strict CI reject them."""
    crlf = [p.relative_to(root).as_posix() for p, text in program_sources(root, (".py", ".yaml", ".yml", ".txt"))
            if "\r\n" in text]
    if crlf:
        shown = and_more(crlf, 5)
        yield _diagnosis("project-line-endings", f"{len(crlf)} file(s) use CRLF line endings: {shown}.",
                         "convert them to LF (`sed -i 's/\\r$//' FILE`) and keep them so with a .gitattributes "
                         "line `* text=auto eol=lf`", Location(crlf[0], 1))


# -- imports of the program's own packages (the host runs main: with runpy.run_path) --------------------


def lib_import_rules(root: Path, entry: Path, environ: Mapping[str, str]) -> Iterator[Diagnosis]:
    """The Python host runs a ``main:`` file with ``runpy.run_path(file)``, which does not put its
    directory on sys.path (a directory's ``__main__.py`` does get it); the runner does put it there."""
    if entry.name == "__main__.py" or _on_pythonpath(entry.parent, environ):
        return
    try:
        text = entry.read_text(encoding="utf-8")
        tree = ast.parse(text)
    except (OSError, UnicodeDecodeError, SyntaxError):
        return
    if re.search(r"sys\.path\.(insert|append)|site\.addsitedir", text):
        return
    relative = entry.relative_to(root).as_posix()
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        module = _local_import(node, entry.parent)
        if module is None:
            continue
        yield _diagnosis(
            "project-lib-import",
            f"{relative} imports {module} from the program's directory. This runner puts that directory on "
            f"sys.path, but `pulumi preview` runs {entry.name} with runpy.run_path, which does not: there it "
            f"fails with \"ModuleNotFoundError: No module named '{module}'\" unless PYTHONPATH includes the "
            "program's directory.",
            "run `export PYTHONPATH=$PWD` (or set it in CI) before `pulumi preview`; or rename "
            f"{entry.name} to __main__.py and remove main: from Pulumi.yaml; or put these lines before the "
            "import:\nimport os, sys\nsys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))",
            Location(relative, node.lineno))
        return


def _local_import(node: ast.Import | ast.ImportFrom, directory: Path) -> str | None:
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        names = [node.module]
    elif isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        return None
    for name in names:
        top = name.split(".", 1)[0]
        if (directory / top).is_dir() or (directory / f"{top}.py").is_file():
            return top
    return None


def _on_pythonpath(directory: Path, environ: Mapping[str, str]) -> bool:
    resolved = directory.resolve()
    for part in environ.get("PYTHONPATH", "").split(os.pathsep):
        if part and Path(part).expanduser().resolve() == resolved:
            return True
    return False


# -- Pulumi.<stack>.yaml (pkg/workspace/config.go: ValidateStackConfigAndApplyProjectConfig) -------------


def stack_config_rules(root: Path, spec: Mapping[str, Any], stack: str, configured: Mapping[str, Any],
                       ) -> Iterator[Diagnosis]:
    """A project key that Pulumi.yaml declares with neither default nor value must be set for the stack:
    "Stack 'dev' is missing configuration value 'x'"."""
    config = spec.get("config")
    name = str(spec.get("name") or "")
    if not isinstance(config, dict):
        return
    lines = yaml_lines(root / "Pulumi.yaml")
    for key, entry in config.items():
        key = str(key)
        full = key if ":" in key else f"{name}:{key}"
        if not full.startswith(name + ":") or not isinstance(entry, dict):
            continue
        if "default" in entry or "value" in entry or full in configured:
            continue
        bare = full.split(":", 1)[1]
        yield _diagnosis(
            "stack-config-missing", f"Pulumi.yaml declares config '{key}' without a default and Pulumi.{stack}.yaml "
            f"does not set it; `pulumi preview` stops with \"Stack '{stack}' is missing configuration value "
            f"'{key}'\".", f"pulumi config set {bare} <value> --stack {stack}\n(or in Pulumi.{stack}.yaml:\n"
            f"config:\n  {full}: <value>)", _at("Pulumi.yaml", lines, "config", key))
