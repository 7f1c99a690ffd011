// N-d resize with ONNX Resize-19 semantics: nearest (4 rounding modes), linear and cubic
// interpolation, separable over dims, with every coordinate_transformation_mode. Follows the
// ONNX reference: neighbours outside the input are clamped to the edge (or excluded and the
// weights renormalised with exclude_outside); tf_crop_and_resize fills points outside the roi
// with extrapolation_value. With antialias, linear and cubic downsampling stretch their kernel
// by 1 / scale (a wider footprint, weights renormalised to sum 1), as the reference does.
#pragma once

#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

enum class ResizeMode { Nearest, Linear, Cubic };

struct ResizeParams {
  ResizeMode mode = ResizeMode::Nearest;
  std::string coordinate_mode = "half_pixel";
  std::string nearest_mode = "round_prefer_floor";
  double cubic_coeff_a = -0.75;
  bool exclude_outside = false;
  bool antialias = false;  // linear / cubic only
  double extrapolation_value = 0.0;
  std::vector<double> scales;  // one per dim (output / input)
  std::vector<double> roi;     // starts then ends, tf_crop_and_resize only
};

// Throws InvalidArgument for an unknown coordinate or nearest mode.
void validate_resize_params(const ResizeParams& params);
// x float32/float64/int/uint8; y preallocated with the output shape and x's dtype.
void resize(const Tensor& x, const ResizeParams& params, Tensor& y);

}  // namespace flowonnx::kernels
