// Resize on the GPU with the CPU kernel's semantics (kernels/cpu/resize.cc, the ONNX reference):
// nearest (4 rounding modes) and linear interpolation, separable over every dim (so a 4-D NCHW
// bilinear resize is the N and C dims at scale 1 plus H and W), coordinates in double precision.
// Cubic, tf_crop_and_resize and exclude_outside are not implemented here. Plain header.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace flowonnx::cuda {

inline constexpr int kMaxResizeRank = 5;

enum class ResizeInterpolation { Nearest, Linear };
enum class ResizeCoordinates { HalfPixel, PytorchHalfPixel, AlignCorners, Asymmetric, TfHalfPixelForNn };
enum class ResizeRounding { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

struct ResizeGeometry {
  int rank = 0;
  int64_t in_dims[kMaxResizeRank] = {};
  int64_t out_dims[kMaxResizeRank] = {};
  double scales[kMaxResizeRank] = {};  // output / input per dim, as the CPU kernel uses them
  ResizeInterpolation interpolation = ResizeInterpolation::Nearest;
  ResizeCoordinates coordinates = ResizeCoordinates::HalfPixel;
  ResizeRounding rounding = ResizeRounding::RoundPreferFloor;
};

// y (float32, out_dims) from x (float32, in_dims); every in_dims[d] > 0 when y has elements.
void resize_float(const float* x, float* y, const ResizeGeometry& geometry, cudaStream_t stream);

}  // namespace flowonnx::cuda
