// Framework ops of the quantize family, as OneFlow's CPU kernels compute them:
//   min_max_observer(in) -> scale, zero_point
//   moving_average_min_max_observer(in, current_train_step, moving_max, moving_min) -> scale, zero_point
//   fake_quantization(in, scale, zero_point) -> out
// Formulas (bit = quantization_bit, "google" formula):
//   symmetric: scale = max(|min|, |max|) / (2^(bit-1) - 1), zero_point = 0,
//              q = clamp(rint(x / scale), -2^(bit-1), 2^(bit-1) - 1), out = q * scale;
//   affine:    scale = (max - min) / (2^bit - 1), zero_point = -rint(min / scale),
//              q = clamp(rint(x / scale + zp), 0, 2^bit - 1), out = (q - zp) * scale.
// "cambricon": scale holds a power-of-two shift floor(log2(absmax)) - (bit - 2) and
// fake_quantization uses 2^shift as the step (symmetric, per-tensor only).
// Per-channel (per_layer_quantization false) reduces each slice along axis 0. scale and
// zero_point have the input's dtype (float32 / float64) as in OneFlow.
#include <algorithm>
#include <cmath>

#include "flow/op_registry.h"
#include "flow/ops/op_helpers.h"

namespace flowonnx::flow {
namespace {

void check_quant_attrs(const char* op, const ir::Attributes& attrs) {
  int64_t bit = attrs.get_int("quantization_bit");
  FLOWONNX_REQUIRE(bit >= 2 && bit <= 8, "{}: attribute quantization_bit must be in 2..8 (as OneFlow), got {}",
                   op, bit);
  const std::string& scheme = attrs.get_string("quantization_scheme");
  FLOWONNX_REQUIRE(scheme == "symmetric" || scheme == "affine",
                   "{}: attribute quantization_scheme must be 'symmetric' or 'affine', got '{}'", op, scheme);
  const std::string& formula = attrs.get_string("quantization_formula");
  FLOWONNX_REQUIRE(formula == "google" || formula == "cambricon",
                   "{}: attribute quantization_formula must be 'google' or 'cambricon', got '{}'", op, formula);
}

void require_floating(const char* op, const char* input, const TensorMeta& meta) {
  FLOWONNX_REQUIRE(meta.dtype == DType::Float32 || meta.dtype == DType::Float64,
                   "{}: input '{}' must be float32 or float64, got {}{}", op, input, dtype_name(meta.dtype),
                   shape_to_string(meta.shape));
}

// Calls fn(T{}) with T = float or double for a floating tensor.
template <typename Fn>
void visit_floating(const Tensor& t, Fn&& fn) {
  if (t.dtype() == DType::Float64) fn(double{});
  else fn(float{});
}

// The (scale, zero_point) of one slice from its min and max, in T as OneFlow computes them.
template <typename T>
void observe(T in_min, T in_max, const std::string& formula, const std::string& scheme, int64_t bit, T* scale,
             T* zero_point) {
  T abs_max = std::max(std::abs(in_max), std::abs(in_min));
  if (formula == "cambricon") {
    *scale = std::floor(std::log2(abs_max)) - static_cast<T>(bit - 2);
    *zero_point = 0;
  } else if (scheme == "symmetric") {
    *scale = abs_max / (static_cast<T>(std::pow(2.0, bit - 1)) - 1);
    *zero_point = 0;
  } else {
    *scale = (in_max - in_min) / (static_cast<T>(std::pow(2.0, bit)) - 1);
    *zero_point = -std::nearbyint(in_min / *scale);
  }
}

OpSchema min_max_observer_schema() {
  OpSchema schema;
  schema.name = "min_max_observer";
  schema.inputs = {"in"};
  schema.outputs = {"scale", "zero_point"};
  schema.defaults = {{"quantization_formula", std::string("google")},
                     {"quantization_bit", int64_t{8}},
                     {"quantization_scheme", std::string("symmetric")},
                     {"per_layer_quantization", int64_t{1}}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    const char* op = "min_max_observer";
    check_quant_attrs(op, attrs);
    require_floating(op, "in", in[0]);
    FLOWONNX_REQUIRE(num_elements(in[0].shape) > 0, "min_max_observer: input 'in' is empty ({})",
                     shape_to_string(in[0].shape));
    bool per_layer = attrs.get_bool("per_layer_quantization");
    FLOWONNX_REQUIRE(per_layer || attrs.get_string("quantization_formula") == "google",
                     "min_max_observer: per-channel mode (per_layer_quantization false) is not supported by the "
                     "cambricon formula");
    FLOWONNX_REQUIRE(per_layer || !in[0].shape.empty(),
                     "min_max_observer: per-channel mode needs an input of rank >= 1, got a scalar");
    Shape out{per_layer ? 1 : in[0].shape[0]};
    return std::vector<TensorMeta>{{in[0].dtype, out}, {in[0].dtype, out}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    visit_floating(in[0], [&](auto zero) {
      using T = decltype(zero);
      const T* x = in[0].data<T>();
      int64_t outer = out[0].num_elements();
      int64_t inner = in[0].num_elements() / outer;
      for (int64_t c = 0; c < outer; ++c) {
        const T* slice = x + c * inner;
        auto [lo, hi] = std::minmax_element(slice, slice + inner);
        observe<T>(*lo, *hi, attrs.get_string("quantization_formula"), attrs.get_string("quantization_scheme"),
                   attrs.get_int("quantization_bit"), out[0].data<T>() + c, out[1].data<T>() + c);
      }
    });
  };
  return schema;
}

// In training mode (and while current_train_step <= stop_update_after_iters) the moving
// min/max are updated in place, as OneFlow's mutable inputs; symmetric and cambricon keep the
// absolute max in both. The outputs always come from the (updated) moving values. Eval mode,
// what export sees, only reads them.
OpSchema moving_average_observer_schema() {
  OpSchema schema;
  schema.name = "moving_average_min_max_observer";
  schema.inputs = {"in", "current_train_step", "moving_max", "moving_min"};
  schema.outputs = {"scale", "zero_point"};
  schema.defaults = {{"training", int64_t{0}},
                     {"quantization_formula", std::string("google")},
                     {"stop_update_after_iters", int64_t{1}},
                     {"quantization_bit", int64_t{8}},
                     {"quantization_scheme", std::string("symmetric")},
                     {"momentum", 0.95}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    const char* op = "moving_average_min_max_observer";
    check_quant_attrs(op, attrs);
    FLOWONNX_REQUIRE(attrs.get_int("stop_update_after_iters") > 0,
                     "{}: attribute stop_update_after_iters must be > 0, got {}", op,
                     attrs.get_int("stop_update_after_iters"));
    require_floating(op, "in", in[0]);
    FLOWONNX_REQUIRE(num_elements(in[0].shape) > 0, "{}: input 'in' is empty ({})", op, shape_to_string(in[0].shape));
    FLOWONNX_REQUIRE(in[1].dtype == DType::Int64 && in[1].shape == Shape{1},
                     "{}: input 'current_train_step' must be int64[1], got {}{}", op, dtype_name(in[1].dtype),
                     shape_to_string(in[1].shape));
    for (size_t i : {size_t{2}, size_t{3}})
      FLOWONNX_REQUIRE(in[i].dtype == in[0].dtype && in[i].shape == Shape{1},
                       "{}: input '{}' must be {}[1] (per-layer only, as OneFlow), got {}{}", op,
                       i == 2 ? "moving_max" : "moving_min", dtype_name(in[0].dtype), dtype_name(in[i].dtype),
                       shape_to_string(in[i].shape));
    return std::vector<TensorMeta>{{in[0].dtype, Shape{1}}, {in[0].dtype, Shape{1}}};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    visit_floating(in[0], [&](auto zero) {
      using T = decltype(zero);
      const std::string& formula = attrs.get_string("quantization_formula");
      bool symmetric = formula == "cambricon" || attrs.get_string("quantization_scheme") == "symmetric";
      Tensor moving_max_tensor = in[2], moving_min_tensor = in[3];  // handles: writes reach the caller's state
      T& moving_max = moving_max_tensor.data<T>()[0];
      T& moving_min = moving_min_tensor.data<T>()[0];
      bool update = attrs.get_bool("training") && in[1].data<int64_t>()[0] <= attrs.get_int("stop_update_after_iters");
      if (update) {
        auto momentum = static_cast<float>(attrs.get_float("momentum"));
        auto [lo, hi] = std::minmax_element(in[0].data<T>(), in[0].data<T>() + in[0].num_elements());
        T in_max = symmetric ? std::max(std::abs(*hi), std::abs(*lo)) : *hi;
        moving_max = moving_max == 0 ? in_max : moving_max * momentum + in_max * (1 - momentum);
        if (symmetric) moving_min = moving_max;
        else moving_min = moving_min == 0 ? *lo : moving_min * momentum + *lo * (1 - momentum);
      }
      int64_t bit = attrs.get_int("quantization_bit");
      T* scale = out[0].data<T>();
      T* zero_point = out[1].data<T>();
      if (formula == "cambricon") {
        *scale = std::floor(std::log2(moving_max)) - static_cast<T>(bit - 2);
        *zero_point = 0;
      } else if (symmetric) {
        *scale = moving_max / (static_cast<T>(std::pow(2.0, bit - 1)) - 1);
        *zero_point = 0;
      } else {  // OneFlow does not round this zero point; fake_quantization rounds it
        *scale = (moving_max - moving_min) / (static_cast<T>(std::pow(2.0, bit)) - 1);
        *zero_point = -moving_min / *scale;
      }
    });
  };
  return schema;
}

// OneFlow casts the affine zero point with static_cast<uint8_t>(std::round(zp)), undefined
// outside 0..255; we saturate there (an observer on data containing 0 never leaves the range).
template <typename T>
T affine_zero_point(T zero_point) {
  return std::clamp(std::round(zero_point), T(0), T(255));
}

OpSchema fake_quantization_schema() {
  OpSchema schema;
  schema.name = "fake_quantization";
  schema.inputs = {"in", "scale", "zero_point"};
  schema.outputs = {"out"};
  schema.defaults = {{"quantization_formula", std::string("google")},
                     {"quantization_bit", int64_t{8}},
                     {"quantization_scheme", std::string("symmetric")}};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes& attrs) {
    const char* op = "fake_quantization";
    check_quant_attrs(op, attrs);
    require_floating(op, "in", in[0]);
    for (size_t i : {size_t{1}, size_t{2}}) {
      const char* name = i == 1 ? "scale" : "zero_point";
      FLOWONNX_REQUIRE(in[i].dtype == in[0].dtype && in[i].shape.size() == 1,
                       "{}: input '{}' must be a 1-D {} tensor, got {}{}", op, name, dtype_name(in[0].dtype),
                       dtype_name(in[i].dtype), shape_to_string(in[i].shape));
    }
    FLOWONNX_REQUIRE(in[1].shape == in[2].shape, "{}: scale {} and zero_point {} differ in shape", op,
                     shape_to_string(in[1].shape), shape_to_string(in[2].shape));
    int64_t channels = in[1].shape[0];
    bool per_tensor = channels == 1 || attrs.get_string("quantization_formula") == "cambricon";
    FLOWONNX_REQUIRE(channels >= 1 && (per_tensor || (!in[0].shape.empty() && in[0].shape[0] == channels)),
                     "{}: scale has {} elements; expected 1 (per-tensor) or dim 0 of the input {} (per-channel)", op,
                     channels, shape_to_string(in[0].shape));
    return std::vector<TensorMeta>{in[0]};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    visit_floating(in[0], [&](auto zero) {
      using T = decltype(zero);
      const std::string& formula = attrs.get_string("quantization_formula");
      bool affine = formula == "google" && attrs.get_string("quantization_scheme") == "affine";
      int64_t bit = attrs.get_int("quantization_bit");
      T upper = affine ? static_cast<T>(std::pow(2.0, bit)) - 1 : static_cast<T>(std::pow(2.0, bit - 1)) - 1;
      T lower = affine ? T(0) : -upper - 1;
      const T* x = in[0].data<T>();
      const T* scales = in[1].data<T>();
      const T* zero_points = in[2].data<T>();
      T* y = out[0].data<T>();
      int64_t outer = formula == "google" ? in[1].num_elements() : 1;
      int64_t inner = in[0].num_elements() / outer;
      for (int64_t c = 0; c < outer; ++c) {
        T scale = formula == "cambricon" ? static_cast<T>(std::pow(2.0, static_cast<int32_t>(scales[0]))) : scales[c];
        T zp = affine ? affine_zero_point(zero_points[c]) : T(0);
        for (int64_t i = c * inner; i < (c + 1) * inner; ++i) {
          T q = std::clamp(static_cast<T>(std::nearbyint(x[i] / scale + zp)), lower, upper);
          y[i] = (q - zp) * scale;
        }
      }
    });
  };
  return schema;
}

}  // namespace

void register_quantize_ops(OpRegistry& registry) {
  registry.add(min_max_observer_schema());
  registry.add(moving_average_observer_schema());
  registry.add(fake_quantization_schema());
}

}  // namespace flowonnx::flow
