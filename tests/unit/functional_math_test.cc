// Hand-computed cases of the math / array / reduce framework ops through their functional
// wrappers (numbers worked out in the comments), and the errors bad inputs raise.
#include <gtest/gtest.h>

#include <cmath>

#include "flow/functional.h"

namespace flowonnx::functional {
namespace {

using V = std::vector<double>;
V values(const Tensor& t) { return t.to_double_vector(); }
Tensor f32(const Shape& shape, const std::vector<float>& v) { return Tensor::from_vector<float>(shape, v); }

void expect_near(const V& got, const V& want, double tolerance = 1e-6) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tolerance) << "element " << i;
}

// Expects an Error whose message contains `needle`.
template <typename Fn>
void expect_error(Fn fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected one mentioning '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(FunctionalMathTest, ActivationsAtKnownPoints) {
  Tensor x = f32({4}, {-2, -0.5, 0, 3});
  expect_near(values(silu(x)), {-2 / (1 + std::exp(2.0)), -0.5 / (1 + std::exp(0.5)), 0, 3 / (1 + std::exp(-3.0))});
  // gelu(0) = 0, gelu(3) = 3 * Phi(3) = 2.995950
  expect_near(values(gelu(f32({2}, {0, 3}))), {0, 2.9959503}, 1e-6);
  expect_near(values(hardsigmoid(x)), {1.0 / 6, 2.5 / 6, 0.5, 1});
  expect_near(values(hardswish(x)), {-2.0 / 6, -0.5 * 2.5 / 6, 0, 3});
  expect_near(values(leaky_relu(x, 0.1)), {-0.2, -0.05, 0, 3});
  expect_near(values(elu(x, 1.0)), {std::exp(-2.0) - 1, std::exp(-0.5) - 1, 0, 3});
  expect_near(values(hardtanh(x, -1, 1)), {-1, -0.5, 0, 1});
  expect_near(values(clamp(x, std::nullopt, 0.0)), {-2, -0.5, 0, 0});
  expect_near(values(clamp(x, -1.0, std::nullopt)), {-1, -0.5, 0, 3});
  // softplus above the threshold is x itself
  expect_near(values(softplus(f32({2}, {0, 30}), 1, 20)), {std::log(2.0), 30});
  expect_near(values(rsqrt(f32({2}, {4, 0.25}))), {0.5, 2});
  expect_near(values(round(f32({4}, {0.5, 1.5, 2.5, -0.5}))), {0, 2, 2, -0});  // half to even
}

TEST(FunctionalMathTest, ScalarOpsKeepTheDtype) {
  Tensor ints = Tensor::from_vector<int64_t>({3}, {1, -2, 5});
  Tensor sum = scalar_add(ints, 2);
  EXPECT_EQ(sum.dtype(), DType::Int64);
  EXPECT_EQ(values(sum), (V{3, 0, 7}));
  expect_near(values(scalar_pow(f32({2}, {2, 9}), 0.5)), {std::sqrt(2.0), 3});
  Tensor less = scalar_logical_less(f32({3}, {-1, 0.5, 2}), 0.5);
  EXPECT_EQ(less.dtype(), DType::Bool);
  EXPECT_EQ(values(less), (V{1, 0, 0}));
  EXPECT_EQ(values(scalar_div_by_tensor(f32({2}, {3, 6}), f32({1}, {1.5}))), (V{2, 4}));
  EXPECT_EQ(values(fill(f32({2, 2}, {1, 2, 3, 4}), 7)), (V{7, 7, 7, 7}));
  expect_error([] { scalar_add_by_tensor(f32({2}, {1, 2}), f32({2}, {1, 2})); }, "scalar must have one element");
}

TEST(FunctionalMathTest, ComparisonsLogicAndFloorMod) {
  Tensor a = f32({2, 2}, {1, 2, 3, 4}), b = f32({2}, {2, 3});
  EXPECT_EQ(values(equal(a, b)), (V{0, 0, 0, 0}));
  EXPECT_EQ(values(greater_equal(a, b)), (V{0, 0, 1, 1}));
  EXPECT_EQ(values(less_equal(a, f32({1}, {2}))), (V{1, 1, 0, 0}));
  EXPECT_EQ(values(not_equal(a, f32({1}, {3}))), (V{1, 1, 0, 1}));
  Tensor t = Tensor::from_vector<bool>({2}, {true, false});
  EXPECT_EQ(values(logical_and(t, Tensor::from_vector<int32_t>({2}, {5, 5}))), (V{1, 0}));
  EXPECT_EQ(values(logical_or(t, t)), (V{1, 0}));
  EXPECT_EQ(values(logical_not(Tensor::from_vector<int32_t>({3}, {0, 2, -1}))), (V{1, 0, 0}));
  // Python: 7 % -3 == -2, -7 % 3 == 2, 5.5 % 2 == 1.5
  expect_near(values(floor_mod(f32({3}, {7, -7, 5.5}), f32({3}, {-3, 3, 2}))), {-2, 2, 1.5});
  EXPECT_EQ(values(maximum(a, b)), (V{2, 3, 3, 4}));
  EXPECT_EQ(values(minimum(a, a)), values(a));
  EXPECT_EQ(values(squared_difference(a, b)), (V{1, 1, 1, 1}));
  EXPECT_EQ(values(where(Tensor::from_vector<bool>({2}, {true, false}), a, f32({1}, {0}))), (V{1, 0, 3, 0}));
  expect_error([] { greater(f32({2}, {1, 2}), Tensor::from_vector<int64_t>({2}, {1, 2})); }, "broadcast_greater");
}

TEST(FunctionalMathTest, PreluScalesNegativesPerChannel) {
  Tensor x = f32({1, 2, 2}, {-1, 2, -3, 4});
  EXPECT_EQ(values(prelu(x, f32({2}, {0.5, 0.25}))), (V{-0.5, 2, -0.75, 4}));
  expect_error([&] { prelu(x, f32({3}, {1, 1, 1})); }, "prelu: alpha must be [1] or [C]");
}

TEST(FunctionalMathTest, Reductions) {
  Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(values(reduce_sum(x, {1})), (V{6, 15}));
  EXPECT_EQ(reduce_sum(x, {0}, true).shape(), (Shape{1, 3}));
  EXPECT_EQ(values(reduce_mean(x)), (V{3.5}));
  EXPECT_EQ(values(reduce_max(x, {-1})), (V{3, 6}));
  EXPECT_EQ(values(reduce_min(x, {0})), (V{1, 2, 3}));
  EXPECT_EQ(values(reduce_prod(x, {1})), (V{6, 120}));
  EXPECT_EQ(values(argmax(x)), (V{2, 2}));
  EXPECT_EQ(values(argmin(x, 0)), (V{0, 0, 0}));
  EXPECT_EQ(argmax(x, 0, true).shape(), (Shape{1, 3}));
  // var of {1,2,3}: mean 2, squares 2; unbiased 2/2 = 1, biased 2/3
  expect_near(values(var(x, {1})), {1, 1});
  expect_near(values(var(x, {1}, false)), {2.0 / 3, 2.0 / 3});
  expect_error([&] { reduce_sum(x, {2}); }, "reduce_sum: axis 2 out of range");
  expect_error([&] { reduce_sum(x, {1, -1}); }, "repeated");
}

TEST(FunctionalMathTest, MatmulFamilyAndFusedAttention) {
  Tensor a = f32({1, 2, 2}, {1, 2, 3, 4}), b = f32({1, 2, 1}, {1, 1});
  EXPECT_EQ(values(batch_matmul(a, b)), (V{3, 7}));
  expect_error([&] { batch_matmul(a, f32({2, 1}, {1, 1})); }, "batch_matmul: input 'b' must have rank 3");
  // s=2, b=1, n=1, h=1: hidden rows (q, k, v) = (1, 2, 3) and (4, 5, 6).
  std::vector<Tensor> out = fused_self_attention_query_mul_key_and_value(f32({2, 1, 3}, {1, 2, 3, 4, 5, 6}), 1, 0.5);
  EXPECT_EQ(values(out[0]), (V{0.5 * 1 * 2, 0.5 * 1 * 5, 0.5 * 4 * 2, 0.5 * 4 * 5}));
  EXPECT_EQ(values(out[1]), (V{3, 6}));
  // Masked-out positions get the fill value before the softmax: [(1+0)*2, fill] -> [1, 0].
  Tensor mask = Tensor::from_vector<bool>({1, 2}, {true, false});
  Tensor keep = Tensor::from_vector<bool>({1, 2}, {true, true});
  std::vector<Tensor> y = fused_bias_add_scale_mask_softmax_dropout(f32({1, 2}, {1, 1}), f32({2}, {0, 0}), mask,
                                                                     keep, 2.0, -1e4, 3.0);
  expect_near(values(y[1]), {1, 0});
  expect_near(values(y[0]), {3, 0});
}

TEST(FunctionalArrayTest, ShapeOps) {
  Tensor x = f32({2, 1, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(squeeze(x, {1}).shape(), (Shape{2, 3}));
  expect_error([&] { squeeze(x, {0}); }, "squeeze: dim 0 of [2,1,3] is not 1");
  EXPECT_EQ(expand_dims(x, -1).shape(), (Shape{2, 1, 3, 1}));
  Tensor e = expand(f32({2, 1}, {1, 2}), {3, -1, 2});
  EXPECT_EQ(e.shape(), (Shape{3, 2, 2}));
  EXPECT_EQ(values(e), (V{1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2}));
  expect_error([] { expand(f32({2}, {1, 2}), {3}); }, "expand: cannot expand");
}

TEST(FunctionalArrayTest, SlicesAndGathers) {
  Tensor x = f32({2, 5}, {0, 1, 2, 3, 4, 10, 11, 12, 13, 14});
  // x[:, 1:-1:2] = [[1, 3], [11, 13]]
  EXPECT_EQ(values(slice(x, {0, 1}, {2, -1}, {1, 2})), (V{1, 3, 11, 13}));
  EXPECT_EQ(values(slice(x, {1, -2}, {9, 100}, {1, 1})), (V{13, 14}));  // clamped like Python
  EXPECT_EQ(values(narrow(x, 1, 3, 2)), (V{3, 4, 13, 14}));
  expect_error([&] { narrow(x, 1, 4, 2); }, "narrow: [4, 6) is outside dim 1");
  Tensor idx = Tensor::from_vector<int64_t>({3}, {4, 0, 4});
  EXPECT_EQ(values(gather(x, idx, 1)), (V{4, 0, 4, 14, 10, 14}));
  expect_error([&] { gather(x, Tensor::from_vector<int64_t>({1}, {5}), 1); }, "gather: index 5 out of range");
  // gather_nd rows (1, 2) and (0, 4) -> [12, 4]; a 1-long index picks whole rows.
  EXPECT_EQ(values(gather_nd(x, Tensor::from_vector<int32_t>({2, 2}, {1, 2, 0, 4}))), (V{12, 4}));
  EXPECT_EQ(values(gather_nd(x, Tensor::from_vector<int64_t>({1, 1}, {1}))), (V{10, 11, 12, 13, 14}));
}

TEST(FunctionalArrayTest, CastConstantIdentities) {
  Tensor c = cast(f32({3}, {-1.7, 0.2, 2.9}), DType::Int32);
  EXPECT_EQ(c.dtype(), DType::Int32);
  EXPECT_EQ(values(c), (V{-1, 0, 2}));
  Tensor k = constant({2, 2}, 3, DType::Int64);
  EXPECT_EQ(k.dtype(), DType::Int64);
  EXPECT_EQ(values(k), (V{3, 3, 3, 3}));
  expect_near(values(constant({1}, 0.25)), {0.25});
  for (const char* op : {"amp_white_identity", "amp_black_identity", "distribute_split", "distribute_concat",
                         "distribute_clone", "distribute_add"})
    EXPECT_EQ(values(identity(f32({2}, {1, 2}), op)), (V{1, 2})) << op;
}

}  // namespace
}  // namespace flowonnx::functional
