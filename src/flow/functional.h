// The functional API (OneFlow's flow._C / nn.functional): typed wrappers that build the
// attributes of a framework op and run it through call_op, so every call is also traceable.
#pragma once

#include <array>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::functional {

using Pair = std::array<int64_t, 2>;

Tensor conv2d(const Tensor& x, const Tensor& weight, Pair strides = {1, 1}, Pair padding = {0, 0},
              Pair dilation = {1, 1}, int64_t groups = 1);
// Inference with running statistics, or (training) with batch statistics.
Tensor normalization(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                     const Tensor& weight, const Tensor& bias, double epsilon, bool training);
Tensor relu(const Tensor& x);
Tensor max_pool_2d(const Tensor& x, Pair kernel, Pair stride, Pair padding, Pair dilation = {1, 1},
                   bool ceil_mode = false);
Tensor avg_pool_2d(const Tensor& x, Pair kernel, Pair stride, Pair padding, bool ceil_mode = false,
                   bool count_include_pad = true);
Tensor adaptive_avg_pool2d(const Tensor& x, Pair output_size);

Tensor broadcast_add(const Tensor& x, const Tensor& y);
Tensor broadcast_sub(const Tensor& x, const Tensor& y);
Tensor broadcast_mul(const Tensor& x, const Tensor& y);
Tensor broadcast_div(const Tensor& x, const Tensor& y);
Tensor add_n(const std::vector<Tensor>& inputs);
Tensor bias_add(const Tensor& x, const Tensor& bias, int64_t axis = 1);
// 2-D operands use OneFlow's matmul op, anything else broadcast_matmul.
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false,
              double alpha = 1.0);
// y = x . weight^T + bias (bias may be undefined), as nn.Linear.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias);
Tensor softmax(const Tensor& x, int64_t axis = -1);
// [start, start + delta, ...) below limit, as flow.arange.
Tensor arange(double start, double limit, double delta = 1, DType dtype = DType::Int64);

Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor reshape(const Tensor& x, const Shape& shape);
Tensor transpose(const Tensor& x, const std::vector<int64_t>& perm);
Tensor concat(const std::vector<Tensor>& inputs, int64_t axis);

}  // namespace flowonnx::functional
