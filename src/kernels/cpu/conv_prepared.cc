#include "kernels/cpu/conv_prepared.h"

#include <cstring>
#include <optional>

#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/conv_internal.h"
#include "kernels/cpu/dnnl_util.h"
#include "kernels/cpu/winograd_conv.h"

namespace flowonnx::kernels {

namespace {

using dims = dnnl::memory::dims;
using tag = dnnl::memory::format_tag;
constexpr auto kF32 = dnnl::memory::data_type::f32;

void append_activation(dnnl::post_ops& ops, const ConvActivation& activation) {
  switch (activation.kind) {
    case ConvActivation::Kind::None:
      return;
    case ConvActivation::Kind::Relu:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      return;
    case ConvActivation::Kind::Clip:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, activation.min, activation.max);
      return;
    case ConvActivation::Kind::Sigmoid:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f);
      return;
    case ConvActivation::Kind::Swish:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_swish, 1.f, 0.f);
      return;
    case ConvActivation::Kind::HardSwish:
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_hardswish, 0.f, 0.f);
      return;
  }
}

}  // namespace

struct PreparedConv::Compiled {
  dnnl::memory::desc src, dst, bias;
  dnnl::memory weights;  // reordered into the primitive's layout, owned by oneDNN
  dnnl::convolution_forward primitive;
  dnnl::memory::desc scratchpad;
  std::string implementation;
  // Set when our own Winograd kernel runs this geometry (then the oneDNN members are unused).
  std::shared_ptr<const WinogradConv> winograd;
};

PreparedConv::PreparedConv(Tensor weights, Tensor bias, int64_t groups, ConvPostOps post_ops,
                           ConvAlgorithm algorithm, Conv2dParams layout_params)
    : weight_shape_(weights.shape()),
      weights_(std::move(weights)),
      bias_(std::move(bias)),
      groups_(groups),
      post_ops_(post_ops),
      algorithm_(algorithm) {
  FLOWONNX_REQUIRE(weights_.dtype() == DType::Float32 && weights_.rank() == 4 && groups_ >= 1 &&
                       weights_.shape()[0] % groups_ == 0,
                   "prepared conv: weight {} with groups={} must be float32 [O,C/groups,kH,kW]",
                   weights_.describe(), groups_);
  FLOWONNX_REQUIRE(
      !bias_.defined() ||
          (bias_.dtype() == DType::Float32 && bias_.shape() == Shape{weights_.shape()[0]}),
      "prepared conv: bias {} must be float32 [{}]", bias_.describe(), weights_.shape()[0]);
  layout_params.groups = groups_;
  layouts_ = conv_layouts(weight_shape_, layout_params);
}

Shape PreparedConv::output_shape(const Shape& x, Conv2dParams params) const {
  params.groups = groups_;
  return conv2d_output_shape(x, weight_shape_, params);
}

const PreparedConv::Compiled& PreparedConv::compiled_for(const Shape& x,
                                                         Conv2dParams params) const {
  params.groups = groups_;
  std::vector<int64_t> key(x.begin(), x.end());
  for (const auto& values : {params.strides, params.dilations, params.pads_begin, params.pads_end})
    key.insert(key.end(), values.begin(), values.end());
  return *cache_.get(key, [&] {
    const Shape y = conv2d_output_shape(x, weight_shape_, params);
    const Shape& ws = weight_shape_;
    auto c = std::make_shared<Compiled>();
    const std::string context =
        fmt::format("input {}, weight {}", shape_to_string(x), shape_to_string(ws));
    detail::run_dnnl("prepared conv", context, [&] {
      c->src = dnnl::memory::desc(dims(x.begin(), x.end()), kF32, detail::layout_tag(src_layout()));
      c->dst = dnnl::memory::desc(dims(y.begin(), y.end()), kF32, detail::layout_tag(dst_layout()));
      const dims weight_dims = groups_ == 1 ? dims(ws.begin(), ws.end())
                                            : dims{groups_, ws[0] / groups_, ws[1], ws[2], ws[3]};
      const dnnl::memory::desc user_weights(weight_dims, kF32,
                                            groups_ == 1 ? tag::oihw : tag::goihw);
      const dnnl::memory::desc any_weights(weight_dims, kF32, tag::any);
      if (bias_.defined()) c->bias = dnnl::memory::desc({ws[0]}, kF32, tag::x);

      dnnl::post_ops ops;
      append_activation(ops, post_ops_.pre);
      if (post_ops_.with_sum) ops.append_sum(1.f);
      append_activation(ops, post_ops_.post);
      dnnl::primitive_attr attr = detail::thread_safe_attr();
      attr.set_post_ops(ops);

      auto make_pd = [&](dnnl::algorithm algorithm) {
        const dnnl::convolution_forward::desc desc(
            dnnl::prop_kind::forward_inference, algorithm, c->src, any_weights, c->bias, c->dst,
            {params.strides[0], params.strides[1]},
            {params.dilations[0] - 1, params.dilations[1] - 1},
            {params.pads_begin[0], params.pads_begin[1]}, {params.pads_end[0], params.pads_end[1]});
        return dnnl::convolution_forward::primitive_desc(desc, attr, detail::cpu_engine());
      };
      std::optional<dnnl::convolution_forward::primitive_desc> pd;
      const bool winograd_shape = ws[2] == 3 && ws[3] == 3 && groups_ == 1 &&
                                  params.strides == (std::array<int64_t, 2>{1, 1}) &&
                                  params.dilations == (std::array<int64_t, 2>{1, 1}) &&
                                  src_layout() == ActivationLayout::Blocked &&
                                  dst_layout() == ActivationLayout::Blocked;
      if (algorithm_ == ConvAlgorithm::WinogradWhereAvailable && winograd_shape) {
        try {
          pd = make_pd(dnnl::algorithm::convolution_winograd);
        } catch (const dnnl::error&) {
          // No Winograd kernel for this shape / ISA / post-op chain: direct below.
        }
      }
      // oneDNN 2.6 has Winograd only for AVX-512; on AVX2 CPUs (nChw8c) we have our own, used
      // where it measured faster than the direct kernel (winograd_output_tile), and for every
      // geometry once its U is the only copy of the weights left (release_weights). A conv
      // keeps one U: a geometry whose best variant (F(4,3) / F(2,3)) is not the one the first
      // geometry built runs direct while the weights are still there.
      const bool only_winograd_left = !weights_.defined() && !packed_;
      if (!pd && algorithm_ == ConvAlgorithm::WinogradWhereAvailable && winograd_shape &&
          channel_block() == 8 && WinogradConv::supports(ws, groups_, params)) {
        const int tile = winograd_output_tile(x[0], x[1], y[1], y[2], y[3]);
        if (only_winograd_left || (tile != 0 && (!winograd_ || winograd_->output_tile() == tile))) {
          c->winograd = winograd_kernel(tile);
          c->implementation = c->winograd->implementation();
          return;
        }
      }
      FLOWONNX_CHECK(!only_winograd_left,
                     "prepared conv: the weights were released but {} cannot run on Winograd",
                     context);
      if (!pd) pd = make_pd(dnnl::algorithm::convolution_direct);
      c->implementation = pd->impl_info_str();
      c->primitive = dnnl::convolution_forward(*pd);
      c->scratchpad = pd->scratchpad_desc();
      // oneDNN usually packs the weights of the same conv the same way for any batch and
      // spatial size: share them then; else reorder from the packed copy (the original may be
      // gone).
      if (packed_ && packed_->weights.get_desc() == pd->weights_desc()) {
        c->weights = packed_->weights;
      } else {
        c->weights = dnnl::memory(pd->weights_desc(), detail::cpu_engine());
        // oneDNN reorders into its Winograd format only from plain weights.
        const bool from_packed = packed_ && pd->weights_desc().data.format_kind == dnnl_blocked;
        const Tensor plain = from_packed ? Tensor() : plain_weights();
        dnnl::memory source = from_packed ? packed_->weights
                                          : detail::wrap_memory(user_weights, plain.raw_data());
        dnnl::stream& stream = detail::cpu_stream();
        dnnl::reorder(source, c->weights).execute(stream, source, c->weights);
        stream.wait();
      }
    });
    // Only blocked layouts reorder to other layouts (oneDNN's Winograd format does not).
    if (!packed_ && !c->winograd && c->weights.get_desc().data.format_kind == dnnl_blocked)
      packed_ = c;
    return c;
  });
}

std::shared_ptr<const WinogradConv> PreparedConv::winograd_kernel(int output_tile) const {
  // Called only while building a cache entry, under the cache's lock.
  if (!winograd_)
    winograd_ =
        std::make_shared<const WinogradConv>(plain_weights(), bias_, post_ops_, output_tile);
  return winograd_;
}

Tensor PreparedConv::plain_weights() const {
  if (weights_.defined()) return weights_;
  FLOWONNX_CHECK(packed_ != nullptr, "prepared conv: weight {} released with no packed copy",
                 shape_to_string(weight_shape_));
  Tensor plain(weight_shape_, DType::Float32);
  const Shape& ws = weight_shape_;
  detail::run_dnnl("prepared conv", "unpacking weight " + shape_to_string(ws), [&] {
    const dims weight_dims = groups_ == 1 ? dims(ws.begin(), ws.end())
                                          : dims{groups_, ws[0] / groups_, ws[1], ws[2], ws[3]};
    dnnl::memory user = detail::wrap_memory(
        dnnl::memory::desc(weight_dims, kF32, groups_ == 1 ? tag::oihw : tag::goihw),
        plain.raw_data());
    dnnl::memory packed = packed_->weights;  // a handle: execute() takes it non-const
    dnnl::stream& stream = detail::cpu_stream();
    dnnl::reorder(packed, user).execute(stream, packed, user);
    stream.wait();
  });
  return plain;
}

bool PreparedConv::release_weights() {
  if (!packed_ && !winograd_) return false;
  weights_ = Tensor();
  return true;
}

void PreparedConv::prepare(const Shape& x, const Conv2dParams& params) const {
  compiled_for(x, params);
}

std::string PreparedConv::implementation(const Shape& x, const Conv2dParams& params) const {
  return compiled_for(x, params).implementation;
}

void PreparedConv::run(const Tensor& x, const Conv2dParams& params, const Tensor* sum,
                       Tensor& y) const {
  FLOWONNX_REQUIRE(x.dtype() == DType::Float32 && x.rank() == 4,
                   "prepared conv: input {} must be float32 [N,C,H,W]", x.describe());
  const Shape out = output_shape(x.shape(), params);
  FLOWONNX_REQUIRE(y.shape() == out && y.dtype() == DType::Float32,
                   "prepared conv: output {} must be float32 {}", y.describe(),
                   shape_to_string(out));
  FLOWONNX_REQUIRE(post_ops_.with_sum == (sum != nullptr),
                   "prepared conv: the residual input is {}", sum ? "unexpected" : "missing");
  if (sum)
    FLOWONNX_REQUIRE(sum->shape() == out && sum->dtype() == DType::Float32,
                     "prepared conv: residual {} must be float32 {}", sum->describe(),
                     shape_to_string(out));
  if (y.num_elements() == 0) return;
  const Compiled& c = compiled_for(x.shape(), params);
  if (c.winograd) return c.winograd->run(x, params, sum, y);  // reads the residual itself
  // The sum post-op accumulates into dst: start dst from the residual.
  if (sum && sum->raw_data() != y.raw_data())
    std::memcpy(y.raw_data(), sum->raw_data(), y.nbytes());
  detail::run_dnnl("prepared conv", x.describe(), [&] {
    std::unordered_map<int, dnnl::memory> args = {
        {DNNL_ARG_SRC, detail::wrap_memory(c.src, x.raw_data())},
        {DNNL_ARG_WEIGHTS, c.weights},
        {DNNL_ARG_DST, detail::wrap_memory(c.dst, y.raw_data())}};
    if (bias_.defined()) args[DNNL_ARG_BIAS] = detail::wrap_memory(c.bias, bias_.raw_data());
    args[DNNL_ARG_SCRATCHPAD] = detail::thread_scratchpad(c.scratchpad);
    dnnl::stream& stream = detail::cpu_stream();
    c.primitive.execute(stream, args);
    stream.wait();
  });
}

}  // namespace flowonnx::kernels
