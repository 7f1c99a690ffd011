// Linear quantization: QuantizeLinear and DequantizeLinear (opset 10: per-tensor scalar scale;
// opset 13: also per-axis with a 1-D scale along `axis`, default 1; opset 21: blocked, a scale
// per `block_size` elements along `axis`, and 16-bit integers).
//   QuantizeLinear:   y = saturate(rint(x / scale) + zero_point), int8, uint8, int16 or uint16
//                     as the zero point (output_dtype, else uint8, when it is omitted); rint
//                     rounds half to even.
//   DequantizeLinear: y = (x - zero_point) * scale, float32; x (u)int8, (u)int16 or int32.
// 4-bit, 2-bit and float8 types and non-float32 scales are refused with a clear error.
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
// runs of `inner` elements. Per tensor: one scale; per axis: one per channel; blocked
// (opset 21 block_size > 0): one per `block` consecutive channels of each (outer, inner) line,
// the scale shaped like x with ceil(channels / block) along the axis.
struct AxisLayout {
  enum class Kind { PerTensor, PerAxis, Blocked } kind = Kind::PerTensor;
  int64_t outer = 1, channels = 1, inner = 1;
  int64_t block = 1;           // Blocked only
  int64_t scale_channels = 1;  // Blocked: ceil(channels / block)

  int64_t scale_index(int64_t o, int64_t c, int64_t k) const {
    if (kind == Kind::PerTensor) return 0;
    if (kind == Kind::PerAxis) return c;
    return (o * scale_channels + c / block) * inner + k;
  }
};

// Checks scale / zero point against x and returns the layout. `where`: for messages.
AxisLayout axis_layout(const std::string& where, const Tensor& x, const Tensor& scale,
                       const Tensor* zero_point, int64_t axis, int64_t block_size,
                       bool per_axis_allowed) {
  FLOWONNX_REQUIRE(scale.dtype() == DType::Float32, "{}: scale must be float32, got {}", where,
                   scale.describe());
  if (zero_point) {
    FLOWONNX_REQUIRE(zero_point->shape() == scale.shape(),
                     "{}: zero point {} and scale {} differ in shape", where,
                     zero_point->describe(), scale.describe());
  }
  AxisLayout layout;
  FLOWONNX_REQUIRE(block_size >= 0, "{}: block_size must be >= 0, got {}", where, block_size);
  if (block_size == 0 && scale.num_elements() == 1 && scale.rank() <= 1) {
    layout.inner = x.num_elements();
    return layout;
  }
  FLOWONNX_REQUIRE(per_axis_allowed, "{}: scale must be a scalar before opset 13, got {}", where,
                   scale.describe());
  const int64_t rank = x.rank();
  FLOWONNX_REQUIRE(axis >= -rank && axis < rank, "{}: axis {} out of range for input {}", where,
                   axis, x.describe());
  const int64_t a = axis < 0 ? axis + rank : axis;
  for (int64_t d = 0; d < a; ++d) layout.outer *= x.shape()[d];
  layout.channels = x.shape()[a];
  for (int64_t d = a + 1; d < rank; ++d) layout.inner *= x.shape()[d];
  if (block_size == 0) {
    FLOWONNX_REQUIRE(scale.rank() == 1, "{}: a per-axis scale must be 1-D, got {}", where,
                     scale.describe());
    FLOWONNX_REQUIRE(scale.num_elements() == x.shape()[a],
                     "{}: per-axis scale {} must have dim {} of input {} elements (axis {})", where,
                     scale.describe(), a, x.describe(), axis);
    layout.kind = AxisLayout::Kind::PerAxis;
    return layout;
  }
  layout.kind = AxisLayout::Kind::Blocked;
  layout.block = block_size;
  layout.scale_channels = (layout.channels + block_size - 1) / block_size;
  Shape expected = x.shape();
  expected[a] = layout.scale_channels;
  FLOWONNX_REQUIRE(scale.shape() == expected,
                   "{}: a blocked scale for input {} with block_size {} along axis {} must be {}, "
                   "got {}",
                   where, x.describe(), block_size, axis, shape_to_string(expected),
                   scale.describe());
  return layout;
}

template <typename Q, typename X>
void quantize(const X* x, const float* scale, const Q* zero_point, Q* y, const AxisLayout& layout) {
  constexpr float low = static_cast<float>(std::numeric_limits<Q>::lowest());
  constexpr float high = static_cast<float>(std::numeric_limits<Q>::max());
  for (int64_t o = 0, i = 0; o < layout.outer; ++o)
    for (int64_t c = 0; c < layout.channels; ++c)
      for (int64_t k = 0; k < layout.inner; ++k, ++i) {
        const int64_t s = layout.scale_index(o, c, k);
        const float zp = zero_point ? static_cast<float>(zero_point[s]) : 0.0f;
        float value = std::nearbyint(static_cast<float>(x[i]) / scale[s]) + zp;
        if (std::isnan(value)) value = zp;
        y[i] = static_cast<Q>(std::clamp(value, low, high));
      }
}

template <typename Q>
void dequantize(const Q* x, const float* scale, const Q* zero_point, float* y,
                const AxisLayout& layout) {
  for (int64_t o = 0, i = 0; o < layout.outer; ++o)
    for (int64_t c = 0; c < layout.channels; ++c)
      for (int64_t k = 0; k < layout.inner; ++k, ++i) {
        const int64_t s = layout.scale_index(o, c, k);
        const int64_t zp = zero_point ? static_cast<int64_t>(zero_point[s]) : 0;
        y[i] = static_cast<float>(static_cast<int64_t>(x[i]) - zp) * scale[s];
      }
}

std::string where_of(const KernelInit& init) {
  return fmt::format("{} node '{}'", init.node().op_type, init.node().name);
}

bool is_quantized_type(DType dtype) {
  return dtype == DType::UInt8 || dtype == DType::Int8 || dtype == DType::UInt16 ||
         dtype == DType::Int16;
}

// Calls fn(Q{}) for the quantized dtypes (8 and 16 bits).
template <typename Fn>
void visit_quantized(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::UInt8: return fn(uint8_t{});
    case DType::Int8: return fn(int8_t{});
    case DType::UInt16: return fn(uint16_t{});
    case DType::Int16: return fn(int16_t{});
    default: fail(ErrorCode::InvalidArgument, "quantized dtype {} is not supported", dtype_name(dtype));
  }
}

// The output dtype of QuantizeLinear: the zero point's, else output_dtype (opset 21), else uint8.
std::optional<DType> quantize_output_dtype(const KernelInit& init) {
  if (!init.has_attr("output_dtype") || init.attr_int("output_dtype", 0) == 0) return std::nullopt;
  const int64_t code = init.attr_int("output_dtype", 0);
  // TensorProto.DataType codes of the supported outputs.
  switch (code) {
    case 2: return DType::UInt8;
    case 3: return DType::Int8;
    case 4: return DType::UInt16;
    case 5: return DType::Int16;
    default:
      init.fail_model(fmt::format(
          "output_dtype {} is not supported (uint8 = 2, int8 = 3, uint16 = 4, int16 = 5 are; "
          "4-bit, 2-bit and float8 types are not)",
          code));
  }
}

ComputeFn make_quantize_linear(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", 1);
  int64_t block_size = init.attr_int("block_size", 0);
  bool per_axis = init.opset() >= 13;
  std::optional<DType> output_dtype = quantize_output_dtype(init);
  if (init.attr_int("saturate", 1) == 0)
    init.fail_model("saturate=0 applies to float8 outputs, which are not supported");
  std::string where = where_of(init);
  return [=](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor* zero_point = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    FLOWONNX_REQUIRE(x.dtype() == DType::Float32 || x.dtype() == DType::Int32,
                     "{}: input must be float32 or int32, got {}", where, x.describe());
    DType out = zero_point ? zero_point->dtype() : output_dtype.value_or(DType::UInt8);
    FLOWONNX_REQUIRE(is_quantized_type(out),
                     "{}: zero point must be uint8, int8, uint16 or int16, got {}", where,
                     zero_point ? zero_point->describe() : std::string());
    FLOWONNX_REQUIRE(!output_dtype || *output_dtype == out,
                     "{}: output_dtype {} differs from the zero point {}", where,
                     dtype_name(output_dtype.value_or(out)),
                     zero_point ? zero_point->describe() : std::string());
    AxisLayout layout = axis_layout(where, x, scale, zero_point, axis, block_size, per_axis);
    Tensor& y = ctx.allocate_output(0, x.shape(), out);
    visit_quantized(out, [&](auto q_zero) {
      using Q = decltype(q_zero);
      const Q* zp = zero_point ? zero_point->data<Q>() : nullptr;
      if (x.dtype() == DType::Float32)
        quantize<Q, float>(x.data<float>(), scale.data<float>(), zp, y.data<Q>(), layout);
      else
        quantize<Q, int32_t>(x.data<int32_t>(), scale.data<float>(), zp, y.data<Q>(), layout);
    });
  };
}

ComputeFn make_dequantize_linear(const KernelInit& init) {
  int64_t axis = init.attr_int("axis", 1);
  int64_t block_size = init.attr_int("block_size", 0);
  bool per_axis = init.opset() >= 13;
  if (init.attr_int("output_dtype", 0) != 0 && init.attr_int("output_dtype", 0) != 1)
    init.fail_model("output_dtype must be float (1): the runtime dequantizes to float32 only");
  std::string where = where_of(init);
  return [=](KernelContext& ctx) {
    const Tensor& x = ctx.input(0);
    const Tensor& scale = ctx.input(1);
    const Tensor* zero_point = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    DType dtype = x.dtype();
    FLOWONNX_REQUIRE(is_quantized_type(dtype) || dtype == DType::Int32,
                     "{}: input must be uint8, int8, uint16, int16 or int32, got {}", where,
                     x.describe());
    FLOWONNX_REQUIRE(!zero_point || zero_point->dtype() == dtype,
                     "{}: zero point {} must have the input's dtype {}", where,
                     zero_point ? zero_point->describe() : std::string(), dtype_name(dtype));
    AxisLayout layout = axis_layout(where, x, scale, zero_point, axis, block_size, per_axis);
    Tensor& y = ctx.allocate_output(0, x.shape(), DType::Float32);
    if (dtype == DType::Int32) {
      FLOWONNX_REQUIRE(!zero_point || std::all_of(zero_point->data<int32_t>(),
                                                  zero_point->data<int32_t>() + zero_point->num_elements(),
                                                  [](int32_t v) { return v == 0; }),
                       "{}: an int32 input needs a zero point of 0", where);
      dequantize<int32_t>(x.data<int32_t>(), scale.data<float>(), nullptr, y.data<float>(), layout);
      return;
    }
    visit_quantized(dtype, [&](auto zero) {
      using Q = decltype(zero);
      const Q* zp = zero_point ? zero_point->data<Q>() : nullptr;
      dequantize<Q>(x.data<Q>(), scale.data<float>(), zp, y.data<float>(), layout);
    });
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
    AxisLayout per_tensor;
    per_tensor.inner = x.num_elements();
    quantize<uint8_t, float>(data, &scale, &zero_point, y.data<uint8_t>(), per_tensor);
    ctx.allocate_output(1, {}, DType::Float32).data<float>()[0] = scale;
    ctx.allocate_output(2, {}, DType::UInt8).data<uint8_t>()[0] = zero_point;
  };
}

// The zero point's dtype; when it is omitted, output_dtype's (opset 21) or uint8 (an untyped
// zero point or an unsupported output_dtype: unknown).
std::optional<ir::ValueType> quantize_linear_type(const TypeContext& ctx) {
  const bool omitted = ctx.num_inputs() < 3 || ctx.node().inputs[2].empty();
  if (ctx.output() != 0 || (!omitted && !ctx.input(2))) return std::nullopt;
  DType dtype = DType::UInt8;
  if (!omitted) {
    dtype = ctx.input(2)->dtype;
  } else if (ctx.node().attrs.has("output_dtype")) {
    int64_t code = 0;
    try {
      code = ctx.node().attrs.get_int("output_dtype");
    } catch (const Error&) {
      return std::nullopt;
    }
    static const std::pair<int64_t, DType> codes[] = {
        {0, DType::UInt8}, {2, DType::UInt8}, {3, DType::Int8}, {4, DType::UInt16}, {5, DType::Int16}};
    auto found = std::find_if(std::begin(codes), std::end(codes),
                              [code](const auto& entry) { return entry.first == code; });
    if (found == std::end(codes)) return std::nullopt;
    dtype = found->second;
  }
  return ir::ValueType{dtype, ctx.input(0) ? ctx.input(0)->shape : std::nullopt};
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
