#!/usr/bin/env bash
# Sets up, builds and runs every test: the README's test command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
scripts/test_python.sh  # the Python package (python/): built in build/, tests with pytest
# The hostile-input, unit and ONNX-io suites again under ASan + UBSan (build-asan/).
scripts/sanitize.sh asan
