// convert_to_onnx_and_check: passes on the ResNets at several opsets, static and dynamic batch
// (checked at two batches), in our runtime and in ONNX Runtime; fails, with outliers located, when
// one weight of the export is perturbed; compares every output of a multi-output graph.
#include "verify/check.h"

#include <gtest/gtest.h>

#include <sstream>

#include "flow/nn/graph.h"
#include "flow/nn/layers.h"
#include "models/zoo.h"
#include "oracle/ort_oracle.h"
#include "verify/verify_test_util.h"

namespace flowonnx {
namespace {

using test_util::TempDir;

ReferenceRuntime onnxruntime_reference() {
  return [](const std::filesystem::path& model,
            const std::vector<std::pair<std::string, Tensor>>& feeds) {
    return testing::run_onnxruntime(model, feeds);
  };
}

std::shared_ptr<nn::Module> small_resnet(const std::string& name, uint64_t seed) {
  auto model = models::create_model(name, seed);
  models::set_batch_norm_like_trained(*model, seed + 100);
  model->eval();
  return model;
}

struct CheckCase {
  std::string model;
  int opset;
  bool dynamic_batch;
};

class CheckMatrixTest : public ::testing::TestWithParam<CheckCase> {};

TEST_P(CheckMatrixTest, PassesInOurRuntimeAndOnnxRuntime) {
  const CheckCase& c = GetParam();
  nn::ModuleGraph graph("CheckGraph", small_resnet(c.model, 5));
  graph.compile({randn({2, 3, 32, 32})});
  TempDir dir;
  ExportOptions export_options;
  export_options.opset = c.opset;
  export_options.dynamic_batch_size = c.dynamic_batch;
  export_options.onnx_model_path = dir.path().string();
  CheckOptions options;
  // ONNX Runtime as a second runtime at the default opset (each run starts node, so not on every
  // case).
  const bool with_ort = c.opset == kPreferredOpset;
  if (with_ort) {
    ASSERT_TRUE(testing::onnxruntime_available()) << testing::onnxruntime_missing_message();
    options.reference_runtime = onnxruntime_reference();
    options.reference_runtime_name = "ONNX Runtime";
  }
  CheckReport report = convert_to_onnx_and_check(graph, export_options, options);
  std::ostringstream text;
  print_report(report, text);
  EXPECT_TRUE(report.passed()) << text.str();
  EXPECT_EQ(report.model_path, dir.path() / "model.onnx");
  EXPECT_EQ(report.opset, c.opset);

  // Batch 2 (the compile batch) always; batch 4 too for a dynamic batch, in each runtime.
  std::vector<int64_t> batches;
  for (const CheckRun& run : report.runs) {
    batches.push_back(run.batch);
    ASSERT_EQ(run.outputs.size(), 1u);
    EXPECT_EQ(run.outputs[0].shape, (Shape{run.batch, 1000}));
    EXPECT_EQ(run.outputs[0].num_elements, run.batch * 1000);
    EXPECT_GT(run.outputs[0].max_abs_err, 0.0)
        << "suspicious: bit-identical outputs in " << run.runtime;
  }
  std::vector<int64_t> expected =
      c.dynamic_batch ? std::vector<int64_t>{2, 4} : std::vector<int64_t>{2};
  if (with_ort) {
    std::vector<int64_t> doubled;
    for (int64_t b : expected) doubled.insert(doubled.end(), {b, b});
    expected = doubled;
  }
  EXPECT_EQ(batches, expected);
  EXPECT_NE(report.verdict().find("check passed"), std::string::npos) << report.verdict();
  std::printf("[ %s opset %d %s ] %s\n", c.model.c_str(), c.opset,
              c.dynamic_batch ? "dynamic" : "static", report.verdict().c_str());
}

std::vector<CheckCase> check_cases() {
  std::vector<CheckCase> cases;
  for (const char* model : {"resnet18", "resnet34", "resnet50"})
    for (int opset : {9, 13, 17})
      for (bool dynamic : {false, true}) cases.push_back({model, opset, dynamic});
  return cases;
}

std::string check_case_name(const ::testing::TestParamInfo<CheckCase>& info) {
  return info.param.model + "_opset" + std::to_string(info.param.opset) +
         (info.param.dynamic_batch ? "_dynamic" : "_static");
}

INSTANTIATE_TEST_SUITE_P(ResNets, CheckMatrixTest, ::testing::ValuesIn(check_cases()),
                         check_case_name);

// The export reads its initializers from a checkpoint in which fc.bias[7] is off by 0.5: exactly
// element 7 of every row must be reported, at both batches.
TEST(CheckTest, PerturbedBiasFailsAtExactlyThatClass) {
  auto model = small_resnet("resnet18", 9);
  nn::ModuleGraph graph("BrokenGraph", model);
  graph.compile({randn({1, 3, 32, 32})});
  TempDir dir;
  test_util::save_perturbed_checkpoint(model->state_dict(), "fc.bias", 7, 0.5f,
                                       dir.path() / "broken");
  ExportOptions export_options;
  export_options.flow_weight_dir = (dir.path() / "broken").string();
  export_options.onnx_model_path = (dir.path() / "out.onnx").string();
  export_options.dynamic_batch_size = true;
  std::ostringstream printed;
  CheckOptions options;
  options.print_outlier = true;
  options.out = &printed;
  CheckReport report = convert_to_onnx_and_check(graph, export_options, options);
  EXPECT_FALSE(report.passed());
  ASSERT_EQ(report.runs.size(), 2u);
  for (const CheckRun& run : report.runs) {
    const OutputComparison& output = run.outputs.at(0);
    EXPECT_EQ(output.num_outside, run.batch) << "one bad class per row";
    ASSERT_EQ(output.worst.size(), static_cast<size_t>(run.batch));
    for (const Outlier& outlier : output.worst) {
      EXPECT_EQ(outlier.index.at(1), 7);
      EXPECT_NEAR(outlier.onnx - outlier.framework, 0.5, 1e-3);
      EXPECT_NEAR(outlier.abs_err, 0.5, 1e-3);
    }
    EXPECT_NEAR(output.max_abs_err, 0.5, 1e-3);
    EXPECT_DOUBLE_EQ(output.fraction_outside(), 1.0 / 1000);
  }
  EXPECT_NE(report.verdict().find("check FAILED"), std::string::npos) << report.verdict();
  EXPECT_NE(report.verdict().find("1 of 1000 elements"), std::string::npos) << report.verdict();
  EXPECT_NE(printed.str().find("[0, 7]"), std::string::npos) << printed.str();
  EXPECT_NE(printed.str().find("[2, 7]"), std::string::npos) << printed.str();
  EXPECT_NE(printed.str().find("abs err"), std::string::npos) << printed.str();
}

// A perturbed first-layer weight moves nearly every output; the table is capped with a count.
TEST(CheckTest, PerturbedConvWeightPrintsCappedOutlierTable) {
  auto model = small_resnet("resnet18", 10);
  nn::ModuleGraph graph("BrokenGraph", model);
  graph.compile({randn({1, 3, 32, 32})});
  TempDir dir;
  test_util::save_perturbed_checkpoint(model->state_dict(), "conv1.weight", 0, 5.0f,
                                       dir.path() / "broken");
  ExportOptions export_options;
  export_options.flow_weight_dir = (dir.path() / "broken").string();
  export_options.onnx_model_path = dir.path().string();
  CheckOptions options;
  options.max_outliers = 4;
  CheckReport report = convert_to_onnx_and_check(graph, export_options, options);
  ASSERT_FALSE(report.passed());
  const OutputComparison& output = report.runs.at(0).outputs.at(0);
  EXPECT_GT(output.num_outside, 100);
  ASSERT_EQ(output.worst.size(), 4u);
  for (size_t i = 1; i < output.worst.size(); ++i)
    EXPECT_GE(output.worst[i - 1].abs_err, output.worst[i].abs_err);
  EXPECT_DOUBLE_EQ(output.worst[0].abs_err, output.max_abs_err);
  std::ostringstream printed;
  print_outlier(report, printed, 4);
  EXPECT_NE(printed.str().find(fmt::format("... and {} more", output.num_outside - 4)),
            std::string::npos)
      << printed.str();
}

TEST(CheckTest, LooserToleranceAcceptsASmallPerturbation) {
  auto model = small_resnet("resnet18", 11);
  nn::ModuleGraph graph("ToleranceGraph", model);
  graph.compile({randn({1, 3, 32, 32})});
  TempDir dir;
  test_util::save_perturbed_checkpoint(model->state_dict(), "fc.bias", 3, 1e-3f,
                                       dir.path() / "nudged");
  ExportOptions export_options;
  export_options.flow_weight_dir = (dir.path() / "nudged").string();
  export_options.onnx_model_path = dir.path().string();
  EXPECT_FALSE(convert_to_onnx_and_check(graph, export_options).passed());
  CheckOptions loose;
  loose.atol = 1e-2;
  EXPECT_TRUE(convert_to_onnx_and_check(graph, export_options, loose).passed());
}

// Two outputs from two heads; only the second head's weight is perturbed in the export: the
// check must compare (and fail on) the second output, not only the first.
class TwoHeadGraph : public nn::Graph {
 public:
  TwoHeadGraph(std::shared_ptr<nn::Linear> a, std::shared_ptr<nn::Linear> b)
      : nn::Graph("TwoHeadGraph"), a(register_module("a", a)), b(register_module("b", b)) {}
  std::vector<Tensor> build(const std::vector<Tensor>& x) override {
    return {a->forward(x[0]), b->forward(x[0])};
  }
  std::shared_ptr<nn::Linear> a, b;
};

TEST(CheckTest, ComparesEveryOutput) {
  Generator gen(4);
  auto a = std::make_shared<nn::Linear>(8, 5, true, gen);
  auto b = std::make_shared<nn::Linear>(8, 6, true, gen);
  a->eval();
  b->eval();
  TwoHeadGraph graph(a, b);
  graph.compile({randn({3, 8})});
  TempDir dir;
  ExportOptions export_options;
  export_options.onnx_model_path = dir.path().string();
  export_options.dynamic_batch_size = true;
  CheckReport good = convert_to_onnx_and_check(graph, export_options);
  EXPECT_TRUE(good.passed()) << good.verdict();
  ASSERT_EQ(good.runs.at(0).outputs.size(), 2u);
  EXPECT_EQ(good.runs.at(0).outputs[1].shape, (Shape{3, 6}));
  EXPECT_EQ(good.runs.at(1).outputs[1].shape, (Shape{5, 6}));

  StateDict state = graph.state_dict();
  test_util::save_perturbed_checkpoint(state, "b.weight", 2, 0.25f, dir.path() / "broken");
  export_options.flow_weight_dir = (dir.path() / "broken").string();
  CheckReport bad = convert_to_onnx_and_check(graph, export_options);
  EXPECT_FALSE(bad.passed());
  EXPECT_TRUE(bad.runs.at(0).outputs[0].ok());
  EXPECT_FALSE(bad.runs.at(0).outputs[1].ok());
  EXPECT_NE(bad.verdict().find("output_1"), std::string::npos) << bad.verdict();
}

TEST(CheckTest, RequiresACompiledGraph) {
  nn::ModuleGraph graph("NotCompiled", models::create_model("resnet18", 1));
  ExportOptions export_options;
  EXPECT_THROW((void)convert_to_onnx_and_check(graph, export_options), Error);
}

TEST(CheckTest, NegativeToleranceIsRejected) {
  Generator gen(1);
  auto head = std::make_shared<nn::Linear>(4, 2, true, gen);
  head->eval();
  nn::ModuleGraph graph("TolGraph", head);
  graph.compile({randn({1, 4})});
  TempDir dir;
  ExportOptions export_options;
  export_options.onnx_model_path = dir.path().string();
  CheckOptions options;
  options.rtol = -1;
  EXPECT_THROW((void)convert_to_onnx_and_check(graph, export_options, options), Error);
}

}  // namespace
}  // namespace flowonnx
