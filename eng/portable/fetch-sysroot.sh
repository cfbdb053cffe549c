#!/usr/bin/env bash
# Fetches the glibc 2.31 sysroot (Debian 11 "bullseye") the Native AOT executables link against, so they
# run on every x86-64 glibc >= 2.17 host (RHEL/Rocky 8, Ubuntu 20.04, Amazon Linux 2...) instead of only
# on hosts with the build machine's glibc (2.36 on Debian 12: its libpthread/libdl merge alone makes every
# binary need GLIBC_2.34). glibc stays dynamic so dlopen (libnftables, OpenSSL) keeps working.
#
# Downloads .debs with the machine's own apt, signature-checked against Debian's archive keyring, through a
# private apt state (the machine's sources and package database are not touched) and unpacks them.
# Cached: does nothing when DEST already holds a complete sysroot made by this version of the script.
# Usage: fetch-sysroot.sh DEST [PACKAGE...]
#   default packages: what a C link needs (libc6, libc6-dev, libgcc-10-dev, libgcc-s1).
#   tests/portable/ uses it with "libc6" alone to make an old-glibc root filesystem.
set -euo pipefail
dest=${1:?usage: fetch-sysroot.sh DEST [PACKAGE...]}
dest=$(realpath -m "$dest") # absolute (apt and the cd below need it), no trailing slash
shift
packages=("$@")
[ ${#packages[@]} -gt 0 ] || packages=(libc6 libc6-dev libgcc-10-dev libgcc-s1)
suite=bullseye
# deb.debian.org drops a suite some time after its LTS ends; archive.debian.org then keeps it for good.
mirrors=(http://deb.debian.org/debian http://archive.debian.org/debian)
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

stamp="$suite ${packages[*]} $(sha256sum "$0" | cut -d' ' -f1)"
if [ -f "$dest/.cniv6-sysroot" ] && [ "$(cat "$dest/.cniv6-sysroot")" = "$stamp" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  echo "fetch-sysroot: needs apt-get and dpkg-deb (a Debian/Ubuntu build machine)" >&2
  exit 1
fi
[ -f "$keyring" ] || { echo "fetch-sysroot: $keyring missing (apt-get install debian-archive-keyring)" >&2; exit 1; }

mkdir -p "$(dirname "$dest")"
# Next to DEST, so the final rename is atomic (same file system).
work=$(mktemp -d "$(dirname "$dest")/.cv6o-sysroot.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/root"
# _apt cannot write into a root-owned mktemp dir; the downloads are verified against the signed index anyway.
apt_opts=(-q -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Dir::State::status=/dev/null
  -o APT::Architecture=amd64 -o APT::Architectures=amd64 -o APT::Sandbox::User=root
  -o Acquire::Retries=3 -o Acquire::http::Timeout=30)

fetched=0
for mirror in "${mirrors[@]}"; do
  echo "deb [signed-by=$keyring] $mirror $suite main" >"$work/sources.list"
  rm -rf "${work:?}/lists"/* && mkdir -p "$work/lists/partial"
  if apt-get "${apt_opts[@]}" update >"$work/update.log" 2>&1 &&
     ! grep -qE '^(E|W): ' "$work/update.log" &&
     (cd "$work/debs" && apt-get "${apt_opts[@]}" download "${packages[@]}" >"$work/download.log" 2>&1); then
    fetched=1
    break
  fi
  echo "fetch-sysroot: $mirror $suite not usable, trying the next mirror" >&2
  cat "$work/update.log" "$work/download.log" 2>/dev/null | tail -n 5 >&2 || true
done
[ "$fetched" = 1 ] || { echo "fetch-sysroot: could not download ${packages[*]} ($suite) from ${mirrors[*]}" >&2; exit 1; }

for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done
# Packages use absolute symlinks (/lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/ld-2.31.so); the
# linker resolves them on the build machine unless they are relative to the sysroot.
find "$work/root" -type l -lname '/*' -print0 | while IFS= read -r -d '' link; do
  target=$(readlink "$link")
  ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$work/root$target")" "$link"
done
(cd "$work/debs" && ls) >"$work/root/.cniv6-packages"
echo "$stamp" >"$work/root/.cniv6-sysroot"

# Swap in atomically so a concurrent or interrupted run never leaves a half-unpacked sysroot behind.
rm -rf "$dest.old.$$"
[ -e "$dest" ] && mv "$dest" "$dest.old.$$"
mv "$work/root" "$dest"
rm -rf "$dest.old.$$"
echo "fetch-sysroot: $suite (${packages[*]}) -> $dest"
