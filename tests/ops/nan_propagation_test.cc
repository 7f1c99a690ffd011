// Regressions found by the differential fuzzer (python/tests/test_fuzz_ort.py): NaN must pass
// through the clamping activations as it does in ONNX Runtime, PyTorch and numpy. std::max/min
// and "x > 0 ? x : 0" silently turned it into a number (Relu and Sign 0, HardSigmoid 1), hiding
// a broken input. And ArgMax of an empty axis is fine when the output is empty too.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "base/error.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/reduce.h"
#include "kernels/cpu/unary_math.h"

namespace flowonnx::kernels {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

Tensor nan_and_numbers() { return Tensor::from_vector<float>({4}, {kNaN, -2.f, 0.5f, 3.f}); }

TEST(NanPropagation, ReluKeepsNaN) {
  Tensor x = nan_and_numbers(), y(x.shape(), DType::Float32);
  unary(UnaryOp::Relu, x, y);
  EXPECT_TRUE(std::isnan(y.data<float>()[0]));
  EXPECT_EQ(y.data<float>()[1], 0.f);
  EXPECT_EQ(y.data<float>()[3], 3.f);
}

TEST(NanPropagation, UnaryMathKeepsNaN) {
  for (MathOp op :
       {MathOp::Relu, MathOp::Sign, MathOp::HardSigmoid, MathOp::HardSwish, MathOp::Celu}) {
    Tensor x = nan_and_numbers(), y(x.shape(), DType::Float32);
    MathParams params;
    params.alpha = op == MathOp::HardSigmoid ? 0.2f : 1.f;
    params.beta = 0.5f;
    unary_math(op, x, y, params);
    EXPECT_TRUE(std::isnan(y.data<float>()[0])) << static_cast<int>(op);
    for (int i = 1; i < 4; ++i) EXPECT_FALSE(std::isnan(y.data<float>()[i])) << i;
  }
  Tensor x = nan_and_numbers(), y(x.shape(), DType::Float32);
  unary_math(MathOp::Sign, x, y);
  EXPECT_EQ(y.data<float>()[1], -1.f);
  EXPECT_EQ(y.data<float>()[2], 1.f);
  MathParams hard_sigmoid;
  hard_sigmoid.alpha = 0.2f;
  hard_sigmoid.beta = 0.5f;
  unary_math(MathOp::HardSigmoid, x, y, hard_sigmoid);
  EXPECT_FLOAT_EQ(y.data<float>()[1], 0.1f);  // 0.2 * -2 + 0.5
  EXPECT_FLOAT_EQ(y.data<float>()[3], 1.f);   // clamped
}

TEST(ArgReduceEmpty, EmptyOutputOfAnEmptyAxisIsFine) {
  Tensor x(Shape{0, 0}, DType::Float32), y(Shape{0}, DType::Int64);
  EXPECT_NO_THROW(arg_reduce(/*max=*/true, x, 0, false, y));
  Tensor column(Shape{0, 2}, DType::Float32), two(Shape{2}, DType::Int64);
  EXPECT_THROW(arg_reduce(/*max=*/true, column, 0, false, two), Error);  // no index to give
}

}  // namespace
}  // namespace flowonnx::kernels
