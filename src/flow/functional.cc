#include "flow/functional.h"

#include "flow/dispatch.h"

namespace flowonnx::functional {
namespace {

using flow::call_op;
using Ints = std::vector<int64_t>;

Ints ints(Pair pair) { return {pair[0], pair[1]}; }
Tensor first(std::vector<Tensor> outputs) { return std::move(outputs[0]); }

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
