// Every zoo model beyond ResNet exported at its lowest supported opset, 13 and the newest (26),
// with static and dynamic batch: ONNX's checker passes and ONNX Runtime matches the eager model
// (rtol 1e-4, atol 1e-5) on small images, at batch 1 and (dynamic) batch 2.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "flow/nn/graph.h"
#include "models/zoo.h"
#include "onnx/model_io.h"
#include "oracle/ort_oracle.h"
#include "verify/export.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;

struct ZooCase {
  std::string model;
  int opset;
  bool dynamic_batch;
};

std::string zoo_case_name(const ::testing::TestParamInfo<ZooCase>& info) {
  return info.param.model + "_opset" + std::to_string(info.param.opset) + (info.param.dynamic_batch ? "_dynamic" : "_static");
}

class ZooExportTest : public ::testing::TestWithParam<ZooCase> {};

TEST_P(ZooExportTest, CheckerPassesAndOnnxRuntimeMatchesEager) {
  const ZooCase& c = GetParam();
  ASSERT_TRUE(testing::onnxruntime_available()) << testing::onnxruntime_missing_message();
  auto model = models::create_model(c.model, 41);
  // DenseNet's concatenations grow random activations into the 1e5s unless BN scales are lower.
  models::set_batch_norm_like_trained(*model, 42, c.model == "densenet121" ? 0.4 : 1.0);
  model->eval();
  nn::ModuleGraph graph("ZooGraph", model);
  Generator gen(43);
  graph.compile({randn({1, 3, 64, 64}, gen)});

  fs::path dir = fs::temp_directory_path() / ("flowonnx_zoo_" + std::to_string(::getpid()) + "_" + zoo_case_name({c, 0}));
  fs::remove_all(dir);
  ExportOptions options;
  options.opset = c.opset;
  options.dynamic_batch_size = c.dynamic_batch;
  options.external_data = true;  // VGG / AlexNet exceed what is sensible inline
  options.onnx_model_path = dir.string();
  fs::path path = export_onnx_model(graph, options);
  ASSERT_NO_THROW(onnx_io::check_model_with_onnx(path));
  for (int64_t batch : c.dynamic_batch ? std::vector<int64_t>{1, 2} : std::vector<int64_t>{1}) {
    Tensor x = randn({batch, 3, 64, 64}, gen);
    Tensor expected = model->forward(x);
    std::vector<Tensor> got = testing::run_onnxruntime(path, {{graph.ir_graph().inputs[0], x}});
    ASSERT_EQ(got.size(), 1u);
    testing::CompareResult result = testing::compare_tensors(got[0], expected, 1e-4, 1e-5);
    EXPECT_TRUE(result.ok()) << "batch " << batch << ": " << result;
  }
  fs::remove_all(dir);
}

std::vector<ZooCase> zoo_cases() {
  // The lowest opset each model exports at: 9 unless an op needs newer (see the op listing).
  const std::vector<std::pair<std::string, int>> models{
      {"mobilenet_v2", 9},       {"vgg16", 9},          {"vgg16_bn", 9},           {"alexnet", 9},
      {"squeezenet1_1", 9},      {"densenet121", 9},    {"shufflenet_v2_x1_0", 9}, {"mobilenet_v3_small", 9},
      {"mobilenet_v3_large", 9}};
  std::vector<ZooCase> cases;
  for (const auto& [model, lowest] : models) {
    // VGG files are 0.5 GB each (its classifier alone has 120M weights): two corners of the
    // matrix keep CI time sane; its ops (Conv/Relu/MaxPool/Gemm) are covered at every opset by
    // the other models.
    if (model.starts_with("vgg")) {
      cases.push_back({model, lowest, false});
      cases.push_back({model, 17, true});
      continue;
    }
    for (int opset : {lowest, 13, kMaxOpset})
      for (bool dynamic : {false, true}) cases.push_back({model, opset, dynamic});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooExportTest, ::testing::ValuesIn(zoo_cases()), zoo_case_name);

}  // namespace
}  // namespace flowonnx
