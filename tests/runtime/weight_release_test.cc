// Conv weights held once (issue #6): PreparedConv drops the original weights after packing them
// for the first geometry, and the execution plan frees initializers that every reading kernel
// absorbed. What is kept depends on the kernel the CPU gets: oneDNN's own Winograd (its AVX-512
// kernels) packs weights in a format that cannot be reordered back, so a conv on it keeps the
// original; every other kernel releases it. The tests check that rule on whichever ISA runs them,
// and ctest runs them a second time with ONEDNN_MAX_CPU_ISA=AVX2 (tests/CMakeLists.txt), so an
// AVX-512 machine covers our own Winograd kernel too. Every case checks that convs still compute
// right afterwards, at the compile geometry and at new ones (batch and spatial size), against the
// naive conv2d_reference or an unoptimised session; no timing and no RSS here
// (bench/compare_ort.sh measures that).
#include <gtest/gtest.h>

#include <thread>

#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/conv_prepared.h"
#include "kernels/cpu/winograd_conv.h"
#include "runtime/execution_plan.h"
#include "runtime/graph_builder.h"
#include "runtime/kernel_registry.h"
#include "runtime/optimize/optimize.h"
#include "runtime/session.h"
#include "runtime/type_inference.h"
#include "tensor/random.h"

namespace flowonnx {
namespace {

using testing::GraphBuilder;
using testing::max_relative_error;


// ---- PreparedConv on its own, against conv2d_reference ----

struct ConvCase {
  const char* name;
  int64_t in_channels, out_channels, kernel, stride, groups;
  kernels::ConvAlgorithm algorithm;
};

// True when `implementation` keeps the original weights after release_weights() (see the top).
bool keeps_original_weights(const std::string& implementation) {
  return implementation.find("_wino") != std::string::npos;  // jit_wino_4x3, jit_fp32_wino_2x3
}

kernels::Conv2dParams params_of(const ConvCase& c) {
  kernels::Conv2dParams p;
  p.strides = {c.stride, c.stride};
  p.pads_begin = p.pads_end = {c.kernel / 2, c.kernel / 2};
  p.groups = c.groups;
  return p;
}

Tensor relayout(const Tensor& x, kernels::ActivationLayout from, kernels::ActivationLayout to) {
  if (from == to) return x;
  Tensor y(x.shape(), DType::Float32);
  kernels::LayoutReorder(from, to).run(x, y);
  return y;
}

// Runs `conv` on x (plain NCHW) and compares with the reference on `weights`.
double prepared_error(const kernels::PreparedConv& conv, const ConvCase& c, const Tensor& weights,
                      const Tensor& bias, const Tensor& x) {
  const kernels::Conv2dParams params = params_of(c);
  const Shape out = conv.output_shape(x.shape(), params);
  Tensor y(out, DType::Float32);
  using kernels::ActivationLayout;
  conv.run(relayout(x, ActivationLayout::Plain, conv.src_layout()), params, nullptr, y);
  Tensor want(out, DType::Float32);
  kernels::conv2d_reference(x, weights, bias, params, want);
  return max_relative_error(relayout(y, conv.dst_layout(), ActivationLayout::Plain), want);
}

const ConvCase kConvCases[] = {
    {"direct 1x1", 16, 32, 1, 1, 1, kernels::ConvAlgorithm::Direct},
    {"direct 3x3 stride 2", 16, 16, 3, 2, 1, kernels::ConvAlgorithm::WinogradWhereAvailable},
    {"winograd 3x3", 16, 16, 3, 1, 1, kernels::ConvAlgorithm::WinogradWhereAvailable},
    {"winograd-eligible 3x3 as direct", 16, 16, 3, 1, 1, kernels::ConvAlgorithm::Direct},
    {"grouped", 32, 32, 3, 1, 4, kernels::ConvAlgorithm::WinogradWhereAvailable},
    {"depthwise", 16, 16, 3, 1, 16, kernels::ConvAlgorithm::WinogradWhereAvailable},
    {"plain channels", 3, 8, 3, 1, 1, kernels::ConvAlgorithm::WinogradWhereAvailable},
};

TEST(WeightRelease, PreparedConvRunsNewGeometriesAfterDroppingTheOriginal) {
  Generator gen(3);
  // Compiled at 1x16x16 (Winograd pays off there on AVX2), then a larger batch, a smaller and
  // a larger image (the 4x4 one would pick direct before the release), and the first again.
  const std::vector<std::array<int64_t, 3>> geometries = {
      {1, 16, 16}, {3, 16, 16}, {1, 4, 4}, {2, 20, 12}, {1, 16, 16}};
  for (const ConvCase& c : kConvCases) {
    SCOPED_TRACE(c.name);
    const Tensor weights =
        randn({c.out_channels, c.in_channels / c.groups, c.kernel, c.kernel}, gen);
    const Tensor bias = randn({c.out_channels}, gen);
    // The conv gets its own copy, so nothing but the conv could keep the original alive.
    kernels::PreparedConv conv(weights.clone(), bias.clone(), c.groups, {}, c.algorithm);
    EXPECT_FALSE(conv.release_weights()) << "nothing prepared yet";
    EXPECT_TRUE(conv.holds_original_weights());
    const auto& g0 = geometries[0];
    const std::string first =
        conv.implementation({g0[0], c.in_channels, g0[1], g0[2]}, params_of(c));
    SCOPED_TRACE(first);
    const bool keeps = keeps_original_weights(first);
    ASSERT_EQ(conv.release_weights(), !keeps);
    EXPECT_EQ(conv.holds_original_weights(), keeps);
    for (const auto& g : geometries) {
      SCOPED_TRACE(fmt::format("{}x{}x{}", g[0], g[1], g[2]));
      const Tensor x = randn({g[0], c.in_channels, g[1], g[2]}, gen);
      // Winograd F(4,3) rounds differently from the direct sum (conv_fusion_test.cc: 1e-4).
      EXPECT_LT(prepared_error(conv, c, weights, bias, x), 1e-4);
    }
  }
}

// The kernel picked for the compile geometry decides what is kept: oneDNN's packed weights, its
// Winograd weights and the original (AVX-512), or only our Winograd kernel's U (AVX2), which then
// runs every later geometry.
TEST(WeightRelease, WinogradConvKeepsRunningOnItsTransformedWeights) {
  Generator gen(4);
  const ConvCase c = kConvCases[2];
  const Tensor weights = randn({16, 16, 3, 3}, gen), bias = randn({16}, gen);
  kernels::PreparedConv conv(weights.clone(), bias.clone(), 1, {},
                             kernels::ConvAlgorithm::WinogradWhereAvailable);
  const std::string first = conv.implementation({1, 16, 16, 16}, params_of(c));
  SCOPED_TRACE(first);
  EXPECT_TRUE(first.starts_with("flowonnx:winograd") || keeps_original_weights(first)) << first;
  ASSERT_EQ(conv.release_weights(), !keeps_original_weights(first));
  const std::string tiny = conv.implementation({1, 16, 4, 4}, params_of(c));
  if (first.starts_with("flowonnx:winograd")) EXPECT_EQ(tiny, first);
  const Tensor x = randn({1, 16, 4, 4}, gen);
  EXPECT_LT(prepared_error(conv, c, weights, bias, x), 1e-4);
}

// A geometry first met after the release, on several threads at once: the shape cache builds
// it once, from the packed weights, under its lock.
TEST(WeightRelease, NewGeometriesBuiltConcurrentlyFromPackedWeights) {
  Generator gen(5);
  for (const ConvCase& c : {kConvCases[1], kConvCases[2], kConvCases[4]}) {
    SCOPED_TRACE(c.name);
    const Tensor weights =
        randn({c.out_channels, c.in_channels / c.groups, c.kernel, c.kernel}, gen);
    const Tensor bias = randn({c.out_channels}, gen);
    kernels::PreparedConv conv(weights.clone(), bias.clone(), c.groups, {}, c.algorithm);
    const std::string first = conv.implementation({1, c.in_channels, 8, 8}, params_of(c));
    ASSERT_EQ(conv.release_weights(), !keeps_original_weights(first)) << first;
    std::vector<Tensor> inputs;
    for (int64_t batch : {2, 2, 5, 5, 1, 3})
      inputs.push_back(randn({batch, c.in_channels, 12, 12}, gen));
    std::vector<double> errors(inputs.size(), 1);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < inputs.size(); ++i)
      threads.emplace_back(
          [&, i] { errors[i] = prepared_error(conv, c, weights, bias, inputs[i]); });
    for (auto& t : threads) t.join();
    for (double error : errors) EXPECT_LT(error, 1e-4);
  }
}

// ---- the session: initializers freed from the plan and the graph ----

std::vector<ir::Dim> batch_symbolic(const Shape& shape) {
  std::vector<ir::Dim> dims;
  for (int64_t d : shape) dims.push_back(ir::Dim::of(d));
  dims[0] = ir::Dim::named("N");
  return dims;
}

void add_conv(GraphBuilder& g, Generator& gen, const std::string& in, const std::string& out,
              const std::string& weights, int64_t in_channels, int64_t out_channels, int64_t kernel,
              int64_t stride, int64_t group, bool add_weights = true) {
  if (add_weights) {
    // Scaled to keep activations near 1 through the stack (unit-variance weights grow them
    // ~sqrt(fan-in) per conv, and with them the rounding differences).
    Tensor w = randn({out_channels, in_channels / group, kernel, kernel}, gen);
    const double scale = 1 / std::sqrt(double(in_channels / group * kernel * kernel));
    for (int64_t i = 0; i < w.num_elements(); ++i)
      w.data<float>()[i] = static_cast<float>(w.data<float>()[i] * scale);
    g.initializer(weights, w);
  }
  g.node("Conv", {in, weights}, {out},
         {{"kernel_shape", std::vector<int64_t>{kernel, kernel}},
          {"strides", std::vector<int64_t>{stride, stride}},
          {"pads", std::vector<int64_t>(4, kernel / 2)},
          {"group", group}});
}

// Direct (stride 2, 1x1), Winograd (3x3 stride 1, 16 channels at 16x16), grouped and depthwise
// convs; with `shared_weight`, the Winograd conv's weight is also a graph output (read by an
// Identity), and a second conv reuses the 1x1 conv's weight.
onnx_io::Model conv_zoo_model(bool shared_weight) {
  Generator gen(9);
  GraphBuilder g(13);
  g.input("x", DType::Float32, batch_symbolic({1, 16, 16, 16}));
  add_conv(g, gen, "x", "wino", "w_wino", 16, 16, 3, 1, 1);
  g.node("Relu", {"wino"}, {"r"});
  add_conv(g, gen, "r", "grouped", "w_grouped", 16, 32, 3, 1, 4);
  add_conv(g, gen, "grouped", "depthwise", "w_depthwise", 32, 32, 3, 1, 32);
  add_conv(g, gen, "depthwise", "strided", "w_strided", 32, 16, 3, 2, 1);
  add_conv(g, gen, "strided", "pointwise", "w_pointwise", 16, 16, 1, 1, 1);
  g.output("pointwise", DType::Float32, batch_symbolic({1, 16, 8, 8}));
  if (shared_weight) {
    add_conv(g, gen, "pointwise", "pointwise2", "w_pointwise", 16, 16, 1, 1, 1, false);
    g.output("pointwise2", DType::Float32, batch_symbolic({1, 16, 8, 8}));
    g.node("Identity", {"w_wino"}, {"w_copy"});
    g.output("w_copy", DType::Float32,
             std::vector<ir::Dim>{ir::Dim::of(16), ir::Dim::of(16), ir::Dim::of(3),
                                  ir::Dim::of(3)});
  }
  return g.build();
}

const std::vector<std::string> kConvWeights = {"w_wino", "w_grouped", "w_depthwise", "w_strided",
                                               "w_pointwise"};

// The graph a session plans, after its rewrites and the plan (as session.cc builds them).
ir::Graph planned_graph(onnx_io::Model model) {
  ir::Graph graph = std::move(model.graph);
  runtime::infer_types(graph);
  runtime::optimize_for_cpu(graph, {});
  runtime::ExecutionPlan plan(graph, runtime::session_kernel_registry());
  return graph;
}

// Whether the session's Winograd conv of conv_zoo_model (16 channels, 16x16, 3x3) runs on oneDNN's
// Winograd, asked of the same conv outside the session.
bool zoo_winograd_conv_keeps_weights() {
  const ConvCase c = kConvCases[2];
  kernels::PreparedConv conv(Tensor::zeros({16, 16, 3, 3}), Tensor(), 1, {},
                             kernels::ConvAlgorithm::WinogradWhereAvailable);
  return keeps_original_weights(conv.implementation({1, 16, 16, 16}, params_of(c)));
}

TEST(WeightRelease, PlanFreesConvWeightsOnceEveryReaderPrepackedThem) {
  ir::Graph graph = planned_graph(conv_zoo_model(false));
  size_t fused = 0;
  for (const auto& node : graph.nodes()) fused += node->op_type == "FusedConv";
  EXPECT_EQ(fused, 5u);
  for (const auto& w : kConvWeights) {
    const bool kept = w == "w_wino" && zoo_winograd_conv_keeps_weights();
    EXPECT_EQ(graph.is_initializer(w), kept) << w;
  }
}

TEST(WeightRelease, WeightsAnotherNodeReadsAreKept) {
  ir::Graph graph = planned_graph(conv_zoo_model(true));
  EXPECT_TRUE(graph.is_initializer("w_wino"));  // also read by the Identity
  // Both convs reading it prepacked it: nothing else needs it.
  EXPECT_FALSE(graph.is_initializer("w_pointwise"));
  EXPECT_FALSE(graph.is_initializer("w_grouped"));
}

// A model without static input dims prepares nothing at load, so nothing is released.
TEST(WeightRelease, UnknownGeometryKeepsTheWeights) {
  Generator gen(2);
  GraphBuilder g(13);
  g.input("x", DType::Float32,
          std::vector<ir::Dim>{ir::Dim::named("N"), ir::Dim::of(16), ir::Dim::named("H"),
                               ir::Dim::named("W")});
  add_conv(g, gen, "x", "y", "w", 16, 16, 3, 1, 1);
  g.output("y", DType::Float32,
           std::vector<ir::Dim>{ir::Dim::named("N"), ir::Dim::of(16), ir::Dim::named("H"),
                                ir::Dim::named("W")});
  ir::Graph graph = planned_graph(g.build());
  EXPECT_TRUE(graph.is_initializer("w"));
}

// The optimised session (weights released) against the unoptimised one (plain Conv kernels),
// at the compile batch and new ones, from several threads at once.
void expect_session_matches(bool shared_weight) {
  InferenceSession fast(conv_zoo_model(shared_weight));
  SessionOptions plain_options;
  plain_options.optimize_graph = false;
  InferenceSession reference(conv_zoo_model(shared_weight), {"CPUExecutionProvider"},
                             plain_options);
  Generator gen(8);
  std::vector<std::map<std::string, Tensor>> feeds;
  for (int64_t batch : {1, 4, 2, 4, 1, 3})
    feeds.push_back({{"x", randn({batch, 16, 16, 16}, gen)}});
  std::vector<std::vector<Tensor>> got(feeds.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < feeds.size(); ++i)
    threads.emplace_back([&, i] { got[i] = fast.run({}, feeds[i]); });
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < feeds.size(); ++i) {
    auto want = reference.run({}, feeds[i]);
    ASSERT_EQ(got[i].size(), want.size());
    for (size_t k = 0; k < want.size(); ++k)
      EXPECT_LT(max_relative_error(got[i][k], want[k]), 1e-4) << "feed " << i << " output " << k;
  }
}

TEST(WeightRelease, SessionMatchesUnoptimisedAtCompileAndNewBatches) {
  expect_session_matches(false);
}

TEST(WeightRelease, SessionWithSharedWeightsMatchesUnoptimised) { expect_session_matches(true); }

}  // namespace
}  // namespace flowonnx
