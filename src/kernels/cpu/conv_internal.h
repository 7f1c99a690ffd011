// conv2d with an explicit choice of oneDNN memory layout, for the layout timing comparison.
// conv2d() calls this with the layout that measured faster (see conv.cc).
#pragma once

#include "kernels/cpu/conv.h"

namespace flowonnx::kernels::detail {

enum class ConvLayout {
  Plain,    // nchw / oihw memory handed to oneDNN as is
  Blocked,  // format_tag::any: oneDNN picks blocked layouts, we reorder in and out
};

void conv2d_with_layout(const Tensor& x, const Tensor& w, const Tensor& bias,
                        const Conv2dParams& params, ConvLayout layout, Tensor& y);

// Checks dtypes, bias and y; returns the output shape. Shared by conv2d and conv2d_reference.
Shape validate_conv2d(const Tensor& x, const Tensor& w, const Tensor& bias,
                      const Conv2dParams& params, const Tensor& y);

}  // namespace flowonnx::kernels::detail
