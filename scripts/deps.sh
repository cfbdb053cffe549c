# The one list of Debian packages CniV6 needs, and the check that installs what is missing.
# Sourced by build.sh, test.sh and .ci/run; anyone who needs a package adds it here, to the group
# that needs it. `.NET 10 SDK` is a given (global.json), not an apt package.
#
#   . scripts/deps.sh
#   cv6_deps_ensure build driver demo     # installs what is missing (root) or prints the line (not root)
#   bash scripts/deps.sh build demo       # prints the packages of those groups, one line
#
# shellcheck shell=bash disable=SC2034  # the groups are read by name in cv6_deps_list

# Native AOT link: clang drives ld (binutils); clang pulls in libc6-dev and libgcc for the crt files.
# No zlib1g-dev: the ILCompiler package ships its own libz.a (UseSystemZlib stays false).
# ca-certificates: NuGet restore over https.
# debian-archive-keyring: the portable link (eng/portable) fetches its glibc 2.31 sysroot with apt from
# Debian's mirror, signature-checked; binutils' objdump checks the glibc symbol baseline after the link.
cv6_deps_build=(clang binutils ca-certificates debian-archive-keyring)

# The libcni driver (tests/e2e/driver): Debian's Go and Debian's libcni sources, built in GOPATH mode.
cv6_deps_driver=(golang-go golang-github-appc-cni-dev)

# The demo (tests/e2e/demo.sh): namespaces, veths, routes and NAT chains, a ping across nodes, the
# reference portmap plugin the agent's conflist chains.
cv6_deps_demo=(iproute2 iptables iputils-ping procps containernetworking-plugins)

# Everything test.sh runs: the test projects (radvd/ndisc6 for router-advertisement cases, kmod for the
# nat modules), the bounded fuzz stage (afl++), shellcheck over every script, the systemd boot check
# (systemd-container + mmdebstrap) and the image check (buildah); curl fetches the glibc 2.23 root
# filesystem of the portability test (tests/e2e/portable); python3-yaml reads the Kubernetes manifests
# (tests/install/manifests.sh); nftables for the agent's VXLAN-port firewall in the overlay tests, iperf3 for
# bench/overlay.sh; bird2 for the bgp mode (its renderer tests parse with `bird -p`, its end-to-end tests run it).
cv6_deps_test=(iproute2 iptables iputils-ping procps kmod util-linux radvd ndisc6 containernetworking-plugins bird2
  afl++ shellcheck curl systemd-container mmdebstrap buildah python3-yaml nftables libnftables1 iperf3)

# cv6_deps_list GROUP... — the packages of the groups, each once, in order.
cv6_deps_list() {
  local group pkg seen=" " ref
  for group in "$@"; do
    ref="cv6_deps_${group}[@]"
    [ -n "$(declare -p "cv6_deps_$group" 2>/dev/null)" ] || { echo "deps: unknown group '$group'" >&2; return 1; }
    for pkg in "${!ref}"; do
      case "$seen" in *" $pkg "*) continue ;; esac
      seen+="$pkg "
      printf '%s\n' "$pkg"
    done
  done
}

# cv6_deps_missing GROUP... — the packages of the groups that dpkg does not list as installed.
cv6_deps_missing() {
  local pkg
  while read -r pkg; do
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" = installed ] || printf '%s\n' "$pkg"
  done < <(cv6_deps_list "$@")
}

# cv6_deps_ensure GROUP... — checks every package of the groups up front. Missing ones are installed
# with apt-get when running as root; otherwise the one install line is printed and this returns 1.
cv6_deps_ensure() {
  if ! command -v dpkg-query >/dev/null; then
    echo "deps: not a Debian-like system (no dpkg-query); make sure these are installed: $(cv6_deps_list "$@" | tr '\n' ' ')" >&2
    return 0
  fi
  local missing
  mapfile -t missing < <(cv6_deps_missing "$@")
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "deps ($*): all installed"
    return 0
  fi
  local install=(apt-get install -y --no-install-recommends "${missing[@]}")
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps ($*): missing Debian packages: ${missing[*]}" >&2
    echo "install them with:  sudo ${install[*]}" >&2
    return 1
  fi
  echo "deps ($*): installing ${missing[*]}"
  # A fresh machine or image may have no package lists yet: update once and retry.
  if ! DEBIAN_FRONTEND=noninteractive "${install[@]}" </dev/null; then
    if ! { apt-get update && DEBIAN_FRONTEND=noninteractive "${install[@]}" </dev/null; }; then
      echo "deps: '${install[*]}' failed" >&2
      return 1
    fi
  fi
}

# cv6_deps_require_dotnet — the .NET SDK is not an apt package here: say where to get it if it is absent.
cv6_deps_require_dotnet() {
  if ! command -v dotnet >/dev/null; then
    echo "deps: 'dotnet' not found: install the .NET 10 SDK (https://dot.net/install) and put it on PATH" >&2
    return 1
  fi
}

# Executed rather than sourced: print the packages of the named groups (all groups by default) on one line.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  [ "$#" -gt 0 ] || set -- build driver demo test
  cv6_deps_list "$@" | tr '\n' ' ' | sed 's/ $/\n/'
fi
