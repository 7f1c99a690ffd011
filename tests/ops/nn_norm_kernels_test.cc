// The kernels added for the nn modules: transposed convolution (checked as the adjoint of the
// reference convolution), group norm and RMS norm (hand-computed values).
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/cpu/conv.h"
#include "kernels/cpu/conv_transpose.h"
#include "kernels/cpu/group_norm.h"
#include "kernels/cpu/normalization.h"
#include "kernels/cpu/rms_norm.h"
#include "ops/test_util.h"

namespace flowonnx::kernels {
namespace {

double dot(const Tensor& a, const Tensor& b) {
  std::vector<double> x = a.to_double_vector(), y = b.to_double_vector();
  double sum = 0;
  for (size_t i = 0; i < x.size(); ++i) sum += x[i] * y[i];
  return sum;
}

// <conv(x, w), y> == <x, conv_transpose(y, w)>: the transposed conv is the adjoint of the conv
// with the same weight, for every stride, padding, dilation and grouping.
TEST(ConvTransposeTest, IsTheAdjointOfConv2d) {
  Generator gen(7);
  for (int64_t groups : {1, 2})
    for (int64_t stride : {1, 2})
      for (int64_t dilation : {1, 2}) {
        Conv2dParams conv;
        conv.strides = {stride, stride};
        conv.dilations = {dilation, dilation};
        conv.pads_begin = conv.pads_end = {1, 1};
        conv.groups = groups;
        Tensor x = randn({2, 4, 9, 9}, gen), w = randn({6, 4 / groups, 3, 3}, gen);
        Tensor cx(conv2d_output_shape(x.shape(), w.shape(), conv));
        conv2d_reference(x, w, Tensor(), conv, cx);
        Tensor y = randn(cx.shape(), gen);
        ConvTranspose2dParams transposed;
        transposed.strides = conv.strides;
        transposed.dilations = conv.dilations;
        transposed.pads_begin = transposed.pads_end = conv.pads_begin;
        transposed.groups = groups;
        // output_padding recovers the input size the strided conv rounded away
        for (int i = 0; i < 2; ++i)
          transposed.output_padding[i] = 9 - ((cx.dim(2 + i) - 1) * stride - 2 + dilation * 2 + 1);
        Tensor ty(conv_transpose2d_output_shape(y.shape(), w.shape(), transposed));
        ASSERT_EQ(ty.shape(), x.shape());
        conv_transpose2d(y, w, Tensor(), transposed, ty);
        EXPECT_NEAR(dot(cx, y), dot(x, ty), 1e-3 * std::abs(dot(cx, y)) + 1e-3)
            << "groups " << groups << " stride " << stride << " dilation " << dilation;
      }
}

TEST(ConvTransposeTest, BiasAndBadShapes) {
  Tensor x = Tensor::full({1, 1, 1, 1}, 2.0), w = Tensor::full({1, 2, 2, 2}, 3.0), bias = Tensor::from_vector<float>({2}, {1, -1});
  ConvTranspose2dParams params;
  Tensor y(conv_transpose2d_output_shape(x.shape(), w.shape(), params));
  conv_transpose2d(x, w, bias, params, y);
  EXPECT_TRUE(testing::all_close(y, Tensor::from_vector<float>({1, 2, 2, 2}, {7, 7, 7, 7, 5, 5, 5, 5})));
  testing::expect_error([&] { conv_transpose2d_output_shape({1, 3, 4, 4}, {2, 2, 3, 3}, params); },
                        ErrorCode::InvalidArgument, "conv_transpose");
}

// layer_norm (float vector lanes) against the definition evaluated in double, on row lengths
// around the vector width, with and without bias, and with the statistics outputs.
TEST(LayerNormTest, MatchesDoubleDefinition) {
  Generator gen(31);
  for (const Shape& shape :
       std::vector<Shape>{{3, 1}, {2, 7}, {4, 8}, {3, 9}, {1, 197, 192}, {2, 5, 6}, {600, 300}}) {
    const int64_t inner = shape.back();
    const int64_t outer = num_elements(shape) / inner;
    Tensor x = randn(shape, gen);
    float* data = x.data<float>();
    for (int64_t i = 0; i < x.num_elements(); ++i) data[i] = data[i] * 3.0f + 10.0f;  // offset mean
    const Tensor scale = randn({inner}, gen), bias = randn({inner}, gen);
    for (bool with_bias : {true, false}) {
      Tensor y(shape), mean({outer}), inv_std({outer}), expected(shape);
      layer_norm(x, -1, scale, with_bias ? bias : Tensor(), 1e-5, y, &mean, &inv_std);
      for (int64_t r = 0; r < outer; ++r) {
        const float* row = data + r * inner;
        double m = 0, v = 0;
        for (int64_t i = 0; i < inner; ++i) m += row[i];
        m /= double(inner);
        for (int64_t i = 0; i < inner; ++i) v += (row[i] - m) * (row[i] - m);
        const double inv = 1.0 / std::sqrt(v / double(inner) + 1e-5);
        EXPECT_NEAR(mean.data<float>()[r], m, 1e-5 * std::abs(m));
        EXPECT_NEAR(inv_std.data<float>()[r], inv, 1e-5 * inv);
        for (int64_t i = 0; i < inner; ++i)
          expected.data<float>()[r * inner + i] =
              float((row[i] - m) * inv * scale.data<float>()[i] +
                    (with_bias ? bias.data<float>()[i] : 0.0));
      }
      EXPECT_TRUE(testing::all_close(y, expected, 1e-4, 1e-4)) << shape_to_string(shape);
    }
  }
}

TEST(GroupNormTest, HandComputed) {
  // One group over [1, 3, 5, 7]: mean 4, variance 5.
  Tensor x = Tensor::from_vector<float>({1, 2, 1, 2}, {1, 3, 5, 7});
  Tensor y(x.shape());
  group_norm(x, 1, Tensor(), Tensor(), 0.0, y);
  double s = std::sqrt(5.0);
  EXPECT_TRUE(testing::all_close(y, Tensor::from_vector<float>({1, 2, 1, 2}, {float(-3 / s), float(-1 / s), float(1 / s), float(3 / s)})));
  // Two groups (one channel each) with affine: each channel normalises to [-1, 1].
  Tensor gamma = Tensor::from_vector<float>({2}, {2, 3}), beta = Tensor::from_vector<float>({2}, {1, 0});
  group_norm(x, 2, gamma, beta, 0.0, y);
  EXPECT_TRUE(testing::all_close(y, Tensor::from_vector<float>({1, 2, 1, 2}, {-1, 3, -3, 3})));
  testing::expect_error([&] { group_norm(x, 3, Tensor(), Tensor(), 0.0, y); }, ErrorCode::InvalidArgument, "groups");
}

TEST(RmsNormTest, HandComputed) {
  Tensor x = Tensor::from_vector<float>({2, 2}, {3, 4, 0, 1}), w = Tensor::from_vector<float>({2}, {1, 2});
  Tensor y(x.shape());
  rms_norm(x, 1, w, 0.0, y);
  double r0 = std::sqrt(12.5), r1 = std::sqrt(0.5);
  EXPECT_TRUE(testing::all_close(y, Tensor::from_vector<float>({2, 2}, {float(3 / r0), float(8 / r0), 0, float(2 / r1)})));
  rms_norm(x, 0, Tensor(), 0.0, y);  // over everything: rms = sqrt(26 / 4)
  double r = std::sqrt(6.5);
  EXPECT_TRUE(testing::all_close(y, Tensor::from_vector<float>({2, 2}, {float(3 / r), float(4 / r), 0, float(1 / r)})));
}

}  // namespace
}  // namespace flowonnx::kernels
