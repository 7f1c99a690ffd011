// The naive oracles of pooling: every kernel tap tested against the bounds one by one.
#include <limits>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/pool.h"
#include "kernels/cpu/pool_internal.h"

namespace flowonnx::kernels {

void pool2d_reference(PoolKind kind, const Tensor& x, const Pool2dParams& params, Tensor& y) {
  const Shape y_shape = detail::validate_pool2d("pool2d_reference", x, params, y);
  const int64_t height = x.shape()[2], width = x.shape()[3];
  const float* in = x.data<float>();
  float* out = y.data<float>();
  int64_t out_index = 0;
  for (int64_t plane = 0; plane < y_shape[0] * y_shape[1]; ++plane)
    for (int64_t oh = 0; oh < y_shape[2]; ++oh)
      for (int64_t ow = 0; ow < y_shape[3]; ++ow) {
        double max_value = -std::numeric_limits<double>::infinity();
        double sum = 0;
        int64_t in_bounds = 0, in_padded = 0;
        for (int64_t kh = 0; kh < params.kernel[0]; ++kh)
          for (int64_t kw = 0; kw < params.kernel[1]; ++kw) {
            const int64_t ih =
                oh * params.strides[0] - params.pads_begin[0] + kh * params.dilations[0];
            const int64_t iw =
                ow * params.strides[1] - params.pads_begin[1] + kw * params.dilations[1];
            // A tap beyond the end padding (ceil_mode overhang) counts for nothing.
            if (ih < height + params.pads_end[0] && iw < width + params.pads_end[1]) ++in_padded;
            if (ih < 0 || ih >= height || iw < 0 || iw >= width) continue;
            const double value = in[(plane * height + ih) * width + iw];
            max_value = std::max(max_value, value);
            sum += value;
            ++in_bounds;
          }
        const int64_t divisor = params.count_include_pad ? in_padded : in_bounds;
        const double result = kind == PoolKind::Max ? max_value : divisor ? sum / divisor : 0.0;
        out[out_index++] = static_cast<float>(result);
      }
}

namespace detail {

void validate_adaptive_avg_pool2d(const Tensor& x, const Tensor& y) {
  require_dtype("adaptive_avg_pool2d", "input", x, DType::Float32);
  require_dtype("adaptive_avg_pool2d", "output y", y, DType::Float32);
  const Shape& xs = x.shape();
  const Shape& ys = y.shape();
  FLOWONNX_REQUIRE(xs.size() == 4 && xs[2] >= 1 && xs[3] >= 1,
                   "adaptive_avg_pool2d: input {} must be [N,C,H,W] with H,W >= 1",
                   shape_to_string(xs));
  FLOWONNX_REQUIRE(ys.size() == 4 && ys[0] == xs[0] && ys[1] == xs[1] && ys[2] >= 1 && ys[3] >= 1,
                   "adaptive_avg_pool2d: output y {} must be [{},{},outH,outW] with outH,outW >= 1 "
                   "for input {}",
                   shape_to_string(ys), xs[0], xs[1], shape_to_string(xs));
  require_output("adaptive_avg_pool2d", y, ys, DType::Float32, {&x});
}

}  // namespace detail

void adaptive_avg_pool2d_reference(const Tensor& x, Tensor& y) {
  detail::validate_adaptive_avg_pool2d(x, y);
  const int64_t height = x.shape()[2], width = x.shape()[3];
  const int64_t out_h = y.shape()[2], out_w = y.shape()[3];
  const float* in = x.data<float>();
  float* out = y.data<float>();
  for (int64_t plane = 0; plane < x.shape()[0] * x.shape()[1]; ++plane)
    for (int64_t oh = 0; oh < out_h; ++oh)
      for (int64_t ow = 0; ow < out_w; ++ow) {
        // PyTorch's bins: [floor(i*H/out), ceil((i+1)*H/out)).
        const int64_t h0 = oh * height / out_h, h1 = ((oh + 1) * height + out_h - 1) / out_h;
        const int64_t w0 = ow * width / out_w, w1 = ((ow + 1) * width + out_w - 1) / out_w;
        double sum = 0;
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) sum += in[(plane * height + h) * width + w];
        out[(plane * out_h + oh) * out_w + ow] = static_cast<float>(sum / ((h1 - h0) * (w1 - w0)));
      }
}

}  // namespace flowonnx::kernels
