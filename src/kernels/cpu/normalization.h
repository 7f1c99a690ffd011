// Normalisations other than batch norm (float32): layer norm over trailing dims, instance norm
// over the spatial dims of each (n, c) plane, and local response norm across channels.
#pragma once

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// x viewed as [outer, inner] with inner = prod(shape[axis:]); scale and bias hold `inner`
// values (bias may be undefined). mean / inv_std (optional, [outer] elements) receive the stats.
void layer_norm(const Tensor& x, int64_t axis, const Tensor& scale, const Tensor& bias,
                double epsilon, Tensor& y, Tensor* mean = nullptr, Tensor* inv_std = nullptr);

// x [N, C, ...]; scale and bias [C].
void instance_norm(const Tensor& x, const Tensor& scale, const Tensor& bias, double epsilon,
                   Tensor& y);

// y = x / (bias + alpha / size * sum of x^2 over `size` neighbouring channels) ^ beta.
void local_response_norm(const Tensor& x, int64_t size, double alpha, double beta, double bias,
                         Tensor& y);

}  // namespace flowonnx::kernels
