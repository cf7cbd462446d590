#!/usr/bin/env bash
# Build the Pulumi CLI and a Python language host from Go modules, into a cache outside
# the repository, and print the directory holding them:
#
#     export PATH="$(tools/pulumi-cli/build.sh):$PATH"
#
# Only that path goes to stdout; progress goes to stderr. A second run with the same
# inputs does nothing (it checks a stamp and `pulumi version`).
#
# What gets built (versions pinned by go.mod / go.sum next to this script):
#   pulumi                        github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
#   pulumi-language-python        ./cmd/pulumi-language-python (see its doc comment)
#   pulumi-language-python-exec   copied from the sdk/v3 module (python/cmd/)
#   policy-archive                ./cmd/policy-archive: the .tgz `pulumi policy publish` would
#                                 upload for a pack directory (see its doc comment)
#
# pkg/v3's own go.mod has `replace` directives, so `go install pkg@version` is refused;
# this directory is a small wrapper module that requires pkg/v3 and sdk/v3 at the same
# version and repeats pkg's non-local replace (atotto/clipboard). The build runs in a copy
# of it under the cache, so the repository is never written to.
#
# Environment:
#   PULUMI_CLI_CACHE  build/output directory (default ~/.cache/aws-conventions/pulumi-v<version>)
#   GO                go binary (default: `go` on PATH, else /usr/local/go/bin/go)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf 'pulumi-cli: %s\n' "$*" >&2; }

go_bin="${GO:-}"
if [[ -z "$go_bin" ]]; then
    if command -v go >/dev/null 2>&1; then go_bin="$(command -v go)"; else go_bin=/usr/local/go/bin/go; fi
fi
if [[ ! -x "$go_bin" ]]; then
    log "no Go toolchain found (set GO=/path/to/go)"; exit 1
fi

version="$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { sub(/^v/, "", $2); print $2; exit }' "$here/go.mod")"
sdk_version="$(awk '$1 == "github.com/pulumi/pulumi/sdk/v3" { sub(/^v/, "", $2); print $2; exit }' "$here/go.mod")"
if [[ -z "$version" || "$version" != "$sdk_version" ]]; then
    log "go.mod must require pkg/v3 and sdk/v3 at one version (got pkg=$version sdk=$sdk_version)"; exit 1
fi

cache="${PULUMI_CLI_CACHE:-$HOME/.cache/aws-conventions/pulumi-v$version}"
bin="$cache/bin"
src="$cache/src"
stamp="$bin/.stamp"
inputs=(go.mod go.sum tools.go cmd/pulumi-language-python/main.go cmd/policy-archive/main.go build.sh)
want="$(cd "$here" && cat "${inputs[@]}" | sha256sum | cut -d' ' -f1) v$version"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$bin/pulumi" && -x "$bin/pulumi-language-python" \
      && -x "$bin/pulumi-language-python-exec" && -x "$bin/policy-archive" ]] \
   && [[ "$("$bin/pulumi" version 2>/dev/null)" == "v$version" ]]; then
    echo "$bin"
    exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9   # one build at a time per cache directory
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then   # built while we waited
    echo "$bin"
    exit 0
fi

log "building Pulumi CLI v$version into $bin (a cold build takes several minutes)"
start=$SECONDS
rm -rf "$src" "$bin.tmp"
mkdir -p "$src/cmd/pulumi-language-python" "$src/cmd/policy-archive" "$bin.tmp"
for f in "${inputs[@]}"; do cp "$here/$f" "$src/$f"; done

export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
export GOWORK=off CGO_ENABLED=0
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"
(
    cd "$src"
    "$go_bin" build -trimpath -ldflags "$ldflags" -o "$bin.tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    "$go_bin" build -trimpath -ldflags "$ldflags" -o "$bin.tmp/pulumi-language-python" ./cmd/pulumi-language-python
    "$go_bin" build -trimpath -ldflags "$ldflags" -o "$bin.tmp/policy-archive" ./cmd/policy-archive
    sdk_dir="$("$go_bin" list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
    install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$bin.tmp/pulumi-language-python-exec"
) >&2

rm -rf "$bin"
mv "$bin.tmp" "$bin"
echo "$want" >"$stamp"
log "built in $((SECONDS - start))s: $("$bin/pulumi" version)"
echo "$bin"
