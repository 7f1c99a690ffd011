// Linear quantization: QuantizeLinear and DequantizeLinear (opset 10: per-tensor scalar scale;
// opset 13: also per-axis with a 1-D scale along `axis`, default 1).
//   QuantizeLinear:   y = saturate(rint(x / scale) + zero_point), int8 or uint8 as the zero point
//                     (uint8 when it is omitted); rint rounds half to even.
//   DequantizeLinear: y = (x - zero_point) * scale, float32; x int8, uint8 or int32.
// A 1-element scale is per-tensor at any opset, as ONNX Runtime treats it.
//   DynamicQuantizeLinear: uint8 y, y_scale, y_zero_point from x's range widened to include 0:
//                     scale = (max - min) / 255 (1 when max == min, as ONNX Runtime),
//                     zero_point = rint(clamp(-min / scale, 0, 255)), y as QuantizeLinear.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "runtime/providers/cpu/cpu_kernels.h"

namespace flowonnx::runtime::cpu {

namespace {

// How a tensor of `shape` splits around the quantization axis: outer blocks of `channels`
// runs of `inner` elements (channels == 1: per-tensor).
struct AxisLayout {
  int64_t outer = 1, channels = 1, inner = 1;
};

// Checks scale / zero point against x and returns the layout. `op`, `node`: for messages.
AxisLayout axis_layout(const std::string& where, const Tensor& x, const Tensor& scale, const Tensor* zero_point,
                       int64_t axis, bool per_axis_allowed) {
  FLOWONNX_REQUIRE(scale.dtype() == DType::Float32, "{}: scale must be float32, got {}", where, scale.describe());
  if (zero_point) {
    FLOWONNX_REQUIRE(zero_point->shape() == scale.shape(), "{}: zero point {} and scale {} differ in shape", where,
                     zero_point->describe(), scale.describe());
  }
  AxisLayout layout;
  if (scale.num_elements() == 1 && scale.rank() <= 1) {
    layout.inner = x.num_elements();
    return layout;
  }
  FLOWONNX_REQUIRE(per_axis_allowed, "{}: scale must be a scalar before opset 13, got {}", where, scale.describe());
  FLOWONNX_REQUIRE(scale.rank() == 1, "{}: a per-axis scale must be 1-D, got {}", where, scale.describe());
  int64_t rank = x.rank();
  FLOWONNX_REQUIRE(axis >= -rank && axis < rank, "{}: axis {} out of range for input {}", where, axis, x.describe());
  int64_t a = axis < 0 ? axis + rank : axis;
  FLOWONNX_REQUIRE(scale.num_elements() == x.shape()[a],
                   "{}: per-axis scale {} must have dim {} of input {} elements (axis {})", where, scale.describe(),
                   a, x.describe(), axis);
  for (int64_t d = 0; d < a; ++d) layout.outer *= x.shape()[d];
  layout.channels = x.shape()[a];
  for (int64_t d = a + 1; d < rank; ++d) layout.inner *= x.shape()[d];
  return layout;
}

template <typename Q, typename X>
void quantize(const X* x, const float* scale, const Q* zero_point, Q* y, const AxisLayout& layout) {
  constexpr float low = static_cast<float>(std::numeric_limits<Q>::lowest());
  constexpr float high = static_cast<float>(std::numeric_limits<Q>::max());
  for (int64_t o = 0, i = 0; o < layout.outer; ++o)
    for (int64_t c = 0; c < layout.channels; ++c) {
      float zp = zero_point ? static_cast<float>(zero_point[c]) : 0.0f;
      for (int64_t k = 0; k < layout.inner; ++k, ++i) {
        float value = std::nearbyint(static_cast<float>(x[i]) / scale[c]) + zp;
        if (std::isnan(value)) value = zp;
        y[i] = static_cast<Q>(std::clamp(value, low, high));
      }
    }
}

template <typename Q>
void dequantize(const Q* x, const float* scale, const Q* zero_point, float* y, const AxisLayout& layout) {
  for (int64_t o = 0, i = 0; o < layout.outer; ++o)
    for (int64_t c = 0; c < layout.channels; ++c) {
      int32_t zp = zero_point ? static_cast<int32_t>(zero_point[c]) : 0;
      for (int64_t k = 0; k < layout.inner; ++k, ++i)
        y[i] = static_cast<float>(static_cast<int32_t>(x[i]) - zp) * scale[c];
    }
}

std::string where_of(const KernelInit& init) {
  return fmt::format("{} node '{}'", init.node().op_type, init.node().name);
}

ComputeFn make_quantize_linear(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", 1);
  bool per_axis = init.opset() >= 13;
  std::string where = where_of(init);
  return [=](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor* zero_point = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    FLOWONNX_REQUIRE(x.dtype() == DType::Float32 || x.dtype() == DType::Int32,
                     "{}: input must be float32 or int32, got {}", where, x.describe());
    DType out = zero_point ? zero_point->dtype() : DType::UInt8;
    FLOWONNX_REQUIRE(out == DType::UInt8 || out == DType::Int8, "{}: zero point must be uint8 or int8, got {}", where,
                     zero_point ? zero_point->describe() : std::string());
    AxisLayout layout = axis_layout(where, x, scale, zero_point, axis, per_axis);
    Tensor& y = ctx.allocate_output(0, x.shape(), out);
    auto run = [&](auto q_zero, auto x_zero) {
      using Q = decltype(q_zero);
      using X = decltype(x_zero);
      quantize<Q, X>(x.data<X>(), scale.data<float>(), zero_point ? zero_point->data<Q>() : nullptr, y.data<Q>(),
                     layout);
    };
    bool is_float = x.dtype() == DType::Float32;
    if (out == DType::UInt8) is_float ? run(uint8_t{}, float{}) : run(uint8_t{}, int32_t{});
    else is_float ? run(int8_t{}, float{}) : run(int8_t{}, int32_t{});
  };
}

ComputeFn make_dequantize_linear(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", 1);
  bool per_axis = init.opset() >= 13;
  std::string where = where_of(init);
  return [=](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor* zero_point = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    DType dtype = x.dtype();
    FLOWONNX_REQUIRE(dtype == DType::UInt8 || dtype == DType::Int8 || dtype == DType::Int32,
                     "{}: input must be uint8, int8 or int32, got {}", where, x.describe());
    FLOWONNX_REQUIRE(!zero_point || zero_point->dtype() == dtype, "{}: zero point {} must have the input's dtype {}",
                     where, zero_point ? zero_point->describe() : std::string(), dtype_name(dtype));
    AxisLayout layout = axis_layout(where, x, scale, zero_point, axis, per_axis);
    Tensor& y = ctx.allocate_output(0, x.shape(), DType::Float32);
    auto run = [&](auto zero) {
      using Q = decltype(zero);
      const Q* zp = zero_point ? zero_point->data<Q>() : nullptr;
      dequantize<Q>(x.data<Q>(), scale.data<float>(), zp, y.data<float>(), layout);
    };
    if (dtype == DType::UInt8) run(uint8_t{});
    else if (dtype == DType::Int8) run(int8_t{});
    else {
      FLOWONNX_REQUIRE(!zero_point || std::all_of(zero_point->data<int32_t>(),
                                                  zero_point->data<int32_t>() + zero_point->num_elements(),
                                                  [](int32_t v) { return v == 0; }),
                       "{}: an int32 input needs a zero point of 0", where);
      run(int32_t{});
    }
  };
}

ComputeFn make_dynamic_quantize_linear(const KernelInit& init) {
  std::string where = where_of(init);
  return [where](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    FLOWONNX_REQUIRE(x.dtype() == DType::Float32, "{}: input must be float32, got {}", where, x.describe());
    const float* data = x.data<float>();
    float low = 0.0f, high = 0.0f;
    for (int64_t i = 0; i < x.num_elements(); ++i) {
      FLOWONNX_REQUIRE(std::isfinite(data[i]), "{}: input {} holds a non-finite value at {}", where,
                       x.describe(), i);
      low = std::min(low, data[i]);
      high = std::max(high, data[i]);
    }
    const float scale = high == low ? 1.0f : (high - low) / 255.0f;
    const uint8_t zero_point = static_cast<uint8_t>(std::nearbyint(std::clamp(-low / scale, 0.0f, 255.0f)));
    Tensor& y = ctx.allocate_output(0, x.shape(), DType::UInt8);
    quantize<uint8_t, float>(data, &scale, &zero_point, y.data<uint8_t>(), AxisLayout{1, 1, x.num_elements()});
    ctx.allocate_output(1, {}, DType::Float32).data<float>()[0] = scale;
    ctx.allocate_output(2, {}, DType::UInt8).data<uint8_t>()[0] = zero_point;
  };
}

// int8 / uint8 as the zero point; uint8 when it is omitted (an untyped one: unknown).
std::optional<ir::ValueType> quantize_linear_type(const TypeContext& ctx) {
  const bool omitted = ctx.num_inputs() < 3 || ctx.node().inputs[2].empty();
  if (ctx.output() != 0 || (!omitted && !ctx.input(2))) return std::nullopt;
  return ir::ValueType{omitted ? DType::UInt8 : ctx.input(2)->dtype,
                       ctx.input(0) ? ctx.input(0)->shape : std::nullopt};
}

}  // namespace

void register_quantize_kernels(KernelRegistry& r) {
  r.add("", "QuantizeLinear", make_quantize_linear, quantize_linear_type);
  r.add("", "DequantizeLinear", make_dequantize_linear, rules::elementwise_as(DType::Float32));
  r.add("", "DynamicQuantizeLinear", make_dynamic_quantize_linear,
        rules::per_output({rules::elementwise_as(DType::UInt8), rules::dtype_only(DType::Float32),
                           rules::dtype_only(DType::UInt8)}));
}

}  // namespace flowonnx::runtime::cpu
