#!/usr/bin/env bash
# Coverage-guided fuzzing of the plugin's CNI parsers and the netlink decoder with AFL++ and SharpFuzz.
#
#   fuzz/run.sh [seconds-per-target] [target...]      (default: 60 seconds; targets config result env netlink)
#
# Installs what is missing (Debian afl++; the SharpFuzz.CommandLine tool into fuzz/.tools), publishes
# fuzz/CniV6.Fuzz into fuzz/.build/bin, instruments the assemblies under test there (never the shared build
# output), runs afl-fuzz on each target for the given time starting from fuzz/corpus/<target>, then prints
# executions and findings per target from AFL's fuzzer_stats and replays every crash to name its exception.
# Findings stay in fuzz/findings/<target>/default/{crashes,hangs} until the next run of that target.
# Environment: FUZZ_CAPTURE=1 first re-records fuzz/corpus/netlink/dump-*.bin etc. in a throwaway netns (root);
# FUZZ_MERGE=1 afterwards copies the inputs AFL found new coverage with (its queue, up to 4 KiB each) into
# fuzz/corpus/<target>/afl-<sha256 prefix> so that the unit tests replay them too.
# Exit status: 0 when no target found anything, 1 when some did, 2 on setup failure.
set -euo pipefail
fuzz=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config result env netlink)
sharpfuzz_version=2.3.0

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 5 ]; then
  echo "usage: fuzz/run.sh [seconds-per-target >= 5] [config|result|env|netlink ...]" >&2
  exit 2
fi

echo "== tools"
if ! command -v afl-fuzz >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "afl-fuzz is missing: run 'sudo apt-get install -y afl++' or run this script as root" >&2
    exit 2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y afl++ >/dev/null
fi
if [ ! -x "$fuzz/.tools/sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version "$sharpfuzz_version" --tool-path "$fuzz/.tools" >/dev/null
fi
afl-fuzz -h 2>&1 | head -n 1 || true

echo "== build"
bin="$fuzz/.build/bin"
plain="$fuzz/.build/plain"
rm -rf "$bin" "$plain"
dotnet publish "$fuzz/CniV6.Fuzz/CniV6.Fuzz.csproj" -c Release -o "$bin" -nologo -clp:ErrorsOnly
# Instrumented IL writes to AFL's shared memory and crashes outside afl-fuzz: replays use an untouched copy.
cp -r "$bin" "$plain"
# Only the code under test is instrumented: the plugin's CNI protocol layer, the config schema it parses with
# (CniV6.Core.Config, shared with the agent) and the whole netlink codec. Without the Core part, inputs that
# only touch the config parser show AFL no coverage at all and the dry run aborts ("No instrumentation detected").
# (Instrumenting everything would fill AFL's 64 KiB map with logging and JSON plumbing.)
"$fuzz/.tools/sharpfuzz" "$bin/cniv6.dll" CniV6.Plugin.Cni CniV6.Plugin.Ipam.IpamResult
"$fuzz/.tools/sharpfuzz" "$bin/CniV6.Core.dll" CniV6.Core.Config
"$fuzz/.tools/sharpfuzz" "$bin/CniV6.Netlink.dll"
driver=(dotnet "$bin/CniV6.Fuzz.dll")
replay=(dotnet "$plain/CniV6.Fuzz.dll")

if [ "${FUZZ_CAPTURE:-0}" = 1 ]; then
  echo "== capture netlink seeds"
  "${replay[@]}" capture "$fuzz/corpus/netlink"
fi

dictionaries() {
  case "$1" in
    config | result) echo "-x $fuzz/dict/cni-json.dict" ;;
    env) echo "-x $fuzz/dict/cni-env.dict" ;;
    netlink) echo "-x $fuzz/dict/netlink.dict" ;;
  esac
}

afl_stat() { # afl_stat FILE KEY
  awk -F' *: *' -v key="$2" '$1 == key { print $2 }' "$1"
}

# afl-fuzz runs `dotnet`, which is not AFL-instrumented itself (SharpFuzz instruments the IL): skip that check.
# No CPU binding and no core_pattern demands: the machine is shared and its kernel settings are not ours.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_FORKSRV_INIT_TMOUT=60000

summary=()
total_findings=0
for target in "${targets[@]}"; do
  corpus="$fuzz/corpus/$target"
  out="$fuzz/findings/$target"
  if [ ! -d "$corpus" ]; then
    echo "unknown target $target (no $corpus)" >&2
    exit 2
  fi
  echo "== fuzz $target for ${seconds}s"
  rm -rf "$out"
  mkdir -p "$out"
  # -t: a single input that runs longer than this (ms) is a hang; .NET start-up is not counted (fork server).
  # shellcheck disable=SC2046
  afl-fuzz -i "$corpus" -o "$out" -V "$seconds" -t 2000 -m none $(dictionaries "$target") \
    -- "${driver[@]}" "$target" >"$out/afl.log" 2>&1 || {
    echo "afl-fuzz failed for $target; last lines of $out/afl.log:" >&2
    tail -n 20 "$out/afl.log" >&2
    exit 2
  }
  stats="$out/default/fuzzer_stats"
  execs=$(afl_stat "$stats" execs_done)
  run_time=$(afl_stat "$stats" run_time)
  crashes=$(afl_stat "$stats" saved_crashes)
  hangs=$(afl_stat "$stats" saved_hangs)
  corpus_count=$(afl_stat "$stats" corpus_count)
  coverage=$(afl_stat "$stats" bitmap_cvg)
  per_second=$(awk -v e="$execs" -v t="$run_time" 'BEGIN { printf "%.0f", (t > 0 ? e / t : 0) }')
  summary+=("$(printf '%-8s %10s execs %7s/s %5s s  corpus %5s  map %7s  crashes %3s  hangs %3s' \
    "$target" "$execs" "$per_second" "$run_time" "$corpus_count" "$coverage" "$crashes" "$hangs")")
  total_findings=$((total_findings + crashes + hangs))
  if [ "$crashes" -gt 0 ]; then
    echo "-- $target crashes (replayed without AFL):"
    "${replay[@]}" replay "$target" "$out/default/crashes" || true
  fi
  if [ "$hangs" -gt 0 ]; then
    echo "-- $target hangs: $out/default/hangs"
  fi
  if [ "${FUZZ_MERGE:-0}" = 1 ]; then
    merged=0
    for entry in "$out"/default/queue/id:*; do
      case "$entry" in *orig:*) continue ;; esac
      [ "$(stat -c %s "$entry")" -le 4096 ] || continue
      name="afl-$(sha256sum "$entry" | cut -c1-16)"
      [ -e "$corpus/$name" ] || { cp "$entry" "$corpus/$name"; merged=$((merged + 1)); }
    done
    echo "-- $target: merged $merged queue entries into $corpus"
  fi
done

echo "== summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit $(( total_findings == 0 ? 0 : 1 ))
