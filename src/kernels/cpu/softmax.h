// Softmax over one axis of a float32 tensor (numerically stable: max subtracted first).
#pragma once

#include "tensor/tensor.h"

namespace flowonnx::kernels {

void softmax(const Tensor& x, int64_t axis, Tensor& y);
void softmax_reference(const Tensor& x, int64_t axis, Tensor& y);

}  // namespace flowonnx::kernels
