// Kernels of the runtime-internal ops (domain flowonnx.cpu) that the session-time rewrites in
// runtime/optimize/ create: FusedConv, BlockedMaxPool and the layout reorder. They are not
// in the CPU provider's ONNX registry (models cannot name them); session_kernel_registry() adds
// them.
#include "ir/rewrite.h"
#include "kernels/cpu/blocked_layout.h"
#include "kernels/cpu/conv_prepared.h"
#include "runtime/kernel_registry.h"
#include "runtime/optimize/blocked_layout.h"
#include "runtime/optimize/fuse_conv.h"
#include "runtime/providers/cpu/cpu_kernels.h"
#include "runtime/providers/cpu/window.h"

namespace flowonnx::runtime::cpu {

namespace {

kernels::ConvActivation read_activation(const KernelInit& init, const std::string& prefix) {
  kernels::ConvActivation activation;
  const std::string kind = init.attr_string(prefix + "activation", "");
  using Kind = kernels::ConvActivation::Kind;
  if (kind == "Relu") {
    activation.kind = Kind::Relu;
  } else if (kind == "Sigmoid") {
    activation.kind = Kind::Sigmoid;
  } else if (kind == "Swish") {
    activation.kind = Kind::Swish;
  } else if (kind == "HardSwish") {
    activation.kind = Kind::HardSwish;
  } else if (kind == "Clip") {
    activation.kind = kernels::ConvActivation::Kind::Clip;
    activation.min = static_cast<float>(init.attr_float(prefix + "min", 0));
    activation.max = static_cast<float>(init.attr_float(prefix + "max", 0));
  } else if (!kind.empty()) {
    init.fail_model("unknown " + prefix + "activation '" + kind + "'");
  }
  return activation;
}

kernels::Conv2dParams conv_params(const WindowAttrs& attrs, const Shape& x, const Shape& w) {
  const std::vector<int64_t> weight_kernel(w.begin() + 2, w.end());
  const std::vector<int64_t> kernel = attrs.kernel.empty() ? weight_kernel : attrs.kernel;
  FLOWONNX_REQUIRE(kernel == weight_kernel, "Conv: kernel_shape {} but weight {}",
                   shape_to_string(kernel), shape_to_string(w));
  FLOWONNX_REQUIRE(x.size() == 4, "Conv: input {} must be [N,C,H,W]", shape_to_string(x));
  WindowGeometry g = resolve_window(attrs, Shape(x.begin() + 2, x.end()), kernel);
  kernels::Conv2dParams params;
  params.strides = {g.strides[0], g.strides[1]};
  params.dilations = {g.dilations[0], g.dilations[1]};
  params.pads_begin = {g.pads_begin[0], g.pads_begin[1]};
  params.pads_end = {g.pads_end[0], g.pads_end[1]};
  return params;
}

ComputeFn make_fused_conv(const KernelInit& init) {
  WindowAttrs attrs = read_window_attrs(init);
  const int64_t group = init.attr_int("group", 1);
  if (group < 1) init.fail_model("group must be positive");
  const Tensor* weights = init.constant_input(1);
  const Tensor* bias = init.constant_input(2);
  if (!weights || (init.has_input(2) && !bias))
    init.fail_model("weights and bias must be constant");
  kernels::ConvPostOps post_ops;
  post_ops.pre = read_activation(init, "pre_");
  post_ops.post = read_activation(init, "post_");
  post_ops.with_sum = init.has_input(3);
  const auto algorithm = init.attr_int("winograd", 0) != 0
                             ? kernels::ConvAlgorithm::WinogradWhereAvailable
                             : kernels::ConvAlgorithm::Direct;
  auto prepared = std::make_shared<kernels::PreparedConv>(
      *weights, bias ? *bias : Tensor(), group, post_ops, algorithm,
      conv_layout_params(init.node()));
  // Prepack for the shape the model declares (batch 1 when the batch is symbolic), so the
  // first run does not pay for it; other shapes are prepared on first use, from the packed
  // weights. Then the original weights are not needed any more: the plan frees the initializer
  // unless another node reads it.
  const std::string& input = init.node().inputs[0];
  auto dim = [&](size_t axis) { return static_dim_of(init.graph(), input, axis); };
  if (dim(1) && dim(2) && dim(3)) {
    const Shape x = {dim(0).value_or(1), *dim(1), *dim(2), *dim(3)};
    try {
      init.set_implementation(prepared->implementation(x, conv_params(attrs, x, weights->shape())));
    } catch (const Error&) {
      // A shape the model declares but the conv rejects fails with context at run time.
    }
  }
  if (prepared->release_weights()) init.absorb_constant_input(1);
  std::shared_ptr<const kernels::PreparedConv> conv = std::move(prepared);
  return [attrs, conv](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(x.dtype() == DType::Float32 && x.rank() == 4,
                     "Conv: input must be float32 [N,C,H,W], got {}", x.describe());
    const kernels::Conv2dParams params = conv_params(attrs, x.shape(), conv->weight_shape());
    const Shape out = conv->output_shape(x.shape(), params);
    const Tensor* sum = ctx.has_input(3) ? &ctx.input(3) : nullptr;
    // The residual's buffer becomes the output when nothing else needs it (in-place add).
    Tensor& y = sum ? ctx.overwrite_input_or_allocate(3, 0, out, DType::Float32)
                    : ctx.allocate_output(0, out, DType::Float32);
    conv->run(x, params, sum, y);
  };
}

// The layout pass only creates this for explicit pads (auto_pad NOTSET) and no dilation, so the
// window is fixed at load time.
ComputeFn make_blocked_max_pool(const KernelInit& init) {
  WindowAttrs attrs = read_window_attrs(init);
  if (attrs.kernel.size() != 2 || attrs.auto_pad != "NOTSET")
    init.fail_model("needs a 2-d kernel_shape and explicit pads");
  kernels::Pool2dParams p;
  p.kernel = {attrs.kernel[0], attrs.kernel[1]};
  if (!attrs.strides.empty()) p.strides = {attrs.strides[0], attrs.strides[1]};
  if (!attrs.pads.empty()) {
    p.pads_begin = {attrs.pads[0], attrs.pads[1]};
    p.pads_end = {attrs.pads[2], attrs.pads[3]};
  }
  p.ceil_mode = attrs.ceil_mode;
  auto pool = std::make_shared<const kernels::BlockedMaxPool>(p);
  return [pool](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    pool->run(x, ctx.allocate_output(0, pool->output_shape(x.shape()), DType::Float32));
  };
}

ComputeFn make_layout_reorder(const KernelInit& init) {
  auto layout = [&](const char* attr) {
    try {
      return kernels::layout_from_name(init.attr_string(attr, ""));
    } catch (const Error& error) {
      init.fail_model(error.what());
    }
  };
  auto reorder = std::make_shared<const kernels::LayoutReorder>(layout("from"), layout("to"));
  return [reorder](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    reorder->run(x, ctx.allocate_output(0, x.shape(), x.dtype()));
  };
}

}  // namespace

void register_fused_kernels(KernelRegistry& r) {
  r.add(kInternalDomain, kFusedConv, make_fused_conv);
  r.add(kInternalDomain, kBlockedMaxPool, make_blocked_max_pool);
  r.add(kInternalDomain, kReorderLayout, make_layout_reorder);
}

}  // namespace flowonnx::runtime::cpu
