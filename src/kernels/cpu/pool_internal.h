// Validation shared by the pooling kernels and their references.
#pragma once

#include "kernels/cpu/pool.h"

namespace flowonnx::kernels::detail {

// Checks x (float32 rank 4), the params and y; returns the output shape. `op` names the caller.
Shape validate_pool2d(const char* op, const Tensor& x, const Pool2dParams& params, const Tensor& y);

// x float32 [N,C,H,W] with H,W >= 1; y float32 [N,C,outH,outW] with outH,outW >= 1.
void validate_adaptive_avg_pool2d(const Tensor& x, const Tensor& y);

}  // namespace flowonnx::kernels::detail
