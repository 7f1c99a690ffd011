// The AVX2 float math (kernels/cpu/vector_math.h) against libm in double over dense ranges and
// the special values, and the element-wise ops that use it (unary_math Exp, Erf, Sigmoid, Gelu)
// on sizes that leave vector tails.
#include "kernels/cpu/vector_math.h"

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu/unary_math.h"
#include "test_util.h"

namespace flowonnx::kernels {
namespace {

using flowonnx::testing::all_close;

// Evaluates `fn` on every value through 8-lane vectors.
template <typename Fn>
std::vector<float> on_vectors(const std::vector<float>& values, Fn fn) {
  std::vector<float> out(values.size());
  vec::map_ps(values.data(), out.data(), static_cast<int64_t>(values.size()), fn);
  return out;
}

std::vector<float> dense_range(float low, float high, int count) {
  std::vector<float> values;
  for (int i = 0; i <= count; ++i) values.push_back(low + (high - low) * float(i) / float(count));
  return values;
}

TEST(VectorMath, ExpMatchesLibm) {
  const std::vector<float> x = dense_range(-87.0f, 88.7f, 200001);
  const std::vector<float> y = on_vectors(x, [](__m256 v) { return vec::exp_ps(v); });
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double expected = std::exp(double(x[i]));
    worst = std::max(worst, std::abs(y[i] - expected) / expected);
  }
  EXPECT_LT(worst, 2e-7);
}

TEST(VectorMath, ExpSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {-inf, -1000.0f, -87.5f, 0.0f, -0.0f, 89.0f, inf, NAN, 1.0f};
  const std::vector<float> y = on_vectors(x, [](__m256 v) { return vec::exp_ps(v); });
  EXPECT_EQ(y[0], 0.0f);
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[2], 0.0f);
  EXPECT_EQ(y[3], 1.0f);
  EXPECT_EQ(y[4], 1.0f);
  EXPECT_EQ(y[5], inf);
  EXPECT_EQ(y[6], inf);
  EXPECT_TRUE(std::isnan(y[7]));
  EXPECT_NEAR(y[8], std::exp(1.0), 3e-7 * std::exp(1.0));
}

TEST(VectorMath, ErfMatchesLibm) {
  const std::vector<float> x = dense_range(-6.0f, 6.0f, 240001);
  const std::vector<float> y = on_vectors(x, [](__m256 v) { return vec::erf_ps(v); });
  double worst_absolute = 0, worst_small_relative = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double expected = std::erf(double(x[i]));
    worst_absolute = std::max(worst_absolute, std::abs(y[i] - expected));
    if (std::abs(x[i]) < 0.5f && x[i] != 0.0f)
      worst_small_relative =
          std::max(worst_small_relative, std::abs(y[i] - expected) / std::abs(expected));
  }
  EXPECT_LT(worst_absolute, 5e-7);
  EXPECT_LT(worst_small_relative, 5e-7);
}

TEST(VectorMath, ErfSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {-inf, inf, NAN, 0.0f, -0.0f, 1e-30f, -1e-30f, 20.0f, -20.0f};
  const std::vector<float> y = on_vectors(x, [](__m256 v) { return vec::erf_ps(v); });
  EXPECT_EQ(y[0], -1.0f);
  EXPECT_EQ(y[1], 1.0f);
  EXPECT_TRUE(std::isnan(y[2]));
  EXPECT_EQ(y[3], 0.0f);
  EXPECT_TRUE(y[4] == 0.0f && std::signbit(y[4]));
  EXPECT_NEAR(y[5], 1.1283791670955126e-30, 1e-36);
  EXPECT_NEAR(y[6], -1.1283791670955126e-30, 1e-36);
  EXPECT_EQ(y[7], 1.0f);
  EXPECT_EQ(y[8], -1.0f);
}

TEST(VectorMath, HorizontalReductionsAndPartialLoads) {
  alignas(32) const float values[8] = {3, -1, 7, 2, -9, 4, 0.5f, 1};
  const __m256 v = _mm256_load_ps(values);
  EXPECT_EQ(vec::horizontal_sum(v), 7.5f);
  EXPECT_EQ(vec::horizontal_max(v), 7.0f);
  EXPECT_EQ(vec::horizontal_min(v), -9.0f);
  const __m256 partial = vec::load_partial(values, 3, -100.0f);
  EXPECT_EQ(vec::horizontal_max(partial), 7.0f);
  EXPECT_EQ(vec::horizontal_min(partial), -100.0f);
  float out[5] = {0, 0, 0, 0, 42};
  vec::store_partial(out, v, 4);
  EXPECT_EQ(out[3], 2.0f);
  EXPECT_EQ(out[4], 42.0f);  // past `count`: untouched
}

// unary_math's vector paths against the same function in double, on sizes with tails and
// sizes large enough to run in parallel.
TEST(VectorMath, UnaryMathVectorOpsMatchDouble) {
  struct Case {
    MathOp op;
    double (*expected)(double);
  };
  const Case cases[] = {
      {MathOp::Exp, [](double v) { return std::exp(v); }},
      {MathOp::Erf, [](double v) { return std::erf(v); }},
      {MathOp::Sigmoid, [](double v) { return 1.0 / (1.0 + std::exp(-v)); }},
      {MathOp::Gelu, [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); }},
  };
  Generator gen(5);
  for (int64_t count : {1, 7, 8, 9, 197, 1023, 1025, 300001}) {
    Tensor x = randn({count}, gen);
    float* data = x.data<float>();
    for (int64_t i = 0; i < count; i += 5) data[i] *= 6.0f;  // reach the tails of erf
    for (const Case& c : cases) {
      Tensor y({count}), expected({count});
      unary_math(c.op, x, y);
      for (int64_t i = 0; i < count; ++i) expected.data<float>()[i] = float(c.expected(data[i]));
      EXPECT_TRUE(all_close(y, expected, 1e-6, 1e-6))
          << math_op_name(c.op) << " on " << count << " elements";
    }
  }
}

}  // namespace
}  // namespace flowonnx::kernels
