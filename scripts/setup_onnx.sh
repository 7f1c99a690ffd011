#!/usr/bin/env bash
# Builds ONNX's C++ library (schemas, checker, shape inference, onnx.proto) from the source
# distribution of the same release as the PyPI `onnx` pinned in scripts/requirements-test.txt,
# against Debian's protobuf, into a cached prefix: the exporter's validation and the runtime's op
# knowledge then match what the tests' onnx and onnxruntime know (Debian's libonnx stops at 1.12,
# opset 17). Reused when the prefix's stamp matches; CMakeLists.txt finds it there.
#
# Prefix: ${FLOWONNX_DEPS_DIR:-$HOME/.cache/flowonnx}/onnx-<version> (shared by every clone and
# worktree of this user). Needs CMake >= 3.26 (Debian 12 has 3.25): the pinned `cmake` wheel of
# .venv, so run scripts/setup_python.sh first (scripts/setup.sh does).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=1.22.0
sha256=ef40c0aaf0b643857ea9306fc7eddce17eaf9fb0407e4801f1fc5758443a38e0
url=https://files.pythonhosted.org/packages/04/19/8ea73a64b368b75fe339771a20a02bc61ea1f551484c9e3d9d0bfbd0450f/onnx-$version.tar.gz
deps="${FLOWONNX_DEPS_DIR:-$HOME/.cache/flowonnx}"
prefix="$deps/onnx-$version"
protobuf="$(protoc --version)"
stamp_text="onnx $version sha256 $sha256 $protobuf ONNX_ML=1 PIC static"
cmake="${FLOWONNX_VENV:-$repo/.venv}/bin/cmake"

if [ -f "$prefix/flowonnx-stamp.txt" ] && [ "$(cat "$prefix/flowonnx-stamp.txt")" = "$stamp_text" ]; then
  echo "setup_onnx: $prefix up to date (onnx $version, $protobuf)"
  exit 0
fi
if [ ! -x "$cmake" ]; then
  echo "setup_onnx: $cmake is missing; run scripts/setup_python.sh first" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "setup_onnx: building ONNX $version's C++ library into $prefix (2-4 minutes on 2 cores)"
curl --fail --silent --show-error --location --retry 3 -o "$work/onnx.tar.gz" "$url"
echo "$sha256  $work/onnx.tar.gz" | sha256sum --check --quiet
tar -xzf "$work/onnx.tar.gz" -C "$work"
# Static and position-independent, so it links into the Python extension as well; ONNX_ML=1 as
# Debian's and PyPI's builds (onnx/onnx-ml.proto).
"$cmake" -S "$work/onnx-$version" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$prefix.partial" -DONNX_ML=ON -DONNX_USE_PROTOBUF_SHARED_LIBS=ON \
  -DBUILD_SHARED_LIBS=OFF -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DONNX_BUILD_TESTS=OFF \
  -DONNX_BUILD_PYTHON=OFF -DONNX_GEN_PB_TYPE_STUBS=OFF > "$work/configure.log" ||
  { cat "$work/configure.log" >&2; exit 1; }
"$cmake" --build "$work/build" -j "$(nproc)" --target install > "$work/build.log" ||
  { tail -50 "$work/build.log" >&2; exit 1; }
# Installed under a temporary name and renamed, so an interrupted build never looks complete.
echo "$stamp_text" > "$prefix.partial/flowonnx-stamp.txt"
rm -rf "$prefix"
mv "$prefix.partial" "$prefix"
echo "setup_onnx: done ($prefix)"
