#include "kernels/cpu/layout.h"

#include <algorithm>

#include "test_util.h"

namespace flowonnx::kernels {
namespace {

using flowonnx::testing::all_equal;
using flowonnx::testing::expect_error;

// Values 0..n-1 (so every element is distinct where the dtype allows), converted to `dtype`.
Tensor iota(const Shape& shape, DType dtype) {
  Tensor values(shape, DType::Float64);
  for (int64_t i = 0; i < values.num_elements(); ++i) values.data<double>()[i] = double(i % 251);
  return values.to(dtype);
}

TEST(Transpose, HandComputed2x3) {
  const Tensor x = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor y({3, 2});
  transpose(x, {1, 0}, y);
  EXPECT_TRUE(all_equal(y, Tensor::from_vector<float>({3, 2}, {1, 4, 2, 5, 3, 6})));
}

TEST(Transpose, MatchesReferenceOnRandomPermutations) {
  Generator gen(9);
  const DType dtypes[] = {DType::Float32, DType::Int64, DType::UInt8,
                          DType::Float16, DType::Bool,  DType::Float64};
  int trial = 0;
  for (int rank = 1; rank <= 5; ++rank) {
    for (int repeat = 0; repeat < 8; ++repeat, ++trial) {
      Shape shape(rank);
      for (int64_t& dim : shape) dim = 1 + static_cast<int64_t>(gen.uniform() * 5);
      std::vector<int64_t> perm(rank);
      for (int i = 0; i < rank; ++i) perm[i] = i;
      for (int i = rank - 1; i > 0; --i)  // Fisher-Yates with our seeded generator
        std::swap(perm[i], perm[static_cast<int>(gen.uniform() * (i + 1))]);
      const DType dtype = dtypes[trial % std::size(dtypes)];
      const Tensor x = iota(shape, dtype);
      const Shape y_shape = transpose_output_shape(shape, perm);
      Tensor fast(y_shape, dtype), expected(y_shape, dtype);
      transpose(x, perm, fast);
      transpose_reference(x, perm, expected);
      EXPECT_TRUE(all_equal(fast, expected)) << shape_to_string(shape) << " perm "
                                             << shape_to_string(perm) << " " << dtype_name(dtype);
    }
  }
  // Large enough for the parallel path, with a strided innermost dim.
  const Tensor big = iota({64, 33, 40}, DType::Float32);
  Tensor fast({40, 64, 33}), expected({40, 64, 33});
  transpose(big, {2, 0, 1}, fast);
  transpose_reference(big, {2, 0, 1}, expected);
  EXPECT_TRUE(all_equal(fast, expected));
}

TEST(Transpose, RejectsBadPermutation) {
  const Tensor x = Tensor::zeros({2, 3, 4});
  Tensor y({2, 3, 4});
  expect_error(
      [&] {
        transpose(x, {0, 0, 1}, y);
      },
      ErrorCode::InvalidArgument,
      "transpose: perm [0,0,1] is not a permutation of 0..2 for input [2,3,4]");
  expect_error([&] { transpose(x, {0, 1, 3}, y); }, ErrorCode::InvalidArgument, "perm [0,1,3]");
  expect_error([&] { transpose(x, {1, 0}, y); }, ErrorCode::InvalidArgument, "perm [1,0]");
  expect_error([&] { transpose(x, {0, -1, 1}, y); }, ErrorCode::InvalidArgument, "perm [0,-1,1]");
  expect_error(
      [&] {
        transpose(x, {0, 2, 1}, y);
      },
      ErrorCode::InvalidArgument,
      "transpose: output y is float32[2,3,4] but the inputs give float32[2,4,3]");
}

TEST(Concat, MatchesReferenceOnEveryAxis) {
  for (DType dtype : {DType::Float32, DType::Int64, DType::Float16, DType::UInt8}) {
    for (int64_t axis = -3; axis < 3; ++axis) {
      const int64_t normalized = axis < 0 ? axis + 3 : axis;
      std::vector<Tensor> inputs;
      for (int64_t size : {2, 0, 3, 1}) {
        Shape shape = {2, 3, 4};
        shape[normalized] = size;
        inputs.push_back(iota(shape, dtype));
      }
      std::vector<Shape> shapes;
      for (const Tensor& t : inputs) shapes.push_back(t.shape());
      const Shape y_shape = concat_output_shape(shapes, axis);
      Shape expected_shape = {2, 3, 4};
      expected_shape[normalized] = 6;
      ASSERT_EQ(y_shape, expected_shape);
      Tensor fast(y_shape, dtype), expected(y_shape, dtype);
      concat(inputs, axis, fast);
      concat_reference(inputs, axis, expected);
      EXPECT_TRUE(all_equal(fast, expected)) << "axis " << axis << " " << dtype_name(dtype);
    }
  }
}

TEST(Concat, HandComputed) {
  const Tensor a = Tensor::from_vector<int32_t>({2, 1}, {1, 2});
  const Tensor b = Tensor::from_vector<int32_t>({2, 2}, {3, 4, 5, 6});
  Tensor y({2, 3}, DType::Int32);
  concat({a, b}, -1, y);
  EXPECT_TRUE(all_equal(y, Tensor::from_vector<int32_t>({2, 3}, {1, 3, 4, 2, 5, 6})));
}

TEST(Concat, RejectsMismatches) {
  Tensor y({2, 5});
  expect_error(
      [&] {
        concat({Tensor::zeros({2, 3}), Tensor::zeros({3, 2})}, 1, y);
      },
      ErrorCode::InvalidArgument,
      "concat: input 1 [3,2] does not match input 0 [2,3] outside axis 1");
  expect_error(
      [&] {
        concat({Tensor::zeros({2, 3}), Tensor::zeros({2, 2}, DType::Int64)}, 1, y);
      },
      ErrorCode::InvalidArgument, "dtypes must match");
  expect_error(
      [&] {
        concat({Tensor::zeros({2, 3})}, 2, y);
      },
      ErrorCode::InvalidArgument, "concat: axis 2 is out of range for rank 2");
  expect_error(
      [&] {
        concat({Tensor::zeros({2, 3}), Tensor::zeros({2, 3})}, 1, y);
      },
      ErrorCode::InvalidArgument, "output y is float32[2,5] but the inputs give float32[2,6]");
  expect_error([&] { concat({}, 0, y); }, ErrorCode::InvalidArgument, "at least one input");
}

TEST(Flatten, OutputShapes) {
  EXPECT_EQ(flatten_output_shape({2, 3, 4, 5}, 1, -1), (Shape{2, 60}));
  EXPECT_EQ(flatten_output_shape({2, 3, 4, 5}, 0, -1), (Shape{120}));
  EXPECT_EQ(flatten_output_shape({2, 3, 4, 5}, 1, 2), (Shape{2, 12, 5}));
  EXPECT_EQ(flatten_output_shape({2, 3, 4, 5}, -2, -2), (Shape{2, 3, 4, 5}));
  EXPECT_EQ(flatten_output_shape({}, 0, -1), (Shape{1}));
  expect_error(
      [] {
        flatten_output_shape({2, 3, 4}, 2, 1);
      },
      ErrorCode::InvalidArgument, "flatten: start_dim 2 comes after end_dim 1 for input [2,3,4]");
  expect_error(
      [] {
        flatten_output_shape({2, 3, 4}, 0, 3);
      },
      ErrorCode::InvalidArgument, "flatten: axis 3 is out of range for rank 3");
}

}  // namespace
}  // namespace flowonnx::kernels
