// The runtime's session-time MatMul fusions (runtime/optimize/fuse_matmul.h): attention scores
// (MatMul of q with Transpose(k), then Mul by a scale) and linear layers (MatMul, then Add of a
// bias row) become one FusedMatMul and give the unoptimised session's results; near-misses keep
// their nodes and their results. No timing here.
#include <gtest/gtest.h>

#include "runtime/graph_builder.h"
#include "runtime/session_compare.h"
#include "tensor/random.h"

namespace flowonnx {
namespace {

using testing::compare_sessions;
using testing::dims_of;
using testing::GraphBuilder;
using testing::optimised_ops;

// softmax(q k^T * scale) v for one head, q = k = v = x [N, T, D]: the transposes are what a
// per-head attention of an exporter writes.
struct AttentionForm {
  std::vector<int64_t> perm = {0, 2, 1};
  Shape scale_shape = {};  // the scale constant's shape
  bool scores_are_output = false;
  bool transposed_read_twice = false;
};

onnx_io::Model attention_model(const AttentionForm& form, int64_t tokens = 11, int64_t depth = 8) {
  GraphBuilder g(13);
  g.input("x", DType::Float32, dims_of({2, tokens, depth}, true));
  g.initializer("scale", Tensor::full(form.scale_shape, 0.125));
  g.node("Transpose", {"x"}, {"kt"}, {{"perm", form.perm}});
  g.node("MatMul", {"x", "kt"}, {"scores"});
  g.node("Mul", {"scores", "scale"}, {"scaled"});
  g.node("Softmax", {"scaled"}, {"p"}, {{"axis", int64_t{-1}}});
  g.node("MatMul", {"p", "x"}, {"y"});
  g.output("y");
  if (form.scores_are_output) g.output("scores");
  if (form.transposed_read_twice) {
    g.node("Neg", {"kt"}, {"other"});
    g.output("other");
  }
  return g.build();
}

TEST(MatMulFusion, AttentionScoresTakeTheTransposeAndTheScale) {
  AttentionForm form;
  auto ops = optimised_ops([&] { return attention_model(form); });
  EXPECT_EQ(ops["FusedMatMul"], 1);
  EXPECT_EQ(ops["Transpose"], 0);
  EXPECT_EQ(ops["Mul"], 0);
  EXPECT_EQ(ops["MatMul"], 1);  // p v has nothing to absorb
  EXPECT_LT(compare_sessions([&] { return attention_model(form); }, {{1, 11, 8}, {3, 11, 8}}),
            1e-5);
  form.scale_shape = {1, 1, 1};  // a one-element scale of the product's rank
  EXPECT_EQ(optimised_ops([&] { return attention_model(form); })["Mul"], 0);
}

TEST(MatMulFusion, AttentionNearMissesKeepTheirNodes) {
  struct Case {
    const char* what;
    AttentionForm form;
    int transposes, muls;
  };
  AttentionForm batch_swap;
  batch_swap.perm = {1, 0, 2};  // not the last two dims
  AttentionForm output;
  output.scores_are_output = true;
  AttentionForm shared;
  shared.transposed_read_twice = true;
  AttentionForm wide_scale;
  wide_scale.scale_shape = {1, 1, 1, 1};  // of higher rank: broadcasts the product to rank 4
  for (const Case& c :
       {Case{"perm swaps batch and tokens", batch_swap, 1, 0},
        Case{"scores also an output", output, 0, 1}, Case{"transposed k read twice", shared, 1, 0},
        Case{"scale of higher rank", wide_scale, 0, 1}}) {
    SCOPED_TRACE(c.what);
    auto ops = optimised_ops([&] { return attention_model(c.form, 8, 8); });
    EXPECT_EQ(ops["Transpose"], c.transposes);
    EXPECT_EQ(ops["Mul"], c.muls);
    // batch = tokens = depth, so the batch-swapping perm gives a valid product too
    EXPECT_LT(compare_sessions([&] { return attention_model(c.form, 8, 8); }, {{8, 8, 8}}), 1e-5);
  }
}

// x W + b, the Add's operands in either order, then a Relu that must stay.
onnx_io::Model linear_model(const Shape& bias_shape, bool bias_first, bool then_scale,
                            int64_t width = 13, int64_t out = 19) {
  Generator gen(5);
  GraphBuilder g(13);
  g.input("x", DType::Float32, dims_of({2, 7, width}, true));
  g.initializer("w", randn({width, out}, gen)).initializer("b", randn(bias_shape, gen));
  g.initializer("two", Tensor::scalar<float>(2.0f));
  g.node("MatMul", {"x", "w"}, {"h"});
  g.node("Add",
         bias_first ? std::vector<std::string>{"b", "h"} : std::vector<std::string>{"h", "b"},
         {"hb"});
  std::string last = "hb";
  if (then_scale) {  // a scale after the bias is not alpha: it must stay a Mul
    g.node("Mul", {"hb", "two"}, {"hs"});
    last = "hs";
  }
  g.node("Relu", {last}, {"y"});
  g.output("y");
  return g.build();
}

TEST(MatMulFusion, LinearLayersTakeTheirBias) {
  for (const auto& [bias_shape, bias_first] :
       std::vector<std::pair<Shape, bool>>{{{19}, false}, {{19}, true}, {{1, 1, 19}, false}}) {
    SCOPED_TRACE(shape_to_string(bias_shape));
    auto model = [&] { return linear_model(bias_shape, bias_first, false); };
    auto ops = optimised_ops(model);
    EXPECT_EQ(ops["FusedMatMul"], 1);
    EXPECT_EQ(ops["Add"], 0);
    EXPECT_EQ(ops["Relu"], 1);
    EXPECT_LT(compare_sessions(model, {{1, 7, 13}, {3, 7, 13}}), 1e-5);
  }
  auto scaled = [] { return linear_model({19}, false, true); };
  auto ops = optimised_ops(scaled);
  EXPECT_EQ(ops["FusedMatMul"], 1);
  EXPECT_EQ(ops["Mul"], 1);
  EXPECT_LT(compare_sessions(scaled, {{2, 7, 13}}), 1e-5);
}

// gelu(x W + b) as our exporter writes it: one FusedMatMul with the bias and the activation.
TEST(MatMulFusion, LinearLayerTakesItsGelu) {
  auto model = [] {
    onnx_io::Model m = linear_model({19}, false, false);
    ir::Graph& graph = m.graph;
    const ir::Node* relu = nullptr;
    for (const auto& node : graph.nodes())
      if (node->op_type == "Relu") relu = node.get();
    graph.remove_node(relu);
    graph.set_initializer("sqrt2", Tensor::scalar<float>(1.41421356f));
    graph.set_initializer("one", Tensor::scalar<float>(1.0f));
    graph.set_initializer("half", Tensor::scalar<float>(0.5f));
    auto add = [&](const char* op, std::vector<std::string> inputs, const char* out) {
      ir::Node node;
      node.name = out;
      node.op_type = op;
      node.inputs = std::move(inputs);
      node.outputs = {out};
      graph.add_node(std::move(node));
    };
    add("Div", {"hb", "sqrt2"}, "scaled");
    add("Erf", {"scaled"}, "e");
    add("Add", {"e", "one"}, "a");
    add("Mul", {"hb", "half"}, "half_x");
    add("Mul", {"half_x", "a"}, "y");
    return m;
  };
  auto ops = optimised_ops(model);
  EXPECT_EQ(ops["FusedMatMul"], 1);
  EXPECT_EQ(ops.size(), 1u);
  EXPECT_LT(compare_sessions(model, {{1, 7, 13}, {3, 7, 13}}), 1e-5);
}

TEST(MatMulFusion, AddsThatAreNotABiasRowStay) {
  // [7, 19] varies along the rows, [1, 1, 1, 19] would grow the rank.
  for (const Shape& shape : std::vector<Shape>{{7, 19}, {1, 1, 1, 19}, {1}}) {
    SCOPED_TRACE(shape_to_string(shape));
    auto model = [&] { return linear_model(shape, false, false); };
    auto ops = optimised_ops(model);
    EXPECT_EQ(ops["FusedMatMul"], 0);
    EXPECT_EQ(ops["Add"], 1);
    EXPECT_LT(compare_sessions(model, {{2, 7, 13}}), 1e-5);
  }
}

}  // namespace
}  // namespace flowonnx
