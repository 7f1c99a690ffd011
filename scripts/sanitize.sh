#!/usr/bin/env bash
# Builds the tests under a sanitizer preset of CMakePresets.json and runs them.
#   scripts/sanitize.sh asan          ASan + UBSan (build-asan/): the unit, corrupt and onnx suites
#   scripts/sanitize.sh asan --all    ASan + UBSan: every suite (about 40 min on 2 cores)
#   scripts/sanitize.sh tsan          ThreadSanitizer (build-tsan/): the corrupt suite's concurrency
#                                     test (one session, 8 threads x 200 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:?usage: scripts/sanitize.sh asan|tsan [--all]}"
cmake --preset "$preset" > /dev/null
case "$preset" in
  asan)
    cmake --build --preset asan -j "$(nproc)"
    if [[ "${2:-}" == "--all" ]]; then
      ctest --preset asan -j "$(nproc)"
    else
      ctest --preset asan -j "$(nproc)" -L '^(unit|corrupt|onnx)$'
    fi
    ;;
  tsan)
    cmake --build --preset tsan -j "$(nproc)" --target corrupt_tests
    ctest --preset tsan -R 'Concurrency'
    ;;
  *) echo "unknown preset '$preset' (asan or tsan)" >&2; exit 2 ;;
esac
