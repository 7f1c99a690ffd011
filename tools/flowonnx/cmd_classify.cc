// flowonnx classify: the tutorial's inference step. Read images as cv2.imread does, preprocess
// them with the tutorial's preprocess_image, run the ONNX model in an InferenceSession and print
// each image's top-K classes.
#include <fmt/format.h>

#include <array>
#include <cstdlib>

#include "base/error.h"
#include "base/logging.h"
#include "commands.h"
#include "providers.h"
#include "runtime/session.h"
#include "vision/classify.h"
#include "vision/image.h"
#include "vision/labels.h"

namespace flowonnx::cli {
namespace {

struct ClassifyCommandOptions {
  std::string model, labels, providers = "cpu", size, mean, std;
  std::vector<std::string> images;
  int top = 5;
  bool rgb = false, imagenet_norm = false;
};

std::array<float, 3> parse_triple(const std::string& text, const char* what) {
  std::array<float, 3> out{};
  size_t start = 0;
  int count = 0;
  while (start <= text.size() && count < 4) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    char* stop = nullptr;
    float value = std::strtof(item.c_str(), &stop);
    FLOWONNX_REQUIRE(!item.empty() && stop && *stop == '\0',
                     "{} '{}': expected three numbers like 0.485,0.456,0.406", what, text);
    if (count < 3) out[count] = value;
    ++count;
    start = end + 1;
  }
  FLOWONNX_REQUIRE(count == 3, "{} '{}': expected three numbers, got {}", what, text, count);
  return out;
}

vision::PreprocessOptions preprocess_options(const ClassifyCommandOptions& options) {
  vision::PreprocessOptions preprocess;
  if (!options.size.empty()) {
    Shape size = parse_shape(options.size.find('x') != std::string::npos
                                 ? std::string(options.size).replace(options.size.find('x'), 1, ",")
                                 : options.size);
    FLOWONNX_REQUIRE(size.size() == 1 || size.size() == 2, "--size '{}': expected N or HxW",
                     options.size);
    preprocess.height = size[0];
    preprocess.width = size.back();
  }
  preprocess.rgb = options.rgb;
  if (options.imagenet_norm) {
    preprocess.mean = vision::kImageNetMean;
    preprocess.std = vision::kImageNetStd;
  }
  if (!options.mean.empty()) preprocess.mean = parse_triple(options.mean, "--mean");
  if (!options.std.empty()) preprocess.std = parse_triple(options.std, "--std");
  return preprocess;
}

void run_classify(const ClassifyCommandOptions& options) {
  InferenceSession session(options.model, provider_names(options.providers));
  std::vector<cv::Mat> images;
  for (const std::string& path : options.images) images.push_back(vision::read_image(path));

  vision::ClassifyOptions classify;
  classify.preprocess = preprocess_options(options);
  classify.top = options.top;
  vision::Classification result = vision::classify_images(session, images, classify);
  if (!options.size.empty() && (classify.preprocess.height != result.preprocess.height ||
                                classify.preprocess.width != result.preprocess.width))
    log_warning("--size {}: the model's input {} is fixed at {}x{}; using that", options.size,
                result.input.name, result.preprocess.height, result.preprocess.width);

  // Without --labels, the built-in ImageNet names when the model has ImageNet's 1000 classes.
  std::vector<std::string> labels;
  if (!options.labels.empty()) {
    labels = vision::labels_for_classes(vision::read_labels(options.labels), result.num_classes);
  } else if (result.num_classes == 1000) {
    labels = vision::read_labels(vision::builtin_asset("imagenet_classes.txt")).labels;
  }
  fmt::print("model {}: input {} {}x{}, {} classes; {}\n", options.model, result.input.name,
             result.preprocess.height, result.preprocess.width, result.num_classes,
             result.top.softmax_applied ? "softmax applied to the model's scores"
                                        : "the model outputs probabilities (no softmax applied)");
  for (size_t i = 0; i < images.size(); ++i) {
    fmt::print("{} ({}x{}): top-{}\n", options.images[i], images[i].cols, images[i].rows,
               result.top.rows[i].size());
    for (size_t k = 0; k < result.top.rows[i].size(); ++k)
      fmt::print("  {}\n", vision::format_prediction(k + 1, result.top.rows[i][k], labels));
  }
}

}  // namespace

void add_classify_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "classify", "Classify images with an ONNX model (the tutorial's inference step)");
  auto options = std::make_shared<ClassifyCommandOptions>();
  cmd->add_option("model", options->model, "ONNX model file")->required();
  cmd->add_option("images", options->images, "Image files (anything OpenCV decodes)")->required();
  cmd->add_option("--labels", options->labels,
                  "Class names: `285: 'Egyptian cat',` lines or one per line (default: ImageNet's "
                  "for 1000 classes)");
  cmd->add_option("--top", options->top, "How many classes to print per image")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--providers", options->providers,
                  "Execution providers in order: cpu, cuda, tensorrt or full names")
      ->capture_default_str();
  cmd->add_option("--size", options->size,
                  "Input size N or HxW when the model's is not fixed (default 224)");
  cmd->add_flag("--rgb", options->rgb, "Feed RGB instead of OpenCV's BGR");
  cmd->add_flag("--imagenet-norm", options->imagenet_norm,
                "Normalise with ImageNet's mean/std after /255");
  cmd->add_option("--mean", options->mean,
                  "Per-channel mean subtracted after /255, e.g. 0.485,0.456,0.406");
  cmd->add_option("--std", options->std,
                  "Per-channel std divided after the mean, e.g. 0.229,0.224,0.225");
  cmd->callback([options] { run_classify(*options); });
}

}  // namespace flowonnx::cli
