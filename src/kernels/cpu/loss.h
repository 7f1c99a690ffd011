// Classification losses with ONNX semantics: NegativeLogLikelihoodLoss over [N, C, d1..dk]
// log-probabilities and the log-softmax over the class axis that SoftmaxCrossEntropyLoss feeds it.
// float32 and float64; sums are accumulated in double.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

enum class LossReduction { None, Sum, Mean };

// "none", "sum" or "mean"; throws InvalidArgument otherwise.
LossReduction parse_loss_reduction(const std::string& name);

struct NllLossParams {
  LossReduction reduction = LossReduction::Mean;
  // Targets equal to it add nothing (and weigh nothing in the mean); may lie outside [0, C).
  std::optional<int64_t> ignore_index;
};

// The loss's shape: the target's for reduction none, a scalar otherwise.
Shape nll_loss_shape(const Tensor& target, LossReduction reduction);

// loss[n, d] = -log_prob[n, target[n, d], d] * weight[target[n, d]]; "mean" divides the sum by the
// summed weights of the targets not ignored. log_prob [N, C, d...] float32/64, target [N, d...]
// int32/int64 with values in [0, C) (or ignore_index), weight [C] of log_prob's dtype or
// undefined (all ones). Throws InvalidArgument naming the input for wrong ranks, shapes, dtypes
// and out-of-range targets. y preallocated: nll_loss_shape, log_prob's dtype.
void nll_loss(const Tensor& log_prob, const Tensor& target, const Tensor& weight,
              const NllLossParams& params, Tensor& y);

// y = log(softmax(x)) over axis 1 of x [N, C, d...] (float32/64), max subtracted first.
void log_softmax_axis1(const Tensor& x, Tensor& y);

}  // namespace flowonnx::kernels
