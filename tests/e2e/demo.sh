#!/usr/bin/env bash
# A local demonstration of cniv6 on two throwaway "nodes" (network namespaces joined by a veth "LAN"):
#   - each node runs its own cniv6-agent (static source: its pools, the other node as peer), which
#     installs the plugin, writes the conflist and routes the peer's pod CIDRs;
#   - one pod per node is added through libcni with the conflist the agent wrote: the CNI result, the
#     plugin's own ADD time (from its log) next to the end-to-end time through libcni;
#   - the pod's and the node's routes (IPv6 and IPv4), the NAT chains, a cross-node ping both families;
#   - then everything is removed (pods, agents, namespaces), also on failure or Ctrl-C.
# Usage: sudo tests/e2e/demo.sh     (run by `sudo ./build.sh`)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$repo/tests/e2e/lib.sh"
cv6_require_root "the demo"
cv6_require_binaries
agent_bin="$repo/artifacts/bin/cniv6-agent"
[ -x "$agent_bin" ] || { echo "missing $agent_bin: run ./build.sh first" >&2; exit 1; }

tag=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
cv6_workdir=$(mktemp -d /tmp/cv6e-demo.XXXXXX)
nodes=(a b)
declare -A node_ns pod_ns agent_pid lan6 lan4 pool6 pool4
for n in "${nodes[@]}"; do
  node_ns[$n]="cv6e-demo-node-$n-$tag"
  pod_ns[$n]="cv6e-demo-pod-$n-$tag"
done
lan6=([a]=fd00:5a::a [b]=fd00:5a::b) lan4=([a]=10.98.0.10 [b]=10.98.0.11)
pool6=([a]=fd00:10:244:1::/64 [b]=fd00:10:244:2::/64) pool4=([a]=10.244.1.0/24 [b]=10.244.2.0/24)
added=()

cleanup() {
  local n
  for n in ${added[@]+"${added[@]}"}; do
    cv6_drive "${node_ns[$n]}" del "$cv6_workdir/$n/demo.conflist" "pod-$n-$tag" "${pod_ns[$n]}" >/dev/null 2>&1 || true
  done
  for n in "${nodes[@]}"; do
    if [ -n "${agent_pid[$n]:-}" ] && kill -0 "${agent_pid[$n]}" 2>/dev/null; then
      kill -TERM "${agent_pid[$n]}" 2>/dev/null || true
      wait "${agent_pid[$n]}" 2>/dev/null || true
    fi
  done
  cv6_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started=$(date +%s%N)
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
section() { printf '\n== %s\n' "$*"; }

section "two nodes joined by a LAN: ${node_ns[a]} (${lan6[a]}, ${lan4[a]}) <-> ${node_ns[b]} (${lan6[b]}, ${lan4[b]})"
for n in "${nodes[@]}"; do cv6_netns_add "${node_ns[$n]}"; done
ip -n "${node_ns[a]}" link add lan0 type veth peer name lan0 netns "${node_ns[b]}"
for n in "${nodes[@]}"; do
  # A real node's uplink has been up for long: no duplicate address detection on this fresh one.
  ip netns exec "${node_ns[$n]}" sysctl -qw net.ipv6.conf.lan0.accept_dad=0
  ip -n "${node_ns[$n]}" addr add "${lan6[$n]}/64" dev lan0 nodad
  ip -n "${node_ns[$n]}" addr add "${lan4[$n]}/24" dev lan0
  ip -n "${node_ns[$n]}" link set lan0 up
done

# agent_config NODE PEER — the static-source configuration of NODE's agent (format: systemd/agent.json).
agent_config() {
  local n=$1 p=$2 dir="$cv6_workdir/$1"
  cat <<EOF
{
  "NodeName": "node-$n",
  "Source": "static",
  "Cni": { "ConfDir": "$dir/net.d", "BinDir": "$dir/bin", "IpamDataDir": "$dir/ipam", "Portmap": true },
  "Health": { "Address": "127.0.0.1", "Port": 9646 },
  "Static": {
    "Pools": ["${pool6[$n]}", "${pool4[$n]}"],
    "Peers": [ { "Name": "node-$p", "Addresses": ["${lan6[$p]}", "${lan4[$p]}"], "PodCidrs": ["${pool6[$p]}", "${pool4[$p]}"] } ]
  }
}
EOF
}

# http_get NODE PATH — GET from the agent's health endpoint inside the node namespace (bash's /dev/tcp; no curl).
http_get() {
  # shellcheck disable=SC2016  # $1 is expanded by the inner bash
  ip netns exec "${node_ns[$1]}" timeout 2 bash -c \
    'exec 3<>/dev/tcp/127.0.0.1/9646 && printf "GET %s HTTP/1.0\r\nHost: 127.0.0.1:9646\r\n\r\n" "$1" >&3 && cat <&3' _ "$2" 2>/dev/null
}

section "start one cniv6-agent per node (static source)"
for n in "${nodes[@]}"; do
  p=$([ "$n" = a ] && echo b || echo a)
  mkdir -p "$cv6_workdir/$n"
  agent_config "$n" "$p" >"$cv6_workdir/$n/agent.json"
  ip netns exec "${node_ns[$n]}" "$agent_bin" --config "$cv6_workdir/$n/agent.json" \
    --plugin-source "$repo/artifacts/bin/cniv6" >"$cv6_workdir/$n/agent.log" 2>&1 &
  agent_pid[$n]=$!
done
echo "node a's agent configuration ($cv6_workdir/a/agent.json):"
cat "$cv6_workdir/a/agent.json"
for n in "${nodes[@]}"; do
  t=$(date +%s%N)
  until http_get "$n" /readyz | head -n1 | grep -q ' 200'; do
    if ! kill -0 "${agent_pid[$n]}" 2>/dev/null || [ "$(ms_since "$t")" -gt 20000 ]; then
      echo "agent of node $n did not become ready; its log:" >&2
      cat "$cv6_workdir/$n/agent.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "agent of node $n ready after $(ms_since "$t") ms (GET /readyz -> 200); installed: $(ls "$cv6_workdir/$n/bin")"
done
echo "agent of node a, log:"
sed 's/^/  /' "$cv6_workdir/a/agent.log"

section "conflist written by node a's agent ($cv6_workdir/a/net.d/10-cniv6.conflist)"
cat "$cv6_workdir/a/net.d/10-cniv6.conflist"

section "node a: routes the agent installed to node b's pod CIDRs"
ip -n "${node_ns[a]}" -6 route show "${pool6[b]}"
ip -n "${node_ns[a]}" -4 route show "${pool4[b]}"

# Pods are added with the agent's conflist; the demo only adds "logFile" so the plugin logs into the
# work dir instead of /var/log/cniv6 on this host.
for n in "${nodes[@]}"; do
  conf="$cv6_workdir/$n/demo.conflist" log="$cv6_workdir/$n/cniv6.log"
  sed "s#\"type\": \"cniv6\",#\"type\": \"cniv6\", \"logFile\": \"$log\",#" \
    "$cv6_workdir/$n/net.d/10-cniv6.conflist" >"$conf"
  grep -q '"logFile"' "$conf" || { echo "could not add logFile to the agent's conflist (format changed?)" >&2; exit 1; }
  cv6_netns_add "${pod_ns[$n]}"
  section "ADD pod-$n on node $n (libcni: cniv6, then portmap)"
  t=$(date +%s%N)
  if ! cv6_drive "${node_ns[$n]}" add "$conf" "pod-$n-$tag" "${pod_ns[$n]}" \
      -bin "$cv6_workdir/$n/bin:/usr/lib/cni" >"$cv6_workdir/$n/result.json"; then
    cat "$cv6_workdir/$n/result.json"
    echo "ADD failed; plugin log:" >&2
    tail -n 30 "$log" >&2 2>/dev/null || true
    exit 1
  fi
  total=$(ms_since "$t")
  added+=("$n")
  echo "CNI result:"
  cat "$cv6_workdir/$n/result.json"
  echo
  own=$(grep -o 'ADD succeeded in [0-9]* µs' "$log" | tail -n1 | grep -o '[0-9]*' || true)
  if [ -n "$own" ]; then
    printf 'ADD time: plugin %d.%d ms (its log) | end to end %d ms (libcni: exec cniv6 and portmap, result cache)\n' \
      $((own / 1000)) $((own % 1000 / 100)) "$total"
  else
    echo "ADD time: end to end $total ms (no 'ADD succeeded' line in $log)"
  fi
done

addr_of() { # addr_of NODE 6|4 — the pod's address of that family
  ip -n "${pod_ns[$1]}" "-$2" -o addr show dev eth0 scope global | awk '{print $4}' | cut -d/ -f1
}

section "pod-a: addresses and routes"
ip -n "${pod_ns[a]}" -br addr show dev eth0
ip -n "${pod_ns[a]}" -6 route show
ip -n "${pod_ns[a]}" -4 route show
section "node a: routes (pod /128 and /32 on its host veth, node b's pod CIDRs via the LAN)"
ip -n "${node_ns[a]}" -6 route show
ip -n "${node_ns[a]}" -4 route show
section "node a: NAT (the nftables backend's table inet cniv6; iptables holds portmap's chains, or ours on the fallback)"
ip netns exec "${node_ns[a]}" nft list table inet cniv6 2>/dev/null || echo "(no table inet cniv6: the iptables backend is in use)"
for tool in ip6tables-save iptables-save; do
  echo "# $tool"
  ip netns exec "${node_ns[a]}" "$tool" -t nat | grep -E 'CNIV6|CNI-HOSTPORT|^\*' || true
done

section "cross-node ping: pod-a (node a) -> pod-b (node b)"
ip netns exec "${pod_ns[a]}" ping -6 -c 2 -i 0.2 -W 1 "$(addr_of b 6)"
ip netns exec "${pod_ns[a]}" ping -4 -c 2 -i 0.2 -W 1 "$(addr_of b 4)"

section "agent metrics (node a, GET /metrics, first lines)"
http_get a /metrics | tr -d '\r' | sed '1,/^$/d' | head -n 12 || true

section "remove everything"
for n in "${nodes[@]}"; do
  t=$(date +%s%N)
  cv6_drive "${node_ns[$n]}" del "$cv6_workdir/$n/demo.conflist" "pod-$n-$tag" "${pod_ns[$n]}" \
    -bin "$cv6_workdir/$n/bin:/usr/lib/cni" >/dev/null
  echo "DEL pod-$n: $(ms_since "$t") ms"
done
added=()
for n in "${nodes[@]}"; do
  kill -TERM "${agent_pid[$n]}"
  wait "${agent_pid[$n]}" || true
  agent_pid[$n]=""
done
echo "agents stopped; removing namespaces and $cv6_workdir"
echo "demo finished in $(ms_since "$started") ms"
