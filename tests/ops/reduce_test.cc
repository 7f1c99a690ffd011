// The reductions' float32 fast path (one run of reduced dims: rows or columns) against
// reduce_reference, which accumulates in double, on every op, odd sizes, NaN, and axis sets
// that must take the generic path.
#include "kernels/cpu/reduce.h"

#include <cmath>
#include <vector>

#include "test_util.h"

namespace flowonnx::kernels {
namespace {

using flowonnx::testing::all_close;

constexpr ReduceOp kAllOps[] = {
    ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max,    ReduceOp::Min,       ReduceOp::Prod,
    ReduceOp::L1,  ReduceOp::L2,   ReduceOp::LogSum, ReduceOp::LogSumExp, ReduceOp::SumSquare};

std::vector<bool> mask_of(size_t rank, const std::vector<int>& axes) {
  std::vector<bool> mask(rank, false);
  for (int axis : axes) mask[axis] = true;
  return mask;
}

// Inputs in [0.5, 1.5) keep Prod and the logs finite and away from cancellation.
TEST(Reduce, MatchesReferenceOnEveryOpAndAxisSet) {
  struct Case {
    Shape shape;
    std::vector<int> axes;
  };
  const std::vector<Case> cases = {
      {{1, 197, 192}, {2}},     // layer norm: rows
      {{1, 197, 192}, {1}},     // columns
      {{1, 197, 192}, {1, 2}},  // everything but a size-1 dim
      {{2, 3, 5, 7}, {2, 3}},   // spatial dims of NCHW
      {{2, 3, 5, 7}, {0}},      // leading axis
      {{2, 3, 5, 7}, {1, 2}},   // a middle run
      {{2, 3, 5, 7}, {0, 2}},   // two runs: the generic path
      {{2, 3, 5, 7}, {1, 3}},   // two runs
      {{3, 1, 4}, {0, 2}},      // one run once the size-1 dim is dropped
      {{7}, {0}},
      {{13}, {0}},
      {{3, 17}, {1}},
      {{3, 1000}, {1}},
      {{300, 257}, {1}},  // large enough to run in parallel
      {{257, 300}, {0}},
      {{4, 1}, {1}},  // reducing a size-1 dim
      {{}, {}},       // a scalar
  };
  Generator gen(11);
  for (const Case& c : cases) {
    const Tensor x = rand_uniform(c.shape, 0.5, 1.5, gen);
    const std::vector<bool> mask = mask_of(c.shape.size(), c.axes);
    for (bool keepdims : {true, false}) {
      const Shape y_shape = reduced_shape(c.shape, mask, keepdims);
      for (ReduceOp op : kAllOps) {
        Tensor fast(y_shape), expected(y_shape);
        reduce(op, x, mask, fast);
        reduce_reference(op, x, mask, expected);
        EXPECT_TRUE(all_close(fast, expected, 2e-6, 1e-6))
            << "op " << static_cast<int>(op) << " on " << shape_to_string(c.shape);
      }
    }
  }
}

TEST(Reduce, SignedValuesSumWithinFloatRounding) {
  Generator gen(3);
  const Tensor x = randn({5, 4099}, gen);
  for (ReduceOp op : {ReduceOp::Sum, ReduceOp::Mean, ReduceOp::L1, ReduceOp::SumSquare}) {
    Tensor fast({5, 1}), expected({5, 1});
    reduce(op, x, {false, true}, fast);
    reduce_reference(op, x, {false, true}, expected);
    // float lanes against double: the error grows like sqrt(n) ulps of the magnitudes summed
    EXPECT_TRUE(all_close(fast, expected, 1e-5, 2e-5)) << static_cast<int>(op);
  }
}

TEST(Reduce, ExtremaPropagateNaN) {
  for (const auto& [shape, mask] : std::vector<std::pair<Shape, std::vector<bool>>>{
           {{2, 11}, {false, true}}, {{11, 2}, {true, false}}}) {
    Tensor x = Tensor::full(shape, 1.0);
    x.data<float>()[5] = NAN;
    for (ReduceOp op : {ReduceOp::Max, ReduceOp::Min}) {
      Tensor fast(reduced_shape(shape, mask, true)), expected(fast.shape());
      reduce(op, x, mask, fast);
      reduce_reference(op, x, mask, expected);
      EXPECT_TRUE(all_close(fast, expected, 0, 0)) << shape_to_string(shape);
      EXPECT_TRUE(std::isnan(fast.data<float>()[0]) || std::isnan(fast.data<float>()[1]));
    }
  }
}

TEST(Reduce, EmptyReductionGivesTheIdentity) {
  const Tensor x({3, 0});
  Tensor y({3, 1});
  reduce(ReduceOp::Sum, x, {false, true}, y);
  EXPECT_TRUE(all_close(y, Tensor::zeros({3, 1})));
  reduce(ReduceOp::Max, x, {false, true}, y);
  EXPECT_EQ(y.data<float>()[0], -INFINITY);
}

TEST(Reduce, OtherDtypesTakeTheGenericPath) {
  const Tensor x = Tensor::from_vector<int64_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor y({2, 1}, DType::Int64);
  reduce(ReduceOp::Sum, x, {false, true}, y);
  EXPECT_EQ(y.data<int64_t>()[0], 6);
  EXPECT_EQ(y.data<int64_t>()[1], 15);
}

}  // namespace
}  // namespace flowonnx::kernels
