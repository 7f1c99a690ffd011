// GridSample (opset 16, 4-D; opset 20 adds 5-D volumes) as ONNX Runtime computes it: the grid's normalised (x, y) map to
// pixel coordinates (align_corners: [-1, 1] -> [0, n - 1], else [-0.5, n - 0.5]); each neighbour
// the interpolation reads outside the image reads 0 (zeros), the nearest edge pixel (border) or
// its reflection about the borders (reflection). Bicubic uses Keys' kernel with a = -0.75.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/cpu/detection.h"
#include "kernels/cpu/kernel_checks.h"

namespace flowonnx::kernels {

namespace {

constexpr const char* kGridSample = "GridSample";

template <typename T>
T denormalize(T n, int64_t length, bool align_corners) {
  if (align_corners) return static_cast<T>((n + 1) / 2.f * (length - 1));
  return static_cast<T>(((n + 1) * length - 1) / 2.f);
}

// Reflects x by the nearer border until it lies within [lo, hi] (in float, as ORT does).
template <typename T>
T reflect(T x, float lo, float hi) {
  float fx = static_cast<float>(x);
  const float range = hi - lo;
  if (range <= 0) return static_cast<T>(lo);  // a one-pixel axis (align_corners)
  if (fx < lo) {
    const float dx = lo - fx;
    const int n = static_cast<int>(dx / range);
    const float r = dx - n * range;
    fx = n % 2 == 0 ? lo + r : hi - r;
  } else if (fx > hi) {
    const float dx = fx - hi;
    const int n = static_cast<int>(dx / range);
    const float r = dx - n * range;
    fx = n % 2 == 0 ? hi - r : lo + r;
  }
  return static_cast<T>(fx);
}

template <typename T>
void cubic_coeffs(T x, T coeffs[4]) {
  constexpr T a = T(-0.75);
  x = std::abs(x);
  coeffs[0] = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a;
  coeffs[1] = ((a + 2) * x - (a + 3)) * x * x + 1;
  coeffs[2] = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1;
  coeffs[3] = ((a * (2 - x) - 5 * a) * (2 - x) + 8 * a) * (2 - x) - 4 * a;
}

template <typename T>
struct Plane {
  const T* data;
  int64_t height, width;
  GridPadding padding;
  float border[4];  // x_min, y_min, x_max, y_max

  T at(int64_t r, int64_t c) const {
    if (padding == GridPadding::Zeros) {
      return (c >= 0 && c < width && r >= 0 && r < height) ? data[r * width + c] : T(0);
    }
    if (padding == GridPadding::Border) {
      c = std::clamp<int64_t>(c, 0, width - 1);
      r = std::clamp<int64_t>(r, 0, height - 1);
    } else {
      c = static_cast<int64_t>(reflect(static_cast<T>(c), border[0], border[2]));
      r = static_cast<int64_t>(reflect(static_cast<T>(r), border[1], border[3]));
      // Far-away points can reflect onto the edge's outer side by rounding; stay inside.
      c = std::clamp<int64_t>(c, 0, width - 1);
      r = std::clamp<int64_t>(r, 0, height - 1);
    }
    return data[r * width + c];
  }
};

template <typename T>
T sample(const Plane<T>& plane, T x, T y, const GridSampleParams& p) {
  if (p.mode == GridSampleMode::Nearest) {
    x = static_cast<T>(std::nearbyint(x));
    y = static_cast<T>(std::nearbyint(y));
  }
  if (p.mode == GridSampleMode::Nearest)
    return plane.at(static_cast<int64_t>(y), static_cast<int64_t>(x));
  if (p.mode == GridSampleMode::Bilinear) {
    const int64_t x1 = static_cast<int64_t>(std::floor(x)),
                  y1 = static_cast<int64_t>(std::floor(y));
    const int64_t x2 = x1 + 1, y2 = y1 + 1;
    const T p11 = plane.at(y1, x1), p12 = plane.at(y1, x2);
    const T p21 = plane.at(y2, x1), p22 = plane.at(y2, x2);
    const T dx2 = static_cast<T>(x2) - x, dx1 = x - static_cast<T>(x1);
    const T dy2 = static_cast<T>(y2) - y, dy1 = y - static_cast<T>(y1);
    return dy2 * (dx2 * p11 + dx1 * p12) + dy1 * (dx2 * p21 + dx1 * p22);
  }
  const int64_t x0 = static_cast<int64_t>(std::floor(x)) - 1;
  const int64_t y0 = static_cast<int64_t>(std::floor(y)) - 1;
  T coeffs[4], rows[4];
  cubic_coeffs(static_cast<T>(x - x0 - 1), coeffs);
  for (int64_t h = 0; h < 4; ++h) {
    rows[h] = 0;
    for (int64_t w = 0; w < 4; ++w) rows[h] += coeffs[w] * plane.at(y0 + h, x0 + w);
  }
  cubic_coeffs(static_cast<T>(y - y0 - 1), coeffs);
  return coeffs[0] * rows[0] + coeffs[1] * rows[1] + coeffs[2] * rows[2] + coeffs[3] * rows[3];
}

template <typename T>
void grid_sample_typed(const Tensor& x, const Tensor& grid, const GridSampleParams& p, Tensor& y) {
  const int64_t n = x.shape()[0], channels = x.shape()[1];
  const int64_t height = x.shape()[2], width = x.shape()[3];
  const int64_t points = grid.shape()[1] * grid.shape()[2];
  Plane<T> plane{nullptr, height, width, p.padding, {-0.5f, -0.5f, width - 0.5f, height - 0.5f}};
  if (p.align_corners) {
    plane.border[0] = plane.border[1] = 0.f;
    plane.border[2] = static_cast<float>(width - 1);
    plane.border[3] = static_cast<float>(height - 1);
  }
  for (int64_t b = 0; b < n; ++b) {
    const T* g = grid.data<T>() + b * points * 2;
    for (int64_t c = 0; c < channels; ++c) {
      plane.data = x.data<T>() + (b * channels + c) * height * width;
      T* out = y.data<T>() + (b * channels + c) * points;
      for (int64_t i = 0; i < points; ++i) {
        T gx = g[2 * i], gy = g[2 * i + 1];
        if (std::isnan(static_cast<double>(gx)) || std::isnan(static_cast<double>(gy))) {
          out[i] = std::numeric_limits<T>::quiet_NaN();
          continue;
        }
        // Far outside is all the same to every padding mode, and keeps the casts defined.
        gx = std::clamp(gx, T(-1e6), T(1e6));
        gy = std::clamp(gy, T(-1e6), T(1e6));
        out[i] = sample(plane, denormalize(gx, width, p.align_corners),
                        denormalize(gy, height, p.align_corners), p);
      }
    }
  }
}

// The volumetric (5-D) form of GridSample-20: trilinear or nearest, same padding rules per axis.
template <typename T>
struct Volume {
  const T* data;
  int64_t depth, height, width;
  GridPadding padding;
  float lo[3], hi[3];  // reflection borders for x, y, z

  T at(int64_t z, int64_t r, int64_t c) const {
    if (padding == GridPadding::Zeros) {
      bool inside = c >= 0 && c < width && r >= 0 && r < height && z >= 0 && z < depth;
      return inside ? data[(z * height + r) * width + c] : T(0);
    }
    if (padding == GridPadding::Reflection) {
      c = static_cast<int64_t>(reflect(static_cast<T>(c), lo[0], hi[0]));
      r = static_cast<int64_t>(reflect(static_cast<T>(r), lo[1], hi[1]));
      z = static_cast<int64_t>(reflect(static_cast<T>(z), lo[2], hi[2]));
    }
    c = std::clamp<int64_t>(c, 0, width - 1);
    r = std::clamp<int64_t>(r, 0, height - 1);
    z = std::clamp<int64_t>(z, 0, depth - 1);
    return data[(z * height + r) * width + c];
  }
};

template <typename T>
T sample_volume(const Volume<T>& v, T x, T y, T z, GridSampleMode mode) {
  if (mode == GridSampleMode::Nearest) {
    return v.at(static_cast<int64_t>(std::nearbyint(z)), static_cast<int64_t>(std::nearbyint(y)),
                static_cast<int64_t>(std::nearbyint(x)));
  }
  const int64_t x0 = static_cast<int64_t>(std::floor(x)), y0 = static_cast<int64_t>(std::floor(y)),
                z0 = static_cast<int64_t>(std::floor(z));
  const T fx = x - static_cast<T>(x0), fy = y - static_cast<T>(y0), fz = z - static_cast<T>(z0);
  T sum = 0;
  for (int64_t k = 0; k < 2; ++k)
    for (int64_t j = 0; j < 2; ++j)
      for (int64_t i = 0; i < 2; ++i) {
        const T weight = (k ? fz : 1 - fz) * (j ? fy : 1 - fy) * (i ? fx : 1 - fx);
        sum += weight * v.at(z0 + k, y0 + j, x0 + i);
      }
  return sum;
}

template <typename T>
void grid_sample_volume(const Tensor& x, const Tensor& grid, const GridSampleParams& p, Tensor& y) {
  const int64_t n = x.shape()[0], channels = x.shape()[1];
  const int64_t depth = x.shape()[2], height = x.shape()[3], width = x.shape()[4];
  const int64_t points = grid.shape()[1] * grid.shape()[2] * grid.shape()[3];
  const int64_t lengths[3] = {width, height, depth};
  Volume<T> volume{nullptr, depth, height, width, p.padding, {}, {}};
  for (int a = 0; a < 3; ++a) {
    volume.lo[a] = p.align_corners ? 0.f : -0.5f;
    volume.hi[a] = p.align_corners ? static_cast<float>(lengths[a] - 1) : lengths[a] - 0.5f;
  }
  for (int64_t b = 0; b < n; ++b) {
    const T* g = grid.data<T>() + b * points * 3;
    for (int64_t c = 0; c < channels; ++c) {
      volume.data = x.data<T>() + (b * channels + c) * depth * height * width;
      T* out = y.data<T>() + (b * channels + c) * points;
      for (int64_t i = 0; i < points; ++i) {
        T coords[3];
        bool nan = false;
        for (int a = 0; a < 3; ++a) {
          T v = g[3 * i + a];
          nan = nan || std::isnan(static_cast<double>(v));
          coords[a] = denormalize(std::clamp(v, T(-1e6), T(1e6)), lengths[a], p.align_corners);
        }
        out[i] = nan ? std::numeric_limits<T>::quiet_NaN()
                     : sample_volume(volume, coords[0], coords[1], coords[2], p.mode);
      }
    }
  }
}

}  // namespace

void grid_sample(const Tensor& x, const Tensor& grid, const GridSampleParams& params, Tensor& y) {
  detail::require_defined(kGridSample, "input 0 (X)", x);
  FLOWONNX_REQUIRE(x.dtype() == DType::Float32 || x.dtype() == DType::Float64,
                   "{}: input 0 (X) {} must be float32 or float64", kGridSample, x.describe());
  FLOWONNX_REQUIRE(x.rank() == 4 || x.rank() == 5,
                   "{}: input 0 (X) {} must be [N, C, H, W] or [N, C, D, H, W]", kGridSample,
                   x.describe());
  const int64_t spatial = x.rank() - 2;
  detail::require_dtype(kGridSample, "input 1 (grid)", grid, x.dtype());
  FLOWONNX_REQUIRE(grid.rank() == x.rank() && grid.shape()[0] == x.shape()[0] &&
                       grid.shape()[spatial + 1] == spatial,
                   "{}: input 1 (grid) {} must be [N, *out_spatial, {}] with N = {}", kGridSample,
                   grid.describe(), spatial, x.shape()[0]);
  FLOWONNX_REQUIRE(spatial == 2 || params.mode != GridSampleMode::Bicubic,
                   "{}: cubic mode is defined for 4-D input only, got {}", kGridSample,
                   x.describe());
  Shape out_shape = {x.shape()[0], x.shape()[1]};
  out_shape.insert(out_shape.end(), grid.shape().begin() + 1, grid.shape().end() - 1);
  detail::require_output(kGridSample, y, out_shape, x.dtype(), {&x, &grid});
  if (y.num_elements() == 0) return;
  for (int64_t d = 2; d < x.rank(); ++d)
    FLOWONNX_REQUIRE(x.shape()[d] > 0, "{}: input 0 (X) {} has an empty image", kGridSample,
                     x.describe());
  const bool f32 = x.dtype() == DType::Float32;
  if (spatial == 3)
    f32 ? grid_sample_volume<float>(x, grid, params, y) : grid_sample_volume<double>(x, grid, params, y);
  else
    f32 ? grid_sample_typed<float>(x, grid, params, y) : grid_sample_typed<double>(x, grid, params, y);
}

}  // namespace flowonnx::kernels
