#!/usr/bin/env bash
# Builds the tests under a sanitizer preset of CMakePresets.json and runs them.
#   scripts/sanitize.sh asan          ASan + UBSan (build-asan/): the unit, corrupt and onnx suites
#                                     (what scripts/test.sh and CI run; ~100 s of tests after the build)
#   scripts/sanitize.sh asan --all    ASan + UBSan: every suite
#   scripts/sanitize.sh tsan          ThreadSanitizer (build-tsan/): the corrupt suite's concurrency
#                                     test (one session, 8 threads x 200 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:?usage: scripts/sanitize.sh asan|tsan [--all]}"
cmake --preset "$preset" > /dev/null
case "$preset" in
  asan)
    if [[ "${2:-}" == "--all" ]]; then
      cmake --build --preset asan -j "$(nproc)"
      ctest --preset asan -j "$(nproc)"
    else
      cmake --build --preset asan -j "$(nproc)" --target unit_tests corrupt_tests onnx_tests flowonnx
      ctest --preset asan -j "$(nproc)" -L '^(unit|corrupt|onnx)$'
    fi
    ;;
  tsan)
    cmake --build --preset tsan -j "$(nproc)" --target corrupt_tests
    ctest --preset tsan -R 'Concurrency'
    ;;
  *) echo "unknown preset '$preset' (asan or tsan)" >&2; exit 2 ;;
esac
