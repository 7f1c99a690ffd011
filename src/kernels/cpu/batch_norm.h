// Batch normalisation in inference form: y = (x - mean) / sqrt(var + eps) * scale + bias,
// channels on axis 1 of a rank >= 2 float32 tensor.
#pragma once

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// Throws InvalidArgument naming "batch_norm" when a parameter is not [C].
void batch_norm_inference(const Tensor& x, const Tensor& scale, const Tensor& bias,
                          const Tensor& mean, const Tensor& var, double epsilon, Tensor& y);
void batch_norm_inference_reference(const Tensor& x, const Tensor& scale, const Tensor& bias,
                                    const Tensor& mean, const Tensor& var, double epsilon,
                                    Tensor& y);

}  // namespace flowonnx::kernels
