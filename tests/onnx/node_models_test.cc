// Every ONNX backend node-test model (libonnx-testdata) either parses or is refused with a
// flowonnx::Error; the float32 CNN ones must parse, and their TensorProto files must read.
#include <gtest/gtest.h>

#include <regex>

#include "onnx/model_io.h"
#include "onnx/model_io_test_util.h"

namespace flowonnx::onnx_io {
namespace {

using namespace testing;

const fs::path kNodeTests = "/usr/share/libonnx-testdata/data/node";

std::vector<fs::path> node_test_dirs() {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(kNodeTests, ec))
    if (fs::exists(entry.path() / "model.onnx")) dirs.push_back(entry.path());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// "…/model.onnx: node 'x' (If) attribute 'then_branch': GRAPH attributes…" -> the part after the
// path with names blanked, so failures group by reason.
std::string failure_reason(const Error& error) {
  std::string message = error.what();
  size_t colon = message.find("model.onnx: ");
  if (colon != std::string::npos) message = message.substr(colon + 12);
  return fmt::format("{}: {}", error_code_name(error.code()),
                     std::regex_replace(message, std::regex("'[^']*'"), "'…'"));
}

TEST(NodeModels, EveryModelParsesOrFailsCleanly) {
  std::vector<fs::path> dirs = node_test_dirs();
  ASSERT_FALSE(dirs.empty()) << "libonnx-testdata is not installed (run scripts/setup.sh)";
  int parsed = 0;
  std::map<std::string, std::vector<std::string>> failures;  // reason -> tests
  for (const fs::path& dir : dirs) {
    try {
      Model model = load_model(dir / "model.onnx");
      EXPECT_FALSE(model.graph.outputs.empty()) << dir;
      ++parsed;
    } catch (const Error& error) {
      failures[failure_reason(error)].push_back(dir.filename().string());
    }
  }
  int failed = 0;
  for (const auto& [reason, tests] : failures) {
    failed += static_cast<int>(tests.size());
    std::cout << fmt::format("{:4} {}  (e.g. {})\n", tests.size(), reason, tests.front());
  }
  std::cout << fmt::format("node-test models: {} parsed, {} refused, {} total\n", parsed, failed,
                           dirs.size());
  EXPECT_EQ(parsed + failed, static_cast<int>(dirs.size()));
  EXPECT_GT(parsed, 800);  // what this reader handles today; a drop means a regression
}

TEST(NodeModels, CnnModelsParseAndTheirDataReads) {
  std::vector<fs::path> dirs = node_test_dirs();
  ASSERT_FALSE(dirs.empty()) << "libonnx-testdata is not installed (run scripts/setup.sh)";
  const std::regex cnn(
      "test_(conv_with|basic_conv|batchnorm|maxpool_[123]d|averagepool|gemm|relu$|"
      "globalaveragepool|globalmaxpool|flatten|softmax_|add$|matmul_|reshape_)");
  int checked = 0;
  for (const fs::path& dir : dirs) {
    std::string name = dir.filename().string();
    if (!std::regex_search(name, cnn)) continue;
    SCOPED_TRACE(name);
    Model model;
    ASSERT_NO_THROW(model = load_model(dir / "model.onnx"));
    ++checked;
    const ir::Graph& g = model.graph;
    auto expect_matches = [&](const std::string& value, const fs::path& pb) {
      Tensor tensor = read_tensor_pb(pb);
      ASSERT_TRUE(g.has_type(value)) << value;
      EXPECT_EQ(tensor.dtype(), g.type(value).dtype) << pb;
      if (g.type(value).is_static()) {
        EXPECT_EQ(tensor.shape(), g.type(value).static_shape()) << pb;
      }
    };
    for (size_t k = 0; k < g.inputs.size(); ++k)
      expect_matches(g.inputs[k], dir / "test_data_set_0" / fmt::format("input_{}.pb", k));
    for (size_t k = 0; k < g.outputs.size(); ++k)
      expect_matches(g.outputs[k], dir / "test_data_set_0" / fmt::format("output_{}.pb", k));
  }
  EXPECT_GT(checked, 60);
  for (const char* required : {"test_conv_with_strides_padding", "test_batchnorm_example",
                               "test_maxpool_2d_default", "test_gemm_default_no_bias"})
    EXPECT_NO_THROW(load_model(kNodeTests / required / "model.onnx")) << required;
}

TEST(NodeModels, EveryTensorFileReadsOrFailsCleanly) {
  std::vector<fs::path> dirs = node_test_dirs();
  ASSERT_FALSE(dirs.empty()) << "libonnx-testdata is not installed (run scripts/setup.sh)";
  int read = 0, refused = 0;
  for (const fs::path& dir : dirs)
    for (const auto& entry : fs::directory_iterator(dir / "test_data_set_0")) {
      try {
        read_tensor_pb(entry.path());
        ++read;
      } catch (const Error&) {
        ++refused;  // sequences, optionals, strings, bfloat16, unsigned types
      }
    }
  std::cout << fmt::format("node-test .pb files: {} read, {} refused\n", read, refused);
  EXPECT_GT(read, 2500);
}

}  // namespace
}  // namespace flowonnx::onnx_io
