// Transposed convolution (ONNX ConvTranspose, OneFlow deconv2d) with 1, 2 or 3 spatial dims:
// input [N, C_in, d...], weight [C_in, C_out/groups, k...], grouped, dilated, with
// output_padding. conv_transpose_reference is a direct scatter loop (the exact adjoint of the
// convolution), the oracle of the oneDNN path (conv_transpose_prepared.h).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// One value per spatial dim in every vector. Pads may be negative (ONNX's auto_pad and
// output_shape can ask for an output larger than the scatter covers): the extra positions hold
// only the bias.
struct ConvTransposeParams {
  std::vector<int64_t> strides, dilations, pads_begin, pads_end;
  std::vector<int64_t> output_padding;  // extra positions at the end, < stride or dilation
  int64_t groups = 1;

  // Strides and dilations 1, no padding, for `spatial_rank` dims.
  static ConvTransposeParams defaults(size_t spatial_rank);
  std::string to_string() const;
};

// Output dim d: (in-1)*stride - pad_begin - pad_end + dilation*(k-1) + output_padding + 1.
// Validates x [N,C_in,d...] (1 to 3 spatial dims), w [C_in,C_out/groups,k...] and the params;
// throws InvalidArgument naming "conv_transpose" and both shapes when they disagree.
Shape conv_transpose_output_shape(const Shape& x, const Shape& w, const ConvTransposeParams& params);

// y preallocated float32 with conv_transpose_output_shape(...); bias [C_out] or undefined.
// Accumulates in double, so the result does not depend on the scatter order.
void conv_transpose_reference(const Tensor& x, const Tensor& w, const Tensor& bias,
                              const ConvTransposeParams& params, Tensor& y);

// Checks dtypes, bias and y; returns the output shape. Shared by the reference and oneDNN paths.
Shape validate_conv_transpose(const Tensor& x, const Tensor& w, const Tensor& bias,
                              const ConvTransposeParams& params, const Tensor& y);

// The 2-d form the framework's deconv2d uses.
struct ConvTranspose2dParams {
  std::array<int64_t, 2> strides{1, 1};
  std::array<int64_t, 2> dilations{1, 1};
  std::array<int64_t, 2> pads_begin{0, 0};
  std::array<int64_t, 2> pads_end{0, 0};
  std::array<int64_t, 2> output_padding{0, 0};
  int64_t groups = 1;
};
ConvTransposeParams to_nd(const ConvTranspose2dParams& params);
Shape conv_transpose2d_output_shape(const Shape& x, const Shape& w, const ConvTranspose2dParams& params);
// The reference loop (eager mode is the exporter's numerical oracle: exact over fast).
void conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& bias,
                      const ConvTranspose2dParams& params, Tensor& y);

}  // namespace flowonnx::kernels
