// 2-D transposed convolution (ONNX ConvTranspose / OneFlow deconv2d): NCHW input, weight
// [C_in, C_out/groups, kH, kW], grouped, dilated, with output_padding. A direct scatter loop;
// the gradient-of-conv2d view makes it the exact adjoint of conv2d_reference.
#pragma once

#include <array>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

struct ConvTranspose2dParams {
  std::array<int64_t, 2> strides{1, 1};
  std::array<int64_t, 2> dilations{1, 1};
  std::array<int64_t, 2> pads_begin{0, 0};
  std::array<int64_t, 2> pads_end{0, 0};
  std::array<int64_t, 2> output_padding{0, 0};  // extra rows/cols at the end, < stride or dilation
  int64_t groups = 1;
};

// [N, C_out, (in-1)*s - pad_begin - pad_end + d*(k-1) + output_padding + 1, ...]; throws
// InvalidArgument naming "conv_transpose2d" and both shapes when they disagree.
Shape conv_transpose2d_output_shape(const Shape& x, const Shape& w, const ConvTranspose2dParams& params);

// y preallocated float32 with conv_transpose2d_output_shape(...); bias [C_out] or undefined.
void conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& bias,
                      const ConvTranspose2dParams& params, Tensor& y);

}  // namespace flowonnx::kernels
