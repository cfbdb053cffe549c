#!/usr/bin/env bash
# Overlay benchmark: pod-to-pod TCP throughput (iperf3) and ping latency across two nodes on one
# segment, in one run: direct (the agent in hostgw mode), VXLAN over an IPv6 underlay and VXLAN over
# an IPv4 underlay (the agent in vxlan mode, --vxlan-underlay ipv6|ipv4). Each node runs its own
# cniv6-agent (static source) in a throwaway namespace; pods are added through libcni with the
# conflist the agent wrote (so their MTU follows the mode). Then the time from a Node change to its
# tunnel routes on every node, measured by the overlay end-to-end test with the Kubernetes source
# (skip with --no-node-change). Prints a markdown table; --write puts it into BENCHMARKS.md between
# the overlay-bench markers.
# Usage: sudo bench/overlay.sh [--write] [--no-node-change] [SECONDS per iperf3 run, default 5]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$repo/tests/e2e/lib.sh"
cv6_require_root "bench/overlay.sh"
cv6_require_binaries
agent="$repo/artifacts/bin/cniv6-agent"
[ -x "$agent" ] || { echo "missing $agent: run ./build.sh first" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "bench/overlay.sh needs iperf3 (apt-get install iperf3)" >&2; exit 1; }
write=0 measure_change=1
while [ $# -gt 0 ]; do
  case "$1" in
    --write) write=1 ;;
    --no-node-change) measure_change=0 ;;
    *) break ;;
  esac
  shift
done
seconds=${1:-5}

tag=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
cv6_workdir=$(mktemp -d /tmp/cv6x-bench.XXXXXX)
out="$repo/artifacts/bench"
mkdir -p "$out"
agent_pids=()
stop_agents() {
  local pid
  for pid in "${agent_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  agent_pids=()
}
cleanup() { stop_agents; cv6_cleanup; }
trap cleanup EXIT
trap 'exit 130' INT TERM

lan="cv6x-bl-$tag"
node() { echo "cv6x-bn$1-$tag"; }
cv6_netns_add "$lan"
ip -n "$lan" link add br0 type bridge mcast_snooping 0
ip -n "$lan" link set br0 up
for n in 1 2; do
  ns=$(node "$n")
  cv6_netns_add "$ns"
  ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip -n "$lan" link add "p$n" type veth peer name eth0 netns "$ns"
  ip -n "$lan" link set "p$n" master br0 up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" addr add "fd00:a11::1$n/64" dev eth0 nodad
  ip -n "$ns" addr add "10.99.0.1$n/24" dev eth0
done

# agent_config N MODE UNDERLAY — node N's static configuration (both node addresses known).
agent_config() {
  local n=$1 mode=$2 underlay=$3 peer=$((3 - $1))
  cat <<JSON
{ "NodeName": "n$n", "Source": "static",
  "Routing": { "Mode": "$mode" }, "Vxlan": { "Underlay": "$underlay" },
  "Cni": { "ConfDir": "$cv6_workdir/n$n/net.d", "BinDir": "$cv6_workdir/n$n/bin", "IpamDataDir": "$cv6_workdir/n$n/ipam",
           "PluginSource": "$repo/artifacts/bin/cniv6", "Portmap": false },
  "Health": { "Port": 9646 },
  "Static": { "Pools": ["fd00:10:244:$n::/64", "10.244.$n.0/24"], "Addresses": ["fd00:a11::1$n", "10.99.0.1$n"],
              "Peers": [ { "Name": "n$peer", "Addresses": ["fd00:a11::1$peer", "10.99.0.1$peer"],
                           "PodCidrs": ["fd00:10:244:$peer::/64", "10.244.$peer.0/24"] } ] } }
JSON
}

ready() { # ready NS — the agent's /readyz answers 200 (bash's /dev/tcp: no curl needed)
  ip netns exec "$1" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9646 && printf "GET /readyz HTTP/1.0\r\n\r\n" >&3 && head -1 <&3' 2>/dev/null | grep -q ' 200 '
}

start_agents() { # start_agents MODE UNDERLAY
  local n ns i
  for n in 1 2; do
    ns=$(node "$n")
    agent_config "$n" "$1" "$2" >"$cv6_workdir/n$n.json"
    ip netns exec "$ns" "$agent" --config "$cv6_workdir/n$n.json" >>"$cv6_workdir/n$n.log" 2>&1 &
    agent_pids+=($!)
  done
  for n in 1 2; do
    for ((i = 0; i < 300; i++)); do ready "$(node "$n")" && break; sleep 0.1; done
    ready "$(node "$n")" || { echo "agent n$n not ready:" >&2; tail -20 "$cv6_workdir/n$n.log" >&2; exit 1; }
  done
}

pod_add() { # pod_add N POD — prints the pod's IPv6 address
  local n=$1 pod=$2
  cv6_netns_add "$pod"
  ip netns exec "$(node "$n")" "$cv6_driver" -op add -conflist "$cv6_workdir/n$n/net.d/10-cniv6.conflist" \
    -bin "$cv6_workdir/n$n/bin" -containerid "$pod" -netns "/var/run/netns/$pod" -ifname eth0 \
    -cachedir "$cv6_workdir/libcni" | grep -o '"address": *"[0-9a-f:]*:[0-9a-f:]*/128"' | grep -o '[0-9a-f:]*:[0-9a-f:]*[0-9a-f]'
}

results=()
measure() { # measure LABEL MODE UNDERLAY
  local label=$1 p1="cv6x-bp1-$1-$tag" p2="cv6x-bp2-$1-$tag" a2 mtu gbit rtt
  start_agents "$2" "$3"
  pod_add 1 "$p1" >/dev/null
  a2=$(pod_add 2 "$p2")
  mtu=$(ip -n "$p1" -o link show eth0 | grep -o 'mtu [0-9]*' | cut -d' ' -f2)
  ip netns exec "$p2" iperf3 -s -1 -D -I "$cv6_workdir/iperf-$label.pid"
  sleep 0.3
  gbit=$(ip netns exec "$p1" iperf3 -6 -c "$a2" -t "$seconds" -f m | awk '/receiver/ { printf "%.2f", $(NF-2) / 1000 }')
  rtt=$(ip netns exec "$p1" ping -6 -q -c 200 -i 0.005 "$a2" | awk -F/ '/^rtt/ { print $5 }')
  echo "bench: $label: MTU $mtu, $gbit Gbit/s, ping avg $rtt ms" >&2
  results+=("$label|$mtu|$gbit|$rtt")
  stop_agents
  ip netns del "$p1"; ip netns del "$p2"
}

measure direct hostgw ipv6
measure vxlan-v6 vxlan ipv6
measure vxlan-v4 vxlan ipv4

node_change="not measured (--no-node-change)"
if [ "$measure_change" = 1 ]; then
  echo "bench: node change → routes (overlay e2e test, Kubernetes source)" >&2
  if dotnet test "$repo/tests/CniV6.Agent.Tests" -c Release --nologo -v q \
       --filter "FullyQualifiedName~OverlayTests.With_the_Kubernetes_source" >"$cv6_workdir/node-change.log" 2>&1; then
    node_change=$(grep ' overlay_node_change_to_routes_ms ' "$repo/artifacts/test-results/agent-measurements.txt" | tail -1 | cut -d' ' -f3- | sed 's/,/ ms,/; s/$/ ms/')
  else
    node_change="test failed (see $cv6_workdir/node-change.log)"; tail -20 "$cv6_workdir/node-change.log" >&2
  fi
fi

table="$out/overlay.md"
{
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) CPUs (load average $(cut -d' ' -f1-3 /proc/loadavg)), kernel $(uname -r); two nodes on one bridge, one pod each, IPv6 pod-to-pod; iperf3 $(iperf3 --version | head -1 | cut -d' ' -f2), ${seconds} s, one TCP stream; ping: 200 echoes, 5 ms apart."
  echo
  echo "| path | pod MTU | TCP Gbit/s | direct/path | ping avg ms | path/direct |"
  echo "|---|---|---|---|---|---|"
  IFS='|' read -r _ _ direct_gbit direct_rtt <<<"${results[0]}"
  for r in "${results[@]}"; do
    IFS='|' read -r label mtu gbit rtt <<<"$r"
    printf '| %s | %s | %s | %s | %s | %s |\n' "$label" "$mtu" "$gbit" \
      "$(awk -v d="$direct_gbit" -v g="$gbit" 'BEGIN { printf "%.1f", (g > 0 ? d / g : 0) }')" "$rtt" \
      "$(awk -v d="$direct_rtt" -v r="$rtt" 'BEGIN { printf "%.2f", (d > 0 ? r / d : 0) }')"
  done
  echo
  echo "Node change → tunnel routes, FDB and neighbours in place (or gone) on every other node: $node_change."
} >"$table"
cat "$table"

if [ "$write" = 1 ]; then
  doc="$repo/BENCHMARKS.md"
  awk -v table="$table" '
    /<!-- overlay-bench:begin -->/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /<!-- overlay-bench:end -->/ { skip = 0 }
    !skip { print }
  ' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
  echo "updated $doc" >&2
fi
