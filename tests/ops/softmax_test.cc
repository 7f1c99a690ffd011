#include "kernels/cpu/softmax.h"

#include <cmath>

#include "kernels/cpu/threading.h"
#include "test_util.h"

namespace flowonnx::kernels {
namespace {

using flowonnx::testing::all_close;
using flowonnx::testing::expect_error;

TEST(Softmax, HandComputedAndStable) {
  const Tensor x = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 1000, 1001, 1002});
  Tensor y({2, 3});
  softmax(x, -1, y);
  const float e0 = 0.09003057f, e1 = 0.24472847f, e2 = 0.66524096f;
  EXPECT_TRUE(
      all_close(y, Tensor::from_vector<float>({2, 3}, {e0, e1, e2, e0, e1, e2}), 1e-5, 1e-7));
}

TEST(Softmax, MatchesReferenceOnEveryAxis) {
  Generator gen(13);
  for (const Shape& shape : std::vector<Shape>{{7}, {3, 5}, {2, 3, 4}, {2, 5, 3, 7}, {1, 1000}}) {
    const Tensor x = randn(shape, gen);
    const int64_t rank = static_cast<int64_t>(shape.size());
    for (int64_t axis = -rank; axis < rank; ++axis) {
      Tensor fast(shape), expected(shape);
      softmax(x, axis, fast);
      softmax_reference(x, axis, expected);
      EXPECT_TRUE(all_close(fast, expected, 1e-5, 1e-7))
          << shape_to_string(shape) << " axis " << axis;
    }
  }
}

// Vector tails (sizes around multiples of 8), attention-sized rows, rows large enough to run in
// parallel, and -inf entries (masked positions) that must come out exactly 0.
TEST(Softmax, MatchesReferenceOnOddSizesAndMaskedRows) {
  Generator gen(29);
  for (const Shape& shape : std::vector<Shape>{
           {3, 1}, {2, 7}, {2, 8}, {2, 9}, {1, 3, 197, 197}, {5, 17, 3}, {2, 300, 257}}) {
    Tensor x = randn(shape, gen);
    float* data = x.data<float>();
    for (int64_t i = 0; i < x.num_elements(); i += 7) data[i] = -INFINITY;
    data[1] *= 50.0f;  // a large logit
    for (int64_t axis : {int64_t{-1}, int64_t{1}}) {
      Tensor fast(shape), expected(shape);
      softmax(x, axis, fast);
      softmax_reference(x, axis, expected);
      EXPECT_TRUE(all_close(fast, expected, 1e-5, 1e-7))
          << shape_to_string(shape) << " axis " << axis;
      for (int64_t i = 0; i < x.num_elements(); i += 7)
        if (!std::isnan(expected.data<float>()[i])) EXPECT_EQ(fast.data<float>()[i], 0.0f);
    }
  }
}

TEST(Softmax, RejectsBadAxis) {
  Tensor y({2, 3});
  expect_error(
      [&] {
        softmax(Tensor::zeros({2, 3}), 2, y);
      },
      ErrorCode::InvalidArgument, "softmax: axis 2 is out of range for rank 2");
  expect_error([&] { softmax(Tensor::zeros({}), 0, y); }, ErrorCode::InvalidArgument, "rank >= 1");
}

TEST(Threading, SetAndQueryThreadCount) {
  const int before = num_threads();
  set_num_threads(1);
  EXPECT_EQ(num_threads(), 1);
  set_num_threads(before);
  EXPECT_EQ(num_threads(), before);
  expect_error([] { set_num_threads(0); }, ErrorCode::InvalidArgument, "set_num_threads");
}

}  // namespace
}  // namespace flowonnx::kernels
