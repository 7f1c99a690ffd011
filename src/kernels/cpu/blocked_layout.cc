#include "kernels/cpu/blocked_layout.h"

#include <immintrin.h>

#include <algorithm>
#include <limits>

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

bool can_block(int64_t channels) { return channels > 0 && channels % channel_block() == 0; }

namespace detail {
dnnl::memory::format_tag blocked_tag() {
  return channel_block() == 16 ? tag::nChw16c : tag::nChw8c;
}
}  // namespace detail

struct LayoutReorder::Compiled {
  dnnl::memory::desc src, dst, scratchpad;
  dnnl::reorder primitive;
};

void LayoutReorder::run(const Tensor& x, Tensor& y) const {
  require_rank4_float("layout reorder", x);
  FLOWONNX_REQUIRE(y.shape() == x.shape() && can_block(x.shape()[1]),
                   "layout reorder: {} -> {} (channels must divide by {})", x.describe(),
                   y.describe(), channel_block());
  if (x.num_elements() == 0) return;
  detail::run_dnnl("layout reorder", x.describe(), [&] {
    const auto& compiled = *cache_.get(x.shape(), [&] {
      auto c = std::make_shared<Compiled>();
      const tag plain = tag::nchw, blocked = detail::blocked_tag();
      c->src = desc_of(x.shape(), to_blocked_ ? plain : blocked);
      c->dst = desc_of(x.shape(), to_blocked_ ? blocked : plain);
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
