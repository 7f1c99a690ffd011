// The shape analysis shared by matmul, matmul_reference and linear: numpy matmul rules turned
// into a batch of [M,K] x [K,N] products with broadcast batch dims.
#pragma once

#include "kernels/cpu/matmul.h"

namespace flowonnx::kernels::detail {

struct MatMulPlan {
  int64_t m = 1, k = 1, n = 1;
  Shape batch;             // broadcast batch dims of the output
  Shape a_batch, b_batch;  // each operand's batch dims, left-padded with 1 to batch.size()
  Shape y_shape;           // batch + [M] (unless a is 1-D) + [N] (unless b is 1-D)
};

// 1-D operands follow numpy: a [K] is a row [1,K], b [K] a column [K,1], and that dim is
// dropped from the output; transpose flags are ignored for 1-D operands.
MatMulPlan plan_matmul(const Shape& a, const Shape& b, const MatMulParams& params);

// Checks dtypes and y; returns the plan. Shared by matmul and matmul_reference.
MatMulPlan validate_matmul(const Tensor& a, const Tensor& b, const MatMulParams& params,
                           const Tensor& y);

}  // namespace flowonnx::kernels::detail
