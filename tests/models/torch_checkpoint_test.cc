// PyTorch checkpoints round trip: Debian's python3-torch saves torchvision ResNet-18/50 and
// MobileNetV2 with seeded weights (tests/models/torch_checkpoints/save_checkpoints.py) in the zip
// format, the legacy format and safetensors, with its own eval-mode output on a seeded input;
// flowonnx loads each file into the zoo's model and its eager output must match torch's within
// 1e-4 of the output's scale (max |torch output|; the seeded nets' logits are ~0.1, so this is
// stricter than 1e-4 absolute). The files are cached in the build
// tree (torch_checkpoints/) and remade when the script is newer.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "flow/checkpoint.h"
#include "models/run_script.h"
#include "models/zoo.h"
#include "oracle/ort_oracle.h"
#include "tensor/npy.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;

const fs::path kScript = fs::path(FLOWONNX_SOURCE_DIR) / "tests" / "models" / "torch_checkpoints" /
                         "save_checkpoints.py";

// The folder of checkpoints saved by torch, made now when missing or older than the script.
fs::path checkpoints() {
  const fs::path dir = fs::path(FLOWONNX_BINARY_DIR) / "torch_checkpoints";
  const fs::path done = dir / "DONE";
  if (fs::exists(done) && fs::last_write_time(done) >= fs::last_write_time(kScript)) return dir;
  testing::run_script(fmt::format("/usr/bin/python3 '{}' '{}'", kScript.string(), dir.string()),
                      "saving");
  return dir;
}

struct Case {
  std::string model;
  std::string file;  // under checkpoints()
};

class TorchCheckpoint : public ::testing::TestWithParam<Case> {};

TEST_P(TorchCheckpoint, EagerMatchesTorch) {
  const Case& c = GetParam();
  const fs::path dir = checkpoints();
  StateDict state = load(dir / c.file);
  // torch's BatchNorm2d saves num_batches_tracked too: every tensor of the model is there.
  std::shared_ptr<nn::Module> model = models::create_model(c.model, /*seed=*/123);
  EXPECT_EQ(state.size(), model->state_dict().size()) << c.file;
  model->load_state_dict(state);
  model->eval();
  Tensor input = read_npy(dir / (c.model + ".input.npy"));
  Tensor expected = read_npy(dir / (c.model + ".output.npy"));
  Tensor got = model->forward(input);
  double scale = 0;
  for (double v : expected.to_double_vector()) scale = std::max(scale, std::abs(v));
  ASSERT_GT(scale, 0.01) << "torch's output is too small to tell weights apart";
  const auto result = testing::compare_tensors(got, expected, 0, 1e-4 * scale);
  EXPECT_TRUE(result.ok()) << c.file << ": " << result;
  std::printf("[torch checkpoint] %s -> %s: max_abs %.3g, scale %.3g\n", c.file.c_str(),
              shape_to_string(got.shape()).c_str(), result.max_abs, scale);
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const char* model : {"resnet18", "resnet50", "mobilenet_v2"})
    for (const char* suffix : {".zip.pth", ".legacy.pt", ".safetensors"})
      out.push_back({model, std::string(model) + suffix});
  // {"epoch": 3, "state_dict": {"module.<key>": ...}} under an extension that says nothing.
  out.push_back({"resnet18", "resnet18.wrapped.bin"});
  return out;
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.file;
  for (char& c : name)
    if (c == '.') c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Torchvision, TorchCheckpoint, ::testing::ValuesIn(cases()), case_name);

// The dtype of num_batches_tracked survives (int64), and a legacy and a zip file of the same
// weights load to the same bytes.
TEST(TorchCheckpointFormats, ZipLegacyAndSafetensorsAgree) {
  const fs::path dir = checkpoints();
  StateDict zip = load(dir / "mobilenet_v2.zip.pth");
  StateDict legacy = load(dir / "mobilenet_v2.legacy.pt");
  StateDict safetensors = load(dir / "mobilenet_v2.safetensors");
  ASSERT_EQ(zip.size(), legacy.size());
  ASSERT_EQ(zip.size(), safetensors.size());
  for (const auto& [key, tensor] : zip) {
    ASSERT_TRUE(legacy.count(key) && safetensors.count(key)) << key;
    EXPECT_EQ(tensor.dtype(), legacy.at(key).dtype()) << key;
    EXPECT_EQ(tensor.dtype(), safetensors.at(key).dtype()) << key;
    EXPECT_EQ(tensor.to_double_vector(), legacy.at(key).to_double_vector()) << key;
    EXPECT_EQ(tensor.to_double_vector(), safetensors.at(key).to_double_vector()) << key;
  }
  EXPECT_EQ(zip.at("features.1.conv.0.1.num_batches_tracked").dtype(), DType::Int64);
  EXPECT_EQ(zip.at("features.1.conv.0.1.num_batches_tracked").to_double_vector(),
            std::vector<double>{7});
}

}  // namespace
}  // namespace flowonnx
