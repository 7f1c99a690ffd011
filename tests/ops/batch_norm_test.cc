#include "kernels/cpu/batch_norm.h"

#include "test_util.h"

namespace flowonnx::kernels {
namespace {

using flowonnx::testing::all_close;
using flowonnx::testing::expect_error;

TEST(BatchNorm, HandComputedTwoChannels) {
  const Tensor x = Tensor::from_vector<float>({1, 2, 1, 2}, {1, 2, 3, 4});
  const Tensor scale = Tensor::from_vector<float>({2}, {1, 2});
  const Tensor bias = Tensor::from_vector<float>({2}, {0, 1});
  const Tensor mean = Tensor::from_vector<float>({2}, {1, 3});
  const Tensor var = Tensor::from_vector<float>({2}, {4, 1});
  // Channel 0: (x-1)/2; channel 1: (x-3)*2+1.
  const Tensor expected = Tensor::from_vector<float>({1, 2, 1, 2}, {0, 0.5f, 1, 3});
  Tensor y({1, 2, 1, 2});
  batch_norm_inference(x, scale, bias, mean, var, 0.0, y);
  EXPECT_TRUE(all_close(y, expected));
  batch_norm_inference_reference(x, scale, bias, mean, var, 0.0, y);
  EXPECT_TRUE(all_close(y, expected));
}

TEST(BatchNorm, MatchesReferenceOnSeveralRanks) {
  Generator gen(11);
  for (const Shape& shape : std::vector<Shape>{{4, 3}, {2, 5, 7, 9}, {1, 8, 13}, {2, 3, 2, 3, 4}}) {
    const int64_t channels = shape[1];
    const Tensor x = randn(shape, gen);
    const Tensor scale = randn({channels}, gen), bias = randn({channels}, gen);
    const Tensor mean = randn({channels}, gen);
    const Tensor var = rand_uniform({channels}, 0.1, 2.0, gen);
    Tensor fast(shape), expected(shape);
    batch_norm_inference(x, scale, bias, mean, var, 1e-5, fast);
    batch_norm_inference_reference(x, scale, bias, mean, var, 1e-5, expected);
    EXPECT_TRUE(all_close(fast, expected, 1e-5, 1e-5)) << shape_to_string(shape);
  }
}

TEST(BatchNorm, RejectsBadParameters) {
  const Tensor x = Tensor::zeros({1, 3, 4, 4});
  const Tensor c3 = Tensor::full({3}, 1.0), c2 = Tensor::full({2}, 1.0);
  Tensor y({1, 3, 4, 4});
  expect_error([&] { batch_norm_inference(x, c3, c3, c2, c3, 1e-5, y); },
               ErrorCode::InvalidArgument, "batch_norm: mean [2] must be [3] for input [1,3,4,4]");
  expect_error([&] { batch_norm_inference(Tensor::zeros({3}), c3, c3, c3, c3, 1e-5, y); },
               ErrorCode::InvalidArgument, "must have rank >= 2");
  Tensor wrong({1, 3, 4, 5});
  expect_error([&] { batch_norm_inference(x, c3, c3, c3, c3, 1e-5, wrong); },
               ErrorCode::InvalidArgument, "output y is float32[1,3,4,5]");
  expect_error([&] { batch_norm_inference(x, Tensor(), c3, c3, c3, 1e-5, y); },
               ErrorCode::InvalidArgument, "scale is an undefined tensor");
}

}  // namespace
}  // namespace flowonnx::kernels
