// Integer matrix products and convolutions of 8-bit operands (kernels/cpu/quantized.h):
//   MatMulInteger(A, B, a_zero_point?, b_zero_point?) -> int32
//   ConvInteger(x, w, x_zero_point?, w_zero_point?)    -> int32 (Conv's attributes)
//   QLinearMatMul(a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp)   -> y_zp's dtype
//   QLinearConv(x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B?) -> y_zp's dtype
// Zero points (and QLinear scales) are per tensor or, as the spec allows, per row of A (axis
// -2) / per column of B (axis -1) / per output channel of w (axis 0). Accumulation is int32;
// the QLinear ops requantize with y = saturate(rint(acc * scale_a * scale_b / y_scale) + y_zp).
#include <fmt/format.h>

#include "kernels/cpu/matmul.h"
#include "kernels/cpu/quantized.h"
#include "runtime/providers/cpu/cpu_kernels.h"
#include "runtime/providers/cpu/window.h"

namespace flowonnx::runtime::cpu {

namespace {

const Tensor* optional_input(KernelContext& ctx, size_t i) { return ctx.has_input(i) ? &ctx.input(i) : nullptr; }

std::string where_of(const KernelInit& init) {
  return fmt::format("{} node '{}'", init.node().op_type, init.node().name);
}

// The scale of one operand as float values, one (per tensor) or `count` of them. float16 scales
// (QLinearMatMul-21) widen exactly to float.
std::vector<float> scales_of(const Tensor& scale, int64_t count, const std::string& what) {
  FLOWONNX_REQUIRE((scale.dtype() == DType::Float32 || scale.dtype() == DType::Float16) &&
                       (scale.num_elements() == 1 || scale.num_elements() == count),
                   "{} must be float32 or float16 with 1 or {} values, got {}", what, count,
                   scale.describe());
  const Tensor values = scale.dtype() == DType::Float32 ? scale : scale.to(DType::Float32);
  return std::vector<float>(values.data<float>(), values.data<float>() + values.num_elements());
}

void require_scalar_zero_point(const Tensor& zero_point, const std::string& what) {
  FLOWONNX_REQUIRE(zero_point.num_elements() == 1 &&
                       (zero_point.dtype() == DType::UInt8 || zero_point.dtype() == DType::Int8),
                   "{} must be a uint8 or int8 scalar, got {}", what, zero_point.describe());
}

// ---- matrix products -----------------------------------------------------------------------

Tensor integer_product(const std::string& where, const Tensor& a, const Tensor* a_zp,
                       const Tensor& b, const Tensor* b_zp) {
  FLOWONNX_REQUIRE(a.rank() >= 1 && b.rank() >= 1, "{}: inputs must have rank >= 1, got {} and {}", where,
                   a.describe(), b.describe());
  Tensor wa = kernels::widen_quantized(a, a_zp, a.rank() == 1 ? 0 : -2, where + " input A");
  Tensor wb = kernels::widen_quantized(b, b_zp, -1, where + " input B");
  Tensor acc(kernels::matmul_output_shape(a.shape(), b.shape(), {}), DType::Int32);
  kernels::integer_matmul(wa, wb, acc);
  return acc;
}

ComputeFn make_matmul_integer(const KernelInit& init) {
  std::string where = where_of(init);
  return [where](KernelContext& ctx) {
    Tensor acc = integer_product(where, ctx.input(0), optional_input(ctx, 2), ctx.input(1),
                                 optional_input(ctx, 3));
    ctx.set_output(0, acc);
  };
}

ComputeFn make_qlinear_matmul(const KernelInit& init) {
  std::string where = where_of(init);
  return [where](KernelContext& ctx) {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(3);
    const Tensor& y_zp = ctx.input(7);
    require_scalar_zero_point(y_zp, where + " y_zero_point");
    Tensor acc = integer_product(where, a, &ctx.input(2), b, &ctx.input(5));
    const int64_t M = a.rank() == 1 ? 1 : a.shape()[a.rank() - 2];
    const int64_t N = b.rank() == 1 ? 1 : b.shape().back();
    std::vector<float> a_scale = scales_of(ctx.input(1), M, where + " a_scale");
    std::vector<float> b_scale = scales_of(ctx.input(4), N, where + " b_scale");
    std::vector<float> y_scale = scales_of(ctx.input(6), 1, where + " y_scale");
    // One multiplier per (row, column) of each product matrix covers every scale layout.
    std::vector<float> multipliers(static_cast<size_t>(M * N));
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n)
        multipliers[m * N + n] = a_scale[a_scale.size() == 1 ? 0 : m] * b_scale[b_scale.size() == 1 ? 0 : n] /
                                 y_scale[0];
    kernels::requantize(acc, multipliers, 1, y_zp, ctx.allocate_output(0, acc.shape(), y_zp.dtype()));
  };
}

// ---- convolutions --------------------------------------------------------------------------

struct ConvAttrs {
  WindowAttrs window;
  int64_t group = 1;
};

ConvAttrs read_conv_attrs(const KernelInit& init) {
  ConvAttrs attrs{read_window_attrs(init), init.attr_int("group", 1)};
  if (attrs.group < 1) init.fail_model("group must be positive");
  if (attrs.window.ceil_mode) init.fail_model("ceil_mode is not a convolution attribute");
  return attrs;
}

Tensor integer_convolution(const std::string& where, const ConvAttrs& attrs, const Tensor& x, const Tensor* x_zp,
                           const Tensor& w, const Tensor* w_zp) {
  FLOWONNX_REQUIRE(x.rank() >= 3 && w.rank() == x.rank(), "{}: x {} and w {} must have one rank >= 3", where,
                   x.describe(), w.describe());
  FLOWONNX_REQUIRE(!x_zp || x_zp->num_elements() == 1, "{}: x_zero_point must be a scalar, got {}", where,
                   x_zp->describe());
  Shape spatial(x.shape().begin() + 2, x.shape().end());
  std::vector<int64_t> kernel(w.shape().begin() + 2, w.shape().end());
  FLOWONNX_REQUIRE(attrs.window.kernel.empty() || attrs.window.kernel == kernel, "{}: kernel_shape {} but w {}",
                   where, shape_to_string(attrs.window.kernel), w.describe());
  FLOWONNX_REQUIRE(w.shape()[1] * attrs.group == x.shape()[1] && w.shape()[0] % attrs.group == 0,
                   "{}: w {} does not fit x {} with group {}", where, w.describe(), x.describe(), attrs.group);
  WindowGeometry g = resolve_window(attrs.window, spatial, kernel);
  Tensor wx = kernels::widen_quantized(x, x_zp, 1, where + " x");
  Tensor ww = kernels::widen_quantized(w, w_zp, 0, where + " w");
  Shape out{x.shape()[0], w.shape()[0]};
  out.insert(out.end(), g.out.begin(), g.out.end());
  Tensor acc(out, DType::Int32);
  kernels::integer_conv(wx, ww, {g.strides, g.dilations, g.pads_begin, attrs.group}, acc);
  return acc;
}

ComputeFn make_conv_integer(const KernelInit& init) {
  ConvAttrs attrs = read_conv_attrs(init);
  std::string where = where_of(init);
  return [=](KernelContext& ctx) {
    ctx.set_output(0, integer_convolution(where, attrs, ctx.input(0), optional_input(ctx, 2), ctx.input(1),
                                          optional_input(ctx, 3)));
  };
}

ComputeFn make_qlinear_conv(const KernelInit& init) {
  ConvAttrs attrs = read_conv_attrs(init);
  std::string where = where_of(init);
  return [=](KernelContext& ctx) {
    const Tensor& w = ctx.input(3);
    const Tensor& y_zp = ctx.input(7);
    require_scalar_zero_point(y_zp, where + " y_zero_point");
    Tensor acc = integer_convolution(where, attrs, ctx.input(0), &ctx.input(2), w, &ctx.input(5));
    const int64_t M = acc.shape()[1];
    int64_t inner = 1;
    for (int d = 2; d < acc.rank(); ++d) inner *= acc.shape()[d];
    if (const Tensor* bias = optional_input(ctx, 8)) {
      FLOWONNX_REQUIRE(bias->dtype() == DType::Int32 && bias->num_elements() == M,
                       "{}: B must be int32 with {} values, got {}", where, M, bias->describe());
      int32_t* data = acc.data<int32_t>();
      for (int64_t i = 0; i < acc.num_elements(); ++i)
        data[i] = static_cast<int32_t>(static_cast<int64_t>(data[i]) + bias->data<int32_t>()[(i / inner) % M]);
    }
    std::vector<float> x_scale = scales_of(ctx.input(1), 1, where + " x_scale");
    std::vector<float> w_scale = scales_of(ctx.input(4), M, where + " w_scale");
    std::vector<float> y_scale = scales_of(ctx.input(6), 1, where + " y_scale");
    std::vector<float> multipliers;
    for (float s : w_scale) multipliers.push_back(x_scale[0] * s / y_scale[0]);
    kernels::requantize(acc, multipliers, inner, y_zp, ctx.allocate_output(0, acc.shape(), y_zp.dtype()));
  };
}

// Output 0's dtype: int32 for the Integer ops, the output zero point's for the QLinear ops.
TypeRule dtype_of_input(size_t i) {
  return [i](const TypeContext& ctx) -> std::optional<ir::ValueType> {
    const ir::ValueType* type = ctx.input(i);
    if (!type) return std::nullopt;
    return ir::ValueType{type->dtype, std::nullopt};
  };
}

}  // namespace

void register_quantized_math_kernels(KernelRegistry& r) {
  r.add("", "MatMulInteger", make_matmul_integer, rules::dtype_only(DType::Int32));
  r.add("", "ConvInteger", make_conv_integer, rules::dtype_only(DType::Int32));
  r.add("", "QLinearMatMul", make_qlinear_matmul, dtype_of_input(7));
  r.add("", "QLinearConv", make_qlinear_conv, dtype_of_input(7));
}

}  // namespace flowonnx::runtime::cpu
