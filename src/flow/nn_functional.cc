#include "flow/nn_functional.h"

#include "flow/functional_util.h"

namespace flowonnx::functional {
namespace {

using flow::call_op;
using Ints = std::vector<int64_t>;

using detail::first;
using detail::ints;

// The trailing inputs that are defined, after x.
std::vector<Tensor> with_optional(const Tensor& x, std::initializer_list<const Tensor*> optional) {
  std::vector<Tensor> inputs{x};
  for (const Tensor* tensor : optional)
    if (tensor->defined()) inputs.push_back(*tensor);
  return inputs;
}

Tensor upsample(const char* op, const Tensor& x, double height_scale, double width_scale, Ints output_size,
                bool align_corners) {
  ir::Attributes attrs{{"height_scale", height_scale}, {"width_scale", width_scale}, {"output_size", output_size}};
  if (std::string(op) == "upsample_bilinear_2d") attrs.set("align_corners", int64_t{align_corners});
  return first(call_op(op, {x}, attrs));
}

}  // namespace

Tensor conv1d(const Tensor& x, const Tensor& weight, int64_t stride, int64_t padding, int64_t dilation,
              int64_t groups) {
  FLOWONNX_REQUIRE(weight.defined() && weight.rank() == 3, "conv1d: weight must be rank 3, got {}",
                   weight.defined() ? weight.describe() : "undefined");
  return first(call_op("conv1d", {x, weight},
                       {{"filters", weight.dim(0)}, {"kernel_size", Ints{weight.dim(2)}},
                        {"strides", Ints{stride}}, {"padding_before", Ints{padding}},
                        {"dilation_rate", Ints{dilation}}, {"groups", groups}}));
}

Tensor deconv2d(const Tensor& x, const Tensor& weight, Pair stride, Pair padding, Pair output_padding, Pair dilation,
                int64_t groups) {
  FLOWONNX_REQUIRE(weight.defined() && weight.rank() == 4, "deconv2d: weight must be rank 4, got {}",
                   weight.defined() ? weight.describe() : "undefined");
  return first(call_op("deconv2d", {x, weight},
                       {{"filters", weight.dim(1) * groups}, {"kernel_size", Ints{weight.dim(2), weight.dim(3)}},
                        {"strides", ints(stride)}, {"padding_before", ints(padding)},
                        {"output_padding", ints(output_padding)}, {"dilation_rate", ints(dilation)},
                        {"groups", groups}}));
}

Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, int64_t begin_axis, double epsilon) {
  return first(call_op("layer_norm", with_optional(x, {&gamma, &beta}),
                       {{"center", int64_t{beta.defined()}}, {"scale", int64_t{gamma.defined()}},
                        {"begin_norm_axis", begin_axis}, {"begin_params_axis", begin_axis},
                        {"epsilon", epsilon}}));
}

Tensor rms_norm(const Tensor& x, const Tensor& weight, int64_t normalized_dims, double epsilon) {
  FLOWONNX_REQUIRE(normalized_dims >= 1 && normalized_dims <= x.rank(), "rms_norm: {} normalised dims for {}",
                   normalized_dims, x.describe());
  Ints normalized(x.shape().end() - normalized_dims, x.shape().end());
  return first(call_op("rms_norm", with_optional(x, {&weight}),
                       {{"normalized_shape", normalized}, {"epsilon", epsilon}}));
}

Tensor rms_layer_norm(const Tensor& x, const Tensor& weight, double epsilon) {
  return first(call_op("rms_layer_norm", {x, weight}, {{"epsilon", epsilon}}));
}

Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& gamma, const Tensor& beta, double epsilon) {
  FLOWONNX_REQUIRE(gamma.defined() == beta.defined(), "group_norm: gamma and beta must both be given or both absent");
  return first(call_op("group_norm", with_optional(x, {&gamma, &beta}),
                       {{"affine", int64_t{gamma.defined()}}, {"num_groups", num_groups}, {"epsilon", epsilon}}));
}

Tensor pad(const Tensor& x, const std::vector<int64_t>& before, const std::vector<int64_t>& after, double value) {
  return first(call_op("pad", {x},
                       {{"padding_before", before}, {"padding_after", after},
                        {"floating_constant_value", value},
                        {"integral_constant_value", static_cast<int64_t>(value)}}));
}

Tensor upsample_nearest_2d(const Tensor& x, double height_scale, double width_scale) {
  return upsample("upsample_nearest_2d", x, height_scale, width_scale, {}, false);
}
Tensor upsample_nearest_2d(const Tensor& x, Pair output_size) {
  return upsample("upsample_nearest_2d", x, 1.0, 1.0, ints(output_size), false);
}
Tensor upsample_bilinear_2d(const Tensor& x, double height_scale, double width_scale, bool align_corners) {
  return upsample("upsample_bilinear_2d", x, height_scale, width_scale, {}, align_corners);
}
Tensor upsample_bilinear_2d(const Tensor& x, Pair output_size, bool align_corners) {
  return upsample("upsample_bilinear_2d", x, 1.0, 1.0, ints(output_size), align_corners);
}

Tensor cublas_fused_mlp(const Tensor& x, const std::vector<Tensor>& weights, const std::vector<Tensor>& biases,
                        bool skip_final_activation) {
  FLOWONNX_REQUIRE(!weights.empty() && weights.size() == biases.size(),
                   "cublas_fused_mlp: need as many biases as weights (at least one), got {} and {}", weights.size(),
                   biases.size());
  std::vector<Tensor> inputs{x};
  inputs.insert(inputs.end(), weights.begin(), weights.end());
  inputs.insert(inputs.end(), biases.begin(), biases.end());
  return first(call_op("cublas_fused_mlp", inputs, {{"skip_final_activation", int64_t{skip_final_activation}}}));
}

}  // namespace flowonnx::functional
