"""Stage the policy pack, and nothing else, in a directory to preview with or publish from.

    python -m tools.stage_pack DIR [--venv VENV]      # `make pack` stages it in $TMPDIR/aws-conventions-pack
    pulumi preview --policy-pack DIR
    (cd DIR && pulumi policy publish <org>)

Why not publish from the repository root: for a Python pack, `pulumi policy publish` uploads the
whole pack directory (``archive.TGZ`` in the engine's ``sdk/go/common/util/archive``), leaving out
only ``.git`` and what ``.gitignore`` files exclude: the pack directory's, its subdirectories', and
those of every directory above it, up to ``/``. It does not read ``.pulumiignore``. From the root
that archive would carry tests/, examples/, benchmarks/, tools/, aws_conventions/ and the CI files,
and they cannot be listed in .gitignore without git ignoring them too.

For the same reason the staged directory must not be below a ``.gitignore``: the CLI would apply
it to the pack's files (a pack staged in the repository's git-ignored ``build/`` uploads nothing),
so staging there is refused. ``tests/cli/test_pulumi_preview.py`` checks the staged archive with
the engine's own archive code.

What is staged: what the pack needs at run time (``__main__.py`` imports only ``policies``), the
README (the policies' documentation, which their ``url`` points into and the pack publishes as its
readme) and ``.gitignore`` (so that ``venv/`` and caches in the staged directory stay out of the
archive). ``--venv`` links a virtualenv with ``requirements.txt`` installed as the staged pack's
``venv`` (``PulumiPolicy.yaml``'s ``virtualenv``): preview and publish start the pack with it;
without it, run ``pulumi install`` in the staged directory first.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACK_FILES = ("PulumiPolicy.yaml", "__main__.py", "requirements.txt", "README.md", ".gitignore", "policies")
_CACHES = shutil.ignore_patterns("__pycache__", "*.pyc")


class StageError(RuntimeError):
    """The directory cannot hold the staged pack."""


def stage(out: Path, venv: Path | None = None, root: Path = ROOT) -> Path:
    """Copy the pack from ``root`` into ``out`` (empty, absent, or an earlier staging, which is
    replaced) and link ``venv`` as its virtualenv. Returns ``out``, absolute."""
    out = Path(out).absolute()
    if ignore_files := ignore_files_above(out):
        raise StageError(f"{ignore_files[0]} is above {out}: `pulumi policy publish` would apply it to the "
                         f"pack's files; stage the pack in a directory with no .gitignore above it")
    if out.exists() and any(out.iterdir()):
        if not (out / "PulumiPolicy.yaml").is_file():
            raise StageError(f"{out} is not empty and holds no staged pack")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in PACK_FILES:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, out / name, ignore=_CACHES)
        else:
            shutil.copy2(source, out / name)
    if venv is not None:
        (out / "venv").symlink_to(Path(venv).absolute())
    return out


def ignore_files_above(directory: Path) -> list[Path]:
    """The ``.gitignore`` files of the directories above ``directory``, nearest first."""
    return [parent / ".gitignore" for parent in Path(directory).absolute().parents
            if (parent / ".gitignore").is_file()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.stage_pack", description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", type=Path, help="where to stage the pack")
    parser.add_argument("--venv", type=Path, help="a virtualenv with requirements.txt installed, linked as `venv`")
    args = parser.parse_args(argv)
    try:
        out = stage(args.dir, args.venv)
    except StageError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"staged the pack in {out}: pulumi preview --policy-pack {out}; cd {out} && pulumi policy publish <org>")
    return 0


if __name__ == "__main__":
    sys.exit(main())
