// Real model families the project never exported itself, made by PyTorch's exporter (Debian's
// python3-torch/torchvision, tests/models/families/<name>.py, seeded random weights) or, for the
// newest opsets, by onnx.helper (tests/models/opset_models/make_opset_model.py): each runs in
// flowonnx and in ONNX Runtime on the same random input at every batch size the family lists, and
// every output must agree within 1e-4 of the output's scale (max |ORT output|, at least 1).
// Exported files are cached in the build tree (family_models/) and remade when the family's
// script is newer.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <fmt/format.h>

#include "models/run_script.h"
#include "oracle/ort_oracle.h"
#include "runtime/session.h"
#include "tensor/random.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;

const fs::path kTests = fs::path(FLOWONNX_SOURCE_DIR) / "tests" / "models";

// How a family's model file is made: by PyTorch's exporter (Debian's torch, families/<name>.py)
// or by onnx.helper in a recent opset (the .venv's onnx, opset_models/make_opset_model.py).
struct Maker {
  std::string python, script, source;  // source: the file whose change remakes the model
};
Maker maker_of(const std::string& name) {
  if (name.find("_opset") != std::string::npos) {
    const fs::path script = kTests / "opset_models" / "make_opset_model.py";
    return {(fs::path(FLOWONNX_SOURCE_DIR) / ".venv" / "bin" / "python").string(), script.string(),
            script.string()};
  }
  return {"/usr/bin/python3", (kTests / "families" / "export_family.py").string(),
          (kTests / "families" / (name + ".py")).string()};
}

// The model file of family `name`, made now when missing or older than its script.
fs::path exported_model(const std::string& name) {
  const fs::path dir = fs::path(FLOWONNX_BINARY_DIR) / "family_models";
  fs::create_directories(dir);
  const fs::path model = dir / (name + ".onnx");
  const Maker maker = maker_of(name);
  const bool stale = !fs::exists(model) || !fs::exists(model.string() + ".batches") ||
                     fs::last_write_time(model) < fs::last_write_time(maker.source);
  if (stale) {
    testing::run_script(
        fmt::format("'{}' '{}' '{}' '{}'", maker.python, maker.script, name, model.string()),
        "export");
  }
  return model;
}

std::vector<int64_t> batch_sizes(const fs::path& model) {
  std::ifstream in(model.string() + ".batches");
  std::vector<int64_t> batches;
  for (int64_t b; in >> b;) batches.push_back(b);
  return batches;
}

// A random input for `arg` with every symbolic or unknown dim set to `batch`.
Tensor random_input(const NodeArg& arg, int64_t batch, Generator& gen) {
  Shape shape;
  for (const auto& dim : arg.shape)
    shape.push_back(std::holds_alternative<int64_t>(dim) && std::get<int64_t>(dim) >= 0
                        ? std::get<int64_t>(dim)
                        : batch);
  if (arg.type != "tensor(float)")
    throw std::runtime_error("family input " + arg.name + " has type " + arg.type +
                             "; the harness feeds float inputs only");
  return randn(shape, gen);
}

class ModelFamily : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelFamily, MatchesOnnxRuntime) {
  ASSERT_TRUE(testing::onnxruntime_available()) << testing::onnxruntime_missing_message();
  const fs::path model = exported_model(GetParam());
  InferenceSession session(model);
  Generator gen(7);
  for (int64_t batch : batch_sizes(model)) {
    std::map<std::string, Tensor> feeds;
    std::vector<std::pair<std::string, Tensor>> ort_feeds;
    for (const NodeArg& arg : session.get_inputs()) {
      Tensor input = random_input(arg, batch, gen);
      feeds[arg.name] = input;
      ort_feeds.emplace_back(arg.name, input);
    }
    const std::vector<Tensor> expected = testing::run_onnxruntime(model, ort_feeds);
    const std::vector<Tensor> got = session.run({}, feeds);
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      double scale = 1;
      if (is_floating(expected[i].dtype()))
        for (double v : expected[i].to_double_vector()) scale = std::max(scale, std::abs(v));
      const auto result = testing::compare_tensors(got[i], expected[i], 0, 1e-4 * scale);
      EXPECT_TRUE(result.ok()) << GetParam() << " output " << i << " batch " << batch << ": "
                               << result;
      // The numbers the closing notes quote.
      std::printf("[family] %s batch %lld output %zu %s: max_abs %.3g, scale %.3g\n",
                  GetParam().c_str(), static_cast<long long>(batch), i,
                  shape_to_string(got[i].shape()).c_str(), result.max_abs, scale);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Torch, ModelFamily,
                         ::testing::Values("dcgan", "deeplabv3", "gru", "lraspp", "ssdlite", "swin_t",
                                           "torchscript_control_flow", "unet"),
                         [](const auto& info) { return info.param; });

// Opset 18+ forms (#20): reductions/Pad with axes inputs, Split num_outputs, Gelu, per-channel
// GroupNormalization, Attention; the same blocks at older opsets spell them out.
INSTANTIATE_TEST_SUITE_P(RecentOpsets, ModelFamily,
                         ::testing::Values("resnet_block_opset18", "resnet_block_opset21",
                                           "transformer_opset18", "transformer_opset20",
                                           "transformer_opset23", "unet_block_opset18",
                                           "unet_block_opset21"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace flowonnx
