// Reductions over a set of axes (ReduceSum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp,
// SumSquare) and arg-reductions, for any numeric dtype (accumulated in double).
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

enum class ReduceOp { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

// `reduce_axis[d]` marks the reduced dims; the output keeps them as 1 (keepdims) or drops them.
Shape reduced_shape(const Shape& x, const std::vector<bool>& reduce_axis, bool keepdims);
// y preallocated with reduced_shape(...) and x's dtype. An empty reduction gives the op's
// identity (0 for sums, -inf/+inf for max/min, 1 for prod).
// float32 reductions over one run of dims are vectorised and accumulate in float;
// reduce_reference (everything else, and the oracle) accumulates in double.
void reduce(ReduceOp op, const Tensor& x, const std::vector<bool>& reduce_axis, Tensor& y);
void reduce_reference(ReduceOp op, const Tensor& x, const std::vector<bool>& reduce_axis,
                      Tensor& y);

// y int64 with x's shape and dim `axis` set to 1 (or dropped); ties resolve to the first index,
// or the last with select_last_index.
void arg_reduce(bool max, const Tensor& x, int64_t axis, bool select_last_index, Tensor& y);

}  // namespace flowonnx::kernels
