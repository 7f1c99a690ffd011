// ConvTranspose (1-d, 2-d, 3-d): constant weights are prepared once through oneDNN's
// deconvolution (kernels/cpu/conv_transpose_prepared.h), weights computed at run time are
// prepared per call. The attributes resolve as conv_transpose_attrs.h says.
#include <algorithm>
#include <memory>
#include <optional>

#include "ir/rewrite.h"
#include "kernels/cpu/conv_transpose_prepared.h"
#include "runtime/providers/cpu/conv_transpose_attrs.h"
#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

const Tensor& float_input(KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  FLOWONNX_REQUIRE(x.dtype() == DType::Float32, "ConvTranspose: input must be float32, got {}",
                   x.describe());
  return x;
}

// The input shape the graph declares, batch 1 where it is symbolic; nullopt when a channel or
// spatial dim is unknown.
std::optional<Shape> declared_input_shape(const KernelInit& init) {
  const ir::Graph& graph = init.graph();
  const std::string& input = init.node().inputs[0];
  if (!graph.has_type(input) || !graph.type(input).shape) return std::nullopt;
  const size_t rank = graph.type(input).shape->size();
  Shape x;
  for (size_t axis = 0; axis < rank; ++axis) {
    const std::optional<int64_t> dim = static_dim_of(graph, input, axis);
    if (!dim && axis > 0) return std::nullopt;
    x.push_back(dim.value_or(1));
  }
  return x;
}

ComputeFn make_conv_transpose(const KernelInit& init) {
  const ConvTransposeAttrs attrs = read_conv_transpose_attrs(init);
  const Tensor* weights = init.constant_input(1);
  const Tensor* bias = init.has_input(2) ? init.constant_input(2) : nullptr;
  if (!weights || (init.has_input(2) && !bias)) {
    return [attrs](KernelContext& ctx) {
      const Tensor& x = float_input(ctx);
      const Tensor& w = ctx.input(1);
      const Tensor bias = ctx.has_input(2) ? ctx.input(2) : Tensor();
      const kernels::ConvTransposeParams params = resolve_conv_transpose(attrs, x.shape(), w.shape());
      Tensor& y = ctx.allocate_output(0, kernels::conv_transpose_output_shape(x.shape(), w.shape(), params),
                                      DType::Float32);
      kernels::conv_transpose(x, w, bias, params, y);
    };
  }
  auto conv = std::make_shared<const kernels::PreparedConvTranspose>(
      *weights, bias ? *bias : Tensor(), attrs.group);
  // Prepack for the shape the model declares, so the first run does not pay for it.
  if (const std::optional<Shape> x = declared_input_shape(init)) {
    try {
      init.set_implementation(
          conv->implementation(*x, resolve_conv_transpose(attrs, *x, weights->shape())));
    } catch (const Error&) {
      // A declared shape the op rejects fails with its context at run time.
    }
  }
  return [attrs, conv](KernelContext& ctx) {
    const Tensor& x = float_input(ctx);
    const kernels::ConvTransposeParams params =
        resolve_conv_transpose(attrs, x.shape(), conv->weight_shape());
    Tensor& y = ctx.allocate_output(0, conv->output_shape(x.shape(), params), DType::Float32);
    conv->run(x, params, y);
  };
}

// [N, C_out, spatial...]: C_out when the weight's dims are known, the spatial dims when the
// input's are too.
std::optional<ir::ValueType> conv_transpose_type(const TypeContext& ctx) {
  if (ctx.output() != 0 || !ctx.input(0)) return std::nullopt;
  const ir::ValueType& x = *ctx.input(0);
  const ir::ValueType* w = ctx.input(1);
  ir::ValueType out{x.dtype, std::nullopt};
  if (!x.shape || !w || !w->shape || !w->is_static() || w->shape->size() != x.shape->size() ||
      x.shape->size() < 3)
    return out;
  try {
    const ConvTransposeAttrs attrs = read_conv_transpose_attrs(KernelInit(ctx.node(), 0, ctx.graph()));
    const Shape ws = w->static_shape();
    std::vector<ir::Dim> dims = {(*x.shape)[0], ir::Dim::of(ws[1] * attrs.group)};
    Shape probe = {1, ws[0]};
    for (size_t d = 2; d < x.shape->size(); ++d) probe.push_back((*x.shape)[d].value);
    const bool spatial_known =
        std::all_of(x.shape->begin() + 2, x.shape->end(), [](const ir::Dim& dim) { return dim.is_static(); });
    for (size_t d = 2; d < x.shape->size(); ++d) dims.push_back(ir::Dim{});
    if (spatial_known) {
      const Shape y = kernels::conv_transpose_output_shape(probe, ws, resolve_conv_transpose(attrs, probe, ws));
      for (size_t d = 2; d < y.size(); ++d) dims[d] = ir::Dim::of(y[d]);
    }
    out.shape = dims;
  } catch (const Error&) {
    // Malformed attributes or shapes: the kernel reports them with context.
  }
  return out;
}

}  // namespace

void register_conv_transpose_kernels(KernelRegistry& r) {
  r.add("", "ConvTranspose", make_conv_transpose, conv_transpose_type);
}

}  // namespace flowonnx::runtime::cpu
