// The runtime's session-time transformer fusions (runtime/optimize/fuse_layer_norm.h,
// fuse_gelu.h): the spelled-out LayerNorm and erf GELU in the forms exporters write become one
// node and give the unoptimised session's results; near-misses of the patterns stay as they are
// and still give the same results. No timing here.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "runtime/graph_builder.h"
#include "runtime/session_compare.h"
#include "tensor/random.h"

namespace flowonnx {
namespace {

using testing::compare_sessions;
using testing::dims_of;
using testing::GraphBuilder;
using testing::optimised_ops;

// ---- LayerNorm ---------------------------------------------------------------------------

// How the spelled-out layer norm is written; the defaults are our exporter's form.
struct LayerNormForm {
  Shape shape = {2, 5, 12};          // x; the batch dim is symbolic
  std::vector<int64_t> axes = {-1};  // of both ReduceMeans
  bool pow_square = false;           // Pow(d, 2) instead of Mul(d, d)
  double exponent = 2.0;
  bool epsilon_first = false;          // Add(eps, var)
  bool epsilon_is_input = false;       // eps also a graph input (an overridable initializer)
  Shape scale_shape = {12};            // empty: no Mul
  bool scale_first = false;            // Mul(scale, n)
  Shape bias_shape = {12};             // empty: no Add
  int64_t keepdims = 1;                // of the second ReduceMean
  std::vector<int64_t> variance_axes;  // empty: the same as axes
  bool centred_is_output = false;      // d = x - mean also a graph output
  bool reversed_sub = false;           // mean - x
};

onnx_io::Model layer_norm_model(const LayerNormForm& form) {
  Generator gen(3);
  GraphBuilder g(13);
  g.input("x", DType::Float32, dims_of(form.shape, true));
  // As a graph input too, eps is an initializer a feed may override: not a fixed constant.
  if (form.epsilon_is_input) g.input("eps", DType::Float32, Shape{});
  g.initializer("eps", Tensor::scalar<float>(1e-5f));
  g.node("ReduceMean", {"x"}, {"mean"}, {{"axes", form.axes}, {"keepdims", int64_t{1}}});
  g.node("Sub",
         form.reversed_sub ? std::vector<std::string>{"mean", "x"}
                           : std::vector<std::string>{"x", "mean"},
         {"d"});
  if (form.pow_square) {
    g.initializer("two", Tensor::scalar<float>(static_cast<float>(form.exponent)));
    g.node("Pow", {"d", "two"}, {"sq"});
  } else {
    g.node("Mul", {"d", "d"}, {"sq"});
  }
  const std::vector<int64_t>& variance_axes =
      form.variance_axes.empty() ? form.axes : form.variance_axes;
  g.node("ReduceMean", {"sq"}, {"var"}, {{"axes", variance_axes}, {"keepdims", form.keepdims}});
  g.node("Add",
         form.epsilon_first ? std::vector<std::string>{"eps", "var"}
                            : std::vector<std::string>{"var", "eps"},
         {"var_eps"});
  g.node("Sqrt", {"var_eps"}, {"std"});
  g.node("Div", {"d", "std"}, {"n"});
  std::string y = "n";
  if (!form.scale_shape.empty()) {
    g.initializer("scale", rand_uniform(form.scale_shape, 0.5, 1.5, gen));
    g.node("Mul",
           form.scale_first ? std::vector<std::string>{"scale", y}
                            : std::vector<std::string>{y, "scale"},
           {"scaled"});
    y = "scaled";
  }
  if (!form.bias_shape.empty()) {
    g.initializer("bias", randn(form.bias_shape, gen));
    g.node("Add", {y, "bias"}, {"shifted"});
    y = "shifted";
  }
  g.output(y);
  if (form.centred_is_output) g.output("d");
  return g.build();
}

std::vector<Shape> batches_of(const Shape& shape) {
  Shape one = shape, three = shape;
  one[0] = 1;
  three[0] = 3;
  return {one, three};
}

void expect_layer_norm_fused(const LayerNormForm& form, int layer_norms, int reduce_means) {
  auto ops = optimised_ops([&] { return layer_norm_model(form); });
  EXPECT_EQ(ops["LayerNormalization"], layer_norms);
  EXPECT_EQ(ops["ReduceMean"], reduce_means);
  EXPECT_LT(compare_sessions([&] { return layer_norm_model(form); }, batches_of(form.shape)), 2e-5);
}

TEST(LayerNormFusion, FusesOurExportersForm) {
  LayerNormForm form;
  expect_layer_norm_fused(form, 1, 0);
  auto ops = optimised_ops([&] { return layer_norm_model(form); });
  for (const char* op : {"Sub", "Mul", "Add", "Sqrt", "Div"}) EXPECT_EQ(ops[op], 0) << op;
}

TEST(LayerNormFusion, FusesTorchFormsAndOperandOrders) {
  LayerNormForm torch;
  torch.pow_square = true;
  torch.epsilon_first = true;
  torch.scale_first = true;
  torch.axes = {2};
  expect_layer_norm_fused(torch, 1, 0);
  LayerNormForm vit;  // ViT-Tiny's width, an odd width, no bias, no affine part at all
  vit.shape = {1, 197, 192};
  vit.scale_shape = vit.bias_shape = {192};
  expect_layer_norm_fused(vit, 1, 0);
  LayerNormForm odd;
  odd.shape = {2, 3, 7};
  odd.scale_shape = {7};
  odd.bias_shape = {};
  expect_layer_norm_fused(odd, 1, 0);
  LayerNormForm plain;
  plain.scale_shape = plain.bias_shape = {};
  expect_layer_norm_fused(plain, 1, 0);
}

TEST(LayerNormFusion, FusesSeveralTrailingAxesWithBroadcastParameters) {
  LayerNormForm form;
  form.shape = {2, 5, 6};
  form.axes = {-2, -1};
  form.scale_shape = {5, 6};
  form.bias_shape = {1, 6};  // broadcasts within the normalised dims
  expect_layer_norm_fused(form, 1, 0);
  form.scale_shape = {1, 1, 6};  // leading 1s over the kept dim
  expect_layer_norm_fused(form, 1, 0);
}

TEST(LayerNormFusion, LeavesNearMissesAlone) {
  auto near_miss = [](auto change) {
    LayerNormForm form;
    change(form);
    return form;
  };
  const std::vector<std::pair<const char*, LayerNormForm>> cases = {
      {"axes not trailing", near_miss([](LayerNormForm& f) {
         f.axes = {1};
         f.scale_shape = f.bias_shape = {};
       })},
      {"variance over other axes", near_miss([](LayerNormForm& f) {
         f.shape = {2, 5, 6};
         f.axes = {-2, -1};
         f.variance_axes = {-1};
         f.scale_shape = f.bias_shape = {6};
       })},
      {"variance without keepdims", near_miss([](LayerNormForm& f) {
         f.keepdims = 0;  // [N, 1] against d [N, 1, 12]: the Div broadcasts to [N, N, 12]
         f.scale_shape = f.bias_shape = {};
         f.shape = {2, 1, 12};
       })},
      {"fourth power instead of square", near_miss([](LayerNormForm& f) {
         f.pow_square = true;
         f.exponent = 4.0;
       })},
      {"epsilon fed at run time", near_miss([](LayerNormForm& f) { f.epsilon_is_input = true; })},
      {"centred value also an output",
       near_miss([](LayerNormForm& f) { f.centred_is_output = true; })},
      {"mean - x", near_miss([](LayerNormForm& f) { f.reversed_sub = true; })},
  };
  for (const auto& [what, form] : cases) {
    SCOPED_TRACE(what);
    auto ops = optimised_ops([&] { return layer_norm_model(form); });
    EXPECT_EQ(ops["LayerNormalization"], 0);
    EXPECT_EQ(ops["ReduceMean"], 2);
    EXPECT_LT(compare_sessions([&] { return layer_norm_model(form); }, batches_of(form.shape)),
              1e-5);
  }
}

TEST(LayerNormFusion, ScaleThatBroadcastsOverKeptDimsStaysAMul) {
  LayerNormForm form;
  form.shape = {2, 5, 6};
  form.scale_shape = {5, 1};  // varies along a kept dim: not a LayerNormalization scale
  form.bias_shape = {6};
  auto ops = optimised_ops([&] { return layer_norm_model(form); });
  EXPECT_EQ(ops["LayerNormalization"], 1);
  EXPECT_EQ(ops["Mul"], 1);
  EXPECT_EQ(ops["Add"], 1);  // the bias follows the Mul, so it stays too
  EXPECT_LT(compare_sessions([&] { return layer_norm_model(form); }, batches_of(form.shape)), 2e-5);
}

// ---- GELU --------------------------------------------------------------------------------

enum class GeluForm { HalfXTimesA, XTimesAThenHalf, XTimesHalfA, MulByInverseSqrt2 };

struct GeluVariant {
  GeluForm form = GeluForm::HalfXTimesA;
  double divisor = std::numbers::sqrt2;
  double one = 1.0, half = 0.5;
  bool erf_is_output = false;
  bool half_x_shared = false;  // x * 0.5 also read by another node
};

onnx_io::Model gelu_model(const GeluVariant& v, const Shape& shape = {2, 7, 37}) {
  GraphBuilder g(13);
  g.input("x", DType::Float32, dims_of(shape, true));
  g.initializer("one", Tensor::scalar<float>(static_cast<float>(v.one)))
      .initializer("half", Tensor::scalar<float>(static_cast<float>(v.half)));
  if (v.form == GeluForm::MulByInverseSqrt2) {
    g.initializer("inv_sqrt2", Tensor::scalar<float>(static_cast<float>(1.0 / v.divisor)));
    g.node("Mul", {"inv_sqrt2", "x"}, {"scaled"});
  } else {
    g.initializer("sqrt2", Tensor::scalar<float>(static_cast<float>(v.divisor)));
    g.node("Div", {"x", "sqrt2"}, {"scaled"});
  }
  g.node("Erf", {"scaled"}, {"e"});
  g.node("Add", {"one", "e"}, {"a"});
  switch (v.form) {
    case GeluForm::HalfXTimesA:
    case GeluForm::MulByInverseSqrt2:
      g.node("Mul", {"x", "half"}, {"half_x"});
      g.node("Mul", {"half_x", "a"}, {"y"});
      break;
    case GeluForm::XTimesAThenHalf:
      g.node("Mul", {"a", "x"}, {"xa"});
      g.node("Mul", {"xa", "half"}, {"y"});
      break;
    case GeluForm::XTimesHalfA:
      g.node("Mul", {"half", "a"}, {"half_a"});
      g.node("Mul", {"x", "half_a"}, {"y"});
      break;
  }
  g.output("y");
  if (v.erf_is_output) g.output("e");
  if (v.half_x_shared) {
    g.node("Neg", {"half_x"}, {"other"});
    g.output("other");
  }
  return g.build();
}

TEST(GeluFusion, FusesEveryForm) {
  for (GeluForm form : {GeluForm::HalfXTimesA, GeluForm::XTimesAThenHalf, GeluForm::XTimesHalfA,
                        GeluForm::MulByInverseSqrt2}) {
    SCOPED_TRACE(static_cast<int>(form));
    GeluVariant v;
    v.form = form;
    auto ops = optimised_ops([&] { return gelu_model(v); });
    EXPECT_EQ(ops["Gelu"], 1);
    EXPECT_EQ(ops.size(), 1u);  // nothing else left
    EXPECT_LT(compare_sessions([&] { return gelu_model(v); }, {{1, 7, 37}, {3, 7, 37}}), 1e-6);
  }
}

TEST(GeluFusion, LeavesNearMissesAlone) {
  auto variant = [](auto change) {
    GeluVariant v;
    change(v);
    return v;
  };
  const std::vector<std::pair<const char*, GeluVariant>> cases = {
      {"divides by 2", variant([](GeluVariant& v) { v.divisor = 2.0; })},
      {"scales by 0.4", variant([](GeluVariant& v) { v.half = 0.4; })},
      {"adds 2", variant([](GeluVariant& v) { v.one = 2.0; })},
      {"erf also an output", variant([](GeluVariant& v) { v.erf_is_output = true; })},
      {"x * 0.5 read elsewhere", variant([](GeluVariant& v) { v.half_x_shared = true; })},
  };
  for (const auto& [what, v] : cases) {
    SCOPED_TRACE(what);
    auto ops = optimised_ops([&] { return gelu_model(v); });
    EXPECT_EQ(ops["Gelu"], 0);
    EXPECT_EQ(ops["Erf"], 1);
    EXPECT_LT(compare_sessions([&] { return gelu_model(v); }, {{2, 7, 37}}), 1e-5);
  }
}

// ---- Both, in a ViT encoder MLP block -----------------------------------------------------

// x + fc2(gelu(fc1(layer_norm(x)))), written as our exporter writes it at opset 13.
onnx_io::Model mlp_block_model(int64_t width) {
  Generator gen(9);
  LayerNormForm norm;
  norm.shape = {1, 9, width};
  norm.scale_shape = norm.bias_shape = {width};
  onnx_io::Model model = layer_norm_model(norm);
  ir::Graph& graph = model.graph;
  const std::string normed = graph.outputs[0];
  graph.outputs.clear();
  auto add_node = [&](const std::string& op, std::vector<std::string> inputs,
                      const std::string& out) {
    ir::Node node;
    node.name = out + "_node";
    node.op_type = op;
    node.inputs = std::move(inputs);
    node.outputs = {out};
    graph.add_node(std::move(node));
  };
  const float spread = 1.0f / std::sqrt(static_cast<float>(width));
  auto weight = [&](Shape shape) {
    Tensor w = randn(shape, gen);
    for (int64_t i = 0; i < w.num_elements(); ++i) w.data<float>()[i] *= spread;
    return w;
  };
  graph.set_initializer("w1", weight({width, 4 * width}));
  graph.set_initializer("b1", randn({4 * width}, gen));
  graph.set_initializer("w2", weight({4 * width, width}));
  graph.set_initializer("b2", randn({width}, gen));
  graph.set_initializer("sqrt2", Tensor::scalar<float>(static_cast<float>(std::numbers::sqrt2)));
  graph.set_initializer("one", Tensor::scalar<float>(1.0f));
  graph.set_initializer("half", Tensor::scalar<float>(0.5f));
  add_node("MatMul", {normed, "w1"}, "h");
  add_node("Add", {"h", "b1"}, "hb");
  add_node("Div", {"hb", "sqrt2"}, "hs");
  add_node("Erf", {"hs"}, "he");
  add_node("Add", {"he", "one"}, "ha");
  add_node("Mul", {"hb", "half"}, "hh");
  add_node("Mul", {"hh", "ha"}, "g");
  add_node("MatMul", {"g", "w2"}, "o");
  add_node("Add", {"o", "b2"}, "ob");
  add_node("Add", {"x", "ob"}, "y");
  graph.outputs.push_back("y");
  return model;
}

TEST(TransformerFusion, MlpBlockFusesBothAndMatches) {
  for (int64_t width : {16, 12}) {
    SCOPED_TRACE(width);
    auto ops = optimised_ops([&] { return mlp_block_model(width); });
    EXPECT_EQ(ops["LayerNormalization"], 1);
    EXPECT_EQ(ops["Erf"], 0);
    EXPECT_EQ(ops["Gelu"], 0);  // became fc1's activation (fuse_matmul.h)
    EXPECT_EQ(ops["FusedMatMul"], 2);
    EXPECT_EQ(ops["Add"], 1);  // the residual
    EXPECT_LT(
        compare_sessions([&] { return mlp_block_model(width); }, {{1, 9, width}, {2, 9, width}}),
        2e-5);
  }
}

}  // namespace
}  // namespace flowonnx
