// Softmax over one axis of a float32 tensor (numerically stable: max subtracted first).
#pragma once

#include "tensor/tensor.h"

namespace flowonnx::kernels {

void softmax(const Tensor& x, int64_t axis, Tensor& y);
void softmax_reference(const Tensor& x, int64_t axis, Tensor& y);

// Softmax of n contiguous floats (src may equal dst), the row loop of softmax(); a row of only
// -inf gives NaN, as the formula does. For kernels that fuse it with their own row passes.
void softmax_row(const float* src, float* dst, int64_t n);

}  // namespace flowonnx::kernels
