// export_onnx_model against the oracles: libonnx's checker + strict shape inference on every
// exported file, and ONNX Runtime's outputs against the eager model.
#include <gtest/gtest.h>

#include <filesystem>

#include "flow/checkpoint.h"
#include "flow/functional.h"
#include "flow/nn/graph.h"
#include "flow/nn/layers.h"
#include "models/zoo.h"
#include "verify/export.h"
#include "onnx/export/handler_registry.h"
#include "flow/op_registry.h"
#include "oracle/ort_oracle.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("flowonnx_export_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

struct ExportCase {
  std::string model;
  int opset;
  bool dynamic_batch;
  bool external_data;
};

std::string case_name(const ::testing::TestParamInfo<ExportCase>& info) {
  const ExportCase& c = info.param;
  return c.model + "_opset" + std::to_string(c.opset) + (c.dynamic_batch ? "_dynamic" : "_static") +
         (c.external_data ? "_external" : "_inline");
}

class ExportMatrixTest : public ::testing::TestWithParam<ExportCase> {};

TEST_P(ExportMatrixTest, CheckerPassesAndOnnxRuntimeMatchesEager) {
  const ExportCase& c = GetParam();
  ASSERT_TRUE(testing::onnxruntime_available()) << testing::onnxruntime_missing_message();
  auto model = models::create_model(c.model, 21);
  models::set_batch_norm_like_trained(*model, 22);
  model->eval();
  nn::ModuleGraph graph("MatrixGraph", model);
  graph.compile({randn({1, 3, 64, 64})});

  TempDir dir;
  ExportOptions options;
  options.opset = c.opset;
  options.dynamic_batch_size = c.dynamic_batch;
  options.external_data = c.external_data;
  options.onnx_model_path = dir.path().string();
  fs::path path = export_onnx_model(graph, options);
  EXPECT_EQ(path, dir.path() / "model.onnx");
  ASSERT_NO_THROW(onnx_io::check_model_with_onnx(path));
  if (c.external_data) {
    EXPECT_TRUE(fs::exists(dir.path() / "model.onnx.data"));
    EXPECT_LT(fs::file_size(path), 200000u);
  } else {
    EXPECT_FALSE(fs::exists(dir.path() / "model.onnx.data"));
  }

  std::vector<int64_t> batches = c.dynamic_batch ? std::vector<int64_t>{1, 3} : std::vector<int64_t>{1};
  for (int64_t batch : batches) {
    Tensor x = randn({batch, 3, 64, 64});
    Tensor expected = model->forward(x);
    std::vector<Tensor> got = testing::run_onnxruntime(path, {{graph.ir_graph().inputs[0], x}});
    ASSERT_EQ(got.size(), 1u);
    testing::CompareResult result = testing::compare_tensors(got[0], expected, 1e-4, 1e-5);
    EXPECT_TRUE(result.ok()) << "batch " << batch << ": " << result;
    RecordProperty("max_abs_batch" + std::to_string(batch), std::to_string(result.max_abs));
    std::printf("[ %s batch %lld ] max abs err %.3g, max rel err %.3g\n", case_name({c, 0}).c_str(),
                static_cast<long long>(batch), result.max_abs, result.max_rel);
  }
}

std::vector<ExportCase> all_cases() {
  std::vector<ExportCase> cases;
  for (const char* model : {"resnet18", "resnet34", "resnet50"})
    for (int opset : {9, 13, 17, kMaxOpset})
      for (bool dynamic : {false, true})
        for (bool external : {false, true}) cases.push_back({model, opset, dynamic, external});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(ResNets, ExportMatrixTest, ::testing::ValuesIn(all_cases()), case_name);

// A small net using every op with an opset-dependent export (Gemm vs MatMul, Softmax axis,
// ceil_mode pooling, flatten as Reshape) through ORT at the oldest and newest opsets.
class EveryOpNet : public nn::Module {
 public:
  EveryOpNet() {
    conv_ = register_module("conv", std::make_shared<nn::Conv2d>(3, 4, nn::Pair{3, 3}));
    fc_ = register_module("fc", std::make_shared<nn::Linear>(4 * 4 * 4, 5));
  }
  Tensor forward(const Tensor& x) override {  // x [N,3,9,9]
    namespace F = functional;
    Tensor y = F::relu(conv_->forward(x));                                     // [N,4,7,7]
    y = F::max_pool_2d(y, {2, 2}, {2, 2}, {0, 0}, {1, 1}, true);                // [N,4,4,4] (ceil)
    Tensor pooled = F::avg_pool_2d(y, {3, 3}, {1, 1}, {1, 1}, false, false);    // [N,4,4,4]
    y = F::broadcast_sub(F::broadcast_mul(y, pooled), F::broadcast_div(y, F::add_n({pooled, pooled, pooled})));
    Tensor logits = fc_->forward(F::flatten(y, 1));                             // [N,5]
    Tensor attention = F::softmax(F::matmul(logits, logits, false, true, 0.5), -1);  // [N,N]
    Tensor mixed = F::matmul(attention, logits);                                // [N,5]
    Tensor probs = F::flatten(F::softmax(F::reshape(y, {-1, 4, 16}), 1), 1);    // [N,64]
    Tensor mean = F::flatten(F::adaptive_avg_pool2d(F::reshape(probs, {-1, 1, 8, 8}), {1, 1}), 1);  // [N,1]
    return F::concat({F::broadcast_add(probs, mean), mixed}, 1);                // [N,69]
  }
  std::string type_name() const override { return "EveryOpNet"; }

 private:
  std::shared_ptr<nn::Conv2d> conv_;
  std::shared_ptr<nn::Linear> fc_;
};

TEST(ExportTest, EveryOpMatchesOnnxRuntimeAtOldAndNewOpsets) {
  ASSERT_TRUE(testing::onnxruntime_available()) << testing::onnxruntime_missing_message();
  auto net = std::make_shared<EveryOpNet>();
  net->eval();
  nn::ModuleGraph graph("EveryOpGraph", net);
  Tensor x = randn({2, 3, 9, 9});
  graph.compile({x});
  Tensor expected = net->forward(x);
  for (int opset = kMinOpset; opset <= kMaxOpset; ++opset) {
    TempDir dir;
    ExportOptions options;
    options.opset = opset;
    options.onnx_model_path = (dir.path() / "every.onnx").string();
    fs::path path = export_onnx_model(graph, options);
    ASSERT_NO_THROW(onnx_io::check_model_with_onnx(path)) << "opset " << opset;
    auto got = testing::run_onnxruntime(path, {{graph.ir_graph().inputs[0], x}});
    auto result = testing::compare_tensors(got[0], expected, 1e-4, 1e-5);
    EXPECT_TRUE(result.ok()) << "opset " << opset << ": " << result;
  }
}

TEST(ExportTest, OpNeedingNewerOpsetIsRefusedWithTheFirstOpset) {
  struct ArangeNet : nn::Module {
    Tensor forward(const Tensor& x) override {
      return functional::broadcast_add(x, functional::arange(0, 4, 1, DType::Float32));
    }
    std::string type_name() const override { return "ArangeNet"; }
  };
  nn::ModuleGraph graph("ArangeGraph", std::make_shared<ArangeNet>());
  graph.compile({randn({2, 4})});
  ExportOptions options;
  options.opset = 10;
  try {
    convert_to_onnx(graph, options);
    FAIL() << "opset 10 has no Range";
  } catch (const Error& e) {
    std::string message = e.what();
    EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
    EXPECT_NE(message.find("Range is not available at opset 10; it exists from opset 11"), std::string::npos) << message;
  }
  // At opset 11 the same graph exports and ONNX Runtime agrees.
  TempDir dir;
  options.opset = 11;
  options.onnx_model_path = dir.path().string();
  fs::path path = export_onnx_model(graph, options);
  Tensor x = randn({2, 4});
  auto got = testing::run_onnxruntime(path, {{graph.ir_graph().inputs[0], x}});
  EXPECT_TRUE(testing::compare_tensors(got[0], graph.run({x})[0], 1e-6, 1e-6).ok());
}

TEST(ExportTest, FlowWeightDirReplacesModuleWeightsByName) {
  TempDir dir;
  auto trained = models::create_model("resnet18", 31);
  save(trained->state_dict(), dir.path() / "flat");
  StateDict nested;
  for (auto& [key, tensor] : trained->state_dict()) nested.emplace("model." + key, tensor);
  save(nested, dir.path() / "nested");

  auto fresh = models::create_model("resnet18", 32);  // different weights in the module
  fresh->eval();
  nn::ModuleGraph graph("WeightDirGraph", fresh);
  graph.compile({randn({1, 3, 32, 32})});
  trained->eval();
  Tensor x = randn({1, 3, 32, 32});
  Tensor expected = trained->forward(x);
  for (const char* layout : {"flat", "nested"}) {
    ExportOptions options;
    options.flow_weight_dir = (dir.path() / layout).string();
    options.onnx_model_path = (dir.path() / (std::string(layout) + ".onnx")).string();
    fs::path path = export_onnx_model(graph, options);
    auto got = testing::run_onnxruntime(path, {{graph.ir_graph().inputs[0], x}});
    EXPECT_TRUE(testing::compare_tensors(got[0], expected, 1e-4, 1e-5).ok()) << layout;
  }
  ExportOptions bad;
  bad.flow_weight_dir = (dir.path() / "flat").string();
  auto other = models::create_model("resnet34");
  other->eval();
  nn::ModuleGraph mismatched("MismatchGraph", other);
  mismatched.compile({randn({1, 3, 32, 32})});
  try {
    convert_to_onnx(mismatched, bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'model.layer1.2.conv1.weight/out' missing"), std::string::npos)
        << e.what();
  }
}

TEST(ExportTest, DynamicBatchRefusesReshapeThatMovesTheBatch) {
  struct FoldBatch : nn::Module {
    Tensor forward(const Tensor& x) override { return functional::reshape(x, {-1}); }
    std::string type_name() const override { return "FoldBatch"; }
  };
  nn::ModuleGraph graph("FoldGraph", std::make_shared<FoldBatch>());
  graph.compile({randn({2, 3})});
  ExportOptions options;
  EXPECT_NO_THROW(convert_to_onnx(graph, options));
  options.dynamic_batch_size = true;
  try {
    convert_to_onnx(graph, options);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot be exported with a dynamic batch size"), std::string::npos);
  }
}

TEST(ExportTest, OptionsAreValidatedAndPathsResolved) {
  nn::ModuleGraph graph("OptionsGraph", std::make_shared<nn::ReLU>());
  ExportOptions options;
  EXPECT_THROW(convert_to_onnx(graph, options), Error);  // not compiled
  graph.compile({randn({2})});
  options.opset = 8;
  EXPECT_THROW(convert_to_onnx(graph, options), Error);
  options.opset = kMaxOpset + 1;
  EXPECT_THROW(convert_to_onnx(graph, options), Error);
  EXPECT_EQ(resolve_model_path("out"), fs::path("out/model.onnx"));
  EXPECT_EQ(resolve_model_path("a/b.onnx"), fs::path("a/b.onnx"));
  options.opset = 0;
  EXPECT_EQ(convert_to_onnx(graph, options).graph.opset_imports.at(""), kPreferredOpset);
}

// The completeness rule of DESIGN.md §3: every framework op has an export handler.
TEST(ExportTest, EveryFrameworkOpHasAnExportHandler) {
  for (const std::string& op : flow::OpRegistry::global().names())
    EXPECT_NE(exporter::HandlerRegistry::global().find(op), nullptr) << op;
}

}  // namespace
}  // namespace flowonnx
