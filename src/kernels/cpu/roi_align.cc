// RoiAlign as ONNX Runtime computes it: each output bin averages (or takes the max of) a grid of
// bilinear samples; samples more than one pixel outside the map count as zero, samples inside
// the last pixel are clamped to it. "max" takes the largest weighted corner, as ORT does.
#include <algorithm>
#include <cmath>

#include "kernels/cpu/detection.h"
#include "kernels/cpu/kernel_checks.h"

namespace flowonnx::kernels {

namespace {

constexpr const char* kRoiAlign = "RoiAlign";

template <typename T>
struct Sample {
  int64_t pos[4] = {0, 0, 0, 0};
  T w[4] = {0, 0, 0, 0};
};

template <typename T>
Sample<T> bilinear_sample(T y, T x, int64_t height, int64_t width) {
  Sample<T> s;
  if (y < -1.0 || y > height || x < -1.0 || x > width) return s;  // outside: contributes 0
  if (y <= 0) y = 0;
  if (x <= 0) x = 0;
  int64_t y_low = static_cast<int64_t>(y), x_low = static_cast<int64_t>(x);
  int64_t y_high = y_low + 1, x_high = x_low + 1;
  if (y_low >= height - 1) {
    y_high = y_low = height - 1;
    y = static_cast<T>(y_low);
  }
  if (x_low >= width - 1) {
    x_high = x_low = width - 1;
    x = static_cast<T>(x_low);
  }
  const T ly = y - y_low, lx = x - x_low;
  const T hy = T(1) - ly, hx = T(1) - lx;
  s.pos[0] = y_low * width + x_low;
  s.pos[1] = y_low * width + x_high;
  s.pos[2] = y_high * width + x_low;
  s.pos[3] = y_high * width + x_high;
  s.w[0] = hy * hx;
  s.w[1] = hy * lx;
  s.w[2] = ly * hx;
  s.w[3] = ly * lx;
  return s;
}

template <typename T>
void roi_align_typed(const Tensor& x, const Tensor& rois, const int64_t* batch_indices,
                     const RoiAlignParams& p, Tensor& y) {
  const int64_t channels = x.shape()[1], height = x.shape()[2], width = x.shape()[3];
  const int64_t num_rois = rois.shape()[0];
  const int64_t ph_count = p.output_height, pw_count = p.output_width;
  const T* data = x.data<T>();
  const T* roi_data = rois.data<T>();
  T* out = y.data<T>();
  const T scale = static_cast<T>(p.spatial_scale);
  const T offset = p.half_pixel ? T(0.5) : T(0);
  std::vector<Sample<T>> samples;
  for (int64_t r = 0; r < num_rois; ++r) {
    const T* roi = roi_data + r * 4;
    const T start_w = roi[0] * scale - offset, start_h = roi[1] * scale - offset;
    T roi_w = roi[2] * scale - offset - start_w, roi_h = roi[3] * scale - offset - start_h;
    if (!p.half_pixel) {  // malformed rois become 1x1
      roi_w = std::max(roi_w, T(1));
      roi_h = std::max(roi_h, T(1));
    }
    const T bin_h = roi_h / static_cast<T>(ph_count), bin_w = roi_w / static_cast<T>(pw_count);
    // Non-finite or absurd rois would make the adaptive grid overflow its integer.
    constexpr double kMaxGrid = 1 << 12;
    FLOWONNX_REQUIRE(std::isfinite(static_cast<double>(start_w)) &&
                         std::isfinite(static_cast<double>(start_h)) &&
                         std::abs(static_cast<double>(bin_h)) <= kMaxGrid &&
                         std::abs(static_cast<double>(bin_w)) <= kMaxGrid,
                     "{}: input 1 (rois) row {} ({}, {}, {}, {}) is not a finite box of at most "
                     "{} pixels per output bin",
                     kRoiAlign, r, roi[0], roi[1], roi[2], roi[3], kMaxGrid);
    const int64_t grid_h =
        p.sampling_ratio > 0 ? p.sampling_ratio : static_cast<int64_t>(std::ceil(bin_h));
    const int64_t grid_w =
        p.sampling_ratio > 0 ? p.sampling_ratio : static_cast<int64_t>(std::ceil(bin_w));
    FLOWONNX_REQUIRE(grid_h * grid_w * ph_count * pw_count <= (int64_t{1} << 26),
                     "{}: input 1 (rois) row {} needs {}x{} samples in each of {}x{} bins",
                     kRoiAlign, r, grid_h, grid_w, ph_count, pw_count);
    const int64_t count = std::max<int64_t>(grid_h * grid_w, 1);
    samples.clear();
    for (int64_t ph = 0; ph < ph_count; ++ph)
      for (int64_t pw = 0; pw < pw_count; ++pw)
        for (int64_t iy = 0; iy < grid_h; ++iy) {
          const T yy =
              start_h + ph * bin_h + static_cast<T>(iy + .5f) * bin_h / static_cast<T>(grid_h);
          for (int64_t ix = 0; ix < grid_w; ++ix) {
            const T xx =
                start_w + pw * bin_w + static_cast<T>(ix + .5f) * bin_w / static_cast<T>(grid_w);
            samples.push_back(bilinear_sample<T>(yy, xx, height, width));
          }
        }
    const int64_t per_bin = grid_h * grid_w;
    for (int64_t c = 0; c < channels; ++c) {
      const T* plane = data + (batch_indices[r] * channels + c) * height * width;
      T* dst = out + (r * channels + c) * ph_count * pw_count;
      for (int64_t bin = 0; bin < ph_count * pw_count; ++bin) {
        const Sample<T>* s = samples.data() + bin * per_bin;
        T value = 0;
        if (!p.max_mode) {
          for (int64_t i = 0; i < per_bin; ++i)
            value += s[i].w[0] * plane[s[i].pos[0]] + s[i].w[1] * plane[s[i].pos[1]] +
                     s[i].w[2] * plane[s[i].pos[2]] + s[i].w[3] * plane[s[i].pos[3]];
          value /= static_cast<T>(count);
        } else {
          for (int64_t i = 0; i < per_bin; ++i) {
            const T v = std::max(
                std::max(std::max(s[i].w[0] * plane[s[i].pos[0]], s[i].w[1] * plane[s[i].pos[1]]),
                         s[i].w[2] * plane[s[i].pos[2]]),
                s[i].w[3] * plane[s[i].pos[3]]);
            value = i == 0 ? v : std::max(value, v);
          }
        }
        dst[bin] = value;
      }
    }
  }
}

}  // namespace

void roi_align(const Tensor& x, const Tensor& rois, const Tensor& batch_indices,
               const RoiAlignParams& params, Tensor& y) {
  detail::require_defined(kRoiAlign, "input 0 (X)", x);
  FLOWONNX_REQUIRE(x.dtype() == DType::Float32 || x.dtype() == DType::Float64,
                   "{}: input 0 (X) {} must be float32 or float64", kRoiAlign, x.describe());
  FLOWONNX_REQUIRE(x.rank() == 4, "{}: input 0 (X) {} must be [N, C, H, W]", kRoiAlign,
                   x.describe());
  detail::require_dtype(kRoiAlign, "input 1 (rois)", rois, x.dtype());
  FLOWONNX_REQUIRE(rois.rank() == 2 && rois.shape()[1] == 4,
                   "{}: input 1 (rois) {} must be [num_rois, 4]", kRoiAlign, rois.describe());
  detail::require_dtype(kRoiAlign, "input 2 (batch_indices)", batch_indices, DType::Int64);
  FLOWONNX_REQUIRE(batch_indices.shape() == Shape{rois.shape()[0]},
                   "{}: input 2 (batch_indices) {} must be [num_rois] = [{}]", kRoiAlign,
                   batch_indices.describe(), rois.shape()[0]);
  FLOWONNX_REQUIRE(params.output_height > 0 && params.output_width > 0 &&
                       params.sampling_ratio >= 0 && params.sampling_ratio <= 4096,
                   "{}: output_height {}, output_width {} must be positive and sampling_ratio {} "
                   "in [0, 4096]",
                   kRoiAlign, params.output_height, params.output_width, params.sampling_ratio);
  const int64_t* indices = batch_indices.data<int64_t>();
  for (int64_t r = 0; r < rois.shape()[0]; ++r)
    FLOWONNX_REQUIRE(indices[r] >= 0 && indices[r] < x.shape()[0],
                     "{}: input 2 (batch_indices) holds {} at {}, outside the batch [0, {})",
                     kRoiAlign, indices[r], r, x.shape()[0]);
  detail::require_output(kRoiAlign, y,
                         {rois.shape()[0], x.shape()[1], params.output_height, params.output_width},
                         x.dtype(), {&x, &rois, &batch_indices});
  if (x.num_elements() == 0 && y.num_elements() > 0)
    fail(ErrorCode::InvalidArgument, "{}: input 0 (X) {} is empty", kRoiAlign, x.describe());
  if (x.dtype() == DType::Float32)
    roi_align_typed<float>(x, rois, indices, params, y);
  else
    roi_align_typed<double>(x, rois, indices, params, y);
}

}  // namespace flowonnx::kernels
