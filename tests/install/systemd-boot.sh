#!/usr/bin/env bash
# The systemd install, proven on a fresh host: boots systemd in a container (systemd-nspawn -b, its own
# network namespace) on a fresh Debian 12 root file system made by mmdebstrap, runs the README's
# "Plain hosts (systemd)" steps verbatim inside it, and checks that cniv6-agent.service reaches
# active (Type=notify: the agent's first sync is done), that the conflist and the plugin appear, and
# prints `systemd-analyze security` for the unit; then runs the README's uninstall steps verbatim
# (`cniv6-agent uninstall` among them) and checks that nothing of cniv6 is left (unit, files, NAT chains
# of both families, routes, host veths) and that someone else's veth is.
# Exit: 0 passed, 1 failed, 77 skipped (this kernel or container cannot boot systemd in a container;
# the reason is printed on a line starting with "SKIP:").
# Usage: sudo tests/install/systemd-boot.sh     (test.sh runs it, bounded by `timeout`)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/install/lib.sh
. "$repo/tests/install/lib.sh"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root"
for tool in systemd-nspawn mmdebstrap nsenter; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/deps.sh, group test)"
done
for f in cniv6 cniv6-agent; do
  [ -x "$repo/artifacts/bin/$f" ] || fail "artifacts/bin/$f missing: run ./build.sh --no-demo first"
done

work=$(mktemp -d /var/tmp/cv6i-boot.XXXXXX)
root="$work/root"
nspawn_pid=""
cleanup() {
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    # SIGTERM asks systemd-nspawn to halt the container cleanly; a second one stops it at once.
    kill -TERM "$nspawn_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$nspawn_pid" 2>/dev/null || true
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== fresh root file system"
tarball=$(cv6i_rootfs_tarball systemd systemd systemd-sysv dbus iproute2 iptables kmod) || fail "no root file system"
mkdir -p "$root"
tar -C "$root" -xf "$tarball"

# What the README's steps start from: a checkout in which ./build.sh has run.
mkdir -p "$root/root/cniv6/artifacts/bin"
cp -a "$repo/systemd" "$root/root/cniv6/"
cp -a "$repo/artifacts/bin/cniv6" "$repo/artifacts/bin/cniv6-agent" "$root/root/cniv6/artifacts/bin/"
# readme_steps HEADING — the first ```sh block after that "### " heading of README.md, verbatim.
readme_steps() {
  awk -v heading="### $1" '$0 == heading {section = 1; next}
       section && /^```sh/ {block = 1; next}
       block && /^```/ {exit}
       block {print}' "$repo/README.md"
}
readme_steps "Plain hosts (systemd)" >"$root/root/install-steps.sh"
readme_steps "Uninstall" >"$root/root/uninstall-steps.sh"
for f in install uninstall; do
  [ -s "$root/root/$f-steps.sh" ] || fail "no $f steps found in README.md"
  echo "README $f steps:"
  sed 's/^/  /' "$root/root/$f-steps.sh"
done

echo "== boot systemd in the container"
boot_log="$work/boot.log"
systemd-nspawn --quiet --register=no --keep-unit --boot --private-network --console=read-only \
  --machine="cv6i-boot-$$" -D "$root" >"$boot_log" 2>&1 </dev/null &
nspawn_pid=$!
leader=""
for _ in $(seq 100); do
  leader=$(pgrep -P "$nspawn_pid" | head -n1 || true)
  [ -n "$leader" ] && break
  kill -0 "$nspawn_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$leader" ]; then
  tail -n 20 "$boot_log" >&2
  skip "systemd-nspawn could not start a container here (log above)"
fi
in_container() { # in_container COMMAND... — run in every namespace of the booted container
  nsenter --target "$leader" --mount --uts --ipc --net --pid -r -w \
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}
state=""
# Up to 180 s: a loaded 2-core CI machine has been seen taking over a minute to finish booting.
for _ in $(seq 360); do
  state=$(in_container systemctl is-system-running 2>/dev/null || true)
  case "$state" in running|degraded) break ;; esac
  kill -0 "$nspawn_pid" 2>/dev/null || break
  sleep 0.5
done
case "$state" in
  running|degraded) echo "systemd in the container: $state" ;;
  *)
    tail -n 30 "$boot_log" >&2
    skip "systemd did not finish booting in the container (state '${state:-none}'; boot log above)" ;;
esac

echo "== the host's network (not an install step): an uplink on which systemd/agent.json's peer is on-link"
in_container ip link add uplink type veth peer name peer
in_container ip addr add 2001:db8::a/64 dev uplink nodad
in_container ip addr add 192.0.2.10/24 dev uplink
in_container ip link set uplink up
in_container ip link set peer up

echo "== README steps, verbatim, from a checkout in /root/cniv6"
started=$SECONDS
if ! in_container timeout 120 bash -euxo pipefail -c 'cd /root/cniv6 && . /root/install-steps.sh'; then
  in_container systemctl --no-pager status cniv6-agent >&2 || true
  in_container journalctl --no-pager -u cniv6-agent -n 40 >&2 || true
  fail "the README's systemd steps failed"
fi
echo "steps done in $((SECONDS - started)) s"

status=0
active=$(in_container systemctl is-active cniv6-agent || true)
echo "cniv6-agent.service: $active"
[ "$active" = active ] || status=1
in_container systemctl --no-pager status cniv6-agent | head -n 12 || true
for f in /etc/cni/net.d/10-cniv6.conflist /opt/cni/bin/cniv6; do
  if in_container test -s "$f"; then echo "present: $f"; else echo "missing: $f" >&2; status=1; fi
done
in_container cat /etc/cni/net.d/10-cniv6.conflist || true
echo "routes the agent installed (proto 198):"
in_container ip -6 route show proto 198 || true
in_container ip -4 route show proto 198 || true
echo "== journal of cniv6-agent"
in_container journalctl --no-pager -u cniv6-agent -n 30 -o cat || true
echo "== systemd-analyze security cniv6-agent.service"
in_container systemd-analyze security --no-pager cniv6-agent.service | tail -n 45 || true

echo "== restart keeps working (runtime directory preserved, sandbox set up again)"
if in_container systemctl restart cniv6-agent && [ "$(in_container systemctl is-active cniv6-agent)" = active ]; then
  echo "restart: active"
else
  in_container journalctl --no-pager -u cniv6-agent -n 20 >&2 || true
  status=1
fi

echo "== README uninstall steps, verbatim (with a pod's host veth and someone else's veth on the node)"
# A pod's host veth as the plugin names and labels it: cv6 + 11 hex of SHA-256(containerID/ifname), alias
# "cniv6 <network> <containerID> <ifname>" (systemd/agent.json's network is "cniv6").
pod_veth="cv6$(printf '%s' 'cv6i-pod/eth0' | sha256sum | cut -c1-11)"
in_container ip link add "$pod_veth" type veth peer name podside0
in_container ip link set "$pod_veth" alias "cniv6 cniv6 cv6i-pod eth0"
in_container ip link add other0 type veth peer name other1
if ! in_container timeout 60 bash -euxo pipefail -c '. /root/uninstall-steps.sh'; then
  echo "the README's uninstall steps failed" >&2
  status=1
fi
# shellcheck disable=SC2016  # expanded by the container's bash
leftovers=$(in_container bash -c '
  systemctl is-active --quiet cniv6-agent && echo "unit still active"
  for f in /etc/systemd/system/cniv6-agent.service /etc/cni/net.d/10-cniv6.conflist /opt/cni/bin/cniv6 \
           /usr/local/bin/cniv6 /usr/local/bin/cniv6-agent /etc/cniv6 /var/lib/cni/cniv6 /run/cniv6; do
    [ -e "$f" ] && echo "left: $f"
  done
  for t in iptables-save ip6tables-save; do $t -t nat | grep -q CNIV6 && echo "left: CNIV6 rules ($t)"; done
  [ -n "$(ip -6 route show proto 198; ip -4 route show proto 198)" ] && echo "left: routes of protocol 198"
  ip -o link show | grep -q ": cv6" && echo "left: cv6 host veths"
  ip -o link show other0 >/dev/null 2>&1 || echo "removed: someone else'"'"'s veth other0"
  true')
if [ -n "$leftovers" ]; then
  echo "$leftovers" >&2
  status=1
else
  echo "uninstall left nothing behind (unit, files, NAT chains of both families, routes, host veths)"
fi

if [ "$status" = 0 ]; then
  echo "PASS: systemd boot check"
else
  in_container journalctl --no-pager -u cniv6-agent -n 40 >&2 || true
  fail "cniv6-agent.service did not come up as the README says"
fi
