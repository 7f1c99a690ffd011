// The functional API of the nn-family ops beyond the ResNet set (functional.h): conv1d,
// transposed conv, layer/RMS/group norm, pad, upsampling and the fused MLP. Typed wrappers that
// build a framework op's attributes and run it through call_op (eager and traced alike).
#pragma once

#include <array>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::functional {

using Pair = std::array<int64_t, 2>;

// x [N, C, L], weight [O, C/groups, K].
Tensor conv1d(const Tensor& x, const Tensor& weight, int64_t stride = 1, int64_t padding = 0,
              int64_t dilation = 1, int64_t groups = 1);
// OneFlow's deconv2d: x [N, C_in, H, W], weight [C_in, C_out/groups, kh, kw]; no bias.
Tensor deconv2d(const Tensor& x, const Tensor& weight, Pair stride = {1, 1}, Pair padding = {0, 0},
                Pair output_padding = {0, 0}, Pair dilation = {1, 1}, int64_t groups = 1);

// Normalises dims begin_axis.. (negative counts from the end); gamma / beta cover those dims
// and may be undefined.
Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, int64_t begin_axis = -1,
                  double epsilon = 1e-5);
// x / rms over the trailing `normalized_dims` dims, times weight (may be undefined).
Tensor rms_norm(const Tensor& x, const Tensor& weight, int64_t normalized_dims = 1, double epsilon = 1e-6);
// The fused last-dim form (OneFlow rms_layer_norm); weight required.
Tensor rms_layer_norm(const Tensor& x, const Tensor& weight, double epsilon = 1e-6);
// gamma / beta [C] or both undefined.
Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& gamma, const Tensor& beta,
                  double epsilon = 1e-5);

// Constant padding, one before/after value per dim of x.
Tensor pad(const Tensor& x, const std::vector<int64_t>& before, const std::vector<int64_t>& after,
           double value = 0.0);

// Upsampling by scale factors (output floor(in * scale)) or to an output size.
Tensor upsample_nearest_2d(const Tensor& x, double height_scale, double width_scale);
Tensor upsample_nearest_2d(const Tensor& x, Pair output_size);
Tensor upsample_bilinear_2d(const Tensor& x, double height_scale, double width_scale, bool align_corners = false);
Tensor upsample_bilinear_2d(const Tensor& x, Pair output_size, bool align_corners = false);

// Linear layers (weights [out, in], biases [out]) each followed by ReLU, the last one too
// unless skip_final_activation.
Tensor cublas_fused_mlp(const Tensor& x, const std::vector<Tensor>& weights, const std::vector<Tensor>& biases,
                        bool skip_final_activation = false);

}  // namespace flowonnx::functional
