#!/usr/bin/env bash
# The benchmark suite, in one run: cniv6, an AOT floor (bench/floor: a Native AOT program built like the plugin
# that only answers ADD/CHECK/DEL/VERSION with a fixed result) and the reference ptp + host-local (Debian's
# containernetworking-plugins, /usr/lib/cni), all driven through libcni (tests/e2e/driver), each in throwaway
# "node" network namespaces (cv6z-…), never the host's:
#   1. latency: N pods serially, ADD/CHECK/DEL p50/p90/p99, first ping after ADD (IPv6 and IPv4), the plugin's
#      peak RSS (wait4 ru_maxrss of every plugin run);
#   2. throughput: ADD/CHECK/DEL per second with 1, 2, 4 and 8 workers;
#   3. pods on the node: ADD/CHECK/DEL of a sample of pods once the node holds 10, 100, 1000, 5000 pods;
#   4. the agent (bench/agent.py): 5000 Nodes from a fake apiserver (initial sync, RSS idle and holding them, one
#      Node change -> routes) and static mode with 5000 peers (start-up to Ready).
# Then bench/report.py prints the table (floor, ratios cniv6/floor and ptp/cniv6, every target of issue 14) and,
# unless --no-write, writes it into BENCHMARKS.md (between the suite markers) with the SVG plots in docs/bench/.
# Raw JSON reports are kept in artifacts/bench/suite/.
# Usage: sudo bench/suite.sh [--quick] [--no-write] [--no-ptp] [--no-agent] [--no-scale]
#   --quick   a smoke test (10 pods, levels 10/50, 500 Nodes, ptp only in the latency run; under a minute);
#             it never writes BENCHMARKS.md.
# Environment: PODS (latency run, default 50), TPUT_PODS (per worker count, default 48), LEVELS (default
# 10,100,1000,5000), PTP_LEVELS (default 10,100,1000: ptp's ADD waits ~2 s for DAD and its iptables chains grow per
# pod, so 5000 ptp pods take hours), SAMPLE (pods measured per level, default 20), AGENT_NODES (default 5000),
# BENCH_NOTE (a sentence printed with the results, e.g. which binaries were measured).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$repo/tests/e2e/lib.sh"
cv6_require_root "bench/suite.sh"
cv6_require_binaries

quick=0 write=1 ptp=1 agent=1 scale=1
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 write=0 ;;
    --no-write) write=0 ;;
    --no-ptp) ptp=0 ;;
    --no-agent) agent=0 ;;
    --no-scale) scale=0 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "bench/suite.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$quick" = 1 ]; then
  pods=${PODS:-10} tput_pods=${TPUT_PODS:-8} workers=${WORKERS:-"1 4"} levels=${LEVELS:-10,50} ptp_levels=""
  sample=${SAMPLE:-5} ptp_pods=${PTP_PODS:-3} agent_nodes=${AGENT_NODES:-500}
else
  pods=${PODS:-50} tput_pods=${TPUT_PODS:-48} workers=${WORKERS:-"1 2 4 8"} levels=${LEVELS:-10,100,1000,5000}
  ptp_levels=${PTP_LEVELS:-10,100,1000} sample=${SAMPLE:-20} ptp_pods=${PTP_PODS:-$pods} agent_nodes=${AGENT_NODES:-5000}
fi

bin="$repo/artifacts/bin"
out="$repo/artifacts/bench/suite"
rm -rf "$out"
mkdir -p "$out"
tag=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
cv6_workdir=$(mktemp -d /tmp/cv6z.XXXXXX)
trap cv6_cleanup EXIT
trap 'exit 130' INT TERM
started=$(date +%s)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# The floor: published like the plugin, rebuilt when its sources are newer than the binary.
floor_dir="$repo/artifacts/bench/floor-bin"
floor="$floor_dir/cniv6-floor"
if [ ! -x "$floor" ] || [ -n "$(find "$repo/bench/floor" "$repo/src/CniV6.Plugin/CniV6.Plugin.csproj" "$repo/Directory.Build.props" \
    "$repo/eng/portable" -newer "$floor" -type f 2>/dev/null | head -1)" ]; then
  echo "== publish the AOT floor (bench/floor)" >&2
  DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet publish "$repo/bench/floor" -c Release -r linux-x64 \
    -o "$repo/artifacts/bench/floor-publish" >"$out/floor-publish.log" 2>&1 \
    || { cat "$out/floor-publish.log" >&2; exit 1; }
  install -D -m 0755 "$repo/artifacts/bench/floor-publish/cniv6-floor" "$floor"
fi
plugin_path="$bin:$floor_dir:/usr/lib/cni"
[ "$ptp" = 0 ] || [ -x /usr/lib/cni/ptp ] || { echo "missing /usr/lib/cni/ptp: apt-get install containernetworking-plugins (or --no-ptp)" >&2; exit 1; }

v6=fd00:10:244:1::/64
# One /16 for IPv4 so that 5000 pods fit (a node's usual /24 holds 254).
v4=10.244.0.0/16
conflist_for() { # conflist_for PLUGIN RUN -> path of a fresh conflist with its own state directories
  local plugin=$1 run=$2 conf="$cv6_workdir/$2.conflist" json
  case "$plugin" in
    cniv6) json=$(cv6_plugin_json "$cv6_workdir/$run-ipam" "$cv6_workdir/$run.log" "$v6" "$v4") ;;
    floor) json='{"type":"cniv6-floor"}' ;;
    ptp) json=$(cv6_ptp_json "$cv6_workdir/$run-host-local" "$v6" "$v4") ;;
  esac
  cv6_conflist "$conf" "bench-$run" "$json"
  echo "$conf"
}
in_node() { # in_node RUN DRIVER_ARGS... -> runs the driver in a fresh node namespace, deleted afterwards
  local run=$1 node="cv6z-$tag-$1"; shift
  cv6_netns_add "$node"
  local rc=0
  ip netns exec "$node" "$cv6_driver" -bin "$plugin_path" -cachedir "$cv6_workdir/libcni-$run" -timeout 3h "$@" || rc=$?
  ip netns del "$node" 2>/dev/null || true
  rm -f /var/run/netns/cv6z-"$tag"-"$run"-* 2>/dev/null || true
  return $rc
}
plugins=(floor cniv6)
[ "$ptp" = 1 ] && plugins+=(ptp)

echo "== latency: $pods pods serially (ptp: $ptp_pods)" >&2
for p in "${plugins[@]}"; do
  n=$pods ping=-ping
  [ "$p" = ptp ] && n=$ptp_pods
  [ "$p" = floor ] && ping=""  # the floor wires nothing
  echo "   $p" >&2
  in_node "lat-$p" -op bench -conflist "$(conflist_for "$p" "lat-$p")" -n "$n" -parallel 1 $ping \
    -prefix "cv6z-$tag-lat-$p-" >"$out/latency-$p.json"
done

echo "== throughput: $tput_pods pods with $workers workers" >&2
for w in $workers; do
  for p in "${plugins[@]}"; do
    [ "$quick" = 1 ] && [ "$p" = ptp ] && continue
    echo "   $p, $w workers" >&2
    in_node "tp$w-$p" -op bench -conflist "$(conflist_for "$p" "tp$w-$p")" -n "$tput_pods" -parallel "$w" \
      -prefix "cv6z-$tag-tp$w-$p-" >"$out/throughput-$p-$w.json"
  done
done

if [ "$scale" = 1 ]; then
  for p in "${plugins[@]}"; do
    lv=$levels nodad=""
    if [ "$p" = ptp ]; then lv=$ptp_levels nodad=-fill-nodad; fi
    [ -n "$lv" ] || continue
    echo "== pods on the node: $p at $lv (sample $sample)" >&2
    in_node "sc-$p" -op scale -conflist "$(conflist_for "$p" "sc-$p")" -levels "$lv" -sample "$sample" \
      -fill-parallel 4 $nodad -prefix "cv6z-$tag-sc-$p-" >"$out/scale-$p.json"
  done
fi

if [ "$agent" = 1 ]; then
  echo "== agent: $agent_nodes Nodes" >&2
  python3 "$repo/bench/agent.py" --agent "$bin/cniv6-agent" --plugin "$bin/cniv6" --nodes "$agent_nodes" \
    --netns-prefix "cv6z-$tag-agent" --workdir "$cv6_workdir/agent" >"$out/agent.json"
fi

size_of() { if [ -f "$1" ]; then stat -c %s "$1"; else echo null; fi; }
cat >"$out/run.json" <<EOF
{"date": "$(date -u +%Y-%m-%dT%H:%MZ)", "commit": "$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet HEAD 2>/dev/null || echo +dirty)",
 "cpus": $(nproc), "cpu": "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')", "kernel": "$(uname -r)",
 "memory_gib": $(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo), "load_before": "$load_before", "load_after": "$(cut -d' ' -f1-3 /proc/loadavg)",
 "seconds": $(( $(date +%s) - started )), "quick": $([ "$quick" = 1 ] && echo true || echo false),
 "pods": $pods, "ptp_pods": $ptp_pods, "throughput_pods": $tput_pods, "sample": $sample,
 "cniv6_bytes": $(size_of "$bin/cniv6"), "floor_bytes": $(size_of "$floor"), "agent_bytes": $(size_of "$bin/cniv6-agent"),
 "note": $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "${BENCH_NOTE:-}"), "libcni": "1.1.2 (Debian)", "reference_plugins": "$(dpkg-query -W -f='${Version}' containernetworking-plugins 2>/dev/null || echo '?')"}
EOF

report_args=(--dir "$out")
[ "$write" = 1 ] && report_args+=(--write "$repo/BENCHMARKS.md" --plots "$repo/docs/bench")
python3 "$repo/bench/report.py" "${report_args[@]}"
