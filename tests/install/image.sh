#!/usr/bin/env bash
# The image, built and run without Docker and without a registry:
#   1. a Debian 12 base made locally with mmdebstrap (the host's own apt sources) is committed into a
#      private buildah store (vfs driver, chroot isolation);
#   2. buildah builds the Dockerfile's runtime-prebuilt target on it (the same runtime stage as the
#      default target, with the executables ./build.sh published instead of a build stage);
#   3. the image is checked: OCI labels, file set (agent, plugin, portmap, loopback, iptables), and run:
#      the agent from the image in static mode inside a throwaway node namespace (ready, conflist,
#      plugin installed, routes, NAT chains), the plugin from the image answers VERSION and a real
#      ADD/DEL of a pod namespace (pinged from the node), portmap and loopback answer VERSION.
# Exit: 0 passed, 1 failed, 77 skipped (buildah cannot run here; reason on a "SKIP:" line).
# Usage: sudo tests/install/image.sh     (test.sh runs it, bounded by `timeout`)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/install/lib.sh
. "$repo/tests/install/lib.sh"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root"
for tool in buildah mmdebstrap unshare; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/deps.sh, group test)"
done
for f in cniv6 cniv6-agent; do
  [ -x "$repo/artifacts/bin/$f" ] || fail "artifacts/bin/$f missing: run ./build.sh --no-demo first"
done

tag=$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')
work=$(mktemp -d /var/tmp/cv6i-image.XXXXXX)
node="cv6t-img-node-$tag" pod="cv6t-img-pod-$tag"
image="localhost/cniv6:ci-$tag" base="localhost/cv6i-debian:12-$tag"
bh() { buildah --storage-driver vfs --root "$work/storage" --runroot "$work/run" "$@"; }
ctr="" mnt="" agent_pid=""
cleanup() {
  if [ -n "$agent_pid" ]; then kill -TERM "$agent_pid" 2>/dev/null || true; wait "$agent_pid" 2>/dev/null || true; fi
  ip netns del "$pod" 2>/dev/null || true
  ip netns del "$node" 2>/dev/null || true
  if [ -n "$ctr" ]; then bh umount "$ctr" >/dev/null 2>&1 || true; bh rm "$ctr" >/dev/null 2>&1 || true; fi
  bh rmi -a -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started=$SECONDS

echo "== base: Debian 12 from mmdebstrap, no registry"
tarball=$(cv6i_rootfs_tarball image-base) || fail "no base root file system"
if ! scratch=$(bh from scratch 2>"$work/from.err"); then
  cat "$work/from.err" >&2
  skip "buildah cannot create a container here (vfs storage)"
fi
bh add "$scratch" "$tarball" / >/dev/null
bh commit --quiet "$scratch" "$base" >/dev/null
bh rm "$scratch" >/dev/null
echo "base committed as $base"

echo "== buildah bud --target runtime-prebuilt (chroot isolation)"
version=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo dev)
revision=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)
t=$SECONDS
if ! bh bud --isolation chroot --quiet --target runtime-prebuilt \
    --build-arg RUNTIME_IMAGE="$base" --build-arg SDK_IMAGE="$base" \
    --build-arg VERSION="$version" --build-arg REVISION="$revision" \
    -t "$image" -f "$repo/Dockerfile" "$repo" >"$work/bud.log" 2>&1; then
  tail -n 30 "$work/bud.log" >&2
  if grep -q -i -E 'operation not permitted|cannot (create|mount)|unshare' "$work/bud.log"; then
    skip "buildah cannot run a build step here (log above)"
  fi
  fail "buildah bud failed"
fi
echo "built $image in $((SECONDS - t)) s"

status=0
check() { # check DESCRIPTION COMMAND... — runs the command, prints ok/FAILED, remembers failures
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAILED: $what" >&2; status=1; fi
}

echo "== labels"
# shellcheck disable=SC2016  # a Go template, not shell
labels=$(bh inspect --type image --format '{{range $k, $v := .OCIv1.Config.Labels}}{{$k}}={{$v}}{{"\n"}}{{end}}' "$image")
echo "$labels"
check "label version = $version" grep -qx "org.opencontainers.image.version=$version" <<<"$labels"
check "label revision = $revision" grep -qx "org.opencontainers.image.revision=$revision" <<<"$labels"

echo "== file set"
ctr=$(bh from --quiet "$image")
mnt=$(bh mount "$ctr")
for f in usr/local/bin/cniv6-agent usr/local/bin/cniv6 usr/lib/cniv6/plugins/portmap usr/lib/cniv6/plugins/loopback \
         usr/sbin/iptables usr/sbin/ip6tables usr/sbin/nft usr/sbin/ip; do
  check "/$f" test -x "$mnt/$f"
done
check "the image's cniv6 is the one ./build.sh published" cmp -s "$mnt/usr/local/bin/cniv6" "$repo/artifacts/bin/cniv6"
echo "image size: $(du -sh "$mnt" | cut -f1) (unpacked root file system)"

# in_image NETNS COMMAND... — a command from the image's root file system, inside the network namespace,
# with /proc, /sys, /dev and /run/netns from the host (what a privileged hostNetwork pod sees).
in_image() {
  local ns=$1; shift
  # shellcheck disable=SC2016  # expanded by the inner sh
  ip netns exec "$ns" unshare --mount --propagation private sh -c '
    root=$1; shift
    mount --rbind /proc "$root/proc" && mount --rbind /sys "$root/sys" && mount --rbind /dev "$root/dev" &&
    mount -t tmpfs tmpfs "$root/run" && mkdir -p "$root/run/netns" && mount --rbind /run/netns "$root/run/netns" &&
    mount -t tmpfs tmpfs "$root/tmp" && exec chroot "$root" "$@"' _ "$mnt" "$@"
}

echo "== agent from the image, static source, in node namespace $node"
ip netns add "$node"
ip -n "$node" link set lo up
ip -n "$node" link add uplink type veth peer name peer
ip netns exec "$node" sysctl -qw net.ipv6.conf.uplink.accept_dad=0
ip -n "$node" addr add fd00:5a::1/64 dev uplink nodad
ip -n "$node" addr add 10.98.0.1/24 dev uplink
ip -n "$node" link set uplink up
ip -n "$node" link set peer up
mkdir -p "$mnt/etc/cniv6"
cat >"$mnt/etc/cniv6/agent.json" <<'EOF'
{
  "NodeName": "image-node",
  "Source": "static",
  "Cni": { "Portmap": true },
  "Static": {
    "Pools": ["fd00:10:244:1::/64", "10.244.1.0/24"],
    "Peers": [ { "Name": "image-peer", "Addresses": ["fd00:5a::2", "10.98.0.2"], "PodCidrs": ["fd00:10:244:2::/64", "10.244.2.0/24"] } ]
  }
}
EOF
in_image "$node" /usr/local/bin/cniv6-agent --config /etc/cniv6/agent.json >"$work/agent.log" 2>&1 &
agent_pid=$!
ready=0
for _ in $(seq 150); do
  # shellcheck disable=SC2016  # expanded by the inner bash
  if ip netns exec "$node" timeout 2 bash -c 'exec 3<>/dev/tcp/127.0.0.1/9646 &&
       printf "GET /readyz HTTP/1.0\r\nHost: 127.0.0.1:9646\r\n\r\n" >&3 && head -n1 <&3' 2>/dev/null | grep -q ' 200'; then
    ready=1; break
  fi
  kill -0 "$agent_pid" 2>/dev/null || break
  sleep 0.2
done
check "agent ready (GET /readyz -> 200)" test "$ready" = 1
check "conflist written" test -s "$mnt/etc/cni/net.d/10-cniv6.conflist"
check "plugin installed into /opt/cni/bin" cmp -s "$mnt/opt/cni/bin/cniv6" "$mnt/usr/local/bin/cniv6"
for p in portmap loopback; do
  check "$p installed into /opt/cni/bin by the agent (the node had none)" cmp -s "$mnt/opt/cni/bin/$p" "$mnt/usr/lib/cniv6/plugins/$p"
done
check "conflist chains portmap" grep -q '"type": "portmap"' "$mnt/etc/cni/net.d/10-cniv6.conflist"
check "route to the peer's IPv6 pod CIDR" grep -q 'fd00:10:244:2::/64 via fd00:5a::2' <<<"$(ip -n "$node" -6 route show proto 198)"
check "route to the peer's IPv4 pod CIDR" grep -q '10.244.2.0/24 via 10.98.0.2' <<<"$(ip -n "$node" -4 route show proto 198)"
sed 's/^/  agent: /' "$work/agent.log" | head -n 20

echo "== plugin from the image"
version_json=$(in_image "$node" env CNI_COMMAND=VERSION /usr/local/bin/cniv6 </dev/null || true)
echo "VERSION: $version_json"
check "plugin answers VERSION" grep -q '"supportedVersions"' <<<"$version_json"
for p in portmap loopback; do
  out=$(in_image "$node" env CNI_COMMAND=VERSION "/usr/lib/cniv6/plugins/$p" </dev/null || true)
  check "$p answers VERSION" grep -q '"supportedVersions"' <<<"$out"
done
ip netns add "$pod"
netconf='{"cniVersion":"1.0.0","name":"cniv6","type":"cniv6","ipMasq":true,"ipam":{"type":"cniv6","pools":["fd00:10:244:1::/64","10.244.1.0/24"]}}'
cni() { # cni COMMAND — the plugin from the image, as a runtime calls it
  in_image "$node" env CNI_COMMAND="$1" CNI_CONTAINERID="img-$tag" CNI_NETNS="/run/netns/$pod" CNI_IFNAME=eth0 \
    CNI_PATH=/opt/cni/bin /usr/local/bin/cniv6 <<<"$netconf"
}
if result=$(cni ADD); then
  echo "ADD: $result"
  addr6=$(ip -n "$pod" -6 -o addr show dev eth0 scope global | awk '{print $4}' | cut -d/ -f1)
  check "pod got an IPv6 address" test -n "$addr6"
  check "node pings the pod (IPv6)" ip netns exec "$node" ping -6 -c 1 -W 2 "$addr6"
  # The image carries libnftables, so the plugin's automatic NAT backend is nftables: table inet cniv6.
  check "NAT rules in the image's nftables (table inet cniv6)" grep -q masquerade <<<"$(in_image "$node" nft list table inet cniv6)"
else
  echo "ADD failed: $result" >&2
  status=1
fi
check "DEL" cni DEL
# DEL takes the host end down rather than waiting for the kernel to delete the pair (it goes with the namespace):
# the pod's interface loses its carrier and the node its route to the pod.
check "DEL cut the pod's interface off (no carrier)" test -z "$(ip -n "$pod" -o link show dev eth0 2>/dev/null | grep LOWER_UP)"
check "DEL removed the node's route to the pod" test -z "$(ip -n "$node" -6 route show proto 198 | grep -F "${addr6:-none} dev" || true)"

echo "image check took $((SECONDS - started)) s"
if [ "$status" = 0 ]; then echo "PASS: image check"; else fail "image check"; fi
