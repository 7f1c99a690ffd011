// The transformer models of the zoo (vit_micro / vit_tiny, bert_tiny) exported at their lowest
// opset, 13 or 17 and the newest (26), with static shapes, a dynamic batch and (the text encoder)
// a dynamic batch and sequence: ONNX's checker passes, and our runtime and ONNX Runtime match the framework
// graph (rtol 1e-4, atol 1e-5) at the compile sizes and at other batch sizes / sequence lengths
// (convert_to_onnx_and_check), while the compiled graph matches the eager model at those sizes.
// Also: cumsum's export, parameter names and counts against torchvision/timm/HuggingFace, and
// clear failures when a traced graph holds the size of a dynamic axis.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "flow/dispatch.h"
#include "flow/functional.h"
#include "flow/nn/graph.h"
#include "models/transformer.h"
#include "models/zoo.h"
#include "onnx/model_io.h"
#include "runtime/session.h"
#include "oracle/ort_oracle.h"
#include "verify/check.h"
#include "verify/export.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;
namespace F = functional;

class ScratchDir {
 public:
  explicit ScratchDir(const std::string& tag)
      : path_(fs::temp_directory_path() / ("flowonnx_transformer_" + std::to_string(::getpid()) + "_" + tag)) {
    fs::remove_all(path_);
  }
  ~ScratchDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

ReferenceRuntime onnxruntime_reference() {
  return [](const fs::path& model, const std::vector<std::pair<std::string, Tensor>>& feeds) {
    return testing::run_onnxruntime(model, feeds);
  };
}

int64_t parameter_count(const nn::Module& model) {
  int64_t count = 0;
  for (const auto& [name, tensor] : model.named_parameters()) count += tensor.num_elements();
  return count;
}

// Token ids in [0, vocab).
Tensor token_ids(const Shape& shape, int64_t vocab, Generator& gen) {
  models::ModelInfo info = models::find_model("bert_tiny");
  info.input_index_bound = vocab;
  return models::sample_input(info, shape, gen);
}

// Exports `graph` with `options`, runs ONNX's checker, and checks it in our runtime and in
// ONNX Runtime against the framework graph at the compile sizes and at other sizes of every
// dynamic axis; returns the report.
CheckReport export_and_check(const nn::Graph& graph, ExportOptions options, const fs::path& dir,
                             int64_t index_bound = 0) {
  options.onnx_model_path = dir.string();
  CheckOptions check;
  check.reference_runtime = onnxruntime_reference();
  check.reference_runtime_name = "ONNX Runtime";
  if (index_bound > 0) check.inputs.int_high = index_bound;
  CheckReport report = convert_to_onnx_and_check(graph, options, check);
  std::ostringstream text;
  print_report(report, text);
  EXPECT_TRUE(report.passed()) << text.str();
  EXPECT_NO_THROW(onnx_io::check_model_with_onnx(report.model_path));
  return report;
}

// ------------------------------------------------------------------------------------------
// cumsum, the one framework op the text encoder added (position ids from the input).

struct CumsumGraph : nn::Graph {
  explicit CumsumGraph(int64_t dim) : nn::Graph("CumsumGraph"), dim(dim) {}
  std::vector<Tensor> build(const std::vector<Tensor>& x) override {
    return {flow::call_op("cumsum", {x[0]}, {{"dim", dim}})[0]};
  }
  int64_t dim;
};

TEST(TransformerZooExport, CumsumMatchesEagerAndOnnxRuntime) {
  ASSERT_TRUE(testing::onnxruntime_available()) << testing::onnxruntime_missing_message();
  Tensor x = Tensor::from_vector<float>({2, 3}, {1, 2, 3, -1, 0.5, 4});
  EXPECT_EQ(flow::call_op("cumsum", {x}, {{"dim", int64_t{1}}})[0].to_double_vector(),
            (std::vector<double>{1, 3, 6, -1, -0.5, 3.5}));
  EXPECT_EQ(flow::call_op("cumsum", {x}, {{"dim", int64_t{-2}}})[0].to_double_vector(),
            (std::vector<double>{1, 2, 3, 0, 2.5, 7}));
  EXPECT_THROW(flow::call_op("cumsum", {x}, {{"dim", int64_t{2}}}), Error);
  EXPECT_THROW(flow::call_op("cumsum", {Tensor::zeros({2}, DType::Bool)}), Error);

  Generator gen(5);
  for (DType dtype : {DType::Float32, DType::Int64}) {
    CumsumGraph graph(1);
    Tensor input = dtype == DType::Int64 ? token_ids({3, 7}, 50, gen) : randn({3, 7}, gen);
    graph.compile({input});
    ExportOptions too_old;
    too_old.opset = 10;
    EXPECT_THROW(convert_to_onnx(graph, too_old), Error) << "CumSum starts at opset 11";
    for (int opset : {11, 17}) {
      ScratchDir dir("cumsum_" + std::to_string(opset) + std::string(dtype_name(dtype)));
      ExportOptions options;
      options.opset = opset;
      options.dynamic_axes = {{"0", 1, "S"}};
      options.dynamic_batch_size = true;
      export_and_check(graph, options, dir.path(), 50);
    }
  }
}

// ------------------------------------------------------------------------------------------
// Parameter names and counts.

TEST(TransformerZooExport, VitTinyHasTimmParameterCountAndTorchvisionNames) {
  Generator gen(1);
  auto model = models::vit_tiny(gen);
  EXPECT_EQ(parameter_count(*model), 5717416);  // timm vit_tiny_patch16_224: 5.7M
  StateDict state = model->state_dict();
  for (const char* key : {"conv_proj.weight", "conv_proj.bias", "class_token", "encoder.pos_embedding",
                          "encoder.layers.encoder_layer_0.ln_1.weight",
                          "encoder.layers.encoder_layer_0.self_attention.in_proj_weight",
                          "encoder.layers.encoder_layer_0.self_attention.in_proj_bias",
                          "encoder.layers.encoder_layer_0.self_attention.out_proj.weight",
                          "encoder.layers.encoder_layer_11.ln_2.bias", "encoder.layers.encoder_layer_11.mlp.0.weight",
                          "encoder.layers.encoder_layer_11.mlp.3.bias", "encoder.ln.weight", "heads.head.weight"})
    EXPECT_TRUE(state.count(key)) << key;
  EXPECT_EQ(state.at("encoder.pos_embedding").shape(), (Shape{1, 197, 192}));
  EXPECT_EQ(state.at("encoder.layers.encoder_layer_0.self_attention.in_proj_weight").shape(), (Shape{576, 192}));
  EXPECT_EQ(models::find_model("vit_tiny").input_shape, (Shape{1, 3, 224, 224}));
}

TEST(TransformerZooExport, BertTinyHasHuggingFaceNames) {
  Generator gen(1);
  auto model = models::bert_tiny(gen);
  StateDict state = model->state_dict();
  for (const char* key :
       {"embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
        "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias",
        "encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.key.bias",
        "encoder.layer.0.attention.self.value.weight", "encoder.layer.0.attention.output.dense.weight",
        "encoder.layer.0.attention.output.LayerNorm.weight", "encoder.layer.1.intermediate.dense.weight",
        "encoder.layer.1.output.dense.bias", "encoder.layer.1.output.LayerNorm.bias", "pooler.dense.weight"})
    EXPECT_TRUE(state.count(key)) << key;
  EXPECT_EQ(state.at("embeddings.word_embeddings.weight").shape(), (Shape{1000, 128}));
  EXPECT_EQ(state.at("encoder.layer.1.intermediate.dense.weight").shape(), (Shape{512, 128}));
  // 2 layers of hidden 128 as google/bert_uncased_L-2_H-128_A-2, with a 1000-id vocabulary:
  // embeddings (1000 + 128 + 2) * 128 + 256, layers 2 * 198272, pooler 16512.
  EXPECT_EQ(parameter_count(*model), 1130 * 128 + 256 + 2 * 198272 + 16512);
  const models::ModelInfo& info = models::find_model("bert_tiny");
  EXPECT_EQ(info.input_dtype, DType::Int64);
  EXPECT_EQ(info.input_index_bound, 1000);
  Tensor ids = models::sample_input(info, {2, 9}, gen);
  EXPECT_EQ(ids.dtype(), DType::Int64);
  for (double id : ids.to_double_vector()) EXPECT_TRUE(id >= 0 && id < 1000) << id;
}

// ------------------------------------------------------------------------------------------
// The export matrix.

struct TransformerCase {
  std::string model;
  int opset;
  bool dynamic_batch;
  bool dynamic_sequence;  // text encoder only
};

std::string case_name(const ::testing::TestParamInfo<TransformerCase>& info) {
  const TransformerCase& c = info.param;
  return c.model + "_opset" + std::to_string(c.opset) +
         (c.dynamic_sequence ? "_dynamic_batch_sequence" : c.dynamic_batch ? "_dynamic_batch" : "_static");
}

class TransformerExportTest : public ::testing::TestWithParam<TransformerCase> {};

TEST_P(TransformerExportTest, CheckerOurRuntimeAndOnnxRuntimeMatchTheModel) {
  const TransformerCase& c = GetParam();
  ASSERT_TRUE(testing::onnxruntime_available()) << testing::onnxruntime_missing_message();
  const models::ModelInfo& info = models::find_model(c.model);
  auto model = models::create_model(c.model, 21);
  model->eval();
  nn::ModuleGraph graph(info.graph_name, model);
  Generator gen(22);
  bool text = info.input_dtype == DType::Int64;
  Shape compile_shape = text ? Shape{2, 8} : info.input_shape;
  graph.compile({models::sample_input(info, compile_shape, gen)});

  ExportOptions options;
  options.opset = c.opset;
  options.dynamic_batch_size = c.dynamic_batch;
  if (c.dynamic_sequence) options.dynamic_axes = {{"0", 1, "S"}};
  ScratchDir dir(case_name({c, 0}));
  CheckReport report = export_and_check(graph, options, dir.path(), info.input_index_bound);

  // Runs: compile sizes, then each dynamic axis changed alone, then all together; in two runtimes.
  size_t expected_runs = c.dynamic_sequence ? 4 : c.dynamic_batch ? 2 : 1;
  EXPECT_EQ(report.runs.size(), 2 * expected_runs);

  // The exported model's input and output dims are the symbols.
  onnx_io::Model exported = onnx_io::load_model(report.model_path);
  const ir::ValueType& input = exported.graph.type(exported.graph.inputs[0]);
  const ir::ValueType& output = exported.graph.type(exported.graph.outputs[0]);
  EXPECT_EQ(input.dtype, info.input_dtype);
  EXPECT_EQ(input.shape->at(0).to_string(), c.dynamic_batch ? "N" : std::to_string(compile_shape[0]));
  EXPECT_EQ(output.shape->at(0).to_string(), c.dynamic_batch ? "N" : std::to_string(compile_shape[0]));
  if (text) {
    EXPECT_EQ(input.shape->at(1).to_string(), c.dynamic_sequence ? "S" : "8");
    EXPECT_EQ(output.shape->at(1).to_string(), c.dynamic_sequence ? "S" : "8");
  }

  // The compiled graph (the check's reference) is the eager model at other sizes too.
  Shape other = compile_shape;
  if (c.dynamic_batch) other[0] = 3;
  if (c.dynamic_sequence) other[1] = 13;
  Tensor x = models::sample_input(info, other, gen);
  testing::CompareResult eager = testing::compare_tensors(graph.run({x})[0], model->forward(x), 1e-5, 1e-6);
  EXPECT_TRUE(eager.ok()) << eager;
  if (c.dynamic_batch) {  // and ONNX Runtime on that input directly
    std::vector<Tensor> got = testing::run_onnxruntime(report.model_path, {{graph.ir_graph().inputs[0], x}});
    testing::CompareResult ort = testing::compare_tensors(got[0], model->forward(x), 1e-4, 1e-5);
    EXPECT_TRUE(ort.ok()) << ort;
  }
}

std::vector<TransformerCase> transformer_cases() {
  std::vector<TransformerCase> cases;
  for (int opset : {9, 13, 17, kMaxOpset})  // vit_micro: every op exists at 9 (LayerNorm as ReduceMean below 17)
    for (bool dynamic : {false, true}) cases.push_back({"vit_micro", opset, dynamic, false});
  for (int opset : {11, 17, kMaxOpset}) {  // bert_tiny: CumSum (position ids) needs 11
    cases.push_back({"bert_tiny", opset, false, false});
    cases.push_back({"bert_tiny", opset, true, false});
    cases.push_back({"bert_tiny", opset, true, true});
  }
  cases.push_back({"vit_tiny", 13, true, false});  // the full-size config once
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Zoo, TransformerExportTest, ::testing::ValuesIn(transformer_cases()), case_name);

TEST(TransformerZooExport, BertBelowOpset11IsRefusedNamingCumSum) {
  auto model = models::create_model("bert_tiny", 3);
  model->eval();
  nn::ModuleGraph graph("BertTinyGraph", model);
  Generator gen(3);
  graph.compile({models::sample_input(models::find_model("bert_tiny"), {1, 4}, gen)});
  ExportOptions options;
  options.opset = 10;
  try {
    convert_to_onnx(graph, options);
    FAIL() << "opset 10 has no CumSum";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("CumSum"), std::string::npos) << e.what();
  }
}

// Both outputs of BertModel (last hidden state and pooled first token), dynamic batch and
// sequence: every output is compared, each with its own symbolic dims.
TEST(TransformerZooExport, BertWithPoolerExportsBothOutputs) {
  ASSERT_TRUE(testing::onnxruntime_available()) << testing::onnxruntime_missing_message();
  struct BertGraph : nn::Graph {
    explicit BertGraph(std::shared_ptr<models::BertModel> bert) : nn::Graph("BertGraph"), bert(bert) {
      register_module("model", bert);
    }
    std::vector<Tensor> build(const std::vector<Tensor>& x) override { return bert->encode(x[0]); }
    std::shared_ptr<models::BertModel> bert;
  };
  Generator gen(7);
  models::BertConfig config;
  config.vocab_size = 300;
  config.num_hidden_layers = 1;
  config.hidden_size = 64;
  config.intermediate_size = 96;
  config.max_position_embeddings = 32;
  auto bert = models::bert_model(config, gen);
  bert->eval();
  BertGraph graph(bert);
  graph.compile({token_ids({2, 5}, 300, gen)});
  ExportOptions options;
  options.opset = 17;
  options.dynamic_axes = {{"0", 0, "batch"}, {"0", 1, "sequence"}};
  ScratchDir dir("bert_pooler");
  CheckReport report = export_and_check(graph, options, dir.path(), 300);
  ASSERT_EQ(report.runs.size(), 8u);
  for (const CheckRun& run : report.runs) EXPECT_EQ(run.outputs.size(), 2u);
  onnx_io::Model exported = onnx_io::load_model(report.model_path);
  EXPECT_EQ(exported.graph.type(exported.graph.outputs[0]).to_string(), "f32[batch,sequence,64]");
  EXPECT_EQ(exported.graph.type(exported.graph.outputs[1]).to_string(), "f32[batch,64]");
}

// ------------------------------------------------------------------------------------------
// Dims that cannot be dynamic, and bad axes.

struct LambdaModule : nn::Module {
  explicit LambdaModule(std::function<Tensor(const Tensor&)> fn) : fn(std::move(fn)) { eval(); }
  Tensor forward(const Tensor& x) override { return fn(x); }
  std::string type_name() const override { return "LambdaModule"; }
  std::function<Tensor(const Tensor&)> fn;
};

std::string export_error(std::function<Tensor(const Tensor&)> fn, const Shape& shape, ExportOptions options) {
  nn::ModuleGraph graph("BakedGraph", std::make_shared<LambdaModule>(std::move(fn)));
  graph.compile({randn(shape)});
  try {
    convert_to_onnx(graph, options);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(TransformerZooExport, DynamicAxisThatTheGraphBakesFailsNamingNodeAndAxis) {
  ExportOptions sequence;
  sequence.dynamic_axes = {{"0", 1, "S"}};
  // [N, S, 8] -> [N*S, 8] written with traced sizes: the reshape holds S.
  std::string error = export_error([](const Tensor& x) { return F::reshape(x, {x.dim(0) * x.dim(1), x.dim(2)}); },
                                   {2, 5, 8}, sequence);
  EXPECT_NE(error.find("node 'reshape-0' (reshape) cannot follow dynamic axis 'S'"), std::string::npos) << error;
  EXPECT_NE(error.find("compile-time size 5"), std::string::npos) << error;
  // The same model exports when S is static, and with -1 it follows S.
  EXPECT_EQ(export_error([](const Tensor& x) { return F::reshape(x, {x.dim(0) * x.dim(1), x.dim(2)}); }, {2, 5, 8}, {}), "");
  EXPECT_EQ(export_error([](const Tensor& x) { return F::reshape(x, {-1, x.dim(2)}); }, {2, 5, 8}, sequence), "");

  // Position embeddings cut to the traced length: the addition meets the traced 5 against S.
  Tensor table = randn({16, 8});
  error = export_error([&](const Tensor& x) { return F::broadcast_add(x, F::narrow(table, 0, 0, x.dim(1))); }, {2, 5, 8},
                       sequence);
  EXPECT_NE(error.find("(broadcast_add) cannot follow dynamic axis 'S'"), std::string::npos) << error;

  ExportOptions bad = sequence;
  bad.dynamic_axes = {{"3", 1, "S"}};
  EXPECT_NE(export_error([](const Tensor& x) { return F::relu(x); }, {2, 5}, bad).find("has 1 input(s)"), std::string::npos);
  bad.dynamic_axes = {{"0", 2, "S"}};
  EXPECT_NE(export_error([](const Tensor& x) { return F::relu(x); }, {2, 5}, bad).find("it has no dim 2"), std::string::npos);
  bad.dynamic_axes = {{"nope", 0, "S"}};
  EXPECT_NE(export_error([](const Tensor& x) { return F::relu(x); }, {2, 5}, bad).find("not an input"), std::string::npos);
  bad.dynamic_axes = {{"0", 0, ""}};
  EXPECT_NE(export_error([](const Tensor& x) { return F::relu(x); }, {2, 5}, bad).find("empty symbol"), std::string::npos);
}

// Slices of a dynamic dim keep their Python bounds (ONNX Slice clamps at run time), and a
// reshape keeps dynamic dims in place with 0.
TEST(TransformerZooExport, SlicesAndReshapesOfDynamicDimsFollowTheSize) {
  ASSERT_TRUE(testing::onnxruntime_available()) << testing::onnxruntime_missing_message();
  auto model = std::make_shared<LambdaModule>([](const Tensor& x) {
    Tensor dropped = F::slice(x, {0, 1, 3}, {INT64_MAX, -1, 6}, {1, 1, 1});  // [N, S-2, 3]
    Tensor split = F::reshape(dropped, {x.dim(0), x.dim(1) - 2, 3, 1});       // N and S-2 kept in place
    return F::flatten(F::transpose(split, {0, 2, 1, 3}), 2);                   // [N, 3, S-2]
  });
  nn::ModuleGraph graph("SliceGraph", model);
  Generator gen(9);
  graph.compile({randn({2, 7, 6}, gen)});
  for (int opset : {9, 13}) {
    ExportOptions options;
    options.opset = opset;
    options.dynamic_batch_size = true;
    options.dynamic_axes = {{"0", 1, "S"}};
    ScratchDir dir("slices_" + std::to_string(opset));
    options.onnx_model_path = dir.path().string();
    fs::path path = export_onnx_model(graph, options);
    ASSERT_NO_THROW(onnx_io::check_model_with_onnx(path));
    onnx_io::Model exported = onnx_io::load_model(path);
    EXPECT_EQ(exported.graph.type(exported.graph.outputs[0]).to_string(), "f32[N,3,S_d2]");
    // The compiled graph replays the traced reshape target (nn::Graph::run), so the reference at
    // other sizes is the eager model.
    InferenceSession session(path, {"CPUExecutionProvider"});
    for (const Shape& shape : {Shape{2, 7, 6}, Shape{3, 10, 6}, Shape{1, 3, 6}}) {
      Tensor x = randn(shape, gen);
      Tensor expected = model->forward(x);
      const std::string& name = graph.ir_graph().inputs[0];
      testing::CompareResult ours = testing::compare_tensors(session.run({}, {{name, x}})[0], expected, 1e-6, 1e-7);
      EXPECT_TRUE(ours.ok()) << shape_to_string(shape) << ": " << ours;
      testing::CompareResult ort = testing::compare_tensors(testing::run_onnxruntime(path, {{name, x}})[0], expected, 1e-6, 1e-7);
      EXPECT_TRUE(ort.ok()) << shape_to_string(shape) << ": " << ort;
    }
  }
}

}  // namespace
}  // namespace flowonnx
