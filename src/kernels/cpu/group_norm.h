// Group normalisation (torch.nn.GroupNorm / OneFlow group_norm): x [N, C, ...] split into
// `groups` groups of C/groups channels; each (n, group) is normalised over its channels and
// spatial positions (biased variance), then scaled and shifted per channel.
#pragma once

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// gamma and beta are [C] or both undefined (no affine); y preallocated like x.
void group_norm(const Tensor& x, int64_t groups, const Tensor& gamma, const Tensor& beta,
                double epsilon, Tensor& y);

}  // namespace flowonnx::kernels
