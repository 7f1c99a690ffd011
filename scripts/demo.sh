#!/usr/bin/env bash
# Sets up, builds and runs the demo: a ResNet-34 with seeded weights written as a OneFlow
# checkpoint folder, loaded back, and run eagerly on a seeded input; prints the top-5 classes.
# (Pretrained ImageNet weights cannot be downloaded here, so the classes are not meaningful.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh --target flowonnx
work=build/demo
mkdir -p "$work"
build/tools/flowonnx/flowonnx init --model resnet34 --seed 0 -o "$work/resnet34"
build/tools/flowonnx/flowonnx infer --model resnet34 --weights "$work/resnet34" \
  --input-shape 1,3,224,224 --seed 1 --output "$work/resnet34_logits.npy"
