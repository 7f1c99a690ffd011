#include "kernels/cpu/spatial_ops.h"

#include <cmath>

#include "kernels/cpu/kernel_checks.h"

namespace flowonnx::kernels {

namespace {

bool is_float(const Tensor& t) {
  return t.dtype() == DType::Float32 || t.dtype() == DType::Float64;
}

// Advances a row-major multi-index over `extent`; false after the last one.
bool next_index(std::vector<int64_t>& index, const std::vector<int64_t>& extent) {
  for (size_t d = index.size(); d-- > 0;) {
    if (++index[d] < extent[d]) return true;
    index[d] = 0;
  }
  return false;
}

// Writes double results into y (converted to y's dtype).
void store(Tensor& y, const std::vector<double>& values) {
  y.copy_from(Tensor::from_vector<double>(y.shape(), values));
}

}  // namespace

std::vector<int64_t> col2im_block_counts(const Col2ImParams& p) {
  const size_t n = p.image_shape.size();
  FLOWONNX_REQUIRE(p.block_shape.size() == n && p.dilations.size() == n && p.strides.size() == n &&
                       p.pads.size() == 2 * n,
                   "Col2Im: image_shape {} needs as many block dims, dilations and strides and twice "
                   "as many pads, got block_shape {}, dilations {}, strides {}, pads {}",
                   shape_to_string(p.image_shape), shape_to_string(p.block_shape),
                   shape_to_string(p.dilations), shape_to_string(p.strides), shape_to_string(p.pads));
  std::vector<int64_t> counts(n);
  for (size_t d = 0; d < n; ++d) {
    FLOWONNX_REQUIRE(p.block_shape[d] > 0 && p.dilations[d] > 0 && p.strides[d] > 0 &&
                         p.image_shape[d] >= 0,
                     "Col2Im: block_shape {}, dilations {} and strides {} must be positive, "
                     "image_shape {} non-negative",
                     shape_to_string(p.block_shape), shape_to_string(p.dilations),
                     shape_to_string(p.strides), shape_to_string(p.image_shape));
    const int64_t span = p.dilations[d] * (p.block_shape[d] - 1) + 1;
    const int64_t padded = p.image_shape[d] + p.pads[d] + p.pads[d + n];
    counts[d] = padded >= span ? (padded - span) / p.strides[d] + 1 : 0;
    FLOWONNX_REQUIRE(counts[d] >= 1,
                     "Col2Im: image_shape {} with pads {} is smaller than a block {} (dilations {})",
                     shape_to_string(p.image_shape), shape_to_string(p.pads),
                     shape_to_string(p.block_shape), shape_to_string(p.dilations));
  }
  return counts;
}

void col2im(const Tensor& x, const Col2ImParams& p, Tensor& y) {
  FLOWONNX_REQUIRE(is_float(x) && x.rank() == 3, "Col2Im: input 0 {} must be float [N, C*K, L]",
                   x.describe());
  const std::vector<int64_t> counts = col2im_block_counts(p);
  const size_t n = p.image_shape.size();
  const int64_t block = detail::product(p.block_shape, 0, n);
  const int64_t blocks = detail::product(counts, 0, n);
  const int64_t batch = x.shape()[0];
  FLOWONNX_REQUIRE(x.shape()[1] % block == 0 && x.shape()[2] == blocks,
                   "Col2Im: input 0 {} must be [N, C * {}, {}] for block_shape {} and {} blocks",
                   x.describe(), block, blocks, shape_to_string(p.block_shape), blocks);
  const int64_t channels = x.shape()[1] / block;
  Shape out_shape = {batch, channels};
  out_shape.insert(out_shape.end(), p.image_shape.begin(), p.image_shape.end());
  detail::require_output("Col2Im", y, out_shape, x.dtype(), {&x});
  const int64_t image = detail::product(p.image_shape, 0, n);
  std::vector<double> in = x.to_double_vector();
  std::vector<double> out(static_cast<size_t>(y.num_elements()), 0.0);
  if (out.empty() || in.empty()) return store(y, out);
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t c = 0; c < channels; ++c) {
      double* plane = out.data() + (b * channels + c) * image;
      std::vector<int64_t> k(n, 0);
      int64_t k_flat = 0;
      do {
        const double* column = in.data() + ((b * channels + c) * block + k_flat) * blocks;
        std::vector<int64_t> l(n, 0);
        int64_t l_flat = 0;
        do {
          int64_t at = 0;
          bool inside = true;
          for (size_t d = 0; d < n && inside; ++d) {
            int64_t pos = l[d] * p.strides[d] - p.pads[d] + k[d] * p.dilations[d];
            inside = pos >= 0 && pos < p.image_shape[d];
            at = at * p.image_shape[d] + pos;
          }
          if (inside) plane[at] += column[l_flat];
          ++l_flat;
        } while (next_index(l, counts));
        ++k_flat;
      } while (next_index(k, p.block_shape));
    }
  }
  store(y, out);
}

void affine_grid(const Tensor& theta, bool align_corners, Tensor& y) {
  FLOWONNX_REQUIRE(is_float(theta) && theta.rank() == 3 &&
                       ((theta.shape()[1] == 2 && theta.shape()[2] == 3) ||
                        (theta.shape()[1] == 3 && theta.shape()[2] == 4)),
                   "AffineGrid: input 0 (theta) {} must be float [N, 2, 3] or [N, 3, 4]",
                   theta.describe());
  const int64_t dims = theta.shape()[1];  // 2 or 3 spatial dims
  FLOWONNX_REQUIRE(y.rank() == dims + 2 && y.shape()[0] == theta.shape()[0] &&
                       y.shape()[dims + 1] == dims && y.dtype() == theta.dtype(),
                   "AffineGrid: output {} does not fit theta {}", y.describe(), theta.describe());
  // Spatial extents, slowest first (D, H, W); the grid's coordinates run fastest first (x, y, z).
  std::vector<int64_t> extent(y.shape().begin() + 1, y.shape().end() - 1);
  auto normalised = [align_corners](int64_t i, int64_t length) {
    if (align_corners) return length == 1 ? -1.0 : -1.0 + 2.0 * i / (length - 1);
    return (2.0 * i + 1.0) / length - 1.0;
  };
  std::vector<double> t = theta.to_double_vector();
  std::vector<double> out(static_cast<size_t>(y.num_elements()));
  if (out.empty()) return store(y, out);
  const int64_t points = detail::product(extent, 0, extent.size());
  for (int64_t b = 0; b < theta.shape()[0]; ++b) {
    const double* m = t.data() + b * dims * (dims + 1);
    std::vector<int64_t> index(extent.size(), 0);
    int64_t p = 0;
    do {
      double homogeneous[4];
      for (int64_t c = 0; c < dims; ++c) {
        const size_t axis = static_cast<size_t>(dims - 1 - c);  // x is the last (W) dim
        homogeneous[c] = normalised(index[axis], extent[axis]);
      }
      homogeneous[dims] = 1.0;
      double* o = out.data() + (b * points + p) * dims;
      for (int64_t r = 0; r < dims; ++r) {
        double sum = 0;
        for (int64_t c = 0; c <= dims; ++c) sum += m[r * (dims + 1) + c] * homogeneous[c];
        o[r] = sum;
      }
      ++p;
    } while (next_index(index, extent));
  }
  store(y, out);
}

namespace {

// Bilinear sample of one [H, W] plane at pixel coordinates (h, w); neighbours outside read 0.
double bilinear_zero(const double* plane, int64_t height, int64_t width, double h, double w) {
  const double h0 = std::floor(h), w0 = std::floor(w);
  const double dh = h - h0, dw = w - w0;
  double sum = 0;
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t j = 0; j < 2; ++j) {
      const double hh = h0 + i, ww = w0 + j;
      if (hh < 0 || hh >= height || ww < 0 || ww >= width) continue;
      const double weight = (i ? dh : 1 - dh) * (j ? dw : 1 - dw);
      sum += weight * plane[static_cast<int64_t>(hh) * width + static_cast<int64_t>(ww)];
    }
  }
  return sum;
}

}  // namespace

void deform_conv(const Tensor& x, const Tensor& w, const Tensor& offset, const Tensor& bias,
                 const Tensor& mask, const DeformConvParams& p, Tensor& y) {
  constexpr const char* kOp = "DeformConv";
  FLOWONNX_REQUIRE(is_float(x) && x.rank() == 4,
                   "{}: input 0 (X) {} must be float [N, C, H, W] (2-D only)", kOp, x.describe());
  detail::require_dtype(kOp, "input 1 (W)", w, x.dtype());
  detail::require_dtype(kOp, "input 2 (offset)", offset, x.dtype());
  const int64_t batch = x.shape()[0], channels = x.shape()[1];
  const int64_t height = x.shape()[2], width = x.shape()[3];
  FLOWONNX_REQUIRE(p.kernel_shape.size() == 2 && p.dilations.size() == 2 &&
                       p.strides.size() == 2 && p.pads.size() == 4 && p.group > 0 &&
                       p.offset_group > 0,
                   "{}: kernel_shape, dilations and strides need 2 values and pads 4, group and "
                   "offset_group must be positive",
                   kOp);
  const int64_t kh = p.kernel_shape[0], kw = p.kernel_shape[1];
  const int64_t out_channels = w.rank() == 4 ? w.shape()[0] : -1;
  FLOWONNX_REQUIRE(w.rank() == 4 && w.shape()[1] * p.group == channels && w.shape()[2] == kh &&
                       w.shape()[3] == kw && out_channels % p.group == 0,
                   "{}: input 1 (W) {} must be [OC, {} / group {}, {}, {}] with OC divisible by "
                   "group",
                   kOp, w.describe(), channels, p.group, kh, kw);
  FLOWONNX_REQUIRE(channels % p.offset_group == 0,
                   "{}: {} input channels are not divisible by offset_group {}", kOp, channels,
                   p.offset_group);
  std::vector<int64_t> out_size(2);
  for (int d = 0; d < 2; ++d) {
    const int64_t span = (p.kernel_shape[d] - 1) * p.dilations[d] + 1;
    FLOWONNX_REQUIRE(p.strides[d] > 0 && p.dilations[d] > 0, "{}: strides and dilations must be "
                     "positive", kOp);
    out_size[d] = (x.shape()[2 + d] + p.pads[d] + p.pads[d + 2] - span) / p.strides[d] + 1;
  }
  const int64_t oh = out_size[0], ow = out_size[1];
  FLOWONNX_REQUIRE(offset.rank() == 4 && offset.shape()[0] == batch &&
                       offset.shape()[1] == p.offset_group * kh * kw * 2 &&
                       offset.shape()[2] == oh && offset.shape()[3] == ow,
                   "{}: input 2 (offset) {} must be [{}, {}, {}, {}]", kOp, offset.describe(),
                   batch, p.offset_group * kh * kw * 2, oh, ow);
  if (bias.defined()) {
    detail::require_dtype(kOp, "input 3 (B)", bias, x.dtype());
    FLOWONNX_REQUIRE(bias.num_elements() == out_channels, "{}: input 3 (B) {} must have {} values",
                     kOp, bias.describe(), out_channels);
  }
  if (mask.defined()) {
    detail::require_dtype(kOp, "input 4 (mask)", mask, x.dtype());
    FLOWONNX_REQUIRE(mask.rank() == 4 && mask.shape()[0] == batch &&
                         mask.shape()[1] == p.offset_group * kh * kw && mask.shape()[2] == oh &&
                         mask.shape()[3] == ow,
                     "{}: input 4 (mask) {} must be [{}, {}, {}, {}]", kOp, mask.describe(), batch,
                     p.offset_group * kh * kw, oh, ow);
  }
  detail::require_output(kOp, y, {batch, out_channels, oh, ow}, x.dtype(), {&x, &w, &offset});
  const std::vector<double> in = x.to_double_vector(), weights = w.to_double_vector();
  const std::vector<double> offsets = offset.to_double_vector();
  const std::vector<double> masks = mask.defined() ? mask.to_double_vector() : std::vector<double>{};
  const std::vector<double> biases = bias.defined() ? bias.to_double_vector() : std::vector<double>{};
  std::vector<double> out(static_cast<size_t>(y.num_elements()), 0.0);
  const int64_t in_per_group = channels / p.group, out_per_group = out_channels / p.group;
  const int64_t in_per_offset_group = channels / p.offset_group;
  const int64_t taps = kh * kw, plane = oh * ow;
  // Sampled input columns for one (batch, channel): [taps, oH * oW], reused by every output
  // channel of the group.
  std::vector<double> columns(static_cast<size_t>(taps * plane));
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t c = 0; c < channels; ++c) {
      const double* image = in.data() + (b * channels + c) * height * width;
      const int64_t og = c / in_per_offset_group;
      for (int64_t t = 0; t < taps; ++t) {
        const int64_t i = t / kw, j = t % kw;
        const double* off = offsets.data() + ((b * p.offset_group + og) * taps + t) * 2 * plane;
        const double* m =
            masks.empty() ? nullptr : masks.data() + ((b * p.offset_group + og) * taps + t) * plane;
        for (int64_t r = 0; r < oh; ++r) {
          for (int64_t s = 0; s < ow; ++s) {
            const int64_t at = r * ow + s;
            const double h = static_cast<double>(r * p.strides[0] - p.pads[0] + i * p.dilations[0]) + off[at];
            const double v = static_cast<double>(s * p.strides[1] - p.pads[1] + j * p.dilations[1]) +
                             off[plane + at];
            double value = bilinear_zero(image, height, width, h, v);
            columns[t * plane + at] = m ? value * m[at] : value;
          }
        }
      }
      const int64_t group = c / in_per_group, c_in_group = c % in_per_group;
      for (int64_t oc = group * out_per_group; oc < (group + 1) * out_per_group; ++oc) {
        const double* kernel = weights.data() + (oc * in_per_group + c_in_group) * taps;
        double* o = out.data() + (b * out_channels + oc) * plane;
        for (int64_t t = 0; t < taps; ++t)
          for (int64_t at = 0; at < plane; ++at) o[at] += kernel[t] * columns[t * plane + at];
      }
    }
    if (!biases.empty())
      for (int64_t oc = 0; oc < out_channels; ++oc)
        for (int64_t at = 0; at < plane; ++at) out[(b * out_channels + oc) * plane + at] += biases[oc];
  }
  store(y, out);
}

}  // namespace flowonnx::kernels
