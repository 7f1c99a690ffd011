// RMS normalisation (OneFlow rms_norm, T5's LayerNorm): y = x / sqrt(mean(x^2) + eps) * weight,
// the mean taken over the trailing dims from `axis` on; no centring, no bias.
#pragma once

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// weight holds prod(shape[axis:]) values or is undefined; y preallocated like x.
void rms_norm(const Tensor& x, int64_t axis, const Tensor& weight, double epsilon, Tensor& y);

}  // namespace flowonnx::kernels
