// The runtime's session-time conv preparation (runtime/optimize/): BN folding, Relu/Clip and
// residual-Add post-ops, blocked layout with reorders at the edges, Winograd. Every case runs the
// same model through an optimised session and an unoptimised one (optimize_graph = false, the
// plain kernels) and compares; no timing here.
#include <gtest/gtest.h>

#include "kernels/cpu/blocked_layout.h"
#include "runtime/graph_builder.h"
#include "runtime/optimize/optimize.h"
#include "runtime/session.h"
#include "runtime/session_compare.h"
#include "runtime/type_inference.h"
#include "tensor/random.h"

namespace flowonnx {
namespace {

using testing::compare_sessions;
using testing::dims_of;
using testing::GraphBuilder;
using testing::max_relative_error;
using testing::optimised_ops;

Tensor scaled(Tensor t, double factor) {
  float* data = t.data<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) data[i] = static_cast<float>(data[i] * factor);
  return t;
}

// Adds Conv (+ BatchNormalization) to `g`, reading `in`, writing `out`.
void add_conv_bn(GraphBuilder& g, Generator& gen, const std::string& in, const std::string& out,
                 int64_t in_channels, int64_t out_channels, int64_t kernel, int64_t stride,
                 int64_t group, bool with_bias, bool with_bn) {
  const std::string w = out + "_w";
  g.initializer(w, scaled(randn({out_channels, in_channels / group, kernel, kernel}, gen),
                          1.0 / std::sqrt(double(in_channels / group * kernel * kernel))));
  std::vector<std::string> inputs = {in, w};
  if (with_bias) {
    g.initializer(out + "_b", randn({out_channels}, gen));
    inputs.push_back(out + "_b");
  }
  ir::Attributes attrs = {{"kernel_shape", std::vector<int64_t>{kernel, kernel}},
                          {"strides", std::vector<int64_t>{stride, stride}},
                          {"pads", std::vector<int64_t>(4, kernel / 2)},
                          {"group", group}};
  const std::string conv_out = with_bn ? out + "_conv" : out;
  g.node("Conv", inputs, {conv_out}, attrs);
  if (!with_bn) return;
  g.initializer(out + "_scale", rand_uniform({out_channels}, 0.5, 1.5, gen))
      .initializer(out + "_shift", randn({out_channels}, gen))
      .initializer(out + "_mean", randn({out_channels}, gen))
      .initializer(out + "_var", rand_uniform({out_channels}, 0.5, 2.0, gen));
  g.node("BatchNormalization",
         {conv_out, out + "_scale", out + "_shift", out + "_mean", out + "_var"}, {out},
         {{"epsilon", 1e-5}});
}

onnx_io::Model conv_bn_relu_model(int64_t channels, int64_t out_channels, int64_t group,
                                  bool with_bias, const std::string& activation) {
  Generator gen(11);
  GraphBuilder g(activation == "HardSwish" ? 14 : 13);  // HardSwish is opset 14
  g.input("x", DType::Float32, dims_of({1, channels, 10, 10}, true));
  add_conv_bn(g, gen, "x", "y", channels, out_channels, 3, 1, group, with_bias, true);
  if (activation == "Relu" || activation == "Sigmoid" || activation == "HardSwish") {
    g.node(activation, {"y"}, {"z"});
  } else if (activation == "SiLU") {  // PyTorch's export: x * Sigmoid(x)
    g.node("Sigmoid", {"y"}, {"gate"});
    g.node("Mul", {"gate", "y"}, {"z"});
  } else if (activation == "SiLU, gate also an output") {
    g.node("Sigmoid", {"y"}, {"gate"});
    g.node("Mul", {"y", "gate"}, {"z"});
    g.output("gate", DType::Float32, dims_of({1, out_channels, 10, 10}, true));
  } else {
    g.initializer("lo", Tensor::scalar<float>(-0.5f))
        .initializer("hi", Tensor::scalar<float>(0.5f));
    g.node("Clip", {"y", "lo", "hi"}, {"z"});
  }
  g.output("z", DType::Float32, dims_of({1, out_channels, 10, 10}, true));
  return g.build();
}

TEST(ConvFusion, FoldsBatchNormAndReluIntoOneNode) {
  auto ops = optimised_ops([] { return conv_bn_relu_model(32, 32, 1, true, "Relu"); });
  EXPECT_EQ(ops["FusedConv"], 1);
  EXPECT_EQ(ops["BatchNormalization"], 0);
  EXPECT_EQ(ops["Relu"], 0);
}

// Sigmoid, HardSwish and the spelled-out SiLU become the conv's oneDNN post-op (CPU only), on
// blocked (16, 32, 64 channels: Winograd on AVX2 for 3x3 at 32+), channels-last (24) and
// depthwise convs; a SiLU whose gate is read elsewhere stays apart.
TEST(ConvFusion, SigmoidHardSwishAndSiluBecomePostOps) {
  for (const char* activation : {"Sigmoid", "HardSwish", "SiLU"}) {
    for (int64_t channels : {16, 24, 64}) {
      for (int64_t group : {int64_t{1}, channels}) {
        SCOPED_TRACE(fmt::format("{} C={} group={}", activation, channels, group));
        auto model = [&] { return conv_bn_relu_model(channels, channels, group, true, activation); };
        auto ops = optimised_ops(model);
        EXPECT_EQ(ops["FusedConv"], 1);
        EXPECT_EQ(ops["Sigmoid"] + ops["HardSwish"] + ops["Mul"], 0);
        EXPECT_LT(compare_sessions(model, {{1, channels, 10, 10}, {2, channels, 10, 10}}), 1e-5);
      }
    }
  }
  auto shared_gate = [] { return conv_bn_relu_model(16, 16, 1, true, "SiLU, gate also an output"); };
  auto ops = optimised_ops(shared_gate);
  EXPECT_EQ(ops["Sigmoid"], 1);
  EXPECT_EQ(ops["Mul"], 1);
  EXPECT_LT(compare_sessions(shared_gate, {{1, 16, 10, 10}}), 1e-5);
}

TEST(ConvFusion, BatchNormFoldMatchesForPlainBlockedGroupedAndBiaslessConvs) {
  struct Case {
    int64_t channels, out_channels, group;
    bool bias;
    const char* activation;
  };
  // 6 channels run channels-last; 32 and 64 are blocked; group 4 and depthwise (group = C).
  for (const Case& c :
       {Case{6, 6, 1, true, "Relu"}, Case{32, 64, 1, false, "Relu"}, Case{32, 32, 4, false, "Clip"},
        Case{32, 32, 32, true, "Relu"}, Case{6, 32, 2, false, "Clip"}}) {
    SCOPED_TRACE(fmt::format("C={} O={} group={} bias={} {}", c.channels, c.out_channels, c.group,
                             c.bias, c.activation));
    auto model = [&] {
      return conv_bn_relu_model(c.channels, c.out_channels, c.group, c.bias, c.activation);
    };
    EXPECT_LT(compare_sessions(model, {{1, c.channels, 10, 10}, {3, c.channels, 10, 10}}), 1e-5);
  }
}

// Two ResNet basic blocks: identity shortcut, then a stride-2 block with a 1x1 downsample conv
// (the residual Add of two convs), a max pool between them, and a global pool head.
onnx_io::Model resnet_blocks_model(int64_t channels) {
  Generator gen(5);
  GraphBuilder g(13);
  g.input("x", DType::Float32, dims_of({1, channels, 16, 16}, true));
  ir::Attributes pool = {{"kernel_shape", std::vector<int64_t>{3, 3}},
                         {"strides", std::vector<int64_t>{2, 2}},
                         {"pads", std::vector<int64_t>{1, 1, 1, 1}}};
  g.node("MaxPool", {"x"}, {"p"}, pool);
  add_conv_bn(g, gen, "p", "a1", channels, channels, 3, 1, 1, false, true);
  g.node("Relu", {"a1"}, {"r1"});
  add_conv_bn(g, gen, "r1", "a2", channels, channels, 3, 1, 1, false, true);
  g.node("Add", {"a2", "p"}, {"s1"});
  g.node("Relu", {"s1"}, {"o1"});
  add_conv_bn(g, gen, "o1", "b1", channels, 2 * channels, 3, 2, 1, false, true);
  g.node("Relu", {"b1"}, {"q1"});
  add_conv_bn(g, gen, "q1", "b2", 2 * channels, 2 * channels, 3, 1, 1, false, true);
  add_conv_bn(g, gen, "o1", "ds", channels, 2 * channels, 1, 2, 1, false, true);
  g.node("Add", {"b2", "ds"}, {"s2"});
  g.node("Relu", {"s2"}, {"o2"});
  g.node("GlobalAveragePool", {"o2"}, {"gap"});
  g.output("gap", DType::Float32, dims_of({1, 2 * channels, 1, 1}, true));
  return g.build();
}

TEST(ConvFusion, ResidualAddIsFusedAsASumPostOp) {
  auto ops = optimised_ops([] { return resnet_blocks_model(32); });
  EXPECT_EQ(ops["FusedConv"], 5);
  EXPECT_EQ(ops["Add"], 0);
  EXPECT_EQ(ops["Relu"], 0);
  EXPECT_EQ(ops["BlockedMaxPool"], 0);  // the input is plain, so MaxPool stays
  SessionOptions direct;
  direct.winograd = false;
  EXPECT_LT(compare_sessions([] { return resnet_blocks_model(32); }, {{1, 32, 16, 16}}, direct),
            1e-5);
}

TEST(ConvFusion, ResidualBlocksMatchWithPlainAndBlockedChannelCounts) {
  SessionOptions direct;
  direct.winograd = false;
  for (int64_t channels : {4, 16, 24}) {
    SCOPED_TRACE(channels);
    EXPECT_LT(compare_sessions([&] { return resnet_blocks_model(channels); },
                               {{1, channels, 16, 16}, {2, channels, 16, 16}}, direct),
              1e-5);
  }
}

// Winograd F(4,3) rounds differently from direct convolution; the check tolerance of
// convert_to_onnx_and_check (rtol 1e-4) must still hold on deep stacks.
TEST(ConvFusion, WinogradStaysWithinTheCheckTolerance) {
  EXPECT_LT(compare_sessions([] { return resnet_blocks_model(64); }, {{1, 64, 16, 16}}), 1e-4);
}

// Conv -> MaxPool -> Conv keeps the blocked layout through the pool (ResNet's stem), with
// ceil_mode and asymmetric pads.
TEST(ConvFusion, MaxPoolBetweenConvsRunsBlocked) {
  auto model = [] {
    Generator gen(3);
    GraphBuilder g(13);
    g.input("x", DType::Float32, dims_of({1, 3, 23, 23}, true));
    add_conv_bn(g, gen, "x", "c1", 3, 32, 7, 2, 1, false, true);
    g.node("Relu", {"c1"}, {"r1"});
    g.node("MaxPool", {"r1"}, {"p"},
           {{"kernel_shape", std::vector<int64_t>{3, 3}},
            {"strides", std::vector<int64_t>{2, 2}},
            {"pads", std::vector<int64_t>{1, 0, 0, 1}},
            {"ceil_mode", int64_t{1}}});
    add_conv_bn(g, gen, "p", "c2", 32, 32, 3, 1, 1, true, false);
    g.output("c2", DType::Float32, {ir::Dim::named("N"), ir::Dim::of(32), {}, {}});
    return g.build();
  };
  auto ops = optimised_ops(model);
  EXPECT_EQ(ops["BlockedMaxPool"], 1);
  EXPECT_EQ(ops["ReorderLayout"], 1);  // only at the graph output
  EXPECT_LT(compare_sessions(model, {{1, 3, 23, 23}, {2, 3, 23, 23}}), 1e-5);
}

// A conv output that is also a graph output, or read by an op that knows only NCHW, keeps its
// plain value; nothing is fused across it.
TEST(ConvFusion, SharedAndOutputValuesStayVisible) {
  auto model = [] {
    Generator gen(9);
    GraphBuilder g(13);
    g.input("x", DType::Float32, dims_of({1, 16, 8, 8}, false));
    add_conv_bn(g, gen, "x", "c1", 16, 16, 3, 1, 1, true, true);
    g.node("Relu", {"c1"}, {"r1"});
    g.node("Sigmoid", {"c1"}, {"s1"});
    add_conv_bn(g, gen, "r1", "c2", 16, 16, 3, 1, 1, true, false);
    g.node("Add", {"c2", "s1"}, {"sum"});
    g.output("c1", DType::Float32, dims_of({1, 16, 8, 8}, false));
    g.output("sum", DType::Float32, dims_of({1, 16, 8, 8}, false));
    return g.build();
  };
  auto ops = optimised_ops(model);
  EXPECT_EQ(ops["Relu"], 1);  // c1 has three readers: not fused
  EXPECT_EQ(ops["Add"], 0);   // c2 -> Add(s1) is
  EXPECT_LT(compare_sessions(model, {{1, 16, 8, 8}}), 1e-5);
}

// Many different inputs, and batch sizes alternating, through one session: cached primitives,
// prepacked weights, pooled buffers and in-place residual buffers must never leak stale data.
TEST(ConvFusion, ManyInputsThroughOneSessionMatchFreshResults) {
  SessionOptions plain;
  plain.optimize_graph = false;
  InferenceSession fast(resnet_blocks_model(32), {"CPUExecutionProvider"});
  InferenceSession reference(resnet_blocks_model(32), {"CPUExecutionProvider"}, plain);
  Generator gen(21);
  for (int round = 0; round < 12; ++round) {
    const Shape shape = {round % 3 == 2 ? 2 : 1, 32, 16, 16};
    std::map<std::string, Tensor> feeds = {{"x", randn(shape, gen)}};
    const Tensor before = feeds["x"].clone();
    auto got = fast.run({}, feeds);
    auto want = reference.run({}, feeds);
    ASSERT_LT(max_relative_error(got[0], want[0]), 1e-4) << "round " << round;
    ASSERT_EQ(max_relative_error(feeds["x"], before), 0.0) << "the feed was overwritten";
  }
}

TEST(ConvFusion, FeedOverridableWeightsAreNotFolded) {
  auto ops = optimised_ops([] {
    Generator gen(4);
    GraphBuilder g(13);
    g.input("x", DType::Float32, dims_of({1, 16, 6, 6}, false));
    add_conv_bn(g, gen, "x", "y", 16, 16, 3, 1, 1, false, true);
    g.output("y", DType::Float32, dims_of({1, 16, 6, 6}, false));
    onnx_io::Model model = g.build();
    model.graph.inputs.push_back("y_w");  // IR v3 style: the weight may be fed
    model.graph.set_type("y_w", ir::ValueType::of(DType::Float32, {16, 16, 3, 3}));
    return model;
  });
  EXPECT_EQ(ops["Conv"], 1);
  EXPECT_EQ(ops["BatchNormalization"], 1);
}

}  // namespace
}  // namespace flowonnx
