#include "kernels/cpu/blocked_layout.h"

#include <algorithm>

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

struct BlockedMaxPool::Compiled {
  dnnl::memory::desc src, dst, scratchpad;
  dnnl::pooling_forward primitive;
};

void BlockedMaxPool::run(const Tensor& x, Tensor& y) const {
  require_rank4_float("blocked max pool", x);
  const Shape out = output_shape(x.shape());
  FLOWONNX_REQUIRE(y.shape() == out && can_block(x.shape()[1]) &&
                       params_.dilations == (std::array<int64_t, 2>{1, 1}),
                   "blocked max pool: input {} output {}", x.describe(), y.describe());
  if (y.num_elements() == 0) return;
  detail::run_dnnl("blocked max pool", x.describe(), [&] {
    const auto& compiled = *cache_.get(x.shape(), [&] {
      auto c = std::make_shared<Compiled>();
      c->src = desc_of(x.shape(), detail::blocked_tag());
      c->dst = desc_of(out, detail::blocked_tag());
      // oneDNN derives the output size as (in + pads - kernel) / stride + 1 (floor); ceil_mode
      // windows are expressed by widening the end padding to what that size needs. Padded taps
      // never win a max, as ONNX requires.
      dnnl::memory::dims pad_end(2);
      for (int i = 0; i < 2; ++i)
        pad_end[i] =
            std::max<int64_t>(0, (out[2 + i] - 1) * params_.strides[i] + params_.kernel[i] -
                                     x.shape()[2 + i] - params_.pads_begin[i]);
      const dnnl::pooling_forward::desc desc(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max, c->src, c->dst,
          {params_.strides[0], params_.strides[1]}, {params_.kernel[0], params_.kernel[1]},
          {params_.pads_begin[0], params_.pads_begin[1]}, pad_end);
      dnnl::pooling_forward::primitive_desc pd(desc, detail::thread_safe_attr(), detail::cpu_engine());
      c->primitive = dnnl::pooling_forward(pd);
      c->scratchpad = pd.scratchpad_desc();
      return c;
    });
    dnnl::stream& stream = detail::cpu_stream();
    compiled.primitive.execute(stream,
                               {{DNNL_ARG_SRC, detail::wrap_memory(compiled.src, x.raw_data())},
                                {DNNL_ARG_DST, detail::wrap_memory(compiled.dst, y.raw_data())},
                                {DNNL_ARG_SCRATCHPAD, detail::thread_scratchpad(compiled.scratchpad)}});
    stream.wait();
  });
}

}  // namespace flowonnx::kernels
