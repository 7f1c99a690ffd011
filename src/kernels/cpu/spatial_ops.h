// Spatial ops of opsets 18-20 with the ONNX reference's semantics: Col2Im (the inverse of im2col,
// N-d, overlapping blocks summed), AffineGrid (2-D and 3-D sampling grids from affine matrices)
// and DeformConv (2-D convolution sampling its input at learned fractional offsets, bilinear with
// zeros outside, optionally masked). Naive loops accumulating in double: these ops are rare in
// models, so clarity wins over speed.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

struct Col2ImParams {
  std::vector<int64_t> image_shape;  // spatial output dims
  std::vector<int64_t> block_shape;  // kernel dims, same count
  std::vector<int64_t> dilations;    // per spatial dim
  std::vector<int64_t> pads;         // begins then ends
  std::vector<int64_t> strides;      // per spatial dim
};

// Number of sliding blocks along each spatial dim; throws InvalidArgument when a count is < 1.
std::vector<int64_t> col2im_block_counts(const Col2ImParams& params);

// x [N, C * prod(block_shape), L] float32/float64 with L = prod(col2im_block_counts);
// y preallocated [N, C, *image_shape] of x's dtype.
void col2im(const Tensor& x, const Col2ImParams& params, Tensor& y);

// theta [N, 2, 3] (2-D) or [N, 3, 4] (3-D), float32/float64; y preallocated [N, H, W, 2] or
// [N, D, H, W, 3] of theta's dtype holding theta applied to the normalised (x, y[, z], 1) of each
// output position: align_corners maps the first and last positions to -1 and 1, otherwise the
// pixel centres of [-1, 1].
void affine_grid(const Tensor& theta, bool align_corners, Tensor& y);

struct DeformConvParams {
  std::vector<int64_t> kernel_shape;  // [kH, kW]
  std::vector<int64_t> dilations;     // [dH, dW]
  std::vector<int64_t> pads;          // [top, left, bottom, right]
  std::vector<int64_t> strides;       // [sH, sW]
  int64_t group = 1;
  int64_t offset_group = 1;
};

// x [N, C, H, W], w [OC, C / group, kH, kW], offset [N, offset_group * kH * kW * 2, oH, oW]
// ((dh, dw) pairs per kernel position), bias [OC] or undefined, mask
// [N, offset_group * kH * kW, oH, oW] or undefined; all float32 or all float64. y preallocated
// [N, OC, oH, oW]. Shapes are validated by the caller's checks in this function.
void deform_conv(const Tensor& x, const Tensor& w, const Tensor& offset, const Tensor& bias,
                 const Tensor& mask, const DeformConvParams& params, Tensor& y);

}  // namespace flowonnx::kernels
