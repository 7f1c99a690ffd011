#include "kernels/cpu/pool.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/pool_internal.h"
#include "kernels/cpu/threading.h"

namespace flowonnx::kernels {

namespace {

std::string params_to_string(const Pool2dParams& p) {
  return fmt::format(
      "kernel=[{},{}] strides=[{},{}] pads_begin=[{},{}] pads_end=[{},{}] dilations=[{},{}] "
      "ceil_mode={}",
      p.kernel[0], p.kernel[1], p.strides[0], p.strides[1], p.pads_begin[0], p.pads_begin[1],
      p.pads_end[0], p.pads_end[1], p.dilations[0], p.dilations[1], p.ceil_mode);
}

// The taps of one window along one axis: kernel positions [first, last) fall inside the input,
// and `include_pad_count` of them fall inside the padded input (for count_include_pad).
struct AxisWindow {
  int64_t start;  // input coordinate of tap 0 (may be negative)
  int64_t first, last;
  int64_t include_pad_count;
};

AxisWindow axis_window(int64_t out_index, int64_t size, int64_t kernel, int64_t stride,
                       int64_t dilation, int64_t pad_begin, int64_t pad_end) {
  AxisWindow window;
  window.start = out_index * stride - pad_begin;
  auto first_tap_at_or_after = [&](int64_t coordinate) {  // smallest tap with start+t*d >= c
    const int64_t distance = coordinate - window.start;
    return distance <= 0 ? 0 : std::min(kernel, (distance + dilation - 1) / dilation);
  };
  window.first = first_tap_at_or_after(0);
  window.last = std::max(window.first, first_tap_at_or_after(size));
  // With ceil_mode the last window may hang past the end padding; those taps never count.
  window.include_pad_count =
      first_tap_at_or_after(size + pad_end) - first_tap_at_or_after(-pad_begin);
  return window;
}

}  // namespace

Shape pool2d_output_shape(const Shape& x, const Pool2dParams& params) {
  const std::string xs = shape_to_string(x);
  FLOWONNX_REQUIRE(x.size() == 4, "pool2d: input {} must be rank 4 [N,C,H,W]", xs);
  num_elements(x);
  Shape y = {x[0], x[1], 0, 0};
  for (int i = 0; i < 2; ++i) {
    const int64_t kernel = params.kernel[i], stride = params.strides[i];
    const int64_t dilation = params.dilations[i];
    const int64_t pad_begin = params.pads_begin[i], pad_end = params.pads_end[i];
    FLOWONNX_REQUIRE(kernel >= 1 && stride >= 1 && dilation >= 1 && pad_begin >= 0 && pad_end >= 0,
                     "pool2d: bad params for input {}: {} (kernel, strides, dilations must be >= "
                     "1, pads >= 0)",
                     xs, params_to_string(params));
    const int64_t extent = (kernel - 1) * dilation + 1;
    FLOWONNX_REQUIRE(pad_begin < extent && pad_end < extent,
                     "pool2d: pads must be smaller than the window extent {} (input {}, {})",
                     extent, xs, params_to_string(params));
    const int64_t span = x[2 + i] + pad_begin + pad_end - extent;
    FLOWONNX_REQUIRE(span >= 0, "pool2d: window extent {} exceeds padded input (input {}, {})",
                     extent, xs, params_to_string(params));
    int64_t out = (params.ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    // PyTorch / ONNX: with ceil_mode the last window must start inside the input or the begin
    // padding, never in the end padding.
    if (params.ceil_mode && (out - 1) * stride >= x[2 + i] + pad_begin) --out;
    y[2 + i] = out;
  }
  return y;
}

namespace detail {

Shape validate_pool2d(const char* op, const Tensor& x, const Pool2dParams& params,
                      const Tensor& y) {
  require_dtype(op, "input", x, DType::Float32);
  const Shape y_shape = pool2d_output_shape(x.shape(), params);
  require_output(op, y, y_shape, DType::Float32, {&x});
  return y_shape;
}

}  // namespace detail

namespace {

// One (n,c) plane of pool2d, separably: for each output row the in-bounds rows of its window are
// reduced into `reduced` (contiguous loops the compiler vectorises), then each output takes the
// in-bounds columns of its window from there. Max keeps std::max's order (a NaN counts only
// where it comes first, as in the reference); sums run rows first, then columns.
template <bool IsMax>
void pool_plane(const float* in, float* out, int64_t height, int64_t width, int64_t out_h,
                int64_t out_w, const Pool2dParams& params, const std::vector<AxisWindow>& columns,
                std::vector<float>& reduced) {
  const int64_t dilation_h = params.dilations[0], dilation_w = params.dilations[1];
  for (int64_t oh = 0; oh < out_h; ++oh) {
    const AxisWindow wh = axis_window(oh, height, params.kernel[0], params.strides[0], dilation_h,
                                      params.pads_begin[0], params.pads_end[0]);
    std::fill(reduced.begin(), reduced.end(),
              IsMax ? -std::numeric_limits<float>::infinity() : 0.0f);
    float* acc = reduced.data();
    for (int64_t kh = wh.first; kh < wh.last; ++kh) {
      const float* row = in + (wh.start + kh * dilation_h) * width;
      if (IsMax) {
        for (int64_t w = 0; w < width; ++w) acc[w] = std::max(acc[w], row[w]);
      } else {
        for (int64_t w = 0; w < width; ++w) acc[w] += row[w];
      }
    }
    float* out_row = out + oh * out_w;
    for (int64_t ow = 0; ow < out_w; ++ow) {
      const AxisWindow& ww = columns[ow];
      const float* taps = acc + ww.start;
      if (IsMax) {
        float max_value = -std::numeric_limits<float>::infinity();
        for (int64_t kw = ww.first; kw < ww.last; ++kw)
          max_value = std::max(max_value, taps[kw * dilation_w]);
        out_row[ow] = max_value;
      } else {
        float sum = 0;
        for (int64_t kw = ww.first; kw < ww.last; ++kw) sum += taps[kw * dilation_w];
        const int64_t count = params.count_include_pad
                                  ? wh.include_pad_count * ww.include_pad_count
                                  : (wh.last - wh.first) * (ww.last - ww.first);
        out_row[ow] = count > 0 ? sum / static_cast<float>(count) : 0.0f;
      }
    }
  }
}

}  // namespace

// The window walker shared by max and average pooling: the bounds of every window come from
// axis_window, so padding, dilation and ceil_mode are handled once for both.
void pool2d(PoolKind kind, const Tensor& x, const Pool2dParams& params, Tensor& y) {
  const Shape y_shape = detail::validate_pool2d("pool2d", x, params, y);
  const int64_t planes = y_shape[0] * y_shape[1];
  const int64_t height = x.shape()[2], width = x.shape()[3];
  const int64_t out_h = y_shape[2], out_w = y_shape[3];
  if (planes == 0 || out_h == 0 || out_w == 0) return;
  const float* in = x.data<float>();
  float* out = y.data<float>();
  std::vector<AxisWindow> columns;  // the same for every row of every plane
  for (int64_t ow = 0; ow < out_w; ++ow)
    columns.push_back(axis_window(ow, width, params.kernel[1], params.strides[1],
                                  params.dilations[1], params.pads_begin[1], params.pads_end[1]));
  const int threads =
      threads_for(planes * out_h * (width * params.kernel[0] + out_w * params.kernel[1]));
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
    std::vector<float> reduced(width);
#pragma omp for schedule(static)
    for (int64_t plane = 0; plane < planes; ++plane) {
      const float* in_plane = in + plane * height * width;
      float* out_plane = out + plane * out_h * out_w;
      if (kind == PoolKind::Max)
        pool_plane<true>(in_plane, out_plane, height, width, out_h, out_w, params, columns,
                         reduced);
      else
        pool_plane<false>(in_plane, out_plane, height, width, out_h, out_w, params, columns,
                          reduced);
    }
  }
}

void adaptive_avg_pool2d(const Tensor& x, Tensor& y) {
  detail::validate_adaptive_avg_pool2d(x, y);
  const int64_t planes = x.shape()[0] * x.shape()[1];
  const int64_t height = x.shape()[2], width = x.shape()[3];
  const int64_t out_h = y.shape()[2], out_w = y.shape()[3];
  const float* in = x.data<float>();
  float* out = y.data<float>();

  const int threads = threads_for(planes * height * width);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (int64_t plane = 0; plane < planes; ++plane) {
    const float* in_plane = in + plane * height * width;
    for (int64_t oh = 0; oh < out_h; ++oh) {
      const int64_t h0 = oh * height / out_h, h1 = ((oh + 1) * height + out_h - 1) / out_h;
      for (int64_t ow = 0; ow < out_w; ++ow) {
        const int64_t w0 = ow * width / out_w, w1 = ((ow + 1) * width + out_w - 1) / out_w;
        float sum = 0;
        for (int64_t h = h0; h < h1; ++h)
          for (int64_t w = w0; w < w1; ++w) sum += in_plane[h * width + w];
        out[(plane * out_h + oh) * out_w + ow] = sum / static_cast<float>((h1 - h0) * (w1 - w0));
      }
    }
  }
}

}  // namespace flowonnx::kernels
