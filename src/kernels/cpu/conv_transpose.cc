#include "kernels/cpu/conv_transpose.h"

#include <vector>

#include "kernels/cpu/kernel_checks.h"

namespace flowonnx::kernels {

Shape conv_transpose2d_output_shape(const Shape& x, const Shape& w, const ConvTranspose2dParams& p) {
  FLOWONNX_REQUIRE(x.size() == 4 && w.size() == 4,
                   "conv_transpose2d: input {} and weight {} must both be rank 4",
                   shape_to_string(x), shape_to_string(w));
  FLOWONNX_REQUIRE(p.groups > 0 && x[1] == w[0] && x[1] % p.groups == 0,
                   "conv_transpose2d: input {} has {} channels, weight {} expects {} (groups {})",
                   shape_to_string(x), x[1], shape_to_string(w), w[0], p.groups);
  Shape out{x[0], w[1] * p.groups, 0, 0};
  for (int i = 0; i < 2; ++i) {
    FLOWONNX_REQUIRE(p.strides[i] > 0 && p.dilations[i] > 0 && p.pads_begin[i] >= 0 && p.pads_end[i] >= 0 &&
                         p.output_padding[i] >= 0 &&
                         (p.output_padding[i] < p.strides[i] || p.output_padding[i] < p.dilations[i]),
                     "conv_transpose2d: bad stride/dilation/padding/output_padding in dim {}", i);
    out[2 + i] = (x[2 + i] - 1) * p.strides[i] - p.pads_begin[i] - p.pads_end[i] +
                 p.dilations[i] * (w[2 + i] - 1) + p.output_padding[i] + 1;
    FLOWONNX_REQUIRE(out[2 + i] > 0, "conv_transpose2d: input {} with weight {} gives an empty output",
                     shape_to_string(x), shape_to_string(w));
  }
  return out;
}

// Every input pixel scatters its weighted kernel into the output; accumulated in double per
// output plane so the result does not depend on the scatter order's rounding.
void conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& bias,
                      const ConvTranspose2dParams& p, Tensor& y) {
  detail::require_dtype("conv_transpose2d", "input", x, DType::Float32);
  detail::require_dtype("conv_transpose2d", "weight", w, DType::Float32);
  Shape out_shape = conv_transpose2d_output_shape(x.shape(), w.shape(), p);
  if (bias.defined()) {
    detail::require_dtype("conv_transpose2d", "bias", bias, DType::Float32);
    FLOWONNX_REQUIRE(bias.shape() == Shape{out_shape[1]}, "conv_transpose2d: bias {} for {} output channels",
                     bias.describe(), out_shape[1]);
  }
  detail::require_output("conv_transpose2d", y, out_shape, DType::Float32, {&x, &w, &bias});
  const int64_t batch = x.dim(0), in_channels = x.dim(1), in_h = x.dim(2), in_w = x.dim(3);
  const int64_t out_per_group = w.dim(1), in_per_group = in_channels / p.groups;
  const int64_t kernel_h = w.dim(2), kernel_w = w.dim(3);
  const int64_t out_channels = out_shape[1], out_h = out_shape[2], out_w = out_shape[3];
  const float* in = x.data<float>();
  const float* weight = w.data<float>();
  float* out = y.data<float>();
#pragma omp parallel for collapse(2) if (batch * out_channels > 1)
  for (int64_t n = 0; n < batch; ++n)
    for (int64_t o = 0; o < out_channels; ++o) {
      const int64_t group = o / out_per_group, oc = o % out_per_group;
      std::vector<double> plane(static_cast<size_t>(out_h * out_w), bias.defined() ? bias.data<float>()[o] : 0.0);
      for (int64_t c = group * in_per_group; c < (group + 1) * in_per_group; ++c) {
        const float* src = in + (n * in_channels + c) * in_h * in_w;
        const float* kernel = weight + (c * out_per_group + oc) * kernel_h * kernel_w;
        for (int64_t ih = 0; ih < in_h; ++ih)
          for (int64_t kh = 0; kh < kernel_h; ++kh) {
            const int64_t oh = ih * p.strides[0] - p.pads_begin[0] + kh * p.dilations[0];
            if (oh < 0 || oh >= out_h) continue;
            for (int64_t iw = 0; iw < in_w; ++iw) {
              const double v = src[ih * in_w + iw];
              for (int64_t kw = 0; kw < kernel_w; ++kw) {
                const int64_t ow = iw * p.strides[1] - p.pads_begin[1] + kw * p.dilations[1];
                if (ow >= 0 && ow < out_w) plane[oh * out_w + ow] += v * kernel[kh * kernel_w + kw];
              }
            }
          }
      }
      float* dst = out + (n * out_channels + o) * out_h * out_w;
      for (int64_t i = 0; i < out_h * out_w; ++i) dst[i] = static_cast<float>(plane[i]);
    }
}

}  // namespace flowonnx::kernels
