// The per-element math of the Resize kernel (resize.cu): source coordinates, taps and the
// weighted sum, as inline functions that compile for the device under nvcc and for the host
// elsewhere, so the exact code the GPU runs can be checked against the CPU kernel without a GPU.
#pragma once

#include <math.h>

#include <cstdint>

#include "kernels/cuda/resize.h"
#include "kernels/cuda/host_device.h"


namespace flowonnx::cuda::detail {

// IEEE products and sums without FMA contraction, so tie-breaking coordinates (nearest) match
// the CPU's separately rounded arithmetic.
FLOWONNX_HOST_DEVICE inline double mul(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dmul_rn(a, b);
#else
  return a * b;
#endif
}
FLOWONNX_HOST_DEVICE inline double add(double a, double b) {
#ifdef __CUDA_ARCH__
  return __dadd_rn(a, b);
#else
  return a + b;
#endif
}

// Source coordinate of output position `out` along dim d (original_coordinate on the CPU).
FLOWONNX_HOST_DEVICE inline double source_coordinate(const ResizeGeometry& g, int d, double out) {
  const double scale = g.scales[d];
  const int64_t out_length = g.out_dims[d], in_length = g.in_dims[d];
  switch (g.coordinates) {
    case ResizeCoordinates::HalfPixel: return add((out + 0.5) / scale, -0.5);
    case ResizeCoordinates::PytorchHalfPixel: return out_length > 1 ? add((out + 0.5) / scale, -0.5) : 0.0;
    case ResizeCoordinates::AlignCorners: {
      const double scaled_length = mul(scale, static_cast<double>(in_length));
      return out_length == 1 || scaled_length == 1
                 ? 0.0
                 : mul(out, static_cast<double>(in_length - 1)) / add(scaled_length, -1.0);
    }
    case ResizeCoordinates::Asymmetric: return out / scale;
    case ResizeCoordinates::TfHalfPixelForNn: return (out + 0.5) / scale;
  }
  return 0.0;
}

struct Taps {
  int count = 0;
  int64_t index[2] = {0, 0};
  double weight[2] = {0, 0};
};

FLOWONNX_HOST_DEVICE inline int64_t clamp_index(int64_t i, int64_t length) {
  return i < 0 ? 0 : (i > length - 1 ? length - 1 : i);
}

// taps_for on the CPU: an integral coordinate counts as ratio 1 from the previous position.
FLOWONNX_HOST_DEVICE inline Taps taps_for(const ResizeGeometry& g, double x, int64_t length) {
  const double floor_x = floor(x);
  double ratio = x - floor_x;
  int64_t base = static_cast<int64_t>(floor_x);
  if (ratio == 0) {
    ratio = 1;
    base -= 1;
  }
  Taps taps;
  if (g.interpolation == ResizeInterpolation::Nearest) {
    bool upper;
    if (ratio == 1) upper = true;
    else if (g.rounding == ResizeRounding::RoundPreferFloor) upper = ratio > 0.5;
    else if (g.rounding == ResizeRounding::RoundPreferCeil) upper = ratio >= 0.5;
    else if (g.rounding == ResizeRounding::Floor) upper = false;
    else upper = true;  // ceil
    taps.count = 1;
    taps.index[0] = clamp_index(base + (upper ? 1 : 0), length);
    taps.weight[0] = 1.0;
    return taps;
  }
  taps.count = 2;
  taps.index[0] = clamp_index(base, length);
  taps.weight[0] = 1 - ratio;
  taps.index[1] = clamp_index(base + 1, length);
  taps.weight[1] = ratio;
  return taps;
}

// Output element i (C order over out_dims).
FLOWONNX_HOST_DEVICE inline float resize_element(const float* x, const ResizeGeometry& g, int64_t i) {
  Taps taps[kMaxResizeRank];
  int64_t strides[kMaxResizeRank];
  int64_t rest = i, stride = 1;
  for (int d = g.rank - 1; d >= 0; --d) {
    const int64_t o = rest % g.out_dims[d];
    rest /= g.out_dims[d];
    taps[d] = taps_for(g, source_coordinate(g, d, static_cast<double>(o)), g.in_dims[d]);
    strides[d] = stride;
    stride *= g.in_dims[d];
  }
  // The cartesian product of the taps, last dim fastest, as the CPU loop.
  int choice[kMaxResizeRank] = {};
  double sum = 0;
  while (true) {
    double weight = 1;
    int64_t at = 0;
    for (int d = 0; d < g.rank; ++d) {
      weight = mul(weight, taps[d].weight[choice[d]]);
      at += taps[d].index[choice[d]] * strides[d];
    }
    sum = add(sum, mul(weight, static_cast<double>(x[at])));
    int d = g.rank - 1;
    for (; d >= 0; --d) {
      if (++choice[d] < taps[d].count) break;
      choice[d] = 0;
    }
    if (d < 0) break;
  }
  return static_cast<float>(sum);
}


}  // namespace flowonnx::cuda::detail
