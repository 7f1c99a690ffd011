#include "flow/functional.h"

#include <cmath>

#include "flow/functional_util.h"

namespace flowonnx::functional {
namespace {

using flow::call_op;
using Ints = std::vector<int64_t>;

using detail::first;
using detail::ints;

// OneFlow's scalar operand attributes for a Python number.
ir::Attributes scalar_attrs(double value) {
  bool integral = std::nearbyint(value) == value && std::abs(value) < 9.0e15;
  return {{"has_int_operand", int64_t{integral}}, {"has_float_operand", int64_t{!integral}},
          {"int_operand", integral ? static_cast<int64_t>(value) : int64_t{0}},
          {"float_operand", integral ? 0.0 : value}};
}

ir::Attributes fill_attrs(double value) {
  bool integral = std::nearbyint(value) == value && std::abs(value) < 9.0e15;
  return {{"is_floating_value", int64_t{!integral}},
          {"integral_value", integral ? static_cast<int64_t>(value) : int64_t{0}},
          {"floating_value", integral ? 0.0 : value}};
}

Tensor reduce(const char* op, const Tensor& x, const Ints& axes, bool keepdims) {
  return first(call_op(op, {x}, {{"axis", axes}, {"keepdims", int64_t{keepdims}}}));
}

// OneFlow's argmax / argmin reduce the last axis; another dim is moved last first.
Tensor arg_reduce(const char* op, const Tensor& x, int64_t dim, bool keepdim) {
  int64_t rank = x.rank();
  FLOWONNX_REQUIRE(dim >= -rank && dim < rank, "{}: dim {} out of range for {}", op, dim, x.describe());
  if (dim < 0) dim += rank;
  Tensor moved = x;
  if (dim != rank - 1) {
    Ints perm;
    for (int64_t d = 0; d < rank; ++d)
      if (d != dim) perm.push_back(d);
    perm.push_back(dim);
    moved = transpose(x, perm);
  }
  Tensor index = first(call_op(op, {moved}));
  return keepdim ? expand_dims(index, dim) : index;
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, Pair strides, Pair padding, Pair dilation,
              int64_t groups) {
  FLOWONNX_REQUIRE(weight.defined() && weight.rank() == 4, "conv2d: weight must be rank 4, got {}",
                   weight.describe());
  return first(call_op("conv2d", {x, weight},
                       {{"filters", weight.dim(0)},
                        {"kernel_size", Ints{weight.dim(2), weight.dim(3)}},
                        {"strides", ints(strides)},
                        {"padding_before", ints(padding)},
                        {"dilation_rate", ints(dilation)},
                        {"groups", groups}}));
}

Tensor normalization(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                     const Tensor& weight, const Tensor& bias, double epsilon, bool training) {
  return first(call_op("normalization", {x, running_mean, running_var, weight, bias},
                       {{"epsilon", epsilon}, {"training", int64_t{training}}}));
}

Tensor relu(const Tensor& x) { return first(call_op("relu", {x})); }

Tensor max_pool_2d(const Tensor& x, Pair kernel, Pair stride, Pair padding, Pair dilation,
                   bool ceil_mode) {
  return first(call_op("max_pool_2d", {x},
                       {{"kernel_size", ints(kernel)}, {"stride", ints(stride)},
                        {"padding", ints(padding)}, {"dilation", ints(dilation)},
                        {"ceil_mode", int64_t{ceil_mode}}}));
}

Tensor avg_pool_2d(const Tensor& x, Pair kernel, Pair stride, Pair padding, bool ceil_mode,
                   bool count_include_pad) {
  return first(call_op("avg_pool_2d", {x},
                       {{"kernel_size", ints(kernel)}, {"stride", ints(stride)},
                        {"padding", ints(padding)}, {"ceil_mode", int64_t{ceil_mode}},
                        {"count_include_pad", int64_t{count_include_pad}}}));
}

Tensor adaptive_avg_pool2d(const Tensor& x, Pair output_size) {
  return first(call_op("adaptive_avg_pool2d", {x}, {{"output_size", ints(output_size)}}));
}

Tensor broadcast_add(const Tensor& x, const Tensor& y) { return first(call_op("broadcast_add", {x, y})); }
Tensor broadcast_sub(const Tensor& x, const Tensor& y) { return first(call_op("broadcast_sub", {x, y})); }
Tensor broadcast_mul(const Tensor& x, const Tensor& y) { return first(call_op("broadcast_mul", {x, y})); }
Tensor broadcast_div(const Tensor& x, const Tensor& y) { return first(call_op("broadcast_div", {x, y})); }
Tensor add_n(const std::vector<Tensor>& inputs) { return first(call_op("add_n", inputs)); }

Tensor bias_add(const Tensor& x, const Tensor& bias, int64_t axis) {
  return first(call_op("bias_add", {x, bias}, {{"axis", axis}}));
}

Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b, double alpha) {
  const char* op = a.rank() == 2 && b.rank() == 2 ? "matmul" : "broadcast_matmul";
  return first(call_op(op, {a, b},
                       {{"transpose_a", int64_t{transpose_a}},
                        {"transpose_b", int64_t{transpose_b}},
                        {"alpha", alpha}}));
}

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  Tensor y = matmul(x, weight, false, true);
  return bias.defined() ? bias_add(y, bias, y.rank() - 1) : y;
}

Tensor softmax(const Tensor& x, int64_t axis) { return first(call_op("softmax", {x}, {{"axis", axis}})); }

Tensor arange(double start, double limit, double delta, DType dtype) {
  return first(call_op("arange", {}, {{"start", start}, {"limit", limit}, {"delta", delta},
                                      {"dtype", std::string(dtype_name(dtype))}}));
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  return first(call_op("flatten", {x}, {{"start_dim", start_dim}, {"end_dim", end_dim}}));
}

Tensor reshape(const Tensor& x, const Shape& shape) {
  return first(call_op("reshape", {x}, {{"shape", Ints(shape)}}));
}

Tensor transpose(const Tensor& x, const std::vector<int64_t>& perm) {
  return first(call_op("transpose", {x}, {{"perm", perm}}));
}

Tensor concat(const std::vector<Tensor>& inputs, int64_t axis) {
  return first(call_op("concat", inputs, {{"axis", axis}}));
}

}  // namespace flowonnx::functional

namespace flowonnx::functional {

#define FLOWONNX_ELEMENTWISE_1(name) \
  Tensor name(const Tensor& x) { return first(call_op(#name, {x})); }
FLOWONNX_ELEMENTWISE_1(abs)
FLOWONNX_ELEMENTWISE_1(neg)
FLOWONNX_ELEMENTWISE_1(sign)
FLOWONNX_ELEMENTWISE_1(square)
FLOWONNX_ELEMENTWISE_1(ceil)
FLOWONNX_ELEMENTWISE_1(floor)
FLOWONNX_ELEMENTWISE_1(round)
FLOWONNX_ELEMENTWISE_1(exp)
FLOWONNX_ELEMENTWISE_1(log)
FLOWONNX_ELEMENTWISE_1(sqrt)
FLOWONNX_ELEMENTWISE_1(rsqrt)
FLOWONNX_ELEMENTWISE_1(reciprocal)
FLOWONNX_ELEMENTWISE_1(erf)
FLOWONNX_ELEMENTWISE_1(sigmoid)
FLOWONNX_ELEMENTWISE_1(tanh)
FLOWONNX_ELEMENTWISE_1(sin)
FLOWONNX_ELEMENTWISE_1(cos)
FLOWONNX_ELEMENTWISE_1(tan)
FLOWONNX_ELEMENTWISE_1(asin)
FLOWONNX_ELEMENTWISE_1(acos)
FLOWONNX_ELEMENTWISE_1(atan)
FLOWONNX_ELEMENTWISE_1(sinh)
FLOWONNX_ELEMENTWISE_1(cosh)
FLOWONNX_ELEMENTWISE_1(asinh)
FLOWONNX_ELEMENTWISE_1(acosh)
FLOWONNX_ELEMENTWISE_1(atanh)
FLOWONNX_ELEMENTWISE_1(silu)
FLOWONNX_ELEMENTWISE_1(gelu)
FLOWONNX_ELEMENTWISE_1(fast_gelu)
FLOWONNX_ELEMENTWISE_1(quick_gelu)
FLOWONNX_ELEMENTWISE_1(hardsigmoid)
FLOWONNX_ELEMENTWISE_1(hardswish)
FLOWONNX_ELEMENTWISE_1(logical_not)
#undef FLOWONNX_ELEMENTWISE_1

#define FLOWONNX_ELEMENTWISE_2(name, op) \
  Tensor name(const Tensor& x, const Tensor& y) { return first(call_op(op, {x, y})); }
FLOWONNX_ELEMENTWISE_2(scalar_add_by_tensor, "scalar_add_by_tensor")
FLOWONNX_ELEMENTWISE_2(scalar_sub_by_tensor, "scalar_sub_by_tensor")
FLOWONNX_ELEMENTWISE_2(scalar_mul_by_tensor, "scalar_mul_by_tensor")
FLOWONNX_ELEMENTWISE_2(scalar_div_by_tensor, "scalar_div_by_tensor")
FLOWONNX_ELEMENTWISE_2(multiply, "multiply")
FLOWONNX_ELEMENTWISE_2(squared_difference, "squared_difference")
FLOWONNX_ELEMENTWISE_2(floor_mod, "broadcast_floor_mod")
FLOWONNX_ELEMENTWISE_2(equal, "broadcast_equal")
FLOWONNX_ELEMENTWISE_2(not_equal, "broadcast_not_equal")
FLOWONNX_ELEMENTWISE_2(greater, "broadcast_greater")
FLOWONNX_ELEMENTWISE_2(less, "broadcast_less")
FLOWONNX_ELEMENTWISE_2(greater_equal, "broadcast_greater_equal")
FLOWONNX_ELEMENTWISE_2(less_equal, "broadcast_less_equal")
FLOWONNX_ELEMENTWISE_2(logical_and, "broadcast_logical_and")
FLOWONNX_ELEMENTWISE_2(logical_or, "broadcast_logical_or")
FLOWONNX_ELEMENTWISE_2(prelu, "prelu")
#undef FLOWONNX_ELEMENTWISE_2

#define FLOWONNX_SCALAR_OP(name) \
  Tensor name(const Tensor& x, double value) { return first(call_op(#name, {x}, scalar_attrs(value))); }
FLOWONNX_SCALAR_OP(scalar_add)
FLOWONNX_SCALAR_OP(scalar_mul)
FLOWONNX_SCALAR_OP(scalar_div)
FLOWONNX_SCALAR_OP(scalar_pow)
FLOWONNX_SCALAR_OP(scalar_logical_less)
FLOWONNX_SCALAR_OP(scalar_logical_greater)
#undef FLOWONNX_SCALAR_OP

Tensor leaky_relu(const Tensor& x, double alpha) { return first(call_op("leaky_relu", {x}, {{"alpha", alpha}})); }
Tensor elu(const Tensor& x, double alpha) { return first(call_op("elu", {x}, {{"alpha", alpha}})); }
Tensor softplus(const Tensor& x, double beta, double threshold) {
  return first(call_op("softplus", {x}, {{"beta", beta}, {"threshold", threshold}}));
}
Tensor hardtanh(const Tensor& x, double min_val, double max_val) {
  return first(call_op("hardtanh", {x}, {{"min_val", min_val}, {"max_val", max_val}}));
}

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
  FLOWONNX_REQUIRE(min || max, "clamp: needs min, max or both");
  if (min && max) return first(call_op("clip_by_scalar", {x}, {{"floating_min", *min}, {"floating_max", *max}}));
  if (min) return first(call_op("clip_by_scalar_min", {x}, {{"floating_min", *min}}));
  return first(call_op("clip_by_scalar_max", {x}, {{"floating_max", *max}}));
}

Tensor fill(const Tensor& x, double value) { return first(call_op("fill_", {x}, fill_attrs(value))); }

Tensor minimum(const Tensor& x, const Tensor& y) {
  return first(call_op(x.shape() == y.shape() ? "elementwise_minimum" : "broadcast_minimum", {x, y}));
}
Tensor maximum(const Tensor& x, const Tensor& y) {
  return first(call_op(x.shape() == y.shape() ? "elementwise_maximum" : "broadcast_maximum", {x, y}));
}
Tensor where(const Tensor& condition, const Tensor& x, const Tensor& y) {
  return first(call_op("where", {condition, x, y}));
}

Tensor batch_matmul(const Tensor& a, const Tensor& b, bool transpose_a, bool transpose_b, double alpha) {
  return first(call_op("batch_matmul", {a, b},
                       {{"transpose_a", int64_t{transpose_a}}, {"transpose_b", int64_t{transpose_b}}, {"alpha", alpha}}));
}

std::vector<Tensor> fused_bias_add_scale_mask_softmax_dropout(const Tensor& x, const Tensor& bias,
                                                              const Tensor& mask, const Tensor& dropout_mask,
                                                              double scale, double mask_fill_value,
                                                              double dropout_scale) {
  return call_op("fused_bias_add_scale_mask_softmax_dropout", {x, bias, mask, dropout_mask},
                 {{"scale_value", scale}, {"mask_fill_value", mask_fill_value}, {"dropout_scale_value", dropout_scale}});
}

std::vector<Tensor> fused_self_attention_query_mul_key_and_value(const Tensor& hidden_states, int64_t head_size,
                                                                 double alpha) {
  return call_op("fused_self_attention_query_mul_key_and_value", {hidden_states},
                 {{"head_size", head_size}, {"alpha", alpha}});
}

Tensor reduce_sum(const Tensor& x, const Ints& axes, bool keepdims) { return reduce("reduce_sum", x, axes, keepdims); }
Tensor reduce_mean(const Tensor& x, const Ints& axes, bool keepdims) { return reduce("reduce_mean", x, axes, keepdims); }
Tensor reduce_min(const Tensor& x, const Ints& axes, bool keepdims) { return reduce("reduce_min", x, axes, keepdims); }
Tensor reduce_max(const Tensor& x, const Ints& axes, bool keepdims) { return reduce("reduce_max", x, axes, keepdims); }
Tensor reduce_prod(const Tensor& x, const Ints& axes, bool keepdims) { return reduce("reduce_prod", x, axes, keepdims); }
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) { return arg_reduce("argmax", x, dim, keepdim); }
Tensor argmin(const Tensor& x, int64_t dim, bool keepdim) { return arg_reduce("argmin", x, dim, keepdim); }
Tensor var(const Tensor& x, const Ints& dims, bool unbiased, bool keepdim) {
  return first(call_op("var", {x}, {{"dim", dims}, {"unbiased", int64_t{unbiased}}, {"keepdim", int64_t{keepdim}}}));
}

Tensor squeeze(const Tensor& x, const Ints& axes) { return first(call_op("squeeze", {x}, {{"axes", axes}})); }
Tensor expand_dims(const Tensor& x, int64_t axis) { return first(call_op("expand_dims", {x}, {{"axis", axis}})); }
Tensor expand(const Tensor& x, const Ints& shape) { return first(call_op("expand", {x}, {{"expand_shape", shape}})); }
Tensor slice(const Tensor& x, const Ints& start, const Ints& stop, const Ints& step) {
  return first(call_op("slice", {x}, {{"start", start}, {"stop", stop}, {"step", step}}));
}
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  return first(call_op("narrow", {x}, {{"dim", dim}, {"start", start}, {"length", length}}));
}
Tensor gather(const Tensor& x, const Tensor& indices, int64_t axis) {
  return first(call_op("gather", {x, indices}, {{"axis", axis}}));
}
Tensor gather_nd(const Tensor& params, const Tensor& indices) { return first(call_op("gather_nd", {params, indices})); }
Tensor cast(const Tensor& x, DType dtype) {
  return first(call_op("cast", {x}, {{"dtype", std::string(dtype_name(dtype))}}));
}
Tensor constant(const Shape& shape, double value, DType dtype) {
  ir::Attributes attrs = fill_attrs(value);
  attrs.set("shape", Ints(shape));
  attrs.set("dtype", std::string(dtype_name(dtype)));
  return first(call_op("constant", {}, attrs));
}
Tensor identity(const Tensor& x, const std::string& op) { return first(call_op(op, {x})); }


namespace {
ir::Attributes quantization_attrs(const QuantizationOptions& options) {
  return {{"quantization_formula", options.formula},
          {"quantization_bit", options.bit},
          {"quantization_scheme", options.scheme}};
}
std::array<Tensor, 2> pair_of(std::vector<Tensor> outputs) { return {outputs.at(0), outputs.at(1)}; }
}  // namespace

std::array<Tensor, 2> min_max_observer(const Tensor& x, const QuantizationOptions& options, bool per_layer) {
  ir::Attributes attrs = quantization_attrs(options);
  attrs.set("per_layer_quantization", int64_t{per_layer});
  return pair_of(call_op("min_max_observer", {x}, attrs));
}
std::array<Tensor, 2> moving_average_min_max_observer(const Tensor& x, const Tensor& current_train_step,
                                                      const Tensor& moving_max, const Tensor& moving_min,
                                                      bool training, const QuantizationOptions& options,
                                                      double momentum, int64_t stop_update_after_iters) {
  ir::Attributes attrs = quantization_attrs(options);
  attrs.set("training", int64_t{training});
  attrs.set("momentum", momentum);
  attrs.set("stop_update_after_iters", stop_update_after_iters);
  return pair_of(call_op("moving_average_min_max_observer", {x, current_train_step, moving_max, moving_min}, attrs));
}
Tensor fake_quantization(const Tensor& x, const Tensor& scale, const Tensor& zero_point,
                         const QuantizationOptions& options) {
  return first(call_op("fake_quantization", {x, scale, zero_point}, quantization_attrs(options)));
}

}  // namespace flowonnx::functional
