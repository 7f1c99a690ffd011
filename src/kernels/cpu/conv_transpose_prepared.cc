#include "kernels/cpu/conv_transpose_prepared.h"

#include <optional>

#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/kernel_checks.h"

namespace flowonnx::kernels {

namespace {

using dims = dnnl::memory::dims;
using tag = dnnl::memory::format_tag;
constexpr auto kF32 = dnnl::memory::data_type::f32;

tag plain_activation_tag(size_t rank) {
  return rank == 3 ? tag::ncw : rank == 4 ? tag::nchw : tag::ncdhw;
}

// ONNX weights are [C_in, C_out/G, k...]: per group (in, out, k...), which oneDNN spells as the
// logical (out, in, k...) dims in "io" order, with a leading group dim when grouped.
tag weight_tag(size_t rank, bool grouped) {
  if (grouped) return rank == 3 ? tag::acbd : rank == 4 ? tag::acbde : tag::acbdef;
  return rank == 3 ? tag::bac : rank == 4 ? tag::bacd : tag::bacde;
}

// A reorder made with thread_safe_attr(): each execution passes its own scratchpad.
struct Reorder {
  Reorder(const dnnl::memory::desc& from, const dnnl::memory::desc& to) {
    const dnnl::reorder::primitive_desc pd(detail::cpu_engine(), from, detail::cpu_engine(), to,
                                           detail::thread_safe_attr());
    primitive = dnnl::reorder(pd);
    scratchpad = pd.scratchpad_desc();
  }
  void run(dnnl::stream& stream, dnnl::memory& from, dnnl::memory& to) const {
    primitive.execute(stream, {{DNNL_ARG_FROM, from},
                               {DNNL_ARG_TO, to},
                               {DNNL_ARG_SCRATCHPAD, detail::thread_scratchpad(scratchpad)}});
  }
  dnnl::reorder primitive;
  dnnl::memory::desc scratchpad;
};

}  // namespace

struct PreparedConvTranspose::Compiled {
  // Unset where oneDNN refused the geometry: conv_transpose_reference runs it.
  std::optional<dnnl::deconvolution_forward> primitive;
  dnnl::memory::desc user_src, src, user_dst, dst, bias, scratchpad;
  std::optional<Reorder> src_reorder, dst_reorder;  // set when the layouts differ
  dnnl::memory weights;  // in the primitive's layout, owned by oneDNN
  std::string implementation = "flowonnx:reference";
};

PreparedConvTranspose::PreparedConvTranspose(Tensor weights, Tensor bias, int64_t groups)
    : weights_(std::move(weights)), bias_(std::move(bias)), groups_(groups) {
  FLOWONNX_REQUIRE(weights_.dtype() == DType::Float32 && weights_.rank() >= 3 &&
                       weights_.rank() <= 5 && groups_ >= 1,
                   "conv_transpose: weight {} with group {} must be float32 [C_in, C_out/group, "
                   "k...] with 1 to 3 kernel dims",
                   weights_.describe(), groups_);
  FLOWONNX_REQUIRE(weights_.shape()[0] % groups_ == 0,
                   "conv_transpose: weight {} has {} input channels, not divisible by group {}",
                   weights_.describe(), weights_.shape()[0], groups_);
  const int64_t out_channels = weights_.shape()[1] * groups_;
  FLOWONNX_REQUIRE(!bias_.defined() || (bias_.dtype() == DType::Float32 &&
                                        bias_.shape() == Shape{out_channels}),
                   "conv_transpose: bias {} must be float32 [{}] (weight {}, group {})",
                   bias_.describe(), out_channels, weights_.describe(), groups_);
}

Shape PreparedConvTranspose::output_shape(const Shape& x, ConvTransposeParams params) const {
  params.groups = groups_;
  return conv_transpose_output_shape(x, weights_.shape(), params);
}

const PreparedConvTranspose::Compiled& PreparedConvTranspose::compiled_for(
    const Shape& x, const ConvTransposeParams& params) const {
  std::vector<int64_t> key(x.begin(), x.end());
  for (const auto* values : {&params.strides, &params.dilations, &params.pads_begin,
                             &params.pads_end, &params.output_padding})
    key.insert(key.end(), values->begin(), values->end());
  return *cache_.get(key, [&] {
    const Shape y = conv_transpose_output_shape(x, weights_.shape(), params);
    auto c = std::make_shared<Compiled>();
    if (num_elements(y) == 0) return c;  // batch 0: oneDNN refuses zero dims, nothing to compute
    const Shape& ws = weights_.shape();
    const size_t rank = x.size(), spatial = rank - 2;
    const bool grouped = groups_ > 1;
    dims weight_dims = {ws[1] * groups_, ws[0]};
    if (grouped) weight_dims = {groups_, ws[1], ws[0] / groups_};
    weight_dims.insert(weight_dims.end(), ws.begin() + 2, ws.end());
    // oneDNN counts dilation as the gap between taps (ONNX's minus one), and its output size
    // has no output_padding: those extra positions are a smaller end padding.
    dims strides, dilates, padding_l, padding_r;
    for (size_t d = 0; d < spatial; ++d) {
      strides.push_back(params.strides[d]);
      dilates.push_back(params.dilations[d] - 1);
      padding_l.push_back(params.pads_begin[d]);
      padding_r.push_back(params.pads_end[d] - params.output_padding[d]);
    }
    try {
      c->user_src = dnnl::memory::desc(dims(x.begin(), x.end()), kF32, plain_activation_tag(rank));
      c->user_dst = dnnl::memory::desc(dims(y.begin(), y.end()), kF32, plain_activation_tag(rank));
      if (bias_.defined()) c->bias = dnnl::memory::desc({y[1]}, kF32, tag::x);
      const dnnl::deconvolution_forward::desc desc(
          dnnl::prop_kind::forward_inference, dnnl::algorithm::deconvolution_direct,
          dnnl::memory::desc(c->user_src.dims(), kF32, tag::any),
          dnnl::memory::desc(weight_dims, kF32, tag::any), c->bias,
          dnnl::memory::desc(c->user_dst.dims(), kF32, tag::any), strides, dilates, padding_l,
          padding_r);
      const dnnl::deconvolution_forward::primitive_desc pd(desc, detail::thread_safe_attr(),
                                                           detail::cpu_engine());
      c->src = pd.src_desc();
      c->dst = pd.dst_desc();
      c->scratchpad = pd.scratchpad_desc();
      if (c->src != c->user_src) c->src_reorder.emplace(c->user_src, c->src);
      if (c->dst != c->user_dst) c->dst_reorder.emplace(c->dst, c->user_dst);
      const dnnl::memory user_weights = detail::wrap_memory(
          dnnl::memory::desc(weight_dims, kF32, weight_tag(rank, grouped)), weights_.raw_data());
      c->weights = dnnl::memory(pd.weights_desc(), detail::cpu_engine());
      dnnl::stream& stream = detail::cpu_stream();
      dnnl::reorder(user_weights, c->weights)
          .execute(stream, const_cast<dnnl::memory&>(user_weights), c->weights);
      stream.wait();
      c->primitive = dnnl::deconvolution_forward(pd);
      c->implementation = pd.impl_info_str();
    } catch (const dnnl::error&) {
      // A geometry oneDNN has no kernel for (a negative padding, say): the reference runs it.
      c = std::make_shared<Compiled>();
    }
    return c;
  });
}

std::string PreparedConvTranspose::implementation(const Shape& x, ConvTransposeParams params) const {
  params.groups = groups_;
  return compiled_for(x, params).implementation;
}

void PreparedConvTranspose::run(const Tensor& x, ConvTransposeParams params, Tensor& y) const {
  params.groups = groups_;
  validate_conv_transpose(x, weights_, bias_, params, y);
  if (y.num_elements() == 0) return;
  const Compiled& c = compiled_for(x.shape(), params);
  if (!c.primitive) {
    conv_transpose_reference(x, weights_, bias_, params, y);
    return;
  }
  const std::string context = fmt::format("input {}, weight {}, {}", x.describe(),
                                          weights_.describe(), params.to_string());
  detail::run_dnnl("conv_transpose", context, [&] {
    dnnl::stream& stream = detail::cpu_stream();
    dnnl::memory user_src = detail::wrap_memory(c.user_src, x.raw_data());
    dnnl::memory user_dst = detail::wrap_memory(c.user_dst, y.raw_data());
    dnnl::memory src = user_src, dst = user_dst;
    if (c.src_reorder) {
      src = dnnl::memory(c.src, detail::cpu_engine());
      c.src_reorder->run(stream, user_src, src);
    }
    if (c.dst_reorder) dst = dnnl::memory(c.dst, detail::cpu_engine());
    std::unordered_map<int, dnnl::memory> args = {
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, c.weights}, {DNNL_ARG_DST, dst}};
    if (bias_.defined()) args[DNNL_ARG_BIAS] = detail::wrap_memory(c.bias, bias_.raw_data());
    args[DNNL_ARG_SCRATCHPAD] = detail::thread_scratchpad(c.scratchpad);
    c.primitive->execute(stream, args);
    if (c.dst_reorder) c.dst_reorder->run(stream, dst, user_dst);
    stream.wait();
  });
}

void conv_transpose(const Tensor& x, const Tensor& w, const Tensor& bias,
                    const ConvTransposeParams& params, Tensor& y) {
  validate_conv_transpose(x, w, bias, params, y);
  PreparedConvTranspose(w, bias, params.groups).run(x, params, y);
}

}  // namespace flowonnx::kernels
