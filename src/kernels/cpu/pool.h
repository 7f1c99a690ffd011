// 2-D max / average pooling (NCHW) with ceil_mode and count_include_pad, and adaptive average
// pooling. One window walker serves both pooling kinds.
#pragma once

#include <array>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

enum class PoolKind { Max, Average };

struct Pool2dParams {
  std::array<int64_t, 2> kernel{1, 1};
  std::array<int64_t, 2> strides{1, 1};
  std::array<int64_t, 2> pads_begin{0, 0};
  std::array<int64_t, 2> pads_end{0, 0};
  std::array<int64_t, 2> dilations{1, 1};
  bool ceil_mode = false;
  // Average only: divide by the full window (true) or by the in-bounds part (false).
  bool count_include_pad = false;
};

// Output [N,C,outH,outW]; with ceil_mode a window that would start in the end padding is dropped
// (PyTorch / ONNX rule). Pads must be smaller than the dilated window extent. Throws
// InvalidArgument naming the op and shapes on bad params. A window that still holds no input
// element (possible only with dilation) gives -inf for max and 0 for average.
Shape pool2d_output_shape(const Shape& x, const Pool2dParams& params);
void pool2d(PoolKind kind, const Tensor& x, const Pool2dParams& params, Tensor& y);
void pool2d_reference(PoolKind kind, const Tensor& x, const Pool2dParams& params, Tensor& y);

// y's shape [N,C,outH,outW] sets the output size; bins follow PyTorch's floor/ceil rule.
void adaptive_avg_pool2d(const Tensor& x, Tensor& y);
void adaptive_avg_pool2d_reference(const Tensor& x, Tensor& y);

}  // namespace flowonnx::kernels
