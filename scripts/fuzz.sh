#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ for a given time:
#     scripts/fuzz.sh TARGET SECONDS     (TARGET: fuzz_npy or npy, ...)
#     scripts/fuzz.sh all SECONDS        (each target in turn, SECONDS each)
# Configures and builds build-fuzz/ with the `fuzz` preset (clang++) when needed, copies the
# committed seeds fuzz/corpus/<target>/ into build-fuzz/fuzz-work/<target>/corpus/ (the working
# corpus grows there, never in the source tree), runs nice'd with one job and prints the number of
# executions, coverage and any new crash. Exits 1 when a run found a crash (crash-*, leak-*,
# timeout-*, oom-* files in build-fuzz/fuzz-work/<target>/artifacts/). Extra libFuzzer flags can
# be given in FUZZ_FLAGS; FUZZ_NO_BUILD=1 skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."
readonly TARGETS=(fuzz_npy fuzz_pickle fuzz_checkpoint fuzz_tensor_proto fuzz_model_load)
readonly BUILD=build-fuzz

usage() { echo "usage: $0 {all|${TARGETS[*]}} SECONDS" >&2; exit 2; }
[[ $# -eq 2 && $2 =~ ^[0-9]+$ ]] || usage

targets=()
if [[ $1 == all ]]; then
  targets=("${TARGETS[@]}")
else
  name=$1
  [[ $name == fuzz_* ]] || name=fuzz_$name
  [[ " ${TARGETS[*]} " == *" $name "* ]] || usage
  targets=("$name")
fi

if [[ ! -f $BUILD/CMakeCache.txt ]]; then
  cmake --preset fuzz > /dev/null
fi
# FUZZ_NO_BUILD=1 runs the binaries as they are (e.g. while another build of build-fuzz runs).
[[ -n ${FUZZ_NO_BUILD:-} ]] || cmake --build "$BUILD" -j "$(nproc)" --target "${targets[@]}"

# Stack traces for UBSan reports too (ASan prints them anyway).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
# The checkpoint target writes its input as files on every execution: keep them in memory.
[[ -d /dev/shm && -w /dev/shm ]] && export TMPDIR=/dev/shm

status=0
for target in "${targets[@]}"; do
  work=$BUILD/fuzz-work/$target
  mkdir -p "$work/corpus" "$work/artifacts" "$BUILD/fuzz-logs"
  cp -n fuzz/corpus/"$target"/* "$work/corpus/" 2>/dev/null || true
  dict=()
  [[ -f fuzz/$target.dict ]] && dict=(-dict="$PWD/fuzz/$target.dict")
  log=$BUILD/fuzz-logs/$target.$(date -u +%Y%m%dT%H%M%S).log
  before=$(ls "$work/artifacts")
  echo "== $target: $2 s, log $log"
  # A crash makes libFuzzer exit non-zero; keep going to report it and to run the other targets.
  (cd "$work" && nice -n 19 "$OLDPWD/$BUILD/fuzz/$target" corpus -max_total_time="$2" -jobs=1 \
     -workers=1 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix=artifacts/ \
     "${dict[@]}" ${FUZZ_FLAGS:-}) > "$log" 2>&1 || true
  # -jobs=1 writes the fuzzer's own output to fuzz-0.log in the working folder.
  [[ -f $work/fuzz-0.log ]] && cat "$work/fuzz-0.log" >> "$log" && rm -f "$work/fuzz-0.log"
  executed=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  coverage=$(grep -oE '#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)[[:space:]]+cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 |
             grep -oE 'cov: [0-9]+ ft: [0-9]+' || true)
  new=$(comm -13 <(echo "$before") <(ls "$work/artifacts"))
  echo "   executions: ${executed:-?}  ${coverage:-}  corpus: $(ls "$work/corpus" | wc -l) files"
  if [[ -n $new ]]; then
    echo "   NEW CRASH(ES) in $work/artifacts:"
    echo "$new" | sed 's/^/     /'
    grep -m3 -E 'ERROR: (AddressSanitizer|libFuzzer|UndefinedBehaviorSanitizer)|runtime error:|==[0-9]+== ?ERROR' "$log" | sed 's/^/     /' || true
    status=1
  fi
done
exit $status
