#!/usr/bin/env bash
# Builds the libcni driver (tests/e2e/driver) with Debian's Go toolchain in GOPATH mode
# against Debian's libcni sources (golang-github-appc-cni-dev, libcni 1.1.2).
# Usage: tests/e2e/build-driver.sh [OUTPUT]   (default: artifacts/bin/cnidriver)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/artifacts/bin/cnidriver}
libcni=/usr/share/gocode/src/github.com/containernetworking/cni/libcni
command -v go >/dev/null || { echo "build-driver: 'go' not found; install golang-go" >&2; exit 1; }
[ -d "$libcni" ] || { echo "build-driver: $libcni missing; install golang-github-appc-cni-dev" >&2; exit 1; }
mkdir -p "$repo/.gopath" "$(dirname "$out")"
cd "$repo/tests/e2e/driver"
GO111MODULE=off GOPATH="$repo/.gopath:/usr/share/gocode" GOCACHE="$repo/.gopath/cache" GOFLAGS='' \
  go build -o "$out" .
echo "built $out"
