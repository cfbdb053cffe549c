#!/usr/bin/env bash
# Builds CniV6 and runs a local demo:
#   1. builds the libcni driver used by the demo, the end-to-end tests and the benchmark;
#   2. restores and publishes the two Native AOT executables to artifacts/bin/
#      (cniv6 — the CNI plugin, cniv6-agent — the node agent);
#   3. as root: adds three pods on a throwaway node namespace, shows their addresses and a
#      ping between them, deletes everything again (tests/e2e/demo.sh).
# Usage: sudo ./build.sh [--no-demo]
set -euo pipefail
repo=$(cd "$(dirname "$0")" && pwd)
cd "$repo"
demo=1
[ "${1:-}" = "--no-demo" ] && demo=0

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "== restore"
dotnet restore CniV6.sln

publish() { # publish PROJECT EXECUTABLE
  local staging="$repo/artifacts/publish/$2"
  echo "== publish $1 (Native AOT, linux-x64) -> artifacts/bin/$2"
  rm -rf "$staging"
  if ! dotnet publish "src/$1" -c Release -r linux-x64 --no-restore -o "$staging"; then
    # Never leave an older binary behind for the tests to pick up by mistake.
    rm -f "$repo/artifacts/bin/$2"
    echo "publish of $1 failed" >&2
    return 1
  fi
  # Only the executable goes to artifacts/bin: symbols (.dbg/.pdb) stay in the staging dir.
  install -D -m 0755 "$staging/$2" "$repo/artifacts/bin/$2"
}
mkdir -p artifacts/bin
echo "== libcni driver"
tests/e2e/build-driver.sh "$repo/artifacts/bin/cnidriver"

dotnet restore src/CniV6.Plugin -r linux-x64 >/dev/null
dotnet restore src/CniV6.Agent -r linux-x64 >/dev/null
publish CniV6.Plugin cniv6
publish CniV6.Agent cniv6-agent
rm -f artifacts/bin/*.pdb artifacts/bin/*.dbg

ls -l artifacts/bin
if [ "$demo" = 1 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "build finished, but the demo needs root: run 'sudo ./build.sh' (or './build.sh --no-demo')" >&2
    exit 1
  fi
  echo "== demo"
  tests/e2e/demo.sh
fi
