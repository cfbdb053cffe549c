#!/usr/bin/env bash
# Makes a root filesystem holding nothing but an old distribution's glibc (the libc6 package: libc, libm,
# libdl, libpthread, librt and the loader), to prove the AOT executables start and work on hosts whose glibc
# is older than the build machine's. Nothing else: no shell, no iptables, no libgcc_s.
#   debian-11     glibc 2.31 (Debian bullseye, from Debian's mirror like every other CI dependency)
#   ubuntu-16.04  glibc 2.23 (older than Amazon Linux 2's 2.26 and RHEL 8's 2.28; from archive.ubuntu.com,
#                 a pinned, checksummed release-pocket .deb that never changes)
# Cached: DEST is reused when complete. Exit status 75 (EX_TEMPFAIL) when the download host cannot be
# reached, so the caller can report a skip instead of a failure.
# Usage: old-glibc-rootfs.sh debian-11|ubuntu-16.04 DEST   (UBUNTU_ARCHIVE=URL overrides archive.ubuntu.com)
set -euo pipefail
flavour=${1:?usage: old-glibc-rootfs.sh debian-11|ubuntu-16.04 DEST}
dest=${2:?usage: old-glibc-rootfs.sh debian-11|ubuntu-16.04 DEST}
repo=$(cd "$(dirname "$0")/../../.." && pwd)

[ -f "$dest/.cniv6-rootfs" ] && exit 0
rm -rf "$dest"
case "$flavour" in
  debian-11)
    "$repo/eng/portable/fetch-sysroot.sh" "$dest" libc6 || exit 75
    ;;
  ubuntu-16.04)
    url=${UBUNTU_ARCHIVE:-http://archive.ubuntu.com/ubuntu}/pool/main/g/glibc/libc6_2.23-0ubuntu3_amd64.deb
    sha256=68d69a0fb2dae7578a2a7054bc0cd5f0994d523f60d540bc6708ff3f2fb33e18
    mkdir -p "$(dirname "$dest")"
    work=$(mktemp -d "$(dirname "$dest")/.cv6o-rootfs.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    if ! curl -fsS --retry 2 --connect-timeout 15 --max-time 120 -o "$work/libc6.deb" "$url"; then
      echo "old-glibc-rootfs: cannot download $url" >&2
      exit 75
    fi
    echo "$sha256  $work/libc6.deb" | sha256sum -c --quiet - ||
      { echo "old-glibc-rootfs: checksum mismatch for $url" >&2; exit 1; }
    mkdir "$work/root"
    dpkg-deb -x "$work/libc6.deb" "$work/root"
    mv "$work/root" "$dest"
    ;;
  *)
    echo "old-glibc-rootfs: unknown flavour $flavour" >&2
    exit 2
    ;;
esac
# The ELF interpreter path every x86-64 binary names; some libc6 packages leave it to another package.
mkdir -p "$dest/lib64"
if [ ! -e "$dest/lib64/ld-linux-x86-64.so.2" ]; then
  ln -sfn ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$dest/lib64/ld-linux-x86-64.so.2"
fi
# libc.so.6 run as a program prints its version: proves the root filesystem works, and names what it holds.
chroot "$dest" /lib/x86_64-linux-gnu/libc.so.6 | head -n1 >"$dest/.cniv6-rootfs.tmp"
mv "$dest/.cniv6-rootfs.tmp" "$dest/.cniv6-rootfs"
