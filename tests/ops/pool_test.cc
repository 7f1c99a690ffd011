#include "kernels/cpu/pool.h"

#include "kernels/cpu/blocked_layout.h"

#include "test_util.h"

namespace flowonnx::kernels {
namespace {

using flowonnx::testing::all_close;
using flowonnx::testing::expect_error;

Pool2dParams square(int64_t kernel, int64_t stride, int64_t pad = 0) {
  Pool2dParams p;
  p.kernel = {kernel, kernel};
  p.strides = {stride, stride};
  p.pads_begin = {pad, pad};
  p.pads_end = {pad, pad};
  return p;
}

TEST(Pool2d, HandComputedMaxPool2x2) {
  const Tensor x = Tensor::from_vector<float>(
      {1, 1, 4, 4}, {1, 5, 2, 0, 3, 4, 8, 1, -1, -2, -3, -4, 0, 9, -5, 7});
  Tensor y({1, 1, 2, 2});
  pool2d(PoolKind::Max, x, square(2, 2), y);
  EXPECT_TRUE(all_close(y, Tensor::from_vector<float>({1, 1, 2, 2}, {5, 8, 9, 7})));
  pool2d(PoolKind::Average, x, square(2, 2), y);
  EXPECT_TRUE(all_close(y, Tensor::from_vector<float>({1, 1, 2, 2}, {3.25f, 2.75f, 1.5f, -1.25f})));
}

TEST(Pool2d, HandComputedPaddedAverage) {
  const Tensor x = Tensor::full({1, 1, 3, 3}, 1.0);
  Pool2dParams p = square(3, 1, 1);
  Tensor y({1, 1, 3, 3});
  p.count_include_pad = true;  // corner windows hold 4 real of 9 padded taps
  pool2d(PoolKind::Average, x, p, y);
  EXPECT_TRUE(
      all_close(y, Tensor::from_vector<float>({1, 1, 3, 3}, {4 / 9.f, 6 / 9.f, 4 / 9.f, 6 / 9.f, 1,
                                                             6 / 9.f, 4 / 9.f, 6 / 9.f, 4 / 9.f})));
  p.count_include_pad = false;
  pool2d(PoolKind::Average, x, p, y);
  EXPECT_TRUE(all_close(y, Tensor::full({1, 1, 3, 3}, 1.0)));
}

TEST(Pool2d, CeilModeOverhangCountsOnlyRealAndPaddedTaps) {
  // Width 5, kernel 2, stride 2, ceil_mode: the third window covers [4,6) and column 5 lies
  // beyond the (zero) end padding, so it is not counted even with count_include_pad (PyTorch).
  const Tensor x = Tensor::from_vector<float>({1, 1, 1, 5}, {1, 2, 3, 4, 5});
  Pool2dParams p;
  p.kernel = {1, 2};
  p.strides = {1, 2};
  p.ceil_mode = true;
  ASSERT_EQ(pool2d_output_shape(x.shape(), p), (Shape{1, 1, 1, 3}));
  for (bool include : {false, true}) {
    p.count_include_pad = include;
    Tensor y({1, 1, 1, 3}), reference({1, 1, 1, 3});
    pool2d(PoolKind::Average, x, p, y);
    pool2d_reference(PoolKind::Average, x, p, reference);
    const Tensor expected = Tensor::from_vector<float>({1, 1, 1, 3}, {1.5f, 3.5f, 5});
    EXPECT_TRUE(all_close(y, expected)) << "count_include_pad=" << include;
    EXPECT_TRUE(all_close(reference, expected)) << "count_include_pad=" << include;
  }
  // With end padding 1 the overhanging tap is padding: counted when count_include_pad.
  p.pads_end = {0, 1};
  p.count_include_pad = true;
  Tensor y({1, 1, 1, 3});
  pool2d(PoolKind::Average, x, p, y);
  EXPECT_TRUE(all_close(y, Tensor::from_vector<float>({1, 1, 1, 3}, {1.5f, 3.5f, 2.5f})));
}

TEST(Pool2d, OutputShapeRules) {
  EXPECT_EQ(pool2d_output_shape({1, 64, 112, 112}, square(3, 2, 1)), (Shape{1, 64, 56, 56}));
  Pool2dParams p = square(2, 2, 1);
  EXPECT_EQ(pool2d_output_shape({1, 1, 3, 3}, p), (Shape{1, 1, 2, 2}));
  p.ceil_mode = true;  // ceil gives 3, but the third window would start in the end padding
  EXPECT_EQ(pool2d_output_shape({1, 1, 3, 3}, p), (Shape{1, 1, 2, 2}));
  Pool2dParams q = square(3, 2, 0);
  q.ceil_mode = true;
  EXPECT_EQ(pool2d_output_shape({1, 1, 6, 6}, q), (Shape{1, 1, 3, 3}));
  q.ceil_mode = false;
  EXPECT_EQ(pool2d_output_shape({1, 1, 6, 6}, q), (Shape{1, 1, 2, 2}));
}

TEST(Pool2d, MatchesReferenceOnRandomParams) {
  Generator gen(3);
  auto pick = [&](int64_t low, int64_t high) {
    return low + static_cast<int64_t>(gen.uniform() * double(high - low + 1));
  };
  int checked = 0;
  for (int trial = 0; trial < 120; ++trial) {
    Pool2dParams p;
    for (int i = 0; i < 2; ++i) {
      p.kernel[i] = pick(1, 4);
      p.strides[i] = pick(1, 3);
      p.dilations[i] = trial % 3 == 0 ? 2 : 1;
      const int64_t extent = (p.kernel[i] - 1) * p.dilations[i] + 1;
      p.pads_begin[i] = pick(0, std::min<int64_t>(2, extent - 1));
      p.pads_end[i] = pick(0, std::min<int64_t>(2, extent - 1));
    }
    p.ceil_mode = gen.uniform() < 0.5;
    p.count_include_pad = gen.uniform() < 0.5;
    const Shape shape = {pick(1, 2), pick(1, 5), pick(7, 13), pick(7, 11)};  // >= extent 7
    const Tensor x = randn(shape, gen);
    const Shape y_shape = pool2d_output_shape(shape, p);
    for (PoolKind kind : {PoolKind::Max, PoolKind::Average}) {
      Tensor fast(y_shape), expected(y_shape);
      pool2d(kind, x, p, fast);
      pool2d_reference(kind, x, p, expected);
      EXPECT_TRUE(all_close(fast, expected, 1e-5, 1e-6))
          << "trial " << trial << " kind " << static_cast<int>(kind) << " x "
          << shape_to_string(shape) << " k=[" << p.kernel[0] << "," << p.kernel[1] << "] s=["
          << p.strides[0] << "," << p.strides[1] << "] pb=[" << p.pads_begin[0] << ","
          << p.pads_begin[1] << "] pe=[" << p.pads_end[0] << "," << p.pads_end[1]
          << "] d=" << p.dilations[0] << " ceil=" << p.ceil_mode
          << " include_pad=" << p.count_include_pad;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 240);
}

// A CNN stem's pool (ShuffleNet, ResNet before blocking): large enough to run in parallel.
TEST(Pool2d, MatchesReferenceOnAStemSizedInput) {
  Generator gen(13);
  Pool2dParams p;
  p.kernel = {3, 3};
  p.strides = {2, 2};
  p.pads_begin = p.pads_end = {1, 1};
  const Tensor x = randn({2, 24, 112, 111}, gen);
  const Shape y_shape = pool2d_output_shape(x.shape(), p);
  for (PoolKind kind : {PoolKind::Max, PoolKind::Average}) {
    Tensor fast(y_shape), expected(y_shape);
    pool2d(kind, x, p, fast);
    pool2d_reference(kind, x, p, expected);
    EXPECT_TRUE(all_close(fast, expected, 1e-5, 1e-6)) << static_cast<int>(kind);
  }
}

// The blocked-layout max pool (the runtime's, between convs) against the reference on random
// windows, strides, pads and ceil_mode (no dilation: it does not take any).
TEST(Pool2d, BlockedMaxPoolMatchesReference) {
  Generator gen(5);
  auto pick = [&](int64_t low, int64_t high) {
    return low + static_cast<int64_t>(gen.uniform() * double(high - low + 1));
  };
  const LayoutReorder to_blocked(ActivationLayout::Plain, ActivationLayout::Blocked),
      to_plain(ActivationLayout::Blocked, ActivationLayout::Plain);
  for (int trial = 0; trial < 40; ++trial) {
    Pool2dParams p;
    for (int i = 0; i < 2; ++i) {
      p.kernel[i] = pick(1, 4);
      p.strides[i] = pick(1, 3);
      p.pads_begin[i] = pick(0, p.kernel[i] - 1);
      p.pads_end[i] = pick(0, p.kernel[i] - 1);
    }
    p.ceil_mode = gen.uniform() < 0.5;
    const Shape shape = {pick(1, 2), channel_block() * pick(1, 3), pick(4, 12), pick(4, 12)};
    const Tensor x = randn(shape, gen);
    const Shape y_shape = pool2d_output_shape(shape, p);
    Tensor blocked_x(shape), blocked_y(y_shape), actual(y_shape), expected(y_shape);
    to_blocked.run(x, blocked_x);
    BlockedMaxPool(p).run(blocked_x, blocked_y);
    to_plain.run(blocked_y, actual);
    pool2d_reference(PoolKind::Max, x, p, expected);
    EXPECT_TRUE(all_close(actual, expected, 0, 0))
        << "trial " << trial << " x " << shape_to_string(shape) << " k=[" << p.kernel[0] << ","
        << p.kernel[1] << "] s=[" << p.strides[0] << "," << p.strides[1] << "] pb=["
        << p.pads_begin[0] << "," << p.pads_begin[1] << "] pe=[" << p.pads_end[0] << ","
        << p.pads_end[1] << "] ceil=" << p.ceil_mode;
  }
}

TEST(Pool2d, RejectsBadArguments) {
  const Tensor x = Tensor::zeros({1, 2, 5, 5});
  Tensor y({1, 2, 2, 2});
  Tensor wrong({1, 2, 3, 3});
  expect_error([&] { pool2d(PoolKind::Max, x, square(2, 2), wrong); }, ErrorCode::InvalidArgument,
               "output y is float32[1,2,3,3] but the inputs give float32[1,2,2,2]");
  expect_error([&] { pool2d(PoolKind::Max, x, square(0, 1), y); }, ErrorCode::InvalidArgument,
               "kernel=[0,0]");
  expect_error([&] { pool2d(PoolKind::Max, x, square(2, 2, 2), y); }, ErrorCode::InvalidArgument,
               "pads must be smaller than the window extent");
  expect_error([&] { pool2d(PoolKind::Max, x, square(7, 1), y); }, ErrorCode::InvalidArgument,
               "exceeds padded input");
  expect_error(
      [&] {
        pool2d(PoolKind::Max, Tensor::zeros({2, 5, 5}), square(2, 2), y);
      },
      ErrorCode::InvalidArgument, "pool2d: input [2,5,5] must be rank 4");
}

TEST(AdaptiveAvgPool2d, GlobalAverage) {
  const Tensor x = Tensor::from_vector<float>({1, 2, 2, 2}, {1, 2, 3, 4, 10, 20, 30, 40});
  Tensor y({1, 2, 1, 1});
  adaptive_avg_pool2d(x, y);
  EXPECT_TRUE(all_close(y, Tensor::from_vector<float>({1, 2, 1, 1}, {2.5f, 25})));
}

TEST(AdaptiveAvgPool2d, OverlappingBinsFollowPyTorch) {
  // Width 5 into 3 bins: [0,2), [1,4), [3,5).
  const Tensor x = Tensor::from_vector<float>({1, 1, 1, 5}, {1, 2, 3, 4, 5});
  Tensor y({1, 1, 1, 3});
  adaptive_avg_pool2d(x, y);
  EXPECT_TRUE(all_close(y, Tensor::from_vector<float>({1, 1, 1, 3}, {1.5f, 3, 4.5f})));
}

TEST(AdaptiveAvgPool2d, MatchesReference) {
  Generator gen(5);
  const std::vector<std::pair<Shape, std::pair<int64_t, int64_t>>> cases = {
      {{2, 3, 7, 9}, {1, 1}},
      {{1, 4, 13, 11}, {3, 5}},
      {{2, 2, 5, 5}, {7, 7}},
      {{1, 3, 8, 8}, {4, 4}},
      {{1, 1, 10, 3}, {3, 2}}};
  for (const auto& [shape, out] : cases) {
    const Tensor x = randn(shape, gen);
    Tensor fast({shape[0], shape[1], out.first, out.second});
    Tensor expected({shape[0], shape[1], out.first, out.second});
    adaptive_avg_pool2d(x, fast);
    adaptive_avg_pool2d_reference(x, expected);
    EXPECT_TRUE(all_close(fast, expected)) << shape_to_string(shape);
  }
}

TEST(AdaptiveAvgPool2d, RejectsBadOutput) {
  const Tensor x = Tensor::zeros({1, 2, 4, 4});
  Tensor wrong_channels({1, 3, 1, 1});
  expect_error([&] { adaptive_avg_pool2d(x, wrong_channels); }, ErrorCode::InvalidArgument,
               "adaptive_avg_pool2d: output y [1,3,1,1] must be [1,2,outH,outW]");
  Tensor empty_out({1, 2, 0, 1});
  expect_error([&] { adaptive_avg_pool2d(x, empty_out); }, ErrorCode::InvalidArgument,
               "outH,outW >= 1");
}

}  // namespace
}  // namespace flowonnx::kernels
