#!/usr/bin/env bash
# `cniv6 doctor` on a throwaway node, healthy and then broken eight ways — the output the README shows.
# A node namespace (uplink eth0 to a router namespace, default routes, forwarding on) with its own CNI conf
# dir, bin dir and resolv.conf, two pods added through libcni; then: forwarding off, the IPv6 nat table
# flushed, a pod sandbox lost without DEL, an IPv4-only resolver, the uplink's MTU lowered, another
# configuration sorting first, a chained plugin missing from the bin dir, something bound to port 53.
# Usage: sudo tests/e2e/doctor-demo.sh   (after ./build.sh --no-demo --driver). Removes everything it made.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$repo/tests/e2e/lib.sh"
cv6_require_root "doctor-demo.sh"
cv6_require_binaries

prefix=${CV6_DOCTOR_PREFIX:-cv6k-dr-}
cv6_workdir=$(mktemp -d /tmp/cv6k-doctor.XXXXXX)
listener=""
cleanup() { [ -n "$listener" ] && kill "$listener" 2>/dev/null; cv6_cleanup; }
trap cleanup EXIT

node=${prefix}node rtr=${prefix}rtr
cv6_netns_add "$node"
cv6_netns_add "$rtr"
ip -n "$node" link add eth0 mtu 1500 type veth peer name eth0 netns "$rtr"
ip -n "$rtr" link set eth0 up
ip -n "$rtr" addr add 2001:db8:c6::1/64 dev eth0 nodad
ip -n "$node" link set eth0 up
ip -n "$node" addr add 2001:db8:c6::2/64 dev eth0 nodad
ip -n "$node" -6 route add default via 2001:db8:c6::1 dev eth0
ip netns exec "$node" sysctl -qw net.ipv6.conf.all.forwarding=1

conf=$cv6_workdir/net.d bin=$cv6_workdir/bin resolv=$cv6_workdir/resolv.conf
mkdir -p "$conf" "$bin"
ln -s "$repo/artifacts/bin/cniv6" "$bin/cniv6"
[ -x /usr/lib/cni/portmap ] && ln -s /usr/lib/cni/portmap "$bin/portmap"
printf 'nameserver 2001:4860:4860::8888\nnameserver 8.8.8.8\n' >"$resolv"
plugin=$(cv6_plugin_json "$cv6_workdir/ipam" "$cv6_workdir/cniv6.log" fd00:10:244:1::/64)
printf '{"cniVersion":"1.0.0","cniVersions":["1.0.0","1.1.0"],"name":"cniv6","plugins":[%s,{"type":"portmap","capabilities":{"portMappings":true}}]}\n' \
  "$plugin" >"$conf/10-cniv6.conflist"

for i in 1 2; do
  cv6_netns_add "${prefix}pod$i"
  cv6_drive "$node" add "$conf/10-cniv6.conflist" "demo-pod-$i" "${prefix}pod$i" >/dev/null
done

doctor() {
  echo "\$ cniv6 doctor --conf-dir $conf --bin-dir $bin --resolv-conf $resolv"
  local rc=0
  ip netns exec "$node" "$repo/artifacts/bin/cniv6" doctor --conf-dir "$conf" --bin-dir "$bin" --resolv-conf "$resolv" || rc=$?
  echo "(exit $rc)"
}

echo "== healthy"
doctor

echo
echo "== broken"
ip netns exec "$node" sysctl -qw net.ipv6.conf.all.forwarding=0
ip netns exec "$node" ip6tables -t nat -F
ip netns exec "$node" ip6tables -t nat -X
ip netns del "${prefix}pod2"                      # the runtime lost the sandbox: no DEL
printf 'nameserver 168.63.129.16\n' >"$resolv"    # Azure's IPv4-only resolver
ip -n "$node" link set eth0 mtu 1450
cv6_conflist "$conf/05-bridge.conflist" bridge '{"type":"bridge"}'
rm -f "$bin/portmap"
ip netns exec "$node" python3 -c 'import socket,time; s=socket.socket(socket.AF_INET6,socket.SOCK_DGRAM); s.bind(("::",53)); time.sleep(600)' &
listener=$!
for _ in $(seq 100); do   # until it is bound (python starts slowly on a busy machine)
  ip netns exec "$node" ss -Hlun 'sport = :53' | grep -q . && break
  sleep 0.2
done
doctor
