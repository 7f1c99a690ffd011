// The runtime against ONNX Runtime on graphs written the way other exporters write them
// (PyTorch/Paddle/TF converters): grouped and depthwise convs, a transformer block with
// LayerNorm spelled out and a Shape-computed reshape, dynamic batch and sequence, and a mix of
// shape/indexing ops. Each graph is saved to a file and run by both; every output is compared.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "flow/nn/graph.h"
#include "models/zoo.h"
#include "oracle/ort_oracle.h"
#include "runtime/ort_check.h"
#include "runtime/graph_builder.h"
#include "runtime/session.h"
#include "verify/export.h"

namespace flowonnx {
namespace {

namespace fs = std::filesystem;
using testing::GraphBuilder;
using Ints = std::vector<int64_t>;

using testing::temp_model_path;

void expect_same_as_onnxruntime(onnx_io::Model model, const std::string& name,
                                const std::vector<testing::Feeds>& feed_sets, double rtol = 1e-4,
                                double atol = 1e-5) {
  testing::expect_same_as_onnxruntime(std::move(model), name, feed_sets, rtol, atol);
}

Tensor scaled_randn(const Shape& shape, double scale) {
  Tensor t = randn(shape);
  float* data = t.data<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) data[i] *= static_cast<float>(scale);
  return t;
}

TEST(OrtCompare, GroupedAndDepthwiseConvNet) {
  for (int64_t opset : {9, 13}) {
    GraphBuilder g(opset);
    g.input("x", DType::Float32, {ir::Dim::named("batch"), ir::Dim::of(4), ir::Dim::of(15), ir::Dim::of(13)})
        .initializer("w1", scaled_randn({8, 2, 3, 3}, 0.3)).initializer("b1", randn({8}))
        .initializer("scale", rand_uniform({8}, 0.5, 1.5)).initializer("bias", randn({8}))
        .initializer("mean", randn({8})).initializer("var", rand_uniform({8}, 0.5, 1.5))
        .initializer("w2", scaled_randn({8, 1, 5, 5}, 0.3))
        .initializer("fc", scaled_randn({10, 8}, 0.3)).initializer("fcb", randn({10}))
        .node("Conv", {"x", "w1", "b1"}, {"c1"}, {{"group", int64_t{2}}, {"pads", Ints{1, 1, 1, 1}}})
        .node("BatchNormalization", {"c1", "scale", "bias", "mean", "var"}, {"bn"}, {{"epsilon", 1e-3}})
        .node("Relu", {"bn"}, {"r"})
        .node("Conv", {"r", "w2"}, {"c2"},
              {{"group", int64_t{8}}, {"strides", Ints{2, 2}}, {"pads", Ints{2, 1, 2, 1}}, {"dilations", Ints{1, 2}}});
    if (opset >= 11) {
      g.initializer("lo", Tensor::scalar<float>(0)).initializer("hi", Tensor::scalar<float>(6))
          .node("Clip", {"c2", "lo", "hi"}, {"clipped"});
    } else {
      g.node("Clip", {"c2"}, {"clipped"}, {{"min", 0.0}, {"max", 6.0}});
    }
    g.node("MaxPool", {"clipped"}, {"pooled"}, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{1, 1}}})
        .node("GlobalAveragePool", {"pooled"}, {"gap"})
        .node("Flatten", {"gap"}, {"flat"})
        .node("Gemm", {"flat", "fc", "fcb"}, {"logits"}, {{"transB", int64_t{1}}})
        .node("Softmax", {"logits"}, {"probs"}, {{"axis", int64_t{1}}})
        .output("probs", DType::Float32, {ir::Dim::named("batch"), ir::Dim::of(10)})
        .output("pooled", DType::Float32, {ir::Dim::named("batch"), ir::Dim::of(8), ir::Dim::of(7), ir::Dim::of(5)});
    expect_same_as_onnxruntime(g.build(), "convnet_opset" + std::to_string(opset),
                               {{{"x", randn({1, 4, 15, 13})}}, {{"x", randn({3, 4, 15, 13})}}});
  }
}

// A pre-norm transformer block as PyTorch exports it at opset 13: LayerNorm spelled out,
// Q/K/V projections, heads split with a Shape-computed Reshape, scaled dot-product attention,
// Erf GELU in the MLP, residual adds. Batch and sequence length are both dynamic.
onnx_io::Model transformer_block(int64_t d_model, int64_t heads) {
  int64_t head_dim = d_model / heads;
  GraphBuilder g(13);
  auto layer_norm = [&](const std::string& in, const std::string& out, const std::string& p) {
    g.initializer(p + "_g", rand_uniform({d_model}, 0.5, 1.5)).initializer(p + "_b", scaled_randn({d_model}, 0.1))
        .node("ReduceMean", {in}, {p + "_mean"}, {{"axes", Ints{-1}}})
        .node("Sub", {in, p + "_mean"}, {p + "_d"})
        .node("Pow", {p + "_d", "two"}, {p + "_d2"})
        .node("ReduceMean", {p + "_d2"}, {p + "_var"}, {{"axes", Ints{-1}}})
        .node("Add", {p + "_var", "eps"}, {p + "_ve"})
        .node("Sqrt", {p + "_ve"}, {p + "_std"})
        .node("Div", {p + "_d", p + "_std"}, {p + "_n"})
        .node("Mul", {p + "_n", p + "_g"}, {p + "_s"})
        .node("Add", {p + "_s", p + "_b"}, {out});
  };
  auto linear = [&](const std::string& in, const std::string& out, int64_t in_f, int64_t out_f, const std::string& p) {
    g.initializer(p + "_w", scaled_randn({in_f, out_f}, 1.0 / std::sqrt(static_cast<double>(in_f))))
        .initializer(p + "_b", scaled_randn({out_f}, 0.1))
        .node("MatMul", {in, p + "_w"}, {p + "_mm"})
        .node("Add", {p + "_mm", p + "_b"}, {out});
  };
  // [B,S,D] -> [B,heads,S,head_dim] with the target shape computed from Shape(x).
  auto split_heads = [&](const std::string& in, const std::string& out) {
    g.node("Reshape", {in, "heads_shape"}, {in + "_4d"})
        .node("Transpose", {in + "_4d"}, {out}, {{"perm", Ints{0, 2, 1, 3}}});
  };
  g.input("x", DType::Float32, {ir::Dim::named("batch"), ir::Dim::named("seq"), ir::Dim::of(d_model)})
      .initializer("two", Tensor::scalar<float>(2)).initializer("eps", Tensor::scalar<float>(1e-5f))
      .initializer("i0", Tensor::scalar<int64_t>(0)).initializer("i1", Tensor::scalar<int64_t>(1))
      .initializer("ax0", Tensor::from_vector<int64_t>({1}, {0}))
      .initializer("hd", Tensor::from_vector<int64_t>({2}, {heads, head_dim}))
      .initializer("dm", Tensor::from_vector<int64_t>({1}, {d_model}))
      .initializer("scale", Tensor::scalar<float>(std::sqrt(static_cast<float>(head_dim))))
      .initializer("half", Tensor::scalar<float>(0.5f)).initializer("one", Tensor::scalar<float>(1))
      .initializer("rsqrt2", Tensor::scalar<float>(static_cast<float>(1 / std::sqrt(2.0))))
      .node("Shape", {"x"}, {"xs"})
      .node("Gather", {"xs", "i0"}, {"b"}, {{"axis", int64_t{0}}})
      .node("Gather", {"xs", "i1"}, {"s"}, {{"axis", int64_t{0}}})
      .node("Unsqueeze", {"b", "ax0"}, {"b1"})
      .node("Unsqueeze", {"s", "ax0"}, {"s1"})
      .node("Concat", {"b1", "s1", "hd"}, {"heads_shape"}, {{"axis", int64_t{0}}})
      .node("Concat", {"b1", "s1", "dm"}, {"merged_shape"}, {{"axis", int64_t{0}}});
  layer_norm("x", "ln1", "ln1");
  linear("ln1", "q", d_model, d_model, "q");
  linear("ln1", "k", d_model, d_model, "k");
  linear("ln1", "v", d_model, d_model, "v");
  split_heads("q", "qh");
  split_heads("k", "kh");
  split_heads("v", "vh");
  g.node("Transpose", {"kh"}, {"kt"}, {{"perm", Ints{0, 1, 3, 2}}})
      .node("MatMul", {"qh", "kt"}, {"scores"})
      .node("Div", {"scores", "scale"}, {"scaled"})
      .node("Softmax", {"scaled"}, {"attn"}, {{"axis", int64_t{-1}}})
      .node("MatMul", {"attn", "vh"}, {"ctx"})
      .node("Transpose", {"ctx"}, {"ctx_t"}, {{"perm", Ints{0, 2, 1, 3}}})
      .node("Reshape", {"ctx_t", "merged_shape"}, {"ctx_m"});
  linear("ctx_m", "proj", d_model, d_model, "o");
  g.node("Add", {"x", "proj"}, {"h1"});
  layer_norm("h1", "ln2", "ln2");
  linear("ln2", "up", d_model, 4 * d_model, "up");
  g.node("Mul", {"up", "rsqrt2"}, {"up_s"})
      .node("Erf", {"up_s"}, {"erf"})
      .node("Add", {"erf", "one"}, {"erf1"})
      .node("Mul", {"up", "erf1"}, {"gelu_a"})
      .node("Mul", {"gelu_a", "half"}, {"gelu"});
  linear("gelu", "down", 4 * d_model, d_model, "down");
  g.node("Add", {"h1", "down"}, {"y"})
      .output("y", DType::Float32, {ir::Dim::named("batch"), ir::Dim::named("seq"), ir::Dim::of(d_model)});
  return g.build();
}

TEST(OrtCompare, TransformerBlockWithDynamicBatchAndSequence) {
  expect_same_as_onnxruntime(transformer_block(32, 4), "transformer",
                             {{{"x", randn({1, 5, 32})}}, {{"x", randn({3, 11, 32})}}});
}

// Shape arithmetic and indexing ops in one graph: Slice, Gather, Expand, Tile, Where, Equal,
// Cast, Range, ConstantOfShape, Split, Pad, Resize, reductions, activations (opset 14 for
// HardSwish).
TEST(OrtCompare, ShapeAndIndexingOps) {
  GraphBuilder g(14);
  g.input("x", DType::Float32, {ir::Dim::named("batch"), ir::Dim::of(3), ir::Dim::of(8), ir::Dim::of(6)})
      .initializer("starts", Tensor::from_vector<int64_t>({2}, {1, 0})).initializer("ends", Tensor::from_vector<int64_t>({2}, {7, 5}))
      .initializer("axes", Tensor::from_vector<int64_t>({2}, {2, 3})).initializer("steps", Tensor::from_vector<int64_t>({2}, {2, 1}))
      .initializer("idx", Tensor::from_vector<int64_t>({2}, {2, 0}))
      .initializer("pads", Tensor::from_vector<int64_t>({8}, {0, 0, 1, 0, 0, 0, 0, 2}))
      .initializer("scales", Tensor::from_vector<float>({4}, {1, 1, 2, 1.5}))
      .initializer("split", Tensor::from_vector<int64_t>({2}, {1, 2}))
      .initializer("zero", Tensor::scalar<float>(0)).initializer("slope", Tensor::from_vector<float>({3, 1, 1}, {0.1f, 0.2f, 0.3f}))
      .initializer("r0", Tensor::scalar<int64_t>(0)).initializer("r1", Tensor::scalar<int64_t>(5)).initializer("r2", Tensor::scalar<int64_t>(1))
      .initializer("tile", Tensor::from_vector<int64_t>({4}, {1, 1, 1, 2}))
      .initializer("cshape", Tensor::from_vector<int64_t>({2}, {2, 5}))
      .initializer("rax", Tensor::from_vector<int64_t>({1}, {1}))
      .node("Slice", {"x", "starts", "ends", "axes", "steps"}, {"sl"})              // [B,3,3,5]
      .node("Gather", {"sl", "idx"}, {"ga"}, {{"axis", int64_t{1}}})               // [B,2,3,5]
      .node("Greater", {"ga", "zero"}, {"pos"})
      .node("PRelu", {"sl", "slope"}, {"pr"})
      .node("Split", {"pr", "split"}, {"sp0", "sp1"}, {{"axis", int64_t{1}}})      // [B,1,..], [B,2,..]
      .node("Where", {"pos", "ga", "sp1"}, {"wh"})                                  // [B,2,3,5]
      .node("Pad", {"wh", "pads"}, {"pd"}, {{"mode", std::string("reflect")}})     // [B,2,4,7]
      .node("Resize", {"pd", "", "scales"}, {"rs"}, {{"mode", std::string("linear")}})  // [B,2,8,10]
      .node("Tile", {"sp0", "tile"}, {"tl"})                                        // [B,1,3,10]
      .node("ReduceMax", {"rs"}, {"rmax"}, {{"axes", Ints{1}}, {"keepdims", int64_t{1}}})  // [B,1,8,10]
      .node("ReduceSum", {"tl", "rax"}, {"rsum"})                                   // [B,1,3,10]
      .node("HardSwish", {"rsum"}, {"hs"})
      .node("LeakyRelu", {"rmax"}, {"lr"}, {{"alpha", 0.05}})
      .node("Range", {"r0", "r1", "r2"}, {"rng"})
      .node("Cast", {"rng"}, {"rngf"}, {{"to", int64_t{1}}})                        // float [5]
      .node("ConstantOfShape", {"cshape"}, {"ones"}, {{"value", Tensor::from_vector<float>({1}, {1.5f})}})
      .node("Mul", {"ones", "rngf"}, {"grid"})                                      // [2,5]
      .node("Expand", {"grid", "cshape"}, {"ex"})
      .output("hs").output("lr").output("ex");
  expect_same_as_onnxruntime(g.build(), "shape_ops", {{{"x", randn({1, 3, 8, 6})}}, {{"x", randn({2, 3, 8, 6})}}});
}

// A model the project exported (dynamic batch, opset 13) runs alike in both.
TEST(OrtCompare, ExportedResNet18) {
  auto model = models::create_model("resnet18", 3);
  model->eval();
  nn::ModuleGraph graph("OrtCompareGraph", model);
  graph.compile({randn({1, 3, 64, 64})});
  ExportOptions options;
  options.dynamic_batch_size = true;
  options.onnx_model_path = temp_model_path("resnet18").string();
  fs::path path = export_onnx_model(graph, options);
  std::string input = graph.ir_graph().inputs[0];
  expect_same_as_onnxruntime(onnx_io::load_model(path), "resnet18",
                             {{{input, randn({1, 3, 64, 64})}}, {{input, randn({2, 3, 64, 64})}}});
}

}  // namespace
}  // namespace flowonnx
