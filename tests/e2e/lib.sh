# Shell helpers shared by the demo (tests/e2e/demo.sh) and the benchmarks (bench/).
# Source it; it expects `repo` to point at the repository root.
# shellcheck shell=bash
# Everything created here lives in network namespaces named with the caller's prefix and in
# a temp dir, and cv6_cleanup removes all of it.

cv6_driver=${cv6_driver:-$repo/artifacts/bin/cnidriver}
cv6_netns_created=()

cv6_require_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "$1 needs root (network namespaces, veths, iptables): run it with sudo" >&2
    exit 1
  fi
}

cv6_require_binaries() {
  local f
  for f in "$repo/artifacts/bin/cniv6" "$cv6_driver"; do
    [ -x "$f" ] || { echo "missing $f: run ./build.sh first" >&2; exit 1; }
  done
}

# cv6_netns_add NAME — a namespace with loopback up, removed by cv6_cleanup.
cv6_netns_add() {
  ip netns add "$1"
  cv6_netns_created+=("$1")
  ip -n "$1" link set lo up
}

# cv6_conflist FILE NAME PLUGIN_JSON... — writes a 1.0.0 conflist with the given plugin entries.
cv6_conflist() {
  local file=$1 name=$2; shift 2
  local IFS=,
  printf '{"cniVersion":"1.0.0","name":"%s","plugins":[%s]}\n' "$name" "$*" >"$file"
}

# cv6_plugin_json DATADIR LOGFILE POOL... — the cniv6 entry with its own IPAM.
cv6_plugin_json() {
  local data=$1 log=$2; shift 2
  local pools p sep=""
  for p in "$@"; do pools+="$sep\"$p\""; sep=,; done
  printf '{"type":"cniv6","mtu":1500,"ipMasq":true,"ipam":{"type":"cniv6","pools":[%s],"dataDir":"%s"},"logFile":"%s"}' \
    "$pools" "$data" "$log"
}

# cv6_ptp_json DATADIR SUBNET... — reference ptp + host-local (state kept in DATADIR).
cv6_ptp_json() {
  local data=$1; shift
  local ranges s sep=""
  for s in "$@"; do ranges+="${sep}[{\"subnet\":\"$s\"}]"; sep=,; done
  printf '{"type":"ptp","mtu":1500,"ipMasq":true,"ipam":{"type":"host-local","ranges":[%s],"dataDir":"%s"}}' \
    "$ranges" "$data"
}

# cv6_drive NODE_NS OP CONFLIST CONTAINER_ID POD_NS [extra driver flags] — one libcni operation,
# run inside the node namespace so the host side of the plugin never touches the real host.
cv6_drive() {
  local node=$1 op=$2 conf=$3 id=$4 pod=$5; shift 5
  ip netns exec "$node" "$cv6_driver" -op "$op" -conflist "$conf" \
    -bin "$repo/artifacts/bin:/usr/lib/cni" -containerid "$id" -netns "/var/run/netns/$pod" \
    -ifname eth0 -cachedir "$cv6_workdir/libcni" "$@"
}

# cv6_cleanup — deletes every namespace created through cv6_netns_add and the work dir.
cv6_cleanup() {
  local ns
  for ((i = ${#cv6_netns_created[@]} - 1; i >= 0; i--)); do
    ns=${cv6_netns_created[$i]}
    ip netns del "$ns" 2>/dev/null || true
  done
  cv6_netns_created=()
  [ -n "${cv6_workdir:-}" ] && rm -rf "$cv6_workdir"
  return 0
}
