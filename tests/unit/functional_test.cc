// Hand-computed cases of the framework ops (the numbers are worked out in the comments).
#include <gtest/gtest.h>

#include <algorithm>

#include "flow/functional.h"
#include "flow/op_registry.h"

namespace flowonnx::functional {
namespace {

std::vector<double> values(const Tensor& t) { return t.to_double_vector(); }

Tensor iota(const Shape& shape) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.num_elements(); ++i) t.data<float>()[i] = static_cast<float>(i + 1);
  return t;
}

TEST(FunctionalTest, TinyConvWithPadding) {
  // x = 1..9 (3x3), w = [[1,0],[0,-1]], padding 1: out[i][j] = xp[i][j] - xp[i+1][j+1].
  Tensor w = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 0, 0, -1});
  Tensor y = conv2d(iota({1, 1, 3, 3}), w, {1, 1}, {1, 1});
  EXPECT_EQ(y.shape(), (Shape{1, 1, 4, 4}));
  EXPECT_EQ(values(y), (std::vector<double>{-1, -2, -3, 0, -4, -4, -4, 3, -7, -4, -4, 6, 0, 7, 8, 9}));
}

TEST(FunctionalTest, TinyBatchNorm) {
  // ch0: (x - 1) / sqrt(4) * 2 + 0 ; ch1: (x - 2) / sqrt(0.25) * 1 + 1
  Tensor x = Tensor::from_vector<float>({1, 2, 1, 2}, {1, 2, 3, 4});
  Tensor mean = Tensor::from_vector<float>({2}, {1, 2});
  Tensor var = Tensor::from_vector<float>({2}, {4, 0.25});
  Tensor gamma = Tensor::from_vector<float>({2}, {2, 1});
  Tensor beta = Tensor::from_vector<float>({2}, {0, 1});
  std::vector<double> y = values(normalization(x, mean, var, gamma, beta, 0.0, false));
  std::vector<double> expected{0, 1, 3, 5};
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(y[i], expected[i], 1e-6);
}

TEST(FunctionalTest, TinyPools) {
  EXPECT_EQ(values(max_pool_2d(iota({1, 1, 4, 4}), {2, 2}, {2, 2}, {0, 0})),
            (std::vector<double>{6, 8, 14, 16}));
  // ceil_mode keeps the partial last window: 3x3 input, k2 s2 -> 2x2.
  EXPECT_EQ(values(max_pool_2d(iota({1, 1, 3, 3}), {2, 2}, {2, 2}, {0, 0}, {1, 1}, true)),
            (std::vector<double>{5, 6, 8, 9}));
  Tensor ones = Tensor::full({1, 1, 3, 3}, 1.0);
  // 3x3 window, padding 1: a corner sees 4 real ones of 9 positions.
  EXPECT_NEAR(values(avg_pool_2d(ones, {3, 3}, {1, 1}, {1, 1}, false, true))[0], 4.0 / 9, 1e-6);
  EXPECT_NEAR(values(avg_pool_2d(ones, {3, 3}, {1, 1}, {1, 1}, false, false))[0], 1.0, 1e-6);
  EXPECT_EQ(values(adaptive_avg_pool2d(iota({1, 1, 3, 3}), {1, 1})), (std::vector<double>{5}));
}

TEST(FunctionalTest, TinyLinearAndResidual) {
  Tensor x = Tensor::from_vector<float>({1, 2}, {1, 2});
  Tensor w = Tensor::from_vector<float>({2, 2}, {1, 1, 2, -1});
  Tensor b = Tensor::from_vector<float>({2}, {0.5, 0});
  EXPECT_EQ(values(linear(x, w, b)), (std::vector<double>{3.5, 0}));
  EXPECT_EQ(values(relu(add_n({x, Tensor::from_vector<float>({1, 2}, {-3, 1})}))), (std::vector<double>{0, 3}));
  EXPECT_EQ(values(flatten(iota({2, 3, 1, 1}), 1)), values(iota({2, 3})));
  EXPECT_EQ(flatten(iota({2, 3, 1, 1}), 1).shape(), (Shape{2, 3}));
}

// Every registered op, by family, with OneFlow's exact user-op name (oneflow2onnx_ops.md §3b).
TEST(FunctionalTest, EveryRegisteredOpHasOneFlowName) {
  std::vector<std::string> math{
      "abs", "acos", "acosh", "add_n", "arange", "asin", "asinh", "atan", "atanh", "batch_matmul", "bias_add",
      "broadcast_add", "broadcast_div", "broadcast_equal", "broadcast_floor_mod", "broadcast_greater",
      "broadcast_greater_equal", "broadcast_less", "broadcast_less_equal", "broadcast_logical_and",
      "broadcast_logical_or", "broadcast_matmul", "broadcast_maximum", "broadcast_minimum", "broadcast_mul",
      "broadcast_not_equal", "broadcast_sub", "ceil", "clip_by_scalar", "clip_by_scalar_max", "clip_by_scalar_min",
      "cos", "cosh", "cumsum", "elementwise_maximum", "elementwise_minimum", "elu", "erf", "exp", "fast_gelu", "fill_",
      "floor", "fused_bias_add_scale_mask_softmax_dropout", "fused_self_attention_query_mul_key_and_value", "gelu",
      "hardsigmoid", "hardswish", "hardtanh", "leaky_relu", "log", "logical_not", "matmul", "multiply", "neg",
      "prelu", "quick_gelu", "reciprocal", "relu", "round", "rsqrt", "scalar_add", "scalar_add_by_tensor",
      "scalar_div", "scalar_div_by_tensor", "scalar_logical_greater", "scalar_logical_less", "scalar_mul",
      "scalar_mul_by_tensor", "scalar_pow", "scalar_sub_by_tensor", "sigmoid", "sigmoid_v2", "sign", "silu", "sin",
      "sinh", "softmax", "softplus", "sqrt", "square", "squared_difference", "tan", "tanh"};
  std::vector<std::string> array{"amp_black_identity", "amp_white_identity", "cast", "concat", "constant",
                                 "distribute_add", "distribute_clone", "distribute_concat", "distribute_split",
                                 "expand", "expand_dims", "flatten", "gather", "gather_nd", "identity", "narrow",
                                 "reshape", "slice", "squeeze", "transpose", "where"};
  std::vector<std::string> reduce{"argmax", "argmin", "reduce_max", "reduce_mean", "reduce_min", "reduce_prod",
                                  "reduce_sum", "var"};
  std::vector<std::string> nn{"adaptive_avg_pool2d", "avg_pool_2d", "avgpool_2d", "conv1d", "conv2d",
                              "cublas_fused_mlp", "deconv2d", "group_norm", "layer_norm", "max_pool_2d",
                              "maxpool_2d", "normalization", "pad", "rms_layer_norm", "rms_norm",
                              "upsample_bilinear_2d", "upsample_nearest_2d"};
  std::vector<std::string> quantize{"fake_quantization", "min_max_observer", "moving_average_min_max_observer"};
  std::vector<std::string> expected;
  for (const auto* family : {&math, &array, &reduce, &nn, &quantize}) expected.insert(expected.end(), family->begin(), family->end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(flow::OpRegistry::global().names(), expected);
}

}  // namespace
}  // namespace flowonnx::functional
