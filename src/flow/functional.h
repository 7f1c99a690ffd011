// The functional API (OneFlow's flow._C / nn.functional): typed wrappers that build the
// attributes of a framework op and run it through call_op, so every call is also traceable.
#pragma once

#include <array>
#include <optional>
#include <string>
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

// Attribute-free element-wise functions, one OneFlow op each (float32 unless noted).
Tensor abs(const Tensor& x);  // also integers (abs, neg, sign, square)
Tensor neg(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor square(const Tensor& x);
Tensor ceil(const Tensor& x);
Tensor floor(const Tensor& x);
Tensor round(const Tensor& x);  // half to even
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tan(const Tensor& x);
Tensor asin(const Tensor& x);
Tensor acos(const Tensor& x);
Tensor atan(const Tensor& x);
Tensor sinh(const Tensor& x);
Tensor cosh(const Tensor& x);
Tensor asinh(const Tensor& x);
Tensor acosh(const Tensor& x);
Tensor atanh(const Tensor& x);
Tensor silu(const Tensor& x);
Tensor gelu(const Tensor& x);        // exact (erf)
Tensor fast_gelu(const Tensor& x);   // tanh approximation
Tensor quick_gelu(const Tensor& x);  // x * sigmoid(1.702 x)
Tensor hardsigmoid(const Tensor& x);
Tensor hardswish(const Tensor& x);
Tensor logical_not(const Tensor& x);  // any dtype -> bool

Tensor leaky_relu(const Tensor& x, double alpha = 0.01);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
Tensor hardtanh(const Tensor& x, double min_val = -1.0, double max_val = 1.0);
// clip_by_scalar / clip_by_scalar_min / clip_by_scalar_max by which bounds are given.
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);
// alpha [C] (or [1]) scales the negative part along dim 1.
Tensor prelu(const Tensor& x, const Tensor& alpha);

// x (op) a Python scalar: OneFlow's scalar_add / scalar_mul / scalar_div / scalar_pow and
// scalar_logical_less / greater (bool result). An integral `value` is passed as OneFlow's
// int_operand, anything else as float_operand.
Tensor scalar_add(const Tensor& x, double value);
Tensor scalar_mul(const Tensor& x, double value);
Tensor scalar_div(const Tensor& x, double value);
Tensor scalar_pow(const Tensor& x, double exponent);
Tensor scalar_logical_less(const Tensor& x, double value);
Tensor scalar_logical_greater(const Tensor& x, double value);
// x (op) a one-element tensor: scalar_{add,sub,mul,div}_by_tensor.
Tensor scalar_add_by_tensor(const Tensor& x, const Tensor& scalar);
Tensor scalar_sub_by_tensor(const Tensor& x, const Tensor& scalar);
Tensor scalar_mul_by_tensor(const Tensor& x, const Tensor& scalar);
Tensor scalar_div_by_tensor(const Tensor& x, const Tensor& scalar);
// A tensor shaped like x filled with value (OneFlow's fill_, out of place here).
Tensor fill(const Tensor& x, double value);

// Same-shape product (OneFlow's multiply op).
Tensor multiply(const Tensor& x, const Tensor& y);
// elementwise_minimum / maximum for equal shapes, broadcast_minimum / maximum otherwise.
Tensor minimum(const Tensor& x, const Tensor& y);
Tensor maximum(const Tensor& x, const Tensor& y);
Tensor squared_difference(const Tensor& x, const Tensor& y);
Tensor floor_mod(const Tensor& x, const Tensor& y);  // Python's %: the divisor's sign
// Comparisons and logic broadcast and return bool.
Tensor equal(const Tensor& x, const Tensor& y);
Tensor not_equal(const Tensor& x, const Tensor& y);
Tensor greater(const Tensor& x, const Tensor& y);
Tensor less(const Tensor& x, const Tensor& y);
Tensor greater_equal(const Tensor& x, const Tensor& y);
Tensor less_equal(const Tensor& x, const Tensor& y);
Tensor logical_and(const Tensor& x, const Tensor& y);
Tensor logical_or(const Tensor& x, const Tensor& y);
Tensor where(const Tensor& condition, const Tensor& x, const Tensor& y);

// [B, M, K] x [B, K, N] (OneFlow's batch_matmul).
Tensor batch_matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false,
                    double alpha = 1.0);
// OneFlow's fused attention ops: {y, softmax_y} and {query_mul_key, value}.
std::vector<Tensor> fused_bias_add_scale_mask_softmax_dropout(const Tensor& x, const Tensor& bias,
                                                              const Tensor& mask, const Tensor& dropout_mask,
                                                              double scale, double mask_fill_value,
                                                              double dropout_scale = 1.0);
std::vector<Tensor> fused_self_attention_query_mul_key_and_value(const Tensor& hidden_states,
                                                                 int64_t head_size, double alpha = 1.0);

// Reductions over `axes` (empty = all dims).
Tensor reduce_sum(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false);
Tensor reduce_mean(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false);
Tensor reduce_min(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false);
Tensor reduce_max(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false);
Tensor reduce_prod(const Tensor& x, const std::vector<int64_t>& axes = {}, bool keepdims = false);
// Index of the first max / min along dim (int64), via OneFlow's last-axis ops.
Tensor argmax(const Tensor& x, int64_t dim = -1, bool keepdim = false);
Tensor argmin(const Tensor& x, int64_t dim = -1, bool keepdim = false);
Tensor var(const Tensor& x, const std::vector<int64_t>& dims = {}, bool unbiased = true, bool keepdim = false);

Tensor flatten(const Tensor& x, int64_t start_dim = 0, int64_t end_dim = -1);
Tensor reshape(const Tensor& x, const Shape& shape);
Tensor transpose(const Tensor& x, const std::vector<int64_t>& perm);
Tensor concat(const std::vector<Tensor>& inputs, int64_t axis);
Tensor squeeze(const Tensor& x, const std::vector<int64_t>& axes);
Tensor expand_dims(const Tensor& x, int64_t axis);
// -1 keeps the input's dim.
Tensor expand(const Tensor& x, const std::vector<int64_t>& shape);
// One Python slice per dim (positive steps).
Tensor slice(const Tensor& x, const std::vector<int64_t>& start, const std::vector<int64_t>& stop,
             const std::vector<int64_t>& step);
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length);
Tensor gather(const Tensor& x, const Tensor& indices, int64_t axis);
Tensor gather_nd(const Tensor& params, const Tensor& indices);
Tensor cast(const Tensor& x, DType dtype);
Tensor constant(const Shape& shape, double value, DType dtype = DType::Float32);
// The identity ops by name: "identity", "amp_white_identity", "amp_black_identity",
// "distribute_split", "distribute_concat", "distribute_clone", "distribute_add".
Tensor identity(const Tensor& x, const std::string& op = "identity");


// The quantize family (OneFlow's quantization ops; see src/flow/ops/quantize.cc). formula:
// "google" | "cambricon"; scheme: "symmetric" | "affine"; bit: 2..8.
struct QuantizationOptions {
  std::string formula = "google";
  int64_t bit = 8;
  std::string scheme = "symmetric";
};
// {scale, zero_point}: per-tensor ([1]) or, with per_layer false, per slice along axis 0 ([C]).
std::array<Tensor, 2> min_max_observer(const Tensor& x, const QuantizationOptions& options = {},
                                       bool per_layer = true);
// {scale, zero_point} from the moving min/max state ([1] each; updated in place when training).
std::array<Tensor, 2> moving_average_min_max_observer(const Tensor& x, const Tensor& current_train_step,
                                                      const Tensor& moving_max, const Tensor& moving_min,
                                                      bool training, const QuantizationOptions& options = {},
                                                      double momentum = 0.95, int64_t stop_update_after_iters = 1);
// Quantize then dequantize x with the observer's scale and zero_point.
Tensor fake_quantization(const Tensor& x, const Tensor& scale, const Tensor& zero_point,
                         const QuantizationOptions& options = {});

}  // namespace flowonnx::functional
