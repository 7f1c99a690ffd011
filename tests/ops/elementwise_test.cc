#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/broadcast_loop.h"

#include <limits>

#include "test_util.h"

namespace flowonnx::kernels {
namespace {

using flowonnx::testing::all_close;
using flowonnx::testing::all_equal;
using flowonnx::testing::expect_error;

constexpr BinaryOp kAllBinaryOps[] = {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div};

// Random values of `dtype`; integers in [-50, 50], with zeros moved to 7 when `nonzero`.
Tensor random_values(const Shape& shape, DType dtype, Generator& gen, bool nonzero) {
  Tensor values = rand_uniform(shape, -50, 50, gen, DType::Float64);
  double* v = values.data<double>();
  for (int64_t i = 0; i < values.num_elements(); ++i) {
    if (!is_floating(dtype)) v[i] = std::trunc(v[i]);
    if (nonzero && std::abs(v[i]) < 0.5) v[i] = 7;
  }
  return values.to(dtype);
}

TEST(BroadcastShapes, NumpyRules) {
  EXPECT_EQ(broadcast_shapes({2, 3}, {}), (Shape{2, 3}));
  EXPECT_EQ(broadcast_shapes({3, 1}, {1, 4}), (Shape{3, 4}));
  EXPECT_EQ(broadcast_shapes({5, 1, 1, 3}, {4, 2, 1}), (Shape{5, 4, 2, 3}));
  EXPECT_EQ(broadcast_shapes({0, 3}, {1, 3}), (Shape{0, 3}));
  expect_error(
      [] {
        broadcast_shapes({2, 3}, {4, 3}, "Add");
      },
      ErrorCode::InvalidArgument, "Add: shapes [2,3] and [4,3] do not broadcast");
}

TEST(Binary, MatchesReferenceOnBroadcastPatternsAndDtypes) {
  const std::vector<std::pair<Shape, Shape>> patterns = {
      {{2, 3, 4}, {2, 3, 4}},
      {{}, {2, 3}},
      {{2, 3}, {}},
      {{3, 1}, {1, 4}},
      {{2, 3, 4}, {4}},
      {{2, 1, 4}, {3, 1}},
      {{5, 1, 1, 3}, {1, 4, 2, 1}},
      {{1, 6, 1, 1}, {2, 6, 5, 7}},
      {{7, 1}, {7, 9}},
      {{3, 40000}, {40000}},
      {{70001}, {70001}},
      {{2, 1, 3}, {2, 5, 3}},
  };
  Generator gen(17);
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int32, DType::Int64}) {
    for (const auto& [a_shape, b_shape] : patterns) {
      const Tensor a = random_values(a_shape, dtype, gen, false);
      const Tensor b = random_values(b_shape, dtype, gen, true);
      const Shape y_shape = broadcast_shapes(a_shape, b_shape);
      for (BinaryOp op : kAllBinaryOps) {
        Tensor fast(y_shape, dtype), expected(y_shape, dtype);
        binary(op, a, b, fast);
        binary_reference(op, a, b, expected);
        EXPECT_TRUE(all_equal(fast, expected))
            << dtype_name(dtype) << " op " << static_cast<int>(op) << " "
            << shape_to_string(a_shape) << " with " << shape_to_string(b_shape);
      }
    }
  }
}

TEST(Binary, HandComputedBroadcastAdd) {
  const Tensor a = Tensor::from_vector<float>({2, 1}, {1, 2});
  const Tensor b = Tensor::from_vector<float>({3}, {10, 20, 30});
  Tensor y({2, 3});
  binary(BinaryOp::Add, a, b, y);
  EXPECT_TRUE(all_close(y, Tensor::from_vector<float>({2, 3}, {11, 21, 31, 12, 22, 32})));
  binary(BinaryOp::Sub, a, b, y);
  EXPECT_TRUE(all_close(y, Tensor::from_vector<float>({2, 3}, {-9, -19, -29, -8, -18, -28})));
}

// Rank 0 has no outer dims to walk: one call with offset 0 for every input (this once read out[-1]).
TEST(BroadcastLoop, ScalarsVisitOneElement) {
  std::vector<std::array<int64_t, 2>> visits;
  for_each_broadcast<2>(Shape{}, {Shape{}, Shape{}}, [&](int64_t out, std::array<int64_t, 2> in) {
    EXPECT_EQ(out, 0);
    visits.push_back(in);
  });
  ASSERT_EQ(visits.size(), 1u);
  EXPECT_EQ(visits[0], (std::array<int64_t, 2>{0, 0}));
}

TEST(Binary, IntegerDivisionTruncatesLikeC) {
  const Tensor a =
      Tensor::from_vector<int64_t>({5}, {-7, 7, 7, -7, std::numeric_limits<int64_t>::min()});
  const Tensor b = Tensor::from_vector<int64_t>({5}, {2, -2, 2, -2, -1});
  Tensor y({5}, DType::Int64);
  binary(BinaryOp::Div, a, b, y);
  // INT64_MIN / -1 overflows; it wraps to INT64_MIN instead of trapping.
  const std::vector<int64_t> expected = {-3, -3, 3, 3, std::numeric_limits<int64_t>::min()};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(y.data<int64_t>()[i], expected[i]) << i;
}

TEST(Binary, IntegerDivisionByZeroThrows) {
  const Tensor a = Tensor::from_vector<int32_t>({3}, {1, 2, 3});
  const Tensor b = Tensor::from_vector<int32_t>({3}, {1, 0, 1});
  Tensor y({3}, DType::Int32);
  expect_error([&] { binary(BinaryOp::Div, a, b, y); }, ErrorCode::InvalidArgument,
               "Div: integer division by zero");
  expect_error([&] { binary_reference(BinaryOp::Div, a, b, y); }, ErrorCode::InvalidArgument,
               "division by zero");
  // Float division by zero follows IEEE.
  Tensor fy({1});
  binary(BinaryOp::Div, Tensor::from_vector<float>({1}, {1}), Tensor::from_vector<float>({1}, {0}),
         fy);
  EXPECT_TRUE(std::isinf(fy.data<float>()[0]));
}

TEST(Binary, RejectsBadArguments) {
  Tensor y({2, 3});
  expect_error(
      [&] {
        binary(BinaryOp::Add, Tensor::zeros({2, 3}), Tensor::zeros({4, 3}), y);
      },
      ErrorCode::InvalidArgument, "Add: shapes [2,3] and [4,3] do not broadcast");
  expect_error(
      [&] {
        binary(BinaryOp::Mul, Tensor::zeros({2, 3}), Tensor::zeros({3}, DType::Int64), y);
      },
      ErrorCode::InvalidArgument, "different dtypes");
  Tensor wrong({3, 2});
  expect_error(
      [&] {
        binary(BinaryOp::Add, Tensor::zeros({2, 3}), Tensor::zeros({3}), wrong);
      },
      ErrorCode::InvalidArgument, "Add: output y is float32[3,2] but the inputs give float32[2,3]");
  Tensor bools({2}, DType::Bool);
  expect_error(
      [&] {
        binary(BinaryOp::Add, Tensor::zeros({2}, DType::Bool), Tensor::zeros({2}, DType::Bool),
               bools);
      },
      ErrorCode::InvalidArgument, "is not supported");
  Tensor a = Tensor::zeros({2, 3});
  expect_error([&] { binary(BinaryOp::Add, a, Tensor::zeros({3}), a); }, ErrorCode::InvalidArgument,
               "shares storage");
}

TEST(AddN, SumsInputs) {
  Generator gen(2);
  for (DType dtype : {DType::Float32, DType::Int64}) {
    std::vector<Tensor> inputs;
    for (int i = 0; i < 3; ++i) inputs.push_back(random_values({4, 5}, dtype, gen, false));
    Tensor partial({4, 5}, dtype), expected({4, 5}, dtype), y({4, 5}, dtype);
    binary_reference(BinaryOp::Add, inputs[0], inputs[1], partial);
    binary_reference(BinaryOp::Add, partial, inputs[2], expected);
    add_n(inputs, y);
    EXPECT_TRUE(all_close(y, expected, 1e-6, 1e-5)) << dtype_name(dtype);
  }
  Tensor y({2});
  expect_error(
      [&] {
        add_n({Tensor::zeros({2}), Tensor::zeros({3})}, y);
      },
      ErrorCode::InvalidArgument, "add_n: input 1 is float32[3] but input 0 is float32[2]");
  expect_error([&] { add_n({}, y); }, ErrorCode::InvalidArgument, "at least one input");
}

TEST(Unary, ReluMatchesReference) {
  Generator gen(4);
  for (DType dtype : {DType::Float32, DType::Float64, DType::Int32, DType::Int64}) {
    const Tensor x = random_values({3, 7, 5}, dtype, gen, false);
    Tensor fast({3, 7, 5}, dtype), expected({3, 7, 5}, dtype);
    unary(UnaryOp::Relu, x, fast);
    unary_reference(UnaryOp::Relu, x, expected);
    EXPECT_TRUE(all_equal(fast, expected)) << dtype_name(dtype);
  }
  const Tensor x = Tensor::from_vector<float>({4}, {-1, 0, 2, -0.5f});
  Tensor y({4});
  unary(UnaryOp::Relu, x, y);
  EXPECT_TRUE(all_equal(y, Tensor::from_vector<float>({4}, {0, 0, 2, 0})));
  Tensor wrong({5});
  expect_error([&] { unary(UnaryOp::Relu, x, wrong); }, ErrorCode::InvalidArgument,
               "unary: output y is float32[5]");
}

}  // namespace
}  // namespace flowonnx::kernels
