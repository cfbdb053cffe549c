#!/usr/bin/env bash
# Runs one program inside ROOT (chroot) as a container runtime would run a CNI plugin on a host whose
# root filesystem is ROOT: fresh /proc and /sys, the host's /dev, and — when NETNS is given — that network
# namespace file bind-mounted at /run/netns/pod inside ROOT (pass CNI_NETNS=/run/netns/pod).
# Everything happens in a private mount namespace, so the mounts vanish with the process, whatever happens.
# The environment (CNI_*) and stdin pass through; the exit status is the program's.
# Usage: run-in-rootfs.sh ROOT NETNS|"" PROGRAM [ARG...]   (ROOT must hold /proc /sys /dev /run/netns dirs)
set -euo pipefail
root=${1:?usage: run-in-rootfs.sh ROOT NETNS PROGRAM [ARG...]}
netns=$2
shift 2
# shellcheck disable=SC2016  # the inner script expands its own positional parameters
exec unshare --mount --propagation private -- /bin/sh -ec '
  root=$1 netns=$2
  shift 2
  mount -t proc proc "$root/proc"
  mount -t sysfs sysfs "$root/sys"
  mount --bind /dev "$root/dev"
  if [ -n "$netns" ]; then
    : >"$root/run/netns/pod"
    mount --bind "$netns" "$root/run/netns/pod"
  fi
  exec chroot "$root" "$@"
' run-in-rootfs "$root" "$netns" "$@"
