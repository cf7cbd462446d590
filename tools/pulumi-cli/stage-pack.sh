#!/usr/bin/env bash
# Copy the policy pack, and nothing else, into an empty directory to publish it from:
#
#     dir="$(mktemp -d)/aws-conventions"
#     tools/pulumi-cli/stage-pack.sh "$dir" "$PWD/venv"
#     (cd "$dir" && pulumi policy publish <org>)
#
# Why not publish from the repository root: for a Python pack, `pulumi policy publish` uploads
# the whole pack directory (archive.TGZ in the sdk/v3 module), leaving out only what `.gitignore`
# files exclude (the pack directory's, its subdirectories', and those of every directory above
# it) and `.git`. It does not read `.pulumiignore`. From the root that archive would carry
# tests/, examples/, benchmarks/, tools/, aws_conventions/ and the CI files, and they cannot be
# listed in .gitignore without git ignoring them too. `tests/cli/test_pulumi_preview.py` checks
# the archive of a staged pack with the same archive code (tools/pulumi-cli/cmd/policy-archive).
#
# What the pack needs at run time (keep in step with __main__.py's imports):
#   PulumiPolicy.yaml  __main__.py  requirements.txt  policies/
# plus README.md (the policies' documentation, which their `url` points into) and .gitignore
# (so that `venv/` and caches in the staged directory stay out of the archive).
#
# VENV (optional): a virtualenv with requirements.txt installed, linked as the staged pack's
# `venv` (PulumiPolicy.yaml's `virtualenv`); publish starts the pack to read its metadata.
# Without it, create one in the staged directory before publishing.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
    echo "usage: $0 DIR [VENV]" >&2; exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$1"
venv="${2:-}"
pack_files=(PulumiPolicy.yaml __main__.py requirements.txt README.md .gitignore policies)

if [[ -e "$out" && -n "$(ls -A "$out")" ]]; then
    echo "$0: $out is not empty" >&2; exit 1
fi
mkdir -p "$out"
for f in "${pack_files[@]}"; do
    cp -R "$root/$f" "$out/"
done
find "$out" \( -name __pycache__ -o -name '*.pyc' \) -prune -exec rm -rf {} +
if [[ -n "$venv" ]]; then
    ln -s "$(cd "$venv" && pwd)" "$out/venv"
fi
