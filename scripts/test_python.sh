#!/usr/bin/env bash
# Builds the Python package (pyproject.toml: scikit-build-core + nanobind on this CMake project),
# installs it into the project's .venv and runs its tests (python/tests; extra arguments go to
# pytest). By default the extension is built in build/, beside the C++ build that
# scripts/build.sh made, so only the extension's own files compile; FLOWONNX_PY_BUILD_DIR picks
# another folder (a plain `pip install .` uses build-python/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_python.sh
python=.venv/bin/python
build_dir="${FLOWONNX_PY_BUILD_DIR:-build}"
settings=(--config-settings=build-dir="$build_dir")
# build/ also holds the C++ tests: keep them configured (pyproject.toml turns them off).
[ "$build_dir" = build ] && settings+=(--config-settings=cmake.define.FLOWONNX_BUILD_TESTS=ON)
# scikit-build-core clears a build folder's CMake cache when another Python or build environment
# used it last, and a fresh configure would take the compiler from Python's sysconfig: keep the
# compiler the folder was built with, so that only what changed recompiles.
cache="$build_dir/CMakeCache.txt"
if [ -z "${CXX:-}" ] && [ -f "$cache" ]; then
  CXX="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$cache")"
  export CXX
fi
echo "test_python: building and installing the flowonnx package (build dir $build_dir)"
"$python" -m pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps \
  "${settings[@]}" .
"$python" -m pytest -q python/tests "$@"
