// The nn family through the shared table-driven export test (op_export_case.h): one case per op
// (plus variants for forms with their own ONNX mapping), each with an eager reference written
// here as plain loops, exported at the first opset of each mapping and at 17, checked by libonnx
// and ONNX Runtime.
#include <cmath>

#include "export/op_export_case.h"
#include "flow/dispatch.h"
#include "flow/functional.h"
#include "flow/nn_functional.h"

namespace flowonnx::testing {
namespace {

namespace F = functional;
using Values = std::vector<double>;

Tensor to_float(const Shape& shape, const Values& values) {
  return Tensor::from_vector<double>(shape, values).to(DType::Float32);
}

// Direct 2-D convolution (x [N,C,H,W], w [O,C/g,kh,kw]), symmetric padding, as plain loops.
Tensor naive_conv2d(const Tensor& x, const Tensor& w, int64_t stride, int64_t pad, int64_t dilation, int64_t groups) {
  int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3), o = w.dim(0), cg = w.dim(1), kh = w.dim(2), kw = w.dim(3);
  int64_t oh = (h + 2 * pad - dilation * (kh - 1) - 1) / stride + 1, ow = (wd + 2 * pad - dilation * (kw - 1) - 1) / stride + 1;
  Values in = x.to_double_vector(), k = w.to_double_vector(), out(n * o * oh * ow, 0.0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t f = 0; f < o; ++f)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double sum = 0;
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t u = 0; u < kh; ++u)
              for (int64_t v = 0; v < kw; ++v) {
                int64_t y = i * stride - pad + u * dilation, z = j * stride - pad + v * dilation;
                if (y < 0 || y >= h || z < 0 || z >= wd) continue;
                int64_t channel = f / (o / groups) * cg + ci;
                sum += in[((b * c + channel) * h + y) * wd + z] * k[((f * cg + ci) * kh + u) * kw + v];
              }
          out[((b * o + f) * oh + i) * ow + j] = sum;
        }
  return to_float({n, o, oh, ow}, out);
}

// Direct 1-D convolution (x [N,C,L], w [O,C/g,k]).
Tensor naive_conv1d(const Tensor& x, const Tensor& w, int64_t stride, int64_t pad, int64_t groups) {
  int64_t n = x.dim(0), c = x.dim(1), len = x.dim(2), o = w.dim(0), cg = w.dim(1), k = w.dim(2);
  int64_t out_len = (len + 2 * pad - k) / stride + 1;
  Values in = x.to_double_vector(), kernel = w.to_double_vector(), out;
  for (int64_t b = 0; b < n; ++b)
    for (int64_t f = 0; f < o; ++f)
      for (int64_t i = 0; i < out_len; ++i) {
        double sum = 0;
        for (int64_t ci = 0; ci < cg; ++ci)
          for (int64_t u = 0; u < k; ++u) {
            int64_t p = i * stride - pad + u;
            if (p >= 0 && p < len) sum += in[(b * c + f / (o / groups) * cg + ci) * len + p] * kernel[(f * cg + ci) * k + u];
          }
        out.push_back(sum);
      }
  return to_float({n, o, out_len}, out);
}

// Transposed conv in gather form (independent of the kernel's scatter loop): y[o, i, j] sums
// x[c, p, q] * w[c, o, u, v] over p*s - pad + u*d == i.
Tensor naive_deconv2d(const Tensor& x, const Tensor& w, int64_t stride, int64_t pad, int64_t out_pad, int64_t groups) {
  int64_t n = x.dim(0), c = x.dim(1), h = x.dim(2), wd = x.dim(3), og = w.dim(1), k = w.dim(2);
  int64_t o = og * groups, oh = (h - 1) * stride - 2 * pad + k + out_pad, ow = (wd - 1) * stride - 2 * pad + k + out_pad;
  Values in = x.to_double_vector(), kernel = w.to_double_vector(), out(n * o * oh * ow, 0.0);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t f = 0; f < o; ++f)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          double sum = 0;
          int64_t group = f / og;
          for (int64_t ci = group * (c / groups); ci < (group + 1) * (c / groups); ++ci)
            for (int64_t u = 0; u < k; ++u)
              for (int64_t v = 0; v < k; ++v) {
                int64_t p = i + pad - u, q = j + pad - v;
                if (p % stride || q % stride || p < 0 || q < 0 || p / stride >= h || q / stride >= wd) continue;
                sum += in[((b * c + ci) * h + p / stride) * wd + q / stride] * kernel[((ci * og + f % og) * k + u) * k + v];
              }
          out[((b * o + f) * oh + i) * ow + j] = sum;
        }
  return to_float({n, o, oh, ow}, out);
}

// PyTorch's adaptive average pooling bins.
Tensor naive_adaptive_avg(const Tensor& x, int64_t out_h, int64_t out_w) {
  int64_t planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
  Values in = x.to_double_vector(), out;
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t i = 0; i < out_h; ++i)
      for (int64_t j = 0; j < out_w; ++j) {
        int64_t h0 = i * h / out_h, h1 = ((i + 1) * h + out_h - 1) / out_h;
        int64_t w0 = j * w / out_w, w1 = ((j + 1) * w + out_w - 1) / out_w;
        double sum = 0;
        for (int64_t y = h0; y < h1; ++y)
          for (int64_t z = w0; z < w1; ++z) sum += in[(p * h + y) * w + z];
        out.push_back(sum / double((h1 - h0) * (w1 - w0)));
      }
  return to_float({x.dim(0), x.dim(1), out_h, out_w}, out);
}

// Upsampling by a source-coordinate rule: nearest floor(dst / scale), or bilinear with
// half_pixel (clamped at 0) / align_corners coordinates.
Tensor naive_upsample(const Tensor& x, int64_t out_h, int64_t out_w, bool bilinear, bool align_corners, double sh,
                      double sw) {
  int64_t planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
  Values in = x.to_double_vector(), out;
  auto source = [&](int64_t dst, int64_t in_len, int64_t out_len, double scale) {
    if (!bilinear) return std::floor(dst / scale);
    if (align_corners) return out_len > 1 ? dst * double(in_len - 1) / double(out_len - 1) : 0.0;
    return std::max(0.0, (dst + 0.5) / scale - 0.5);
  };
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t i = 0; i < out_h; ++i)
      for (int64_t j = 0; j < out_w; ++j) {
        double y = source(i, h, out_h, sh), z = source(j, w, out_w, sw);
        int64_t y0 = std::min<int64_t>(static_cast<int64_t>(y), h - 1), z0 = std::min<int64_t>(static_cast<int64_t>(z), w - 1);
        if (!bilinear) {
          out.push_back(in[(p * h + y0) * w + z0]);
          continue;
        }
        int64_t y1 = std::min(y0 + 1, h - 1), z1 = std::min(z0 + 1, w - 1);
        double fy = y - y0, fz = z - z0;
        auto at = [&](int64_t a, int64_t b) { return in[(p * h + a) * w + b]; };
        out.push_back((1 - fy) * ((1 - fz) * at(y0, z0) + fz * at(y0, z1)) + fy * ((1 - fz) * at(y1, z0) + fz * at(y1, z1)));
      }
  return to_float({x.dim(0), x.dim(1), out_h, out_w}, out);
}

// Normalises each row of `inner` values: (v - mean) / sqrt(var + eps) (centre) or
// v / sqrt(mean(v^2) + eps) (rms), then * gamma[i % period] + beta[...] where given.
Tensor naive_row_norm(const Tensor& x, int64_t inner, bool centre, double eps, const Tensor& gamma, const Tensor& beta,
                      int64_t param_stride = 1) {
  Values v = x.to_double_vector();
  Values g = gamma.defined() ? gamma.to_double_vector() : Values{}, b = beta.defined() ? beta.to_double_vector() : Values{};
  for (size_t row = 0; row < v.size(); row += inner) {
    double mean = 0, var = 0;
    for (int64_t i = 0; i < inner; ++i) mean += v[row + i] / inner;
    if (!centre) mean = 0;
    for (int64_t i = 0; i < inner; ++i) var += (v[row + i] - mean) * (v[row + i] - mean) / inner;
    for (int64_t i = 0; i < inner; ++i) {
      double y = (v[row + i] - mean) / std::sqrt(var + eps);
      size_t param = static_cast<size_t>(((row + i) / param_stride) % (g.empty() ? 1 : g.size()));
      if (!g.empty()) y *= g[param];
      if (!b.empty()) y += b[param];
      v[row + i] = y;
    }
  }
  return to_float(x.shape(), v);
}

OpExportCase pool_case(const std::string& op, bool ceil) {
  bool max = op.find("max") != std::string::npos;
  OpExportCase c{op, {{{2, 3, 8, 8}}}, [op, max, ceil](const std::vector<Tensor>& in) {
    ir::Attributes attrs{{"kernel_size", std::vector<int64_t>{3, 3}}, {"stride", std::vector<int64_t>{2, 2}},
                         {"padding", std::vector<int64_t>{1, 1}}, {"ceil_mode", int64_t{ceil}}};
    if (!max) attrs.set("count_include_pad", int64_t{0});
    return flow::call_op(op, in, attrs);
  }};
  if (ceil) c.variant = "ceil";
  return c;
}

OpExportCase adaptive_case(const std::string& variant, Shape input, int64_t out_h, int64_t out_w) {
  OpExportCase c{"adaptive_avg_pool2d", {{input}},
                 [=](const std::vector<Tensor>& in) { return std::vector<Tensor>{F::adaptive_avg_pool2d(in[0], {out_h, out_w})}; },
                 [=](const std::vector<Tensor>& in) { return std::vector<Tensor>{naive_adaptive_avg(in[0], out_h, out_w)}; }};
  c.variant = variant;
  return c;
}

OpExportCase upsample_case(const std::string& variant, bool bilinear, bool align, double scale, std::array<int64_t, 2> size) {
  const char* op = bilinear ? "upsample_bilinear_2d" : "upsample_nearest_2d";
  OpExportCase c{op, {{{2, 3, 4, 5}}},
                 [=](const std::vector<Tensor>& in) {
                   Tensor y = size[0] ? (bilinear ? F::upsample_bilinear_2d(in[0], size, align) : F::upsample_nearest_2d(in[0], size))
                                      : (bilinear ? F::upsample_bilinear_2d(in[0], scale, scale, align)
                                                  : F::upsample_nearest_2d(in[0], scale, scale));
                   return std::vector<Tensor>{y};
                 },
                 [=](const std::vector<Tensor>& in) {
                   int64_t oh = size[0] ? size[0] : static_cast<int64_t>(4 * scale), ow = size[0] ? size[1] : static_cast<int64_t>(5 * scale);
                   double sh = size[0] ? double(oh) / 4 : scale, sw = size[0] ? double(ow) / 5 : scale;
                   return std::vector<Tensor>{naive_upsample(in[0], oh, ow, bilinear, align, sh, sw)};
                 }};
  c.variant = variant;
  return c;
}

std::vector<OpExportCase> nn_cases() {
  std::vector<OpExportCase> cases;
  cases.push_back({"conv1d", {{{2, 4, 9}}, {{6, 2, 3}}},
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{F::conv1d(in[0], in[1], 2, 1, 1, 2)}; },
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{naive_conv1d(in[0], in[1], 2, 1, 2)}; }});
  OpExportCase depthwise{"conv2d", {{{2, 4, 7, 7}}, {{4, 1, 3, 3}}},
                         [](const std::vector<Tensor>& in) { return std::vector<Tensor>{F::conv2d(in[0], in[1], {2, 2}, {1, 1}, {1, 1}, 4)}; },
                         [](const std::vector<Tensor>& in) { return std::vector<Tensor>{naive_conv2d(in[0], in[1], 2, 1, 1, 4)}; }};
  depthwise.variant = "depthwise";
  cases.push_back(depthwise);
  cases.push_back({"conv2d", {{{2, 6, 7, 7}}, {{4, 3, 3, 3}}},
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{F::conv2d(in[0], in[1], {1, 1}, {2, 2}, {2, 2}, 2)}; },
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{naive_conv2d(in[0], in[1], 1, 2, 2, 2)}; }});
  cases.push_back({"deconv2d", {{{2, 4, 5, 5}}, {{4, 3, 3, 3}}},
                   [](const std::vector<Tensor>& in) {
                     return std::vector<Tensor>{F::deconv2d(in[0], in[1], {2, 2}, {1, 1}, {1, 1}, {1, 1}, 2)};
                   },
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{naive_deconv2d(in[0], in[1], 2, 1, 1, 2)}; }});
  for (const char* op : {"max_pool_2d", "maxpool_2d", "avg_pool_2d", "avgpool_2d"}) {
    cases.push_back(pool_case(op, false));
    cases.push_back(pool_case(op, true));
  }
  cases.push_back(adaptive_case("", {2, 3, 7, 8}, 3, 5));  // unequal bins: the MatMul form
  cases.push_back(adaptive_case("global", {2, 3, 5, 6}, 1, 1));
  cases.push_back(adaptive_case("equal_bins", {2, 3, 8, 6}, 4, 2));
  cases.push_back(adaptive_case("upsampling", {1, 2, 2, 2}, 7, 7));
  cases.push_back({"pad", {{{2, 3, 4}}},
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{F::pad(in[0], {0, 1, 2}, {1, 0, 3}, 0.5)}; },
                   [](const std::vector<Tensor>& in) {
                     Values v = in[0].to_double_vector(), out(3 * 4 * 9, 0.5);
                     for (int64_t a = 0; a < 2; ++a)
                       for (int64_t b = 0; b < 3; ++b)
                         for (int64_t c = 0; c < 4; ++c) out[(a * 4 + b + 1) * 9 + c + 2] = v[(a * 3 + b) * 4 + c];
                     return std::vector<Tensor>{to_float({3, 4, 9}, out)};
                   }});
  cases.push_back(upsample_case("", false, false, 2, {0, 0}));
  cases.push_back(upsample_case("scale3", false, false, 3, {0, 0}));
  cases.push_back(upsample_case("", true, false, 2, {0, 0}));
  OpExportCase align = upsample_case("align_corners", true, true, 0, {7, 9});
  cases.push_back(align);
  cases.push_back(upsample_case("sized", true, false, 0, {6, 11}));
  cases.push_back({"cublas_fused_mlp", {{{3, 5}}, {{4, 5}}, {{2, 4}}, {{4}}, {{2}}},
                   [](const std::vector<Tensor>& in) {
                     return std::vector<Tensor>{F::cublas_fused_mlp(in[0], {in[1], in[2]}, {in[3], in[4]}, true)};
                   },
                   [](const std::vector<Tensor>& in) {
                     auto layer = [](const Values& x, int64_t rows, int64_t k, const Tensor& w, const Tensor& b, bool relu) {
                       Values wv = w.to_double_vector(), bv = b.to_double_vector(), y;
                       for (int64_t r = 0; r < rows; ++r)
                         for (int64_t o = 0; o < w.dim(0); ++o) {
                           double s = bv[o];
                           for (int64_t i = 0; i < k; ++i) s += x[r * k + i] * wv[o * k + i];
                           y.push_back(relu ? std::max(0.0, s) : s);
                         }
                       return y;
                     };
                     Values h = layer(in[0].to_double_vector(), 3, 5, in[1], in[3], true);
                     return std::vector<Tensor>{to_float({3, 2}, layer(h, 3, 4, in[2], in[4], false))};
                   }});
  cases.push_back({"normalization", {{{2, 3, 4, 4}}, {{3}}, {{3}, DType::Float32, 0.5, 1.5}, {{3}}, {{3}}},
                   [](const std::vector<Tensor>& in) {
                     return std::vector<Tensor>{F::normalization(in[0], in[1], in[2], in[3], in[4], 1e-3, false)};
                   },
                   [](const std::vector<Tensor>& in) {
                     Values x = in[0].to_double_vector(), m = in[1].to_double_vector(), v = in[2].to_double_vector(),
                            g = in[3].to_double_vector(), b = in[4].to_double_vector();
                     for (size_t i = 0; i < x.size(); ++i) {
                       size_t c = (i / 16) % 3;
                       x[i] = (x[i] - m[c]) / std::sqrt(v[c] + 1e-3) * g[c] + b[c];
                     }
                     return std::vector<Tensor>{to_float(in[0].shape(), x)};
                   }});
  cases.push_back({"layer_norm", {{{2, 3, 4, 5}}, {{4, 5}}, {{4, 5}}},
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{F::layer_norm(in[0], in[1], in[2], 2, 1e-5)}; },
                   [](const std::vector<Tensor>& in) {
                     return std::vector<Tensor>{naive_row_norm(in[0], 20, true, 1e-5, in[1], in[2])};
                   }});
  OpExportCase plain_ln{"layer_norm", {{{3, 7}}},
                        [](const std::vector<Tensor>& in) { return std::vector<Tensor>{F::layer_norm(in[0], Tensor(), Tensor(), -1, 1e-5)}; },
                        [](const std::vector<Tensor>& in) {
                          return std::vector<Tensor>{naive_row_norm(in[0], 7, true, 1e-5, Tensor(), Tensor())};
                        }};
  plain_ln.variant = "no_affine";
  cases.push_back(plain_ln);
  cases.push_back({"rms_norm", {{{2, 3, 6}}, {{3, 6}}},
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{F::rms_norm(in[0], in[1], 2, 1e-6)}; },
                   [](const std::vector<Tensor>& in) {
                     return std::vector<Tensor>{naive_row_norm(in[0], 18, false, 1e-6, in[1], Tensor())};
                   }});
  cases.push_back({"rms_layer_norm", {{{2, 3, 6}}, {{6}}},
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{F::rms_layer_norm(in[0], in[1], 1e-6)}; },
                   [](const std::vector<Tensor>& in) {
                     return std::vector<Tensor>{naive_row_norm(in[0], 6, false, 1e-6, in[1], Tensor())};
                   }});
  // GroupNorm: rows of one group's channels x spatial; per-channel affine (param_stride = spatial).
  cases.push_back({"group_norm", {{{2, 6, 3, 4}}, {{6}}, {{6}}},
                   [](const std::vector<Tensor>& in) { return std::vector<Tensor>{F::group_norm(in[0], 3, in[1], in[2], 1e-5)}; },
                   [](const std::vector<Tensor>& in) {
                     return std::vector<Tensor>{naive_row_norm(in[0], 24, true, 1e-5, in[1], in[2], 12)};
                   }});
  OpExportCase plain_gn{"group_norm", {{{2, 4, 5}}},
                        [](const std::vector<Tensor>& in) { return std::vector<Tensor>{F::group_norm(in[0], 2, Tensor(), Tensor(), 1e-5)}; },
                        [](const std::vector<Tensor>& in) {
                          return std::vector<Tensor>{naive_row_norm(in[0], 10, true, 1e-5, Tensor(), Tensor())};
                        }};
  plain_gn.variant = "no_affine";
  cases.push_back(plain_gn);
  for (OpExportCase& c : cases) c.reference_tolerance = 1e-4;
  return cases;
}

INSTANTIATE_TEST_SUITE_P(NnOps, OpExportTest, ::testing::ValuesIn(nn_cases()), op_case_name);

}  // namespace
}  // namespace flowonnx::testing
