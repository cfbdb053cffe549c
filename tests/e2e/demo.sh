#!/usr/bin/env bash
# A local demonstration of cniv6 on a throwaway "node" (network namespace): three pods are
# added through libcni with a dual-stack conflist, their addresses and a ping between them
# are shown, then everything is deleted again (also on failure or Ctrl-C).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$repo/tests/e2e/lib.sh"
cv6_require_root "the demo"
cv6_require_binaries

tag=$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')
node="cv6e-demo-node-$tag"
pods=("cv6e-demo-pod1-$tag" "cv6e-demo-pod2-$tag" "cv6e-demo-pod3-$tag")
cv6_workdir=$(mktemp -d /tmp/cv6e-demo.XXXXXX)
conf="$cv6_workdir/10-cniv6.conflist"
added=()
cleanup() {
  local id
  for id in ${added[@]+"${added[@]}"}; do
    cv6_drive "$node" del "$conf" "$id" "$id" >/dev/null 2>&1 || true
  done
  cv6_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cv6_netns_add "$node"
cv6_conflist "$conf" demo "$(cv6_plugin_json "$cv6_workdir/ipam" "$cv6_workdir/cniv6.log" fd00:10:244:1::/64 10.244.1.0/24)"
echo "== network configuration ($conf)"
cat "$conf"

for pod in "${pods[@]}"; do
  cv6_netns_add "$pod"
  echo
  echo "== ADD $pod (libcni driver in node namespace $node)"
  start=$(date +%s%N)
  if ! cv6_drive "$node" add "$conf" "$pod" "$pod" >"$cv6_workdir/$pod.json"; then
    cat "$cv6_workdir/$pod.json"
    echo "ADD failed; plugin log:" >&2
    tail -n 30 "$cv6_workdir/cniv6.log" >&2 2>/dev/null || true
    exit 1
  fi
  added+=("$pod")
  echo "ADD took $(( ($(date +%s%N) - start) / 1000000 )) ms"
  ip -n "$pod" addr show eth0
done

ip6() { ip -n "$1" -6 -o addr show dev eth0 scope global | awk '{print $4}' | cut -d/ -f1; }
ip4() { ip -n "$1" -4 -o addr show dev eth0 scope global | awk '{print $4}' | cut -d/ -f1; }

echo
echo "== pod routes (${pods[0]})"
ip -n "${pods[0]}" -6 route show
ip -n "${pods[0]}" -4 route show
echo
echo "== first ping ${pods[1]} -> ${pods[0]}"
ip netns exec "${pods[1]}" ping -6 -c 1 -W 1 "$(ip6 "${pods[0]}")"
ip netns exec "${pods[1]}" ping -4 -c 1 -W 1 "$(ip4 "${pods[0]}")"
echo
echo "== node side ($node): routes and masquerade chain"
ip -n "$node" -6 route show proto 198 2>/dev/null || ip -n "$node" -6 route show
ip netns exec "$node" ip6tables-save -t nat | grep -E 'CNIV6|^\*' || true

echo
for pod in "${pods[@]}"; do
  echo "== DEL $pod"
  cv6_drive "$node" del "$conf" "$pod" "$pod" >/dev/null
done
added=()
echo "demo finished; removing namespaces"
