#!/usr/bin/env bash
# Fails when an ELF executable needs a glibc symbol version newer than the baseline, i.e. when it would
# refuse to start ("version `GLIBC_2.xx' not found") on a host with that older glibc.
# Usage: check-glibc.sh BINARY [MAX_VERSION (default 2.17)]
set -euo pipefail
binary=${1:?usage: check-glibc.sh BINARY [MAX_VERSION]}
max=${2:-2.17}
command -v objdump >/dev/null || { echo "check-glibc: objdump not found (apt-get install binutils)" >&2; exit 1; }
# Versions come from the dynamic symbol table (what the loader checks), e.g. "(GLIBC_2.3.2) pthread_cond_wait".
needed=$(objdump -T "$binary" | sed -n 's/.*[( ]GLIBC_\([0-9][0-9.]*\)[) ] *\(.*\)$/\1 \2/p' | sort -V -k1,1)
[ -n "$needed" ] || { echo "check-glibc: $binary has no versioned glibc symbols (not a dynamic glibc binary?)" >&2; exit 1; }
highest=$(tail -n1 <<<"$needed" | cut -d' ' -f1)
too_new=$(while read -r version symbol; do
  [ "$(printf '%s\n%s\n' "$version" "$max" | sort -V | tail -n1)" = "$max" ] || echo "  $symbol (GLIBC_$version)"
done <<<"$needed")
if [ -n "$too_new" ]; then
  echo "check-glibc: $binary needs glibc > $max, so it will not start on older hosts:" >&2
  echo "$too_new" >&2
  echo "(link against the sysroot, or wrap the symbol in eng/portable/glibc-compat.c)" >&2
  exit 1
fi
echo "check-glibc: $(basename "$binary") needs glibc >= $highest (baseline $max): ok"
