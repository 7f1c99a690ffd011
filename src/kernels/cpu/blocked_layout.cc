#include "kernels/cpu/blocked_layout.h"

#include <immintrin.h>

#include <algorithm>
#include <limits>
#include <map>
#include <mutex>
#include <string>

#include "kernels/cpu/dnnl_util.h"

namespace flowonnx::kernels {

namespace {

using tag = dnnl::memory::format_tag;

bool has_avx512() {
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto avx512_core = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
  return (isa & avx512_core) == avx512_core;
}

dnnl::memory::desc desc_of(const Shape& shape, tag layout) {
  return dnnl::memory::desc(dnnl::memory::dims(shape.begin(), shape.end()),
                            dnnl::memory::data_type::f32, layout);
}

void require_rank4_float(const char* op, const Tensor& t) {
  FLOWONNX_REQUIRE(t.dtype() == DType::Float32 && t.rank() == 4,
                   "{}: expected a float32 [N,C,H,W] tensor, got {}", op, t.describe());
}

}  // namespace

int64_t channel_block() {
  static const int64_t block = has_avx512() ? 16 : 8;
  return block;
}

std::string onednn_isa_name() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    case dnnl::cpu_isa::all: return "all";
    default:
      return fmt::format("isa_0x{:x}", static_cast<unsigned>(dnnl::get_effective_cpu_isa()));
  }
}

bool can_block(int64_t channels) { return channels > 0 && channels % channel_block() == 0; }

const char* layout_name(ActivationLayout layout) {
  switch (layout) {
    case ActivationLayout::Plain:
      return "plain";
    case ActivationLayout::Blocked:
      return "blocked";
    case ActivationLayout::ChannelsLast:
      return "channels_last";
  }
  return "?";
}

ActivationLayout layout_from_name(const std::string& name) {
  for (auto layout :
       {ActivationLayout::Plain, ActivationLayout::Blocked, ActivationLayout::ChannelsLast})
    if (name == layout_name(layout)) return layout;
  fail(ErrorCode::InvalidArgument,
       "unknown activation layout '{}' (expected plain, blocked or channels_last)", name);
}

namespace {

// Whether oneDNN picks a JIT kernel (not "ref:...") for this conv in these layouts, at a small
// nominal image (JIT availability depends on layouts, channels, kernel, strides, dilations and
// pads: AlexNet's 11x11 stride-4 stem is JIT plain -> nChw8c without pads, ref:any with 2).
bool has_jit_kernel(const Shape& w, const Conv2dParams& p, ConvLayouts layouts) {
  static std::mutex mutex;
  static std::map<std::vector<int64_t>, bool> cache;
  const std::vector<int64_t> key = {
      w[0], w[1], w[2], w[3], p.groups, p.strides[0], p.strides[1], p.dilations[0],
      p.dilations[1], p.pads_begin[0], p.pads_begin[1], p.pads_end[0], p.pads_end[1],
      int64_t(layouts.src), int64_t(layouts.dst), channel_block()};
  std::lock_guard<std::mutex> lock(mutex);
  if (auto found = cache.find(key); found != cache.end()) return found->second;
  bool jit = false;
  try {
    using dims = dnnl::memory::dims;
    const int64_t extent_h = (w[2] - 1) * p.dilations[0] + 1;
    const int64_t extent_w = (w[3] - 1) * p.dilations[1] + 1;
    const int64_t size = 4 * std::max(extent_h, extent_w);
    const int64_t out_h = (size + p.pads_begin[0] + p.pads_end[0] - extent_h) / p.strides[0] + 1;
    const int64_t out_w = (size + p.pads_begin[1] + p.pads_end[1] - extent_w) / p.strides[1] + 1;
    const auto f32 = dnnl::memory::data_type::f32;
    const dnnl::memory::desc src({1, w[1] * p.groups, size, size}, f32,
                                 detail::layout_tag(layouts.src));
    const dnnl::memory::desc dst({1, w[0], out_h, out_w}, f32,
                                 detail::layout_tag(layouts.dst));
    const dims weight_dims = p.groups == 1 ? dims{w[0], w[1], w[2], w[3]}
                                           : dims{p.groups, w[0] / p.groups, w[1], w[2], w[3]};
    const dnnl::memory::desc weights(weight_dims, f32, tag::any);
    const dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src, weights,
        dnnl::memory::desc(), dst, {p.strides[0], p.strides[1]},
        {p.dilations[0] - 1, p.dilations[1] - 1}, {p.pads_begin[0], p.pads_begin[1]},
        {p.pads_end[0], p.pads_end[1]});
    const dnnl::convolution_forward::primitive_desc pd(desc, detail::cpu_engine());
    jit = !std::string(pd.impl_info_str()).starts_with("ref");
  } catch (const dnnl::error&) {
    // no implementation at all: not JIT
  }
  cache.emplace(key, jit);
  return jit;
}

}  // namespace

ConvLayouts conv_layouts(const Shape& w, const Conv2dParams& params) {
  using L = ActivationLayout;
  FLOWONNX_REQUIRE(w.size() == 4 && params.groups >= 1,
                   "conv layouts: weight {} must be [O,C/groups,kH,kW]", shape_to_string(w));
  const int64_t groups = params.groups, in_channels = w[1] * groups, out_channels = w[0];
  // Grouped convs run blocked only depthwise or with whole blocks per group (ResNeXt's 4
  // channels per group are ref:any blocked, JIT channels-last).
  const bool depthwise = groups == in_channels && groups == out_channels;
  const bool whole_blocks_per_group =
      groups == 1 || depthwise ||
      (can_block(in_channels / groups) && can_block(out_channels / groups));
  const ConvLayouts blocked{L::Blocked, L::Blocked}, stem{L::Plain, L::Blocked},
      channels_last{L::ChannelsLast, L::ChannelsLast};
  if (can_block(in_channels) && can_block(out_channels) && whole_blocks_per_group &&
      has_jit_kernel(w, params, blocked))
    return blocked;
  if (groups == 1 && in_channels < channel_block() && can_block(out_channels) &&
      has_jit_kernel(w, params, stem))
    return stem;
  if (has_jit_kernel(w, params, channels_last)) return channels_last;
  return {L::Plain, L::Plain};
}

namespace detail {
dnnl::memory::format_tag blocked_tag() {
  return channel_block() == 16 ? tag::nChw16c : tag::nChw8c;
}

dnnl::memory::format_tag layout_tag(ActivationLayout layout) {
  switch (layout) {
    case ActivationLayout::Plain:
      return tag::nchw;
    case ActivationLayout::Blocked:
      return blocked_tag();
    case ActivationLayout::ChannelsLast:
      return tag::nhwc;
  }
  return tag::undef;
}
}  // namespace detail

struct LayoutReorder::Compiled {
  dnnl::memory::desc src, dst, scratchpad;
  dnnl::reorder primitive;
};

void LayoutReorder::run(const Tensor& x, Tensor& y) const {
  require_rank4_float("layout reorder", x);
  const bool blocked = from_ == ActivationLayout::Blocked || to_ == ActivationLayout::Blocked;
  FLOWONNX_REQUIRE(y.shape() == x.shape() && (!blocked || can_block(x.shape()[1])),
                   "layout reorder {} -> {}: {} -> {} (blocked channels must divide by {})",
                   layout_name(from_), layout_name(to_), x.describe(), y.describe(),
                   channel_block());
  if (x.num_elements() == 0) return;
  detail::run_dnnl("layout reorder", x.describe(), [&] {
    const auto& compiled = *cache_.get(x.shape(), [&] {
      auto c = std::make_shared<Compiled>();
      c->src = desc_of(x.shape(), detail::layout_tag(from_));
      c->dst = desc_of(x.shape(), detail::layout_tag(to_));
      dnnl::reorder::primitive_desc pd(detail::cpu_engine(), c->src, detail::cpu_engine(), c->dst,
                                       detail::thread_safe_attr());
      c->primitive = dnnl::reorder(pd);
      c->scratchpad = pd.scratchpad_desc();
      return c;
    });
    dnnl::stream& stream = detail::cpu_stream();
    compiled.primitive.execute(stream, {{DNNL_ARG_FROM, detail::wrap_memory(compiled.src, x.raw_data())},
                                        {DNNL_ARG_TO, detail::wrap_memory(compiled.dst, y.raw_data())},
                                        {DNNL_ARG_SCRATCHPAD, detail::thread_scratchpad(compiled.scratchpad)}});
    stream.wait();
  });
}

namespace {

// Max pooling over one channel block of B lanes per pixel: every output pixel takes the max of
// its window's in-bounds taps (padding never wins, as ONNX requires; the output size rule
// guarantees every window has one). The lane loop is what the compiler vectorizes.
template <int B>
void max_pool_blocks(const float* x, float* y, int64_t planes, const Shape& in, const Shape& out,
                     const Pool2dParams& p) {
  const int64_t height = in[2], width = in[3], out_h = out[2], out_w = out[3];
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t plane = 0; plane < planes; ++plane)
    for (int64_t oy = 0; oy < out_h; ++oy) {
      const int64_t top = oy * p.strides[0] - p.pads_begin[0];
      const int64_t y_begin = std::max<int64_t>(top, 0);
      const int64_t y_end = std::min(top + p.kernel[0], height);
      const float* image = x + plane * height * width * B;
      float* row = y + (plane * out_h + oy) * out_w * B;
      for (int64_t ox = 0; ox < out_w; ++ox) {
        const int64_t left = ox * p.strides[1] - p.pads_begin[1];
        const int64_t x_begin = std::max<int64_t>(left, 0);
        const int64_t x_end = std::min(left + p.kernel[1], width);
        for (int half = 0; half < B / 8; ++half) {
          __m256 best = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
          for (int64_t iy = y_begin; iy < y_end; ++iy)
            for (int64_t ix = x_begin; ix < x_end; ++ix)
              best = _mm256_max_ps(_mm256_loadu_ps(image + (iy * width + ix) * B + half * 8), best);
          _mm256_storeu_ps(row + ox * B + half * 8, best);
        }
      }
    }
}

}  // namespace

void BlockedMaxPool::run(const Tensor& x, Tensor& y) const {
  require_rank4_float("blocked max pool", x);
  const Shape out = output_shape(x.shape());
  FLOWONNX_REQUIRE(y.shape() == out && can_block(x.shape()[1]) &&
                       params_.dilations == (std::array<int64_t, 2>{1, 1}),
                   "blocked max pool: input {} output {}", x.describe(), y.describe());
  if (y.num_elements() == 0) return;
  const int64_t planes = x.shape()[0] * x.shape()[1] / channel_block();
  if (channel_block() == 16)
    max_pool_blocks<16>(x.data<float>(), y.data<float>(), planes, x.shape(), out, params_);
  else
    max_pool_blocks<8>(x.data<float>(), y.data<float>(), planes, x.shape(), out, params_);
}

}  // namespace flowonnx::kernels
