#!/usr/bin/env bash
# Installs every Debian package flowonnx needs to build, test and run. Idempotent and
# non-interactive: packages already present are skipped; runs as root or through sudo.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libfmt-dev libcli11-dev nlohmann-json3-dev   # message formatting, CLI parsing, JSON output
  libdnnl-dev ocl-icd-opencl-dev               # oneDNN (its CMake config needs OpenCL, only a Recommends)
  libprotobuf-dev protobuf-compiler curl        # protobuf for ONNX (scripts/setup_onnx.sh builds its C++ library)
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev  # the tutorial's cv2 calls
  libjpeg-dev                                  # corrupt-JPEG check (src/vision/jpeg_check.cc)
  libonnx-testdata                             # ONNX backend node tests (conformance)
  libcpp-httplib-dev                           # flowonnx serve: HTTP server (and the tests' client)
  libgrpc++-dev protobuf-compiler-grpc         # flowonnx serve: the gRPC endpoint
  libgtest-dev libgmock-dev                    # tests
  libbenchmark-dev                             # bench/ micro-benchmarks (FLOWONNX_BUILD_BENCH)
  python3-venv                                 # the project's .venv (PyPI oracle, Python tests)
  python3-torchvision                          # PyTorch's exporter for the model-family tests (pulls python3-torch)
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} Debian packages present"
else
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# .venv with the pinned PyPI packages: ONNX Runtime (the independent oracle), onnx, numpy, pytest.
"$(dirname "$0")/setup_python.sh"

# ONNX's C++ library of the same release as the pinned PyPI onnx, built once into a cached prefix.
"$(dirname "$0")/setup_onnx.sh"
