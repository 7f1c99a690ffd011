#include "kernels/cpu/resize.h"

#include <algorithm>
#include <cmath>

namespace flowonnx::kernels {

namespace {

struct Tap {
  int64_t index;
  double weight;
};

// Source coordinate of output position `out` along one dim.
double original_coordinate(const ResizeParams& p, size_t dim, double out, double scale,
                           int64_t out_length, int64_t in_length, int64_t rank) {
  const std::string& mode = p.coordinate_mode;
  if (mode == "half_pixel") return (out + 0.5) / scale - 0.5;
  if (mode == "pytorch_half_pixel") return out_length > 1 ? (out + 0.5) / scale - 0.5 : 0.0;
  if (mode == "align_corners") {
    // The ONNX reference divides by the unrounded output length (scale * input length).
    double scaled_length = scale * static_cast<double>(in_length);
    return out_length == 1 || scaled_length == 1 ? 0.0 : out * (in_length - 1) / (scaled_length - 1);
  }
  if (mode == "asymmetric") return out / scale;
  if (mode == "tf_half_pixel_for_nn") return (out + 0.5) / scale;
  if (mode == "half_pixel_symmetric") {
    // Centres the rounded output on the input: differs from half_pixel only when the output
    // length was rounded (scale * in_length is not an integer).
    double adjustment = out_length / (scale * static_cast<double>(in_length));
    double offset = in_length / 2.0 * (1 - adjustment);
    return offset + (out + 0.5) / scale - 0.5;
  }
  // tf_crop_and_resize
  double start = p.roi.empty() ? 0.0 : p.roi[dim];
  double end = p.roi.empty() ? 1.0 : p.roi[dim + rank];
  if (out_length > 1)
    return start * (in_length - 1) + out * (end - start) * (in_length - 1) / (out_length - 1);
  return 0.5 * (start + end) * (in_length - 1);
}

// Keys' cubic kernel at distance x.
double cubic_kernel(double x, double a) {
  x = std::abs(x);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0.0;
}

// The antialiased weights for offsets first..first + n - 1 from floor: the kernel stretched by
// 1 / scale when downsampling (scale < 1), normalised to sum 1. `first` receives the offset of the
// first tap relative to the base index.
std::vector<double> antialias_coeffs(ResizeMode mode, double ratio, double scale, double a,
                                     int64_t& first) {
  scale = std::min(scale, 1.0);
  const double support = mode == ResizeMode::Linear ? 1.0 : 2.0;
  first = static_cast<int64_t>(std::floor(-support / scale)) + 1;
  const int64_t n = 2 - 2 * first;
  std::vector<double> coeffs(static_cast<size_t>(n));
  double total = 0;
  for (int64_t k = 0; k < n; ++k) {
    double x = scale * (static_cast<double>(first + k) - ratio);
    double w = mode == ResizeMode::Linear ? std::clamp(1 - std::abs(x), 0.0, 1.0) : cubic_kernel(x, a);
    coeffs[k] = w;
    total += w;
  }
  for (double& w : coeffs) w /= total;
  return coeffs;
}

std::vector<double> cubic_coeffs(double r, double a) {
  return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
          ((a + 2) * r - (a + 3)) * r * r + 1,
          ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1,
          ((a * ((1 - r) + 1) - 5 * a) * ((1 - r) + 1) + 8 * a) * ((1 - r) + 1) - 4 * a};
}

// The weighted input indices for one output position; `outside` when tf_crop_and_resize falls
// off the input.
std::vector<Tap> taps_for(const ResizeParams& p, double x, double scale, int64_t length,
                          bool& outside) {
  if (p.coordinate_mode == "tf_crop_and_resize" && (x < 0 || x > length - 1)) {
    outside = true;
    return {};
  }
  double floor_x = std::floor(x);
  double ratio = x - floor_x;
  int64_t base = static_cast<int64_t>(floor_x);
  if (ratio == 0) {  // the reference treats an integral coordinate as ratio 1 from x - 1
    ratio = 1;
    base -= 1;
  }
  std::vector<Tap> taps;
  auto clamp = [length](int64_t i) { return std::min(std::max<int64_t>(i, 0), length - 1); };
  if (p.mode == ResizeMode::Nearest) {
    bool upper;
    if (ratio == 1) upper = true;
    else if (p.nearest_mode == "round_prefer_floor") upper = ratio > 0.5;
    else if (p.nearest_mode == "round_prefer_ceil") upper = ratio >= 0.5;
    else if (p.nearest_mode == "floor") upper = false;
    else upper = true;  // ceil
    taps.push_back({clamp(base + (upper ? 1 : 0)), 1.0});
    return taps;
  }
  std::vector<double> coeffs;
  int64_t first;
  if (p.antialias) {
    coeffs = antialias_coeffs(p.mode, ratio, scale, p.cubic_coeff_a, first);
    first += base;
  } else if (p.mode == ResizeMode::Linear) {
    coeffs = {1 - ratio, ratio};
    first = base;
  } else {
    coeffs = cubic_coeffs(ratio, p.cubic_coeff_a);
    first = base - 1;
  }
  double total = 0;
  for (size_t k = 0; k < coeffs.size(); ++k) {
    int64_t i = first + static_cast<int64_t>(k);
    if (p.exclude_outside && (i < 0 || i >= length)) continue;
    total += coeffs[k];
    taps.push_back({clamp(i), coeffs[k]});
  }
  if (p.exclude_outside && total != 0)
    for (Tap& tap : taps) tap.weight /= total;
  return taps;
}

}  // namespace

void validate_resize_params(const ResizeParams& p) {
  static const char* coordinate_modes[] = {"half_pixel", "pytorch_half_pixel", "align_corners",
                                           "asymmetric", "tf_half_pixel_for_nn", "tf_crop_and_resize",
                                           "half_pixel_symmetric"};
  static const char* nearest_modes[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};
  FLOWONNX_REQUIRE(std::find(std::begin(coordinate_modes), std::end(coordinate_modes), p.coordinate_mode) !=
                       std::end(coordinate_modes),
                   "resize: unknown coordinate_transformation_mode '{}'", p.coordinate_mode);
  FLOWONNX_REQUIRE(std::find(std::begin(nearest_modes), std::end(nearest_modes), p.nearest_mode) !=
                       std::end(nearest_modes),
                   "resize: unknown nearest_mode '{}'", p.nearest_mode);
  FLOWONNX_REQUIRE(!p.antialias || p.mode != ResizeMode::Nearest,
                   "resize: antialias applies to linear and cubic modes only, not nearest");
}

void resize(const Tensor& x, const ResizeParams& p, Tensor& y) {
  validate_resize_params(p);
  const int64_t rank = x.rank();
  FLOWONNX_REQUIRE(static_cast<int64_t>(p.scales.size()) == rank && y.rank() == rank && y.dtype() == x.dtype(),
                   "resize: {} scales, input {}, output {}", p.scales.size(), x.describe(), y.describe());
  if (y.num_elements() == 0) return;
  FLOWONNX_REQUIRE(x.num_elements() > 0, "resize: empty input {}", x.describe());
  // Taps per dim and output position.
  std::vector<std::vector<std::vector<Tap>>> taps(rank);
  std::vector<std::vector<bool>> outside(rank);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t out_length = y.shape()[d], in_length = x.shape()[d];
    taps[d].resize(out_length);
    outside[d].assign(out_length, false);
    for (int64_t o = 0; o < out_length; ++o) {
      double coordinate = original_coordinate(p, d, static_cast<double>(o), p.scales[d], out_length, in_length, rank);
      bool off = false;
      taps[d][o] = taps_for(p, coordinate, p.scales[d], in_length, off);
      outside[d][o] = off;
    }
  }
  std::vector<int64_t> strides = contiguous_strides(x.shape());
  std::vector<double> in = x.to_double_vector();
  std::vector<double> out(static_cast<size_t>(y.num_elements()));
  std::vector<int64_t> index(rank, 0);
  std::vector<size_t> choice(rank, 0);
  for (size_t i = 0; i < out.size(); ++i) {
    bool off = false;
    for (int64_t d = 0; d < rank; ++d) off = off || outside[d][index[d]];
    if (off) {
      out[i] = p.extrapolation_value;
    } else {
      // Sum over the cartesian product of each dim's taps.
      double sum = 0;
      std::fill(choice.begin(), choice.end(), 0);
      while (true) {
        double weight = 1;
        int64_t at = 0;
        for (int64_t d = 0; d < rank; ++d) {
          const Tap& tap = taps[d][index[d]][choice[d]];
          weight *= tap.weight;
          at += tap.index * strides[d];
        }
        sum += weight * in[at];
        int64_t d = rank - 1;
        for (; d >= 0; --d) {
          if (++choice[d] < taps[d][index[d]].size()) break;
          choice[d] = 0;
        }
        if (d < 0) break;
      }
      out[i] = sum;
    }
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < y.shape()[d]) break;
      index[d] = 0;
    }
  }
  y.copy_from(Tensor::from_vector<double>(y.shape(), out));
}

}  // namespace flowonnx::kernels
