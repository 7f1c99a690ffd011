// Normalisations by statistics computed from the input itself (float32 or float64, computed in
// double): MeanVarianceNormalization and BatchNormalization in training mode.
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// y = (x - mean) / (sqrt(var) + 1e-9), mean and population variance over `axes` (already
// normalised to [0, rank), no repeats), as ONNX's MeanVarianceNormalization function body.
void mean_variance_normalize(const Tensor& x, const std::vector<int64_t>& axes, Tensor& y);

// BatchNormalization with training_mode=1 (opset 14/15): per channel c of x [N, C, ..], the batch
// mean m and population variance v over every axis but 1; y = (x - m) / sqrt(v + epsilon) *
// scale + bias; running_mean = mean * momentum + m * (1 - momentum), running_var likewise with v.
// scale, bias, mean, var: [C]; outputs preallocated with x's dtype (running ones [C]).
void batch_norm_training(const Tensor& x, const Tensor& scale, const Tensor& bias, const Tensor& mean,
                         const Tensor& var, double epsilon, double momentum, Tensor& y, Tensor& running_mean,
                         Tensor& running_var);

}  // namespace flowonnx::kernels
