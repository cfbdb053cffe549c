#!/usr/bin/env bash
# Checks the Debian packages the tests need (scripts/deps.sh; installs what is missing), builds what
# the tests need (AOT binaries + libcni driver, via build.sh --no-demo --driver) and runs
# every test project: unit, integration (root, throwaway namespaces), end-to-end (root, libcni)
# and agent. Prints a per-project summary and, as the last line, "N passed, N failed".
# Exits non-zero if any test fails or any project does not build/run.
# Usage: sudo ./test.sh [extra dotnet test arguments, e.g. --filter ...]
set -uo pipefail
repo=$(cd "$(dirname "$0")" && pwd)
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ "$(id -u)" -ne 0 ]; then
  echo "test.sh needs root: the integration and end-to-end tests create network namespaces, veths and iptables rules." >&2
  echo "Run: sudo ./test.sh" >&2
  exit 1
fi

# shellcheck source=scripts/deps.sh
. "$repo/scripts/deps.sh"
echo "== test dependencies"
cv6_deps_ensure test || exit 1

build_failed=0
if ! ./build.sh --no-demo --driver; then
  # Keep going: the unit tests still tell something; tests needing the missing binaries fail loudly.
  echo "build.sh failed; running the tests anyway (this run counts as failed)" >&2
  build_failed=1
fi

projects=(
  tests/CniV6.UnitTests
  tests/CniV6.IntegrationTests
  tests/CniV6.E2ETests
  tests/CniV6.Agent.Tests
)
results="$repo/artifacts/test-results"
rm -rf "$results"
mkdir -p "$results"

total_passed=0 total_failed=0 status=0
summary=()
if [ "$build_failed" = 1 ]; then
  total_failed=1 status=1
  summary+=("build.sh (AOT publish / driver) FAILED")
fi
for project in "${projects[@]}"; do
  name=$(basename "$project")
  echo
  echo "================ $name ================"
  trx="$results/$name.trx"
  dotnet test "$project" --logger "trx;LogFileName=$trx" --logger "console;verbosity=normal" \
    --blame-hang-timeout 15m "$@"
  rc=$?
  if [ -f "$trx" ]; then
    # <Counters total="…" executed="…" passed="…" failed="…" …/> in the trx summary.
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n1)
    passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=${passed:-0} failed=${failed:-0} total=${total:-0}
    # Tests that neither passed nor failed (skipped, not run, timed out) count as failed.
    other=$(( total - passed - failed ))
    failed=$(( failed + other ))
    if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
      failed=1 # the run itself failed (crash, hang) although no test reported a failure
    fi
    summary+=("$(printf '%-28s %4d passed %4d failed' "$name" "$passed" "$failed")")
  else
    passed=0 failed=1
    summary+=("$(printf '%-28s did not build or run (exit %d)' "$name" "$rc")")
  fi
  total_passed=$(( total_passed + passed ))
  total_failed=$(( total_failed + failed ))
  [ "$rc" -ne 0 ] && status=1
done

# Bounded coverage-guided fuzzing of the config/CNI_ARGS/result parsers and the netlink decoder (AFL++ +
# SharpFuzz): counts as one test that fails on any crash or hang. FUZZ_SECONDS=0 skips it.
fuzz_seconds=${FUZZ_SECONDS:-20}
if [ "$fuzz_seconds" != 0 ]; then
  echo
  echo "================ fuzz (${fuzz_seconds}s per target) ================"
  if bash fuzz/run.sh "$fuzz_seconds"; then
    total_passed=$(( total_passed + 1 ))
    summary+=("$(printf '%-28s %4d passed %4d failed' "fuzz (AFL++, bounded)" 1 0)")
  else
    total_failed=$(( total_failed + 1 )) status=1
    summary+=("$(printf '%-28s %4d passed %4d failed' "fuzz (AFL++, bounded)" 0 1)")
  fi
fi

# Install checks, each one more test in the summary, each bounded in time. Exit 77 means the machine
# cannot do it (e.g. no systemd in a container here): counted and reported as skipped, not passed.
total_skipped=0
stage() { # stage NAME SECONDS COMMAND...
  local name=$1 seconds=$2 rc; shift 2
  echo
  echo "================ $name (at most ${seconds}s) ================"
  timeout --kill-after=30 "$seconds" "$@"
  rc=$?
  case "$rc" in
    0) total_passed=$(( total_passed + 1 ))
       summary+=("$(printf '%-28s %4d passed %4d failed' "$name" 1 0)") ;;
    77) total_skipped=$(( total_skipped + 1 ))
       summary+=("$(printf '%-28s SKIPPED (see its SKIP: line above)' "$name")") ;;
    *) total_failed=$(( total_failed + 1 )) status=1
       [ "$rc" = 124 ] && echo "$name: timed out after ${seconds}s" >&2
       summary+=("$(printf '%-28s %4d passed %4d failed' "$name" 0 1)") ;;
  esac
}
# Every shell script in the repository through shellcheck (warnings included).
# shellcheck disable=SC2016  # expanded by the inner bash
stage "shellcheck (*.sh)" 120 bash -c 'git ls-files -z -- "*.sh" .ci/run | xargs -0 shellcheck -x && echo "shellcheck: $(git ls-files -- "*.sh" .ci/run | wc -l) scripts clean"'
# The Kubernetes manifests parse, and the DaemonSet mounts, metrics address, memory limit and RBAC hold.
stage "manifests (yaml)" 60 bash tests/install/manifests.sh
# systemd-nspawn boots a fresh Debian 12 (mmdebstrap), the README's systemd steps run verbatim inside it.
stage "systemd unit boots (nspawn)" "${SYSTEMD_CHECK_SECONDS:-600}" bash tests/install/systemd-boot.sh
# buildah builds the runtime image on a locally made base; agent and plugin run from it.
stage "image (buildah, no registry)" "${IMAGE_CHECK_SECONDS:-900}" bash tests/install/image.sh

echo
echo "================ summary ================"
printf '%s\n' "${summary[@]}"
echo "trx files: $results"
[ "$total_failed" -ne 0 ] && status=1
echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
exit "$status"
