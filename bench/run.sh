#!/usr/bin/env bash
# Benchmark: cniv6 against the reference ptp + host-local, both dual-stack with ipMasq on,
# each on its own throwaway node namespace, N pods (default 50) serially through libcni
# (the driver's -op bench). Per pod: ADD, then the time until the new pod's first ping to
# the first pod is answered (IPv6 and IPv4); then CHECK for all pods, then DEL for all.
# Prints a markdown table (p50/p99 and ptp/cniv6 ratios) on stdout; raw JSON reports are
# kept in artifacts/bench/. With --write the section between the bench markers in
# BENCHMARKS.md is replaced by the output.
# Usage: sudo bench/run.sh [--write] [N]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$repo/tests/e2e/lib.sh"
cv6_require_root "bench/run.sh"
cv6_require_binaries
write=0
if [ "${1:-}" = "--write" ]; then write=1; shift; fi
pods=${1:-${N:-50}}

tag=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
cv6_workdir=$(mktemp -d /tmp/cv6b.XXXXXX)
out="$repo/artifacts/bench"
mkdir -p "$out"
trap cv6_cleanup EXIT
trap 'exit 130' INT TERM

v6=fd00:10:244:1::/64 v4=10.244.1.0/24
run_one() { # run_one LABEL PLUGIN_JSON
  local label=$1 plugin=$2
  local node="cv6b-node-$label-$tag" conf="$cv6_workdir/$label.conflist"
  cv6_netns_add "$node"
  cv6_conflist "$conf" "bench-$label" "$plugin"
  echo "bench: $label, $pods pods (node namespace $node)" >&2
  # The driver creates and deletes the pod namespaces (cv6b-<label>-<tag>-NNNN) itself.
  ip netns exec "$node" "$cv6_driver" -op bench -conflist "$conf" -bin "$repo/artifacts/bin:/usr/lib/cni" \
    -n "$pods" -parallel 1 -ping -prefix "cv6b-$label-$tag-" -cachedir "$cv6_workdir/libcni-$label" \
    -timeout 30m >"$out/$label.json"
  # Leftover mount-point files if the driver was killed half-way.
  rm -f /var/run/netns/cv6b-"$label-$tag"-* 2>/dev/null || true
}

run_one cniv6 "$(cv6_plugin_json "$cv6_workdir/ipam" "$cv6_workdir/cniv6.log" "$v6" "$v4")"
run_one ptp "$(cv6_ptp_json "$cv6_workdir/host-local" "$v6" "$v4")"

table="$out/table.md"
{
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) CPUs (load average $(cut -d' ' -f1-3 /proc/loadavg)), kernel $(uname -r); $pods pods per plugin, serial, through libcni 1.1.2 (Debian); reference plugins: Debian containernetworking-plugins $(dpkg-query -W -f='${Version}' containernetworking-plugins 2>/dev/null || echo '?')."
  echo
  "$cv6_driver" -op bench-table -reports "cniv6=$out/cniv6.json,ptp+host-local=$out/ptp.json"
} >"$table"
cat "$table"

if [ "$write" = 1 ]; then
  doc="$repo/BENCHMARKS.md"
  awk -v table="$table" '
    /<!-- bench:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /<!-- bench:end -->/ { skip = 0 }
    !skip { print }
  ' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
  echo "updated $doc" >&2
fi
