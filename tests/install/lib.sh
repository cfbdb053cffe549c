# Shell helpers for the install checks (systemd-boot.sh, image.sh). Source it; it expects `repo`.
# shellcheck shell=bash

# Throwaway root file systems are cached as tarballs keyed by suite, package list and the host's apt
# sources: mmdebstrap takes minutes, unpacking a cached tarball seconds. A fresh CI machine builds them once.
cv6i_cache=${CV6I_CACHE:-/var/cache/cniv6-ci}

# cv6i_apt_sources — the host's own Debian sources (files), handed to mmdebstrap as its mirrors, so the
# root file system comes from the same mirror and snapshot this machine installs from.
cv6i_apt_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -s "$f" ] && grep -q -i debian "$f" && printf '%s\n' "$f"
  done
  return 0
}

# cv6i_rootfs_tarball NAME PACKAGE... — prints the path of a tarball of a minimal Debian 12 root file
# system with the packages, building it with mmdebstrap when it is not cached yet.
cv6i_rootfs_tarball() {
  local name=$1; shift
  local packages sources key tarball include=()
  packages=$(printf '%s,' "$@"); packages=${packages%,}
  [ -n "$packages" ] && include=(--include="$packages")
  mapfile -t sources < <(cv6i_apt_sources)
  key=$( { echo "bookworm minbase $packages"; cat "${sources[@]}" 2>/dev/null; } | sha256sum | cut -c1-12)
  tarball="$cv6i_cache/rootfs-$name-$key.tar"
  if [ ! -s "$tarball" ]; then
    mkdir -p "$cv6i_cache"
    echo "building the $name root file system with mmdebstrap (bookworm, minbase${packages:+ + $packages})" >&2
    local started=$SECONDS
    # Standard input is not a mirror list here: without a tty mmdebstrap would read one from it.
    if ! mmdebstrap --quiet --format=tar --variant=minbase "${include[@]}" bookworm "$tarball.partial" \
        "${sources[@]}" </dev/null >&2; then
      rm -f "$tarball.partial"
      echo "mmdebstrap failed" >&2
      return 1
    fi
    mv "$tarball.partial" "$tarball"
    echo "built $tarball in $((SECONDS - started)) s" >&2
  fi
  printf '%s\n' "$tarball"
}
