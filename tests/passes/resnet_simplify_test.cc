// Exported ResNet-18/34/50 simplify to Conv/Relu/MaxPool/Add/GlobalAveragePool/Flatten/Gemm
// (every BatchNormalization folded), pass libonnx's checker, and compute what the unsimplified
// model computes, in ONNX Runtime and in our runtime. Export keeps external data when asked.
#include <cstdio>
#include <filesystem>
#include <set>

#include "flow/nn/graph.h"
#include "models/zoo.h"
#include "oracle/ort_oracle.h"
#include "passes/model_file.h"
#include "passes/pass_test_util.h"
#include "verify/export.h"

namespace flowonnx::testing {
namespace {

namespace fs = std::filesystem;


struct TempDir {
  TempDir() {
    path = fs::temp_directory_path() / ("flowonnx_passes_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

class ResNetSimplifyTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ResNetSimplifyTest, FoldsBatchNormAndMatchesTheOriginal) {
  ASSERT_TRUE(onnxruntime_available()) << onnxruntime_missing_message();
  auto model = models::create_model(GetParam(), 31);
  models::set_batch_norm_like_trained(*model, 32);
  model->eval();
  nn::ModuleGraph graph("SimplifyGraph", model);
  graph.compile({randn({1, 3, 64, 64})});

  TempDir dir;
  ExportOptions options;
  options.dynamic_batch_size = true;
  options.simplify = false;
  options.onnx_model_path = (dir.path / "plain.onnx").string();
  fs::path plain = export_onnx_model(graph, options);

  onnx_io::Model original = onnx_io::load_model(plain);
  onnx_io::Model simplified = passes::clone_model(original);
  passes::SimplifyOptions simplify_options;
  simplify_options.verify_after_each_pass = true;
  passes::SimplifyReport report = passes::simplify(simplified, simplify_options);
  EXPECT_TRUE(report.notes.empty()) << report.notes[0];

  static const std::set<std::string> allowed = {"Conv", "Relu", "MaxPool", "Add", "GlobalAveragePool",
                                                "AveragePool", "Flatten", "Gemm"};
  for (const auto& node : simplified.graph.nodes()) {
    EXPECT_TRUE(allowed.count(node->op_type)) << node->op_type << " left in\n" << simplified.graph.to_text();
    if (node->op_type == "Add") {  // only residual adds remain; the fc bias went into the Gemm
      for (const auto& input : node->inputs) {
        EXPECT_FALSE(simplified.graph.is_initializer(input)) << node->name;
      }
    }
  }
  std::printf("[ %s ] nodes %zu -> %zu, initializers %zu -> %zu\n", GetParam().c_str(),
              original.graph.nodes().size(), simplified.graph.nodes().size(),
              original.graph.initializers().size(), simplified.graph.initializers().size());

  fs::path simple = dir.path / "simple.onnx";
  onnx_io::save_model(simplified, simple);
  ASSERT_NO_THROW(onnx_io::check_model_with_onnx(simple));

  for (int64_t batch : {1, 2}) {
    Tensor x = randn({batch, 3, 64, 64});
    std::string input = original.graph.inputs[0];
    Tensor expected = run_onnxruntime(plain, {{input, x}})[0];
    Tensor got = run_onnxruntime(simple, {{input, x}})[0];
    CompareResult ort = compare_tensors(got, expected, 1e-4, 1e-5);
    EXPECT_TRUE(ort.ok()) << "ONNX Runtime, batch " << batch << ": " << ort;
    passes::EquivalenceOptions check;
    check.dim_values["N"] = batch;
    check.seed = static_cast<uint64_t>(batch);
    passes::EquivalenceResult ours = passes::check_equivalence(original, simplified, check);
    EXPECT_TRUE(ours.ok) << "our runtime, batch " << batch << ": " << ours.message;
  }
}

INSTANTIATE_TEST_SUITE_P(ResNets, ResNetSimplifyTest, ::testing::Values("resnet18", "resnet34", "resnet50"));

TEST(ExportSimplifyTest, ExportSimplifiesByDefaultAndKeepsExternalData) {
  auto model = models::create_model("resnet18", 5);
  model->eval();
  nn::ModuleGraph graph("ExportGraph", model);
  graph.compile({randn({1, 3, 32, 32})});
  TempDir dir;
  ExportOptions options;
  options.external_data = true;
  options.onnx_model_path = dir.path.string();
  fs::path path = export_onnx_model(graph, options);
  EXPECT_TRUE(fs::exists(dir.path / "model.onnx.data"));
  EXPECT_TRUE(passes::uses_external_data(path));
  onnx_io::Model loaded = onnx_io::load_model(path);
  for (const auto& node : loaded.graph.nodes()) EXPECT_NE(node->op_type, "BatchNormalization");
  ASSERT_NO_THROW(onnx_io::check_model_with_onnx(path));

  options.simplify = false;
  options.onnx_model_path = (dir.path / "plain.onnx").string();
  onnx_io::Model plain = onnx_io::load_model(export_onnx_model(graph, options));
  int batch_norms = 0;
  for (const auto& node : plain.graph.nodes()) batch_norms += node->op_type == "BatchNormalization";
  EXPECT_EQ(batch_norms, 20);
}

}  // namespace
}  // namespace flowonnx::testing
