// ConvTranspose in the runtime: against ONNX Runtime on graphs built in code (1-d to 3-d,
// groups, dilations, output_padding, output_shape, auto_pad, weights fed at run time, a
// DCGAN-style chain), the static output type, and the hostile models, each refused with an
// error naming the node and the op.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include "flow/nn/conv.h"
#include "flow/nn/graph.h"
#include "oracle/ort_oracle.h"
#include "runtime/expect_error.h"
#include "runtime/graph_builder.h"
#include "runtime/ort_check.h"
#include "runtime/session.h"
#include "verify/export.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;
using testing::GraphBuilder;
using Ints = std::vector<int64_t>;

using testing::temp_model_path;

// Runs `model` in flowonnx and ONNX Runtime on each feed set; compares every output.
void expect_same_as_onnxruntime(onnx_io::Model model, const std::string& name,
                                const std::vector<testing::Feeds>& feed_sets) {
  testing::expect_same_as_onnxruntime(std::move(model), name, feed_sets, 1e-4, 1e-4);
}

struct OneNode {
  std::string name;
  Shape x, w;
  ir::Attributes attrs;
  bool bias = true;
  bool weights_as_input = false;  // fed at run time: the per-call path
};

onnx_io::Model one_node_model(const OneNode& c, Generator& gen) {
  GraphBuilder g(17);
  std::vector<ir::Dim> x_dims = {ir::Dim::named("batch")};
  for (size_t d = 1; d < c.x.size(); ++d) x_dims.push_back(ir::Dim::of(c.x[d]));
  g.input("x", DType::Float32, x_dims);
  std::vector<std::string> inputs = {"x", "w"};
  if (c.weights_as_input) g.input("w", DType::Float32, c.w);
  else g.initializer("w", randn(c.w, gen));
  if (c.bias) {
    const int64_t group = c.attrs.has("group") ? c.attrs.get_int("group") : 1;
    g.initializer("b", randn({c.w[1] * group}, gen));
    inputs.push_back("b");
  }
  g.node("ConvTranspose", inputs, {"y"}, c.attrs).output("y");
  return g.build();
}

TEST(ConvTransposeOrt, RandomGeometriesMatchOnnxRuntime) {
  Generator gen(5);
  const std::vector<OneNode> cases = {
      {"2d_group_dilation_adj", {1, 4, 6, 7}, {4, 3, 3, 3},
       {{"group", int64_t{2}}, {"strides", Ints{2, 3}}, {"dilations", Ints{2, 1}},
        {"pads", Ints{1, 0, 2, 1}}, {"output_padding", Ints{1, 2}}}},
      {"2d_dcgan_layer", {1, 16, 4, 4}, {16, 8, 4, 4}, {{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}}, false},
      {"1d_same_upper", {1, 3, 9}, {3, 2, 4}, {{"strides", Ints{2}}, {"auto_pad", std::string("SAME_UPPER")}}},
      {"1d_same_lower_odd", {1, 3, 9}, {3, 2, 4}, {{"strides", Ints{3}}, {"auto_pad", std::string("SAME_LOWER")}}},
      {"2d_valid", {1, 2, 5, 5}, {2, 3, 3, 2}, {{"strides", Ints{2, 2}}, {"auto_pad", std::string("VALID")}}},
      {"2d_output_shape_odd_total", {1, 2, 5, 6}, {2, 2, 3, 3},
       {{"strides", Ints{2, 2}}, {"output_shape", Ints{10, 12}}}},
      {"2d_output_shape_extends", {1, 2, 5, 6}, {2, 2, 3, 3},
       {{"strides", Ints{2, 2}}, {"output_shape", Ints{12, 13}}}},
      {"2d_output_shape_same_upper", {1, 2, 5, 6}, {2, 2, 3, 3},
       {{"strides", Ints{2, 2}}, {"output_shape", Ints{10, 12}}, {"auto_pad", std::string("SAME_UPPER")}}},
      {"3d_output_shape", {1, 4, 3, 4, 5}, {4, 2, 3, 3, 2},
       {{"group", int64_t{2}}, {"strides", Ints{2, 1, 2}}, {"output_shape", Ints{6, 5, 9}}}},
      {"3d_pads_adj", {1, 2, 3, 3, 3}, {2, 3, 2, 3, 3},
       {{"strides", Ints{2, 2, 2}}, {"pads", Ints{0, 1, 1, 1, 0, 1}}, {"output_padding", Ints{1, 0, 1}}}},
      {"2d_weights_at_run_time", {1, 3, 5, 4}, {3, 2, 3, 3}, {{"strides", Ints{1, 2}}}, true, true},
  };
  for (const OneNode& c : cases) {
    std::map<std::string, Tensor> one = {{"x", randn(c.x, gen)}};
    Shape batch3 = c.x;
    batch3[0] = 3;
    std::map<std::string, Tensor> three = {{"x", randn(batch3, gen)}};
    if (c.weights_as_input) one["w"] = three["w"] = randn(c.w, gen);
    expect_same_as_onnxruntime(one_node_model(c, gen), c.name, {one, three});
  }
}

// ConvTranspose -> BatchNormalization -> Relu -> ConvTranspose -> Tanh, as a DCGAN generator
// exports it; the session folds the BatchNormalization into the (here grouped) ConvTranspose.
TEST(ConvTransposeOrt, GeneratorChainMatchesOnnxRuntime) {
  Generator gen(8);
  GraphBuilder g(17);
  g.input("z", DType::Float32, {ir::Dim::named("batch"), ir::Dim::of(16), ir::Dim::of(1), ir::Dim::of(1)})
      .initializer("w1", randn({16, 4, 4, 4}, gen)).initializer("w2", randn({8, 3, 4, 4}, gen))
      .initializer("scale", rand_uniform({8}, 0.5, 1.5, gen)).initializer("shift", randn({8}, gen))
      .initializer("mean", randn({8}, gen)).initializer("var", rand_uniform({8}, 0.5, 1.5, gen))
      .node("ConvTranspose", {"z", "w1"}, {"c1"}, {{"group", int64_t{2}}})
      .node("BatchNormalization", {"c1", "scale", "shift", "mean", "var"}, {"bn"})
      .node("Relu", {"bn"}, {"r"})
      .node("ConvTranspose", {"r", "w2"}, {"c2"}, {{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}})
      .node("Tanh", {"c2"}, {"y"})
      .output("y");
  expect_same_as_onnxruntime(g.build(), "generator", {{{"z", randn({1, 16, 1, 1}, gen)}},
                                                      {{"z", randn({2, 16, 1, 1}, gen)}}});
}

TEST(ConvTransposeSession, DeclaresStaticOutputType) {
  GraphBuilder g(17);
  g.input("x", DType::Float32, {ir::Dim::named("batch"), ir::Dim::of(4), ir::Dim::of(5), ir::Dim::of(6)})
      .initializer("w", randn({4, 3, 3, 3}))
      .node("ConvTranspose", {"x", "w"}, {"y"},
            {{"group", int64_t{2}}, {"strides", Ints{2, 2}}, {"output_padding", Ints{1, 0}}})
      .output("y");
  InferenceSession session(g.build());
  const auto& y = session.get_outputs()[0];
  ASSERT_EQ(y.shape.size(), 4u);
  using Dim = NodeArg::DimValue;
  EXPECT_EQ(y.shape[0], Dim(std::string("batch")));
  EXPECT_EQ(y.shape[1], Dim(int64_t{6}));
  EXPECT_EQ(y.shape[2], Dim(int64_t{12}));  // (5-1)*2 + 3 + 1
  EXPECT_EQ(y.shape[3], Dim(int64_t{13}));
  const Tensor out = session.run({}, {{"x", randn({2, 4, 5, 6})}})[0];
  EXPECT_EQ(out.shape(), (Shape{2, 6, 12, 13}));
}

// The framework's deconv2d (nn::ConvTranspose2d: grouped, strided, output_padding, bias),
// exported with a dynamic batch, runs in the runtime and matches eager mode and ONNX Runtime.
TEST(ConvTransposeSession, ExportedDeconv2dMatchesEager) {
  nn::ConvTranspose2dOptions options;
  options.stride = {2, 2};
  options.padding = {1, 1};
  options.output_padding = {1, 1};
  options.groups = 2;
  auto module = std::make_shared<nn::ConvTranspose2d>(4, 6, nn::Pair{3, 3}, options);
  module->eval();
  nn::ModuleGraph graph("DeconvGraph", module);
  graph.compile({randn({1, 4, 7, 7})});
  ExportOptions export_options;
  export_options.dynamic_batch_size = true;
  export_options.onnx_model_path = temp_model_path("deconv2d").string();
  const fs::path path = export_onnx_model(graph, export_options);
  InferenceSession session(path);
  const std::string input = graph.ir_graph().inputs[0];
  for (int64_t batch : {1, 3}) {
    const Tensor x = randn({batch, 4, 7, 7});
    const Tensor eager = module->forward(x);
    const Tensor got = session.run({}, {{input, x}})[0];
    const auto result = testing::compare_tensors(got, eager, 1e-4, 1e-5);
    EXPECT_TRUE(result.ok()) << "batch " << batch << ": " << result;
  }
  expect_same_as_onnxruntime(onnx_io::load_model(path), "deconv2d_export",
                             {{{input, randn({2, 4, 7, 7})}}});
}

using testing::expect_error;

// One ConvTranspose node named "up" on input x [1,4,5,5].
onnx_io::Model hostile(const Shape& w, ir::Attributes attrs, const Shape& bias = {}) {
  GraphBuilder g(17);
  g.input("x", DType::Float32, Shape{1, 4, 5, 5}).initializer("w", randn(w));
  std::vector<std::string> inputs = {"x", "w"};
  if (!bias.empty()) {
    g.initializer("b", randn(bias));
    inputs.push_back("b");
  }
  g.node("ConvTranspose", inputs, {"y"}, std::move(attrs)).output("y");
  onnx_io::Model model = g.build();
  model.graph.nodes()[0]->name = "up";
  return model;
}

void expect_refused(onnx_io::Model model, ErrorCode code, const std::string& detail) {
  expect_error(
      [&] {
        InferenceSession session(std::move(model));
        session.run({}, {{"x", randn({1, 4, 5, 5})}});
      },
      code, {"ConvTranspose", "'up'", detail});
}

TEST(ConvTransposeSession, HostileModelsAreRefusedNamingNodeAndOp) {
  // Weight input channels (4) not divisible by the group (3).
  expect_refused(hostile({4, 2, 3, 3}, {{"group", int64_t{3}}}), ErrorCode::InvalidModel,
                 "not divisible by group");
  // Bias of the wrong length: 2 * 2 output channels, 3 given.
  expect_refused(hostile({4, 2, 3, 3}, {{"group", int64_t{2}}}, {3}), ErrorCode::InvalidModel, "bias");
  // output_shape larger than the input can produce (at most 7).
  expect_refused(hostile({4, 2, 3, 3}, {{"output_shape", Ints{9, 7}}}), ErrorCode::InvalidArgument,
                 "inconsistent");
  expect_refused(hostile({4, 2, 3, 3}, {{"output_shape", Ints{7}}}), ErrorCode::InvalidArgument,
                 "output_shape");
  // Negative pads.
  expect_refused(hostile({4, 2, 3, 3}, {{"pads", Ints{-1, 0, 0, 0}}}), ErrorCode::InvalidModel,
                 "pads must be >= 0");
  // Weight rank 5 for a rank-4 input.
  expect_refused(hostile({4, 2, 3, 3, 3}, {}), ErrorCode::InvalidArgument, "rank");
  // Weight with 3 input channels for an input with 4.
  expect_refused(hostile({3, 2, 3, 3}, {}), ErrorCode::InvalidArgument, "channels");
  // output_padding not smaller than the stride (and dilation).
  expect_refused(hostile({4, 2, 3, 3}, {{"output_padding", Ints{1, 1}}}), ErrorCode::InvalidArgument,
                 "output_padding");
  expect_refused(hostile({4, 2, 3, 3}, {{"kernel_shape", Ints{2, 2}}}), ErrorCode::InvalidArgument,
                 "kernel_shape");
  expect_refused(hostile({4, 2, 3, 3}, {{"auto_pad", std::string("SAME")}}), ErrorCode::InvalidModel,
                 "auto_pad");
  expect_refused(hostile({4, 2, 3, 3}, {{"auto_pad", std::string("VALID")}, {"pads", Ints{1, 1, 1, 1}}}),
                 ErrorCode::InvalidModel, "cannot be used together with auto_pad");
}

}  // namespace
}  // namespace flowonnx
