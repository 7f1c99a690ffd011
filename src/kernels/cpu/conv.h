// 2-D convolution (NCHW input, OIHW weights, grouped, dilated, asymmetric padding).
// conv2d uses oneDNN; conv2d_reference is the naive oracle it is tested against.
#pragma once

#include <array>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

struct Conv2dParams {
  std::array<int64_t, 2> strides{1, 1};
  std::array<int64_t, 2> dilations{1, 1};
  std::array<int64_t, 2> pads_begin{0, 0};  // top, left
  std::array<int64_t, 2> pads_end{0, 0};    // bottom, right
  int64_t groups = 1;
};

// Validates x [N,C,H,W], w [O,C/groups,kH,kW] and the params; throws InvalidArgument naming
// "conv2d" and both shapes when they disagree. Returns [N,O,outH,outW].
Shape conv2d_output_shape(const Shape& x, const Shape& w, const Conv2dParams& params);

// y must be preallocated float32 with conv2d_output_shape(...). bias is [O] or undefined.
void conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, const Conv2dParams& params,
            Tensor& y);
void conv2d_reference(const Tensor& x, const Tensor& w, const Tensor& bias,
                      const Conv2dParams& params, Tensor& y);

}  // namespace flowonnx::kernels
