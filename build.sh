#!/usr/bin/env bash
# Builds CniV6 and runs a local demo:
#   0. checks every Debian package the build and the demo need (scripts/deps.sh) and installs what is
#      missing (as root; otherwise prints the one apt-get line and stops);
#   1. restores and publishes the two Native AOT executables to artifacts/bin/
#      (cniv6 — the CNI plugin, cniv6-agent — the node agent);
#   2. builds the libcni driver used by the demo, the end-to-end tests and the benchmark;
#   3. as root: the demo (tests/e2e/demo.sh) — pods on two throwaway node namespaces, each with its
#      agent, the plugin's result and timings, routes, NAT chains, a cross-node ping, all removed again.
# Usage: sudo ./build.sh              everything above
#        ./build.sh --no-demo         only the two executables (no Go, no demo packages, no root)
#        ./build.sh --no-demo --driver   the executables and the libcni driver (what test.sh needs)
set -euo pipefail
repo=$(cd "$(dirname "$0")" && pwd)
cd "$repo"
demo=1 driver=1
driver_flag=0
for arg in "$@"; do
  case "$arg" in
    --no-demo) demo=0 ;;
    --driver) driver_flag=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
[ "$demo" = 0 ] && driver=$driver_flag

# shellcheck source=scripts/deps.sh
. "$repo/scripts/deps.sh"
groups=(build)
[ "$driver" = 1 ] && groups+=(driver)
[ "$demo" = 1 ] && groups+=(demo)
echo "== dependencies"
cv6_deps_require_dotnet
cv6_deps_ensure "${groups[@]}"
if [ "$demo" = 1 ] && [ "$(id -u)" -ne 0 ]; then
  echo "the demo needs root (network namespaces): run 'sudo ./build.sh', or './build.sh --no-demo' to only build" >&2
  exit 1
fi

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
dotnet restore src/CniV6.Plugin -r linux-x64 >/dev/null
dotnet restore src/CniV6.Agent -r linux-x64 >/dev/null
publish CniV6.Plugin cniv6
publish CniV6.Agent cniv6-agent
rm -f artifacts/bin/*.pdb artifacts/bin/*.dbg

if [ "$driver" = 1 ]; then
  echo "== libcni driver"
  tests/e2e/build-driver.sh "$repo/artifacts/bin/cnidriver"
fi

ls -l artifacts/bin
if [ "$demo" = 1 ]; then
  echo "== demo"
  tests/e2e/demo.sh
fi
