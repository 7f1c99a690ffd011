// Our Winograd F(4x4,3x3), F(3x3,3x3) and F(2x2,3x3) kernels against the naive reference conv
// (accumulating in double).
// Tolerance: Winograd in fp32 rounds in the transformed domain, where values are combinations of
// up to 36 inputs with coefficients up to 8 (A^T) and 5 (B^T), so the error is not relative to
// each output element but to the output's scale (a small output can be the difference of large
// transformed values). We therefore bound |winograd - reference| <= 5e-5 * max|reference|: the
// measured worst case on ResNet-34's shapes is printed by NumericsOnResNetShapes (5e-6 to 1.4e-5),
// so the bound has >3x headroom while still catching any wrong coefficient (which gives O(1)).
// F(2,3)'s coefficients are 0, +-1 and 1/2, so its error is smaller, F(3,3)'s (up to 4 and 1/6)
// lies between; both are held to the same bound.
#include "kernels/cpu/winograd_conv.h"

#include <cmath>
#include <span>
#include <thread>

#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/conv_prepared.h"
#include "kernels/cpu/threading.h"
#include "test_util.h"

namespace flowonnx::kernels {
namespace {

using flowonnx::testing::expect_error;

constexpr double kTolerance = 5e-5;  // of max |reference|, see the file comment

// Plain NCHW <-> nChw8c, by the formula of blocked_layout.h (independent of oneDNN).
Tensor to_blocked8(const Tensor& plain) {
  const Shape& s = plain.shape();
  Tensor blocked(s);
  const float* in = plain.data<float>();
  float* out = blocked.data<float>();
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c)
      for (int64_t hw = 0; hw < s[2] * s[3]; ++hw)
        out[((n * s[1] / 8 + c / 8) * s[2] * s[3] + hw) * 8 + c % 8] =
            in[(n * s[1] + c) * s[2] * s[3] + hw];
  return blocked;
}

Tensor from_blocked8(const Tensor& blocked) {
  const Shape& s = blocked.shape();
  Tensor plain(s);
  const float* in = blocked.data<float>();
  float* out = plain.data<float>();
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c)
      for (int64_t hw = 0; hw < s[2] * s[3]; ++hw)
        out[(n * s[1] + c) * s[2] * s[3] + hw] =
            in[((n * s[1] / 8 + c / 8) * s[2] * s[3] + hw) * 8 + c % 8];
  return plain;
}

float activate(float v, const ConvActivation& a) {
  if (a.kind == ConvActivation::Kind::Relu) return std::max(v, 0.f);
  if (a.kind == ConvActivation::Kind::Clip) return std::min(std::max(v, a.min), a.max);
  const double sigmoid = 1 / (1 + std::exp(-double{v}));
  if (a.kind == ConvActivation::Kind::Sigmoid) return static_cast<float>(sigmoid);
  if (a.kind == ConvActivation::Kind::Swish) return static_cast<float>(v * sigmoid);
  if (a.kind == ConvActivation::Kind::HardSwish)
    return static_cast<float>(v * std::clamp(v / 6.0 + 0.5, 0.0, 1.0));
  return v;
}

// The reference: naive conv + bias, then the post-ops element-wise, all in plain layout.
Tensor reference(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dParams& params,
                 const ConvPostOps& post_ops, const Tensor* sum) {
  Tensor y(conv2d_output_shape(x.shape(), w.shape(), params));
  conv2d_reference(x, w, bias, params, y);
  float* out = y.data<float>();
  for (int64_t i = 0; i < y.num_elements(); ++i) {
    float v = activate(out[i], post_ops.pre);
    if (sum) v += sum->data<float>()[i];
    out[i] = activate(v, post_ops.post);
  }
  return y;
}

struct Deviation {
  double max_abs = 0, scale = 0;
  double relative() const { return max_abs / std::max(scale, 1e-30); }
};

Deviation compare(const Tensor& actual, const Tensor& expected) {
  Deviation e;
  const std::vector<double> a = actual.to_double_vector(), b = expected.to_double_vector();
  for (size_t i = 0; i < a.size(); ++i) {
    e.max_abs = std::max(e.max_abs, std::abs(a[i] - b[i]));
    e.scale = std::max(e.scale, std::abs(b[i]));
  }
  return e;
}

Conv2dParams pads(int64_t top, int64_t left, int64_t bottom, int64_t right) {
  Conv2dParams p;
  p.pads_begin = {top, left};
  p.pads_end = {bottom, right};
  return p;
}

// Runs one case (random data, optional residual and in-place residual) and compares.
void check_case(int tile, int64_t n, int64_t c, int64_t o, int64_t h, int64_t w,
                const Conv2dParams& params, bool with_bias, ConvPostOps post_ops, bool sum_in_place,
                Generator& gen) {
  SCOPED_TRACE(fmt::format(
      "F({0}x{0},3x3) N={1} C={2} O={3} H={4} W={5} pads=[{6},{7},{8},{9}] bias={10} pre={11} "
      "sum={12}{13} post={14}",
      tile, n, c, o, h, w, params.pads_begin[0], params.pads_begin[1], params.pads_end[0],
      params.pads_end[1], with_bias, static_cast<int>(post_ops.pre.kind), post_ops.with_sum,
      sum_in_place ? " (in place)" : "", static_cast<int>(post_ops.post.kind)));
  const Tensor x = randn({n, c, h, w}, gen), weights = randn({o, c, 3, 3}, gen);
  const Tensor bias = with_bias ? randn({o}, gen) : Tensor();
  const Shape out = conv2d_output_shape(x.shape(), weights.shape(), params);
  const Tensor residual = randn(out, gen);
  const Tensor* sum = post_ops.with_sum ? &residual : nullptr;
  const Tensor expected = reference(x, weights, bias, params, post_ops, sum);

  const WinogradConv conv(weights, bias, post_ops, tile);
  Tensor y(out);
  Tensor blocked_sum;
  if (sum) blocked_sum = to_blocked8(residual);
  if (sum_in_place) y = blocked_sum;  // same buffer: accumulate in place
  conv.run(to_blocked8(x), params, sum ? &blocked_sum : nullptr, y);
  // The output scale is that of conv + bias (and the residual), before any activation
  // clips it: the rounding happens there.
  const Tensor raw = reference(x, weights, bias, params, {}, sum);
  const double scale = compare(raw, raw).scale;
  const Deviation e = compare(from_blocked8(y), expected);
  EXPECT_LE(e.max_abs, kTolerance * std::max(scale, 1.0)) << "scale " << scale;
}

TEST(WinogradConv, SupportsOnly3x3Stride1Groups1) {
  EXPECT_TRUE(WinogradConv::supports({64, 64, 3, 3}, 1, pads(1, 1, 1, 1)));
  EXPECT_FALSE(WinogradConv::supports({64, 64, 1, 1}, 1, pads(0, 0, 0, 0)));
  EXPECT_FALSE(WinogradConv::supports({64, 32, 3, 3}, 2, pads(1, 1, 1, 1)));
  EXPECT_FALSE(WinogradConv::supports({60, 64, 3, 3}, 1, pads(1, 1, 1, 1)));
  Conv2dParams strided = pads(1, 1, 1, 1);
  strided.strides = {2, 2};
  EXPECT_FALSE(WinogradConv::supports({64, 64, 3, 3}, 1, strided));
  Conv2dParams dilated = pads(1, 1, 1, 1);
  dilated.dilations = {2, 1};
  EXPECT_FALSE(WinogradConv::supports({64, 64, 3, 3}, 1, dilated));
}

class WinogradVariant : public ::testing::TestWithParam<int> {};  // the output tile

TEST_P(WinogradVariant, MatchesReferenceOnManyShapes) {
  Generator gen(7);
  const int64_t sizes[] = {1, 2, 3, 5, 7, 8, 13, 14, 56};
  const std::array<int64_t, 2> channel_pairs[] = {{8, 8},  {16, 24}, {24, 16},
                                                  {64, 8}, {8, 64},  {64, 64}};
  const Conv2dParams pad_sets[] = {pads(0, 0, 0, 0), pads(1, 1, 1, 1), pads(0, 1, 2, 1),
                                   pads(2, 0, 1, 3)};
  int index = 0;
  for (int64_t h : sizes)
    for (int64_t w : {h, sizes[(index + 3) % 9]})
      for (const Conv2dParams& p : pad_sets) {
        ++index;
        if (h + p.pads_begin[0] + p.pads_end[0] < 3 || w + p.pads_begin[1] + p.pads_end[1] < 3)
          continue;
        // Big channel counts only on small images, to keep the naive reference quick.
        const auto& channels = channel_pairs[index % (h * w > 200 ? 3 : 6)];
        const int64_t batch = index % 2 ? 1 : 3;
        ConvPostOps post_ops;
        check_case(GetParam(), batch, channels[0], channels[1], h, w, p, index % 3 != 0, post_ops,
                   false, gen);
      }
}

// 7..14 tiles in one row of tiles: full 6-row GEMM blocks, then remainders of every size,
// including the 1-2 rows that are merged with the last full block.
TEST_P(WinogradVariant, EveryRowBlockRemainder) {
  Generator gen(17);
  const int64_t side = GetParam();
  for (int64_t tiles = 7; tiles <= 14; ++tiles)
    check_case(GetParam(), 1, 16, 24, side, side * tiles, pads(1, 1, 1, 1), true, {}, false, gen);
}

TEST_P(WinogradVariant, EveryPostOpCombination) {
  Generator gen(11);
  const ConvActivation none, relu{ConvActivation::Kind::Relu},
      clip{ConvActivation::Kind::Clip, -0.5f, 0.7f}, sigmoid{ConvActivation::Kind::Sigmoid},
      swish{ConvActivation::Kind::Swish}, hard_swish{ConvActivation::Kind::HardSwish};
  for (bool with_bias : {false, true})
    for (const ConvActivation& pre : {none, relu, clip, sigmoid, swish, hard_swish})
      for (int sum_mode : {0, 1, 2})  // none, separate tensor, in place
        for (const ConvActivation& post : {none, relu}) {
          ConvPostOps post_ops{pre, sum_mode != 0, post};
          check_case(GetParam(), 2, 16, 24, 9, 11, pads(1, 1, 1, 1), with_bias, post_ops,
                     sum_mode == 2, gen);
        }
}

// Reports the error on ResNet-34's 3x3 shapes with realistic data: Kaiming-scaled weights and
// post-ReLU unit-scale inputs.
TEST_P(WinogradVariant, NumericsOnResNetShapes) {
  Generator gen(3);
  for (int64_t stage = 0; stage < 4; ++stage) {
    const int64_t channels = 64 << stage, size = 56 >> stage;
    Tensor x = randn({1, channels, size, size}, gen);
    for (float& v : std::span(x.data<float>(), x.num_elements())) v = std::max(v, 0.f);
    Tensor w = randn({channels, channels, 3, 3}, gen);
    const float kaiming = std::sqrt(2.f / static_cast<float>(9 * channels));
    for (float& v : std::span(w.data<float>(), w.num_elements())) v *= kaiming;
    const Conv2dParams p = pads(1, 1, 1, 1);
    const Tensor expected = reference(x, w, Tensor(), p, {}, nullptr);
    const WinogradConv conv(w, Tensor(), {}, GetParam());
    Tensor y(expected.shape());
    conv.run(to_blocked8(x), p, nullptr, y);
    const Tensor actual = from_blocked8(y);
    const Deviation e = compare(actual, expected);
    double max_elem_rel = 0;  // per element, only where the output is not tiny
    const std::vector<double> a = actual.to_double_vector(), b = expected.to_double_vector();
    for (size_t i = 0; i < a.size(); ++i)
      if (std::abs(b[i]) > 0.1 * e.scale)
        max_elem_rel = std::max(max_elem_rel, std::abs(a[i] - b[i]) / std::abs(b[i]));
    std::printf(
        "[ numerics ] F(%dx%d,3x3) %lldx%lldx%lld: max abs err %.3g, output scale %.3g, "
        "relative to "
        "scale %.3g, worst element-relative (|y| > 0.1 scale) %.3g\n",
        GetParam(), GetParam(), static_cast<long long>(channels), static_cast<long long>(size),
        static_cast<long long>(size), e.max_abs, e.scale, e.relative(), max_elem_rel);
    EXPECT_LE(e.relative(), kTolerance);
  }
}

TEST(WinogradConv, ConcurrentCallsOnOneObjectGiveIdenticalResults) {
  Generator gen(5);
  const Tensor weights = randn({32, 16, 3, 3}, gen), bias = randn({32}, gen);
  const WinogradConv conv(weights, bias, {{ConvActivation::Kind::Relu}, false, {}});
  const Conv2dParams p = pads(1, 1, 1, 1);
  constexpr int kThreads = 4;
  std::vector<Tensor> inputs, expected;
  for (int i = 0; i < kThreads; ++i) {
    inputs.push_back(to_blocked8(randn({2, 16, 17 + i, 23}, gen)));
    expected.emplace_back(Shape{2, 32, 17 + i, 23});
    conv.run(inputs[i], p, nullptr, expected[i]);
  }
  std::vector<Tensor> results;
  for (int i = 0; i < kThreads; ++i) results.emplace_back(Shape{2, 32, 17 + i, 23});
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      for (int repeat = 0; repeat < 5; ++repeat) conv.run(inputs[i], p, nullptr, results[i]);
    });
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < kThreads; ++i)
    EXPECT_TRUE(flowonnx::testing::all_equal(results[i], expected[i])) << "thread " << i;
}

// The split into work items depends on the thread count (chunks of tiles, or panel groups for
// few tiles); every output is computed the same way in all of them.
TEST_P(WinogradVariant, SameResultsWithAnyThreadCount) {
  Generator gen(13);
  const WinogradConv conv(randn({48, 24, 3, 3}, gen), randn({48}, gen), {}, GetParam());
  const Conv2dParams p = pads(1, 1, 1, 1);
  const int saved = num_threads();
  for (const Shape& shape : {Shape{1, 24, 7, 9}, Shape{3, 24, 30, 29}}) {
    const Tensor x = to_blocked8(randn(shape, gen));
    std::vector<Tensor> results;
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      results.emplace_back(Shape{shape[0], 48, shape[2], shape[3]});
      conv.run(x, p, nullptr, results.back());
    }
    EXPECT_TRUE(flowonnx::testing::all_equal(results[1], results[0]));
    EXPECT_TRUE(flowonnx::testing::all_equal(results[2], results[0]));
  }
  set_num_threads(saved);
}

TEST(WinogradConv, RejectsBadInputs) {
  Generator gen(1);
  const WinogradConv conv(randn({16, 8, 3, 3}, gen), Tensor(), {});
  Tensor y({1, 16, 4, 4});
  expect_error(
      [&] {
        conv.run(randn({1, 16, 4, 4}, gen), pads(0, 0, 0, 0), nullptr, y);
      },
      ErrorCode::InvalidArgument, "must be float32 [N,8,H,W]");
  expect_error(
      [&] {
        conv.run(randn({1, 8, 7, 7}, gen), pads(0, 0, 0, 0), nullptr, y);
      },
      ErrorCode::InvalidArgument, "output");
  expect_error(
      [&] {
        WinogradConv(randn({16, 8, 1, 1}, gen), Tensor(), {});
      },
      ErrorCode::InvalidArgument, "[O,C,3,3]");
  expect_error(
      [&] {
        WinogradConv(randn({16, 8, 3, 3}, gen), Tensor(), {}, 5);
      },
      ErrorCode::InvalidArgument, "output tile 5 is not 4, 3 or 2");
}

INSTANTIATE_TEST_SUITE_P(WinogradConv, WinogradVariant, ::testing::Values(4, 3, 2),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return fmt::format("F{}3", info.param);
                         });

// The variant rule (numbers in winograd_conv.cc): F(4,3) from 32 of its 4x4 tiles, F(3,3) from
// 16 of its 3x3 tiles, F(2,3) below while it saves a third of the multiplications, else direct.
TEST(WinogradConv, OutputTileRule) {
  EXPECT_EQ(winograd_output_tile(1, 64, 64, 56, 56), 4);    // 196 tiles
  EXPECT_EQ(winograd_output_tile(1, 128, 128, 28, 28), 4);  // 49
  EXPECT_EQ(winograd_output_tile(1, 256, 256, 14, 14), 3);  // 16 of 4x4, 25 of 3x3
  EXPECT_EQ(winograd_output_tile(2, 256, 256, 14, 14), 4);  // 32
  EXPECT_EQ(winograd_output_tile(1, 512, 512, 7, 7), 2);    // 9 of 3x3 (16 of 2x2: 256 vs 441)
  EXPECT_EQ(winograd_output_tile(2, 512, 512, 7, 7), 3);    // 8 of 4x4, 18 of 3x3
  EXPECT_EQ(winograd_output_tile(8, 512, 512, 7, 7), 4);    // 32
  EXPECT_EQ(winograd_output_tile(1, 512, 512, 2, 2), 2);    // one 2x2 tile: 16 vs 36
  EXPECT_EQ(winograd_output_tile(1, 512, 512, 3, 3), 0);    // four 2x2 tiles: 64 vs 81
  EXPECT_EQ(winograd_output_tile(1, 512, 512, 1, 1), 0);
}

// PreparedConv picks our kernel for eligible shapes on AVX2 (nChw8c) CPUs and matches the
// direct oneDNN algorithm.
TEST(WinogradConv, PreparedConvUsesItAndMatchesDirect) {
  // On AVX-512 oneDNN runs its own Winograd; ctest's ops_tests_isa_avx2 runs this case there.
  if (channel_block() != 8) GTEST_SKIP() << "oneDNN runs its own AVX-512 kernels here; "
                                            "ops_tests_isa_avx2 covers this (ONEDNN_MAX_CPU_ISA=AVX2)";
  Generator gen(9);
  const Tensor weights = randn({64, 64, 3, 3}, gen), bias = randn({64}, gen);
  const ConvPostOps post_ops{{ConvActivation::Kind::Relu}, true, {ConvActivation::Kind::Relu}};
  const PreparedConv winograd(weights, bias, 1, post_ops, ConvAlgorithm::WinogradWhereAvailable);
  const PreparedConv direct(weights, bias, 1, post_ops, ConvAlgorithm::Direct);
  const Conv2dParams p = pads(1, 1, 1, 1);
  const Shape x_shape = {1, 64, 28, 28};
  constexpr const char* kF43 = "flowonnx:winograd_f43_avx2";
  constexpr const char* kF33 = "flowonnx:winograd_f33_avx2";
  constexpr const char* kF23 = "flowonnx:winograd_f23_avx2";
  EXPECT_EQ(winograd.implementation(x_shape, p), kF43);
  EXPECT_EQ(direct.implementation(x_shape, p).find("flowonnx:"), std::string::npos);
  auto expect_matches_direct = [&](const PreparedConv& conv, const Shape& shape) {
    const Tensor x = to_blocked8(randn(shape, gen));
    const Tensor residual = to_blocked8(randn(shape, gen));
    Tensor y(shape), y_direct(shape);
    conv.run(x, p, &residual, y);
    direct.run(x, p, &residual, y_direct);
    const Deviation e = compare(y, y_direct);
    EXPECT_LE(e.max_abs, kTolerance * e.scale) << shape_to_string(shape);
  };
  expect_matches_direct(winograd, x_shape);
  // A 7x7 output at batch 1 is F(2,3)'s, but this conv holds F(4,3)'s U: direct (one U per
  // conv). A conv first prepared for 7x7 takes F(2,3); larger images run direct while it holds
  // the original weights (after release_weights they run on F(2,3): weight_release_test.cc).
  EXPECT_EQ(winograd.implementation({1, 64, 7, 7}, p).find("flowonnx:"), std::string::npos);
  const PreparedConv small(weights, bias, 1, post_ops, ConvAlgorithm::WinogradWhereAvailable);
  EXPECT_EQ(small.implementation({1, 64, 7, 7}, p), kF23);
  EXPECT_EQ(small.implementation({1, 64, 1, 1}, p).find("flowonnx:"), std::string::npos);
  EXPECT_EQ(small.implementation(x_shape, p).find("flowonnx:"), std::string::npos);
  expect_matches_direct(small, {1, 64, 7, 7});
  const PreparedConv middle(weights, bias, 1, post_ops, ConvAlgorithm::WinogradWhereAvailable);
  EXPECT_EQ(middle.implementation({1, 64, 14, 14}, p), kF33);
  expect_matches_direct(middle, {1, 64, 14, 14});
  // Ineligible shapes (stride 2) keep the direct oneDNN kernel.
  Conv2dParams strided = p;
  strided.strides = {2, 2};
  EXPECT_EQ(winograd.implementation(x_shape, strided).find("flowonnx:"), std::string::npos);
}

}  // namespace
}  // namespace flowonnx::kernels
