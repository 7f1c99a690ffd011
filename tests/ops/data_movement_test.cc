// strided_slice (row copies over merged dims) against strided_slice_reference (one index walk
// per element): channel ranges, last-axis ranges, steps, reversals, every element size.
#include "kernels/cpu/data_movement.h"

#include <vector>

#include "test_util.h"

namespace flowonnx::kernels {
namespace {

using flowonnx::testing::all_equal;

struct SliceCase {
  Shape x;
  std::vector<int64_t> starts, steps;
  Shape y;
};

TEST(StridedSlice, MatchesReference) {
  const std::vector<SliceCase> cases = {
      {{1, 232, 7, 7}, {0, 116, 0, 0}, {1, 1, 1, 1}, {1, 116, 7, 7}},  // channel split, batch 1
      {{2, 232, 7, 7}, {0, 0, 0, 0}, {1, 1, 1, 1}, {2, 116, 7, 7}},    // batch 2: a run per image
      {{1, 197, 576}, {0, 0, 64}, {1, 1, 1}, {1, 197, 64}},            // one head of a fused qkv
      {{1, 197, 192}, {0, 0, 0}, {1, 1, 1}, {1, 1, 192}},              // class token
      {{5, 9}, {4, 8}, {-1, -1}, {5, 9}},                              // full reversal
      {{5, 9}, {1, 7}, {2, -3}, {2, 3}},                               // steps both ways
      {{3, 4, 5}, {0, 1, 0}, {1, 2, 2}, {3, 2, 3}},
      {{2, 3, 4, 5, 6}, {1, 0, 1, 2, 3}, {1, 1, 1, 1, 1}, {1, 3, 2, 3, 3}},
      {{600, 700}, {10, 5}, {1, 1}, {500, 600}},  // large: parallel rows
      {{4}, {3}, {1}, {0}},                       // empty
      {{}, {}, {}, {}},                           // scalar
  };
  Generator gen(23);
  for (DType dtype : {DType::Float32, DType::Int64, DType::UInt8, DType::Float16}) {
    for (const SliceCase& c : cases) {
      const Tensor x = rand_uniform(c.x, -100, 100, gen, DType::Float64).to(dtype);
      Tensor fast(c.y, dtype), expected(c.y, dtype);
      strided_slice(x, c.starts, c.steps, fast);
      strided_slice_reference(x, c.starts, c.steps, expected);
      EXPECT_TRUE(all_equal(fast.to(DType::Float64), expected.to(DType::Float64)))
          << dtype_name(dtype) << " " << shape_to_string(c.x) << " -> " << shape_to_string(c.y);
    }
  }
}

}  // namespace
}  // namespace flowonnx::kernels
