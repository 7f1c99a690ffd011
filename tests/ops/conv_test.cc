#include "kernels/cpu/conv.h"

#include "kernels/cpu/conv_internal.h"
#include "test_util.h"

namespace flowonnx::kernels {
namespace {

using flowonnx::testing::all_close;
using flowonnx::testing::expect_error;

struct ConvCase {
  Shape x, w;
  Conv2dParams params;
  bool with_bias;
};

std::string describe(const ConvCase& c) {
  return fmt::format("x {} w {} s=[{},{}] d=[{},{}] pb=[{},{}] pe=[{},{}] g={} bias={}",
                     shape_to_string(c.x), shape_to_string(c.w), c.params.strides[0],
                     c.params.strides[1], c.params.dilations[0], c.params.dilations[1],
                     c.params.pads_begin[0], c.params.pads_begin[1], c.params.pads_end[0],
                     c.params.pads_end[1], c.params.groups, c.with_bias);
}

void check_against_reference(const ConvCase& c, Generator& gen) {
  SCOPED_TRACE(describe(c));
  const Tensor x = randn(c.x, gen), w = randn(c.w, gen);
  const Tensor bias = c.with_bias ? randn({c.w[0]}, gen) : Tensor();
  const Shape y_shape = conv2d_output_shape(c.x, c.w, c.params);
  Tensor fast(y_shape), expected(y_shape);
  conv2d_reference(x, w, bias, c.params, expected);
  const double reduction = static_cast<double>(c.w[1] * c.w[2] * c.w[3]);
  conv2d(x, w, bias, c.params, fast);
  EXPECT_TRUE(all_close(fast, expected, 1e-4, 1e-5 * reduction));
  // Both oneDNN layouts stay correct, whichever conv2d uses.
  for (auto layout : {detail::ConvLayout::Plain, detail::ConvLayout::Blocked}) {
    Tensor with_layout(y_shape);
    detail::conv2d_with_layout(x, w, bias, c.params, layout, with_layout);
    EXPECT_TRUE(all_close(with_layout, expected, 1e-4, 1e-5 * reduction))
        << "layout " << static_cast<int>(layout);
  }
}

Conv2dParams make_params(int64_t stride, int64_t dilation, std::array<int64_t, 2> pads_begin,
                         std::array<int64_t, 2> pads_end, int64_t groups) {
  Conv2dParams p;
  p.strides = {stride, stride};
  p.dilations = {dilation, dilation};
  p.pads_begin = pads_begin;
  p.pads_end = pads_end;
  p.groups = groups;
  return p;
}

TEST(Conv2d, HandComputed3x3) {
  // x = 1..9, w = all ones except a centre of 2: with pad 1 the centre output is 45 + 5 = 50.
  const Tensor x = Tensor::from_vector<float>({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor w = Tensor::from_vector<float>({1, 1, 3, 3}, {1, 1, 1, 1, 2, 1, 1, 1, 1});
  const Tensor bias = Tensor::from_vector<float>({1}, {0.5f});
  Conv2dParams params;
  params.pads_begin = {1, 1};
  params.pads_end = {1, 1};
  Tensor y({1, 1, 3, 3});
  conv2d(x, w, bias, params, y);
  // Corner (0,0): 1+2+4+5 + 1 (extra centre weight on x=1) + 0.5.
  const Tensor expected = Tensor::from_vector<float>(
      {1, 1, 3, 3}, {13.5f, 23.5f, 19.5f, 31.5f, 50.5f, 39.5f, 31.5f, 47.5f, 37.5f});
  EXPECT_TRUE(all_close(y, expected));
  Tensor reference({1, 1, 3, 3});
  conv2d_reference(x, w, bias, params, reference);
  EXPECT_TRUE(all_close(reference, expected));
}

TEST(Conv2d, OutputShape) {
  EXPECT_EQ(
      conv2d_output_shape({1, 3, 224, 224}, {64, 3, 7, 7}, make_params(2, 1, {3, 3}, {3, 3}, 1)),
      (Shape{1, 64, 112, 112}));
  EXPECT_EQ(conv2d_output_shape({2, 4, 10, 9}, {6, 2, 3, 3}, make_params(3, 2, {1, 0}, {2, 1}, 2)),
            (Shape{2, 6, 3, 2}));
}

TEST(Conv2d, MatchesReferenceOnVariedShapes) {
  Generator gen(1);
  const std::vector<ConvCase> cases = {
      {{1, 3, 7, 9}, {4, 3, 3, 3}, make_params(1, 1, {1, 1}, {1, 1}, 1), true},
      {{2, 5, 13, 11}, {7, 5, 3, 3}, make_params(2, 1, {1, 0}, {0, 2}, 1), false},
      {{2, 5, 13, 11}, {7, 5, 3, 3}, make_params(3, 1, {2, 1}, {1, 2}, 1), true},
      {{1, 4, 12, 10}, {6, 4, 3, 3}, make_params(1, 2, {2, 2}, {2, 2}, 1), true},
      {{2, 6, 9, 8}, {4, 3, 3, 3}, make_params(2, 2, {1, 2}, {2, 1}, 2), true},
      {{1, 8, 11, 11}, {8, 1, 3, 3}, make_params(1, 1, {1, 1}, {1, 1}, 8), false},  // depthwise
      {{2, 6, 10, 7}, {12, 1, 5, 3}, make_params(2, 1, {2, 1}, {2, 1}, 6), true},   // multiplier 2
      {{3, 3, 17, 15}, {8, 3, 7, 7}, make_params(2, 1, {3, 3}, {3, 3}, 1), false},  // stem-like
      {{1, 16, 6, 6}, {32, 16, 1, 1}, make_params(2, 1, {0, 0}, {0, 0}, 1), true},  // downsample
      {{1, 2, 5, 5}, {3, 2, 5, 5}, make_params(1, 1, {0, 0}, {0, 0}, 1), true},     // 1x1 output
  };
  for (const ConvCase& c : cases) check_against_reference(c, gen);
}

TEST(Conv2d, MatchesReferenceOnRandomParams) {
  Generator gen(7);
  auto pick = [&](int64_t low, int64_t high) {
    return low + static_cast<int64_t>(gen.uniform() * double(high - low + 1));
  };
  for (int trial = 0; trial < 25; ++trial) {
    ConvCase c;
    const int64_t groups = pick(1, 3);
    const int64_t in_per_group = pick(1, 4), out_per_group = pick(1, 4);
    const int64_t kernel_h = pick(1, 4), kernel_w = pick(1, 4);
    c.params.groups = groups;
    c.params.strides = {pick(1, 3), pick(1, 3)};
    c.params.dilations = {pick(1, 2), pick(1, 2)};
    c.params.pads_begin = {pick(0, 2), pick(0, 2)};
    c.params.pads_end = {pick(0, 2), pick(0, 2)};
    const int64_t height = pick(kernel_h * 2, 14), width = pick(kernel_w * 2, 14);
    c.x = {pick(1, 3), groups * in_per_group, height, width};
    c.w = {groups * out_per_group, in_per_group, kernel_h, kernel_w};
    c.with_bias = gen.uniform() < 0.5;
    check_against_reference(c, gen);
  }
}

TEST(Conv2d, ZeroBatchIsEmpty) {
  Tensor y({0, 4, 5, 5});
  EXPECT_NO_THROW(conv2d(Tensor({0, 3, 5, 5}), Tensor::zeros({4, 3, 1, 1}), Tensor(), {}, y));
}

TEST(Conv2d, RejectsMismatchedChannels) {
  const Tensor x = Tensor::zeros({1, 3, 8, 8}), w = Tensor::zeros({4, 2, 3, 3});
  Tensor y({1, 4, 6, 6});
  expect_error(
      [&] { conv2d(x, w, Tensor(), {}, y); }, ErrorCode::InvalidArgument,
      "conv2d: input [1,3,8,8] has 3 channels but weight [4,2,3,3] with groups=1 expects 2");
  expect_error([&] { conv2d_reference(x, w, Tensor(), {}, y); }, ErrorCode::InvalidArgument,
               "expects 2");
}

TEST(Conv2d, RejectsBadArguments) {
  const Tensor x = Tensor::zeros({1, 4, 8, 8}), w = Tensor::zeros({6, 2, 3, 3});
  Conv2dParams grouped;
  grouped.groups = 2;
  Tensor y({1, 6, 6, 6});
  EXPECT_NO_THROW(conv2d(x, w, Tensor(), grouped, y));
  Tensor wrong_y({1, 6, 7, 6});
  expect_error([&] { conv2d(x, w, Tensor(), grouped, wrong_y); }, ErrorCode::InvalidArgument,
               "output y is float32[1,6,7,6] but the inputs give float32[1,6,6,6]");
  Tensor wrong_dtype({1, 6, 6, 6}, DType::Float64);
  expect_error([&] { conv2d(x, w, Tensor(), grouped, wrong_dtype); }, ErrorCode::InvalidArgument,
               "output y");
  expect_error([&] { conv2d(x, w, Tensor::zeros({5}), grouped, y); }, ErrorCode::InvalidArgument,
               "bias [5] must be [6]");
  Conv2dParams bad_groups;
  bad_groups.groups = 3;
  expect_error([&] { conv2d(x, w, Tensor(), bad_groups, y); }, ErrorCode::InvalidArgument,
               "not divisible by groups=3");
  Conv2dParams bad_stride = grouped;
  bad_stride.strides = {0, 1};
  expect_error([&] { conv2d(x, w, Tensor(), bad_stride, y); }, ErrorCode::InvalidArgument,
               "strides=[0,1]");
  expect_error(
      [&] {
        conv2d(Tensor::zeros({1, 4, 8}), w, Tensor(), grouped, y);
      },
      ErrorCode::InvalidArgument, "must be rank 4");
  expect_error([&] { conv2d(x.to(DType::Float64), w, Tensor(), grouped, y); },
               ErrorCode::InvalidArgument, "must be float32");
  expect_error([&] { conv2d(Tensor(), w, Tensor(), grouped, y); }, ErrorCode::InvalidArgument,
               "undefined");
  expect_error(
      [&] {
        conv2d(Tensor::zeros({1, 2, 2, 2}), Tensor::zeros({1, 2, 3, 3}), Tensor(), {}, y);
      },
      ErrorCode::InvalidArgument, "exceeds padded input size");
  expect_error(
      [&] {
        Tensor self = Tensor::zeros({1, 4, 8, 8});
        Conv2dParams p;
        p.pads_begin = {1, 1};
        p.pads_end = {1, 1};
        conv2d(self, Tensor::zeros({4, 4, 3, 3}), Tensor(), p, self);
      },
      ErrorCode::InvalidArgument, "shares storage");
}

}  // namespace
}  // namespace flowonnx::kernels
