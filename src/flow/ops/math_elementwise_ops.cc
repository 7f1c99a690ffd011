// The element-wise half of the math family: unary math and activations, scalar ops, the clip
// family, fill_, comparisons, logic, minimum/maximum, squared_difference, floor_mod and prelu.
// Every op is one scalar function run by kernels::pointwise (numpy broadcasting, computed in
// double, written in the output dtype), so an op here is a table row, not a kernel.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "flow/op_registry.h"
#include "flow/ops/op_helpers.h"
#include "flow/ops/scalar_attrs.h"
#include "kernels/cpu/broadcast_loop.h"
#include "kernels/cpu/pointwise.h"

namespace flowonnx::flow {
namespace {

using kernels::PointwiseFn;
// Builds the element function from the op's attributes (once per call, not per element).
using MakeFn = std::function<PointwiseFn(const ir::Attributes&)>;

enum class Accepts { Float, Numeric, Any };      // input dtypes: float32/64, not bool, any
enum class Result { SameAsInput, Bool };         // output dtype

struct ElementwiseSpec {
  const char* name;
  std::vector<std::string> inputs, outputs;
  Accepts accepts = Accepts::Float;
  Result result = Result::SameAsInput;
  bool same_shape = false;        // elementwise_* ops: no broadcasting
  bool same_dtype = true;         // binary ops: both inputs of one dtype
  ir::Attributes defaults;
  MakeFn make;
};

void require_accepted(const ElementwiseSpec& spec, size_t index, const TensorMeta& meta) {
  bool ok = spec.accepts == Accepts::Any ||
            (spec.accepts == Accepts::Numeric && meta.dtype != DType::Bool) ||
            (spec.accepts == Accepts::Float && (meta.dtype == DType::Float32 || meta.dtype == DType::Float64));
  FLOWONNX_REQUIRE(ok, "{}: input '{}' must be {}, got {}{}", spec.name, spec.inputs[index],
                   spec.accepts == Accepts::Float ? "float32 or float64" : "numeric",
                   dtype_name(meta.dtype), shape_to_string(meta.shape));
}

OpSchema elementwise_schema(ElementwiseSpec spec) {
  OpSchema schema;
  schema.name = spec.name;
  schema.inputs = spec.inputs;
  schema.outputs = spec.outputs;
  schema.defaults = spec.defaults;
  schema.infer = [spec](const std::vector<TensorMeta>& in, const ir::Attributes&) {
    std::vector<Shape> shapes;
    for (size_t i = 0; i < in.size(); ++i) {
      require_accepted(spec, i, in[i]);
      FLOWONNX_REQUIRE(!spec.same_dtype || in[i].dtype == in[0].dtype, "{}: input '{}' is {} but '{}' is {}",
                       spec.name, spec.inputs[i], dtype_name(in[i].dtype), spec.inputs[0], dtype_name(in[0].dtype));
      FLOWONNX_REQUIRE(!spec.same_shape || in[i].shape == in[0].shape, "{}: shapes {} and {} differ",
                       spec.name, shape_to_string(in[0].shape), shape_to_string(in[i].shape));
      shapes.push_back(in[i].shape);
    }
    DType dtype = spec.result == Result::Bool ? DType::Bool : in[0].dtype;
    return std::vector<TensorMeta>{{dtype, kernels::broadcast_all(shapes, spec.name)}};
  };
  schema.compute = [spec](const std::vector<Tensor>& in, const ir::Attributes& attrs, std::vector<Tensor>& out) {
    kernels::pointwise(spec.name, in, out[0], spec.make(attrs));
  };
  return schema;
}

// Attribute-free functions of one or two values.
MakeFn fixed(double (*fn)(double)) {
  return [fn](const ir::Attributes&) -> PointwiseFn { return [fn](const double* v) { return fn(v[0]); }; };
}
MakeFn fixed2(double (*fn)(double, double)) {
  return [fn](const ir::Attributes&) -> PointwiseFn { return [fn](const double* v) { return fn(v[0], v[1]); }; };
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double hard_sigmoid(double x) { return std::clamp(x / 6.0 + 0.5, 0.0, 1.0); }

ElementwiseSpec unary(const char* name, double (*fn)(double), Accepts accepts = Accepts::Float,
                      bool in_out_names = false) {
  return {name, {in_out_names ? "in" : "x"}, {in_out_names ? "out" : "y"}, accepts, Result::SameAsInput,
          false, true, {}, fixed(fn)};
}

// The unary functions without attributes: OneFlow's math ops ("x" -> "y") and activations
// ("in" -> "out").
std::vector<ElementwiseSpec> unary_specs() {
  using std::numbers::pi;
  return {
      unary("abs", [](double x) { return std::fabs(x); }, Accepts::Numeric),
      unary("neg", [](double x) { return -x; }, Accepts::Numeric),
      unary("sign", [](double x) { return double((x > 0) - (x < 0)); }, Accepts::Numeric),
      unary("square", [](double x) { return x * x; }, Accepts::Numeric),
      unary("ceil", [](double x) { return std::ceil(x); }),
      unary("floor", [](double x) { return std::floor(x); }),
      unary("round", [](double x) { return std::nearbyint(x); }),  // half to even, as ONNX Round
      unary("exp", [](double x) { return std::exp(x); }),
      unary("log", [](double x) { return std::log(x); }),
      unary("sqrt", [](double x) { return std::sqrt(x); }),
      unary("rsqrt", [](double x) { return 1.0 / std::sqrt(x); }),
      unary("reciprocal", [](double x) { return 1.0 / x; }),
      unary("erf", [](double x) { return std::erf(x); }),
      unary("sigmoid", sigmoid),
      unary("sigmoid_v2", sigmoid),
      unary("tanh", [](double x) { return std::tanh(x); }),
      unary("sin", [](double x) { return std::sin(x); }),
      unary("cos", [](double x) { return std::cos(x); }),
      unary("tan", [](double x) { return std::tan(x); }),
      unary("asin", [](double x) { return std::asin(x); }),
      unary("acos", [](double x) { return std::acos(x); }),
      unary("atan", [](double x) { return std::atan(x); }),
      unary("sinh", [](double x) { return std::sinh(x); }),
      unary("cosh", [](double x) { return std::cosh(x); }),
      unary("asinh", [](double x) { return std::asinh(x); }),
      unary("acosh", [](double x) { return std::acosh(x); }),
      unary("atanh", [](double x) { return std::atanh(x); }),
      unary("silu", [](double x) { return x * sigmoid(x); }, Accepts::Float, true),
      unary("gelu", [](double x) { return 0.5 * x * (1.0 + std::erf(x / std::numbers::sqrt2)); },
            Accepts::Float, true),
      // tanh approximation of gelu
      unary("fast_gelu",
            [](double x) { return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / pi) * (x + 0.044715 * x * x * x))); },
            Accepts::Float, true),
      unary("quick_gelu", [](double x) { return x * sigmoid(1.702 * x); }),
      unary("hardsigmoid", hard_sigmoid, Accepts::Float, true),
      unary("hardswish", [](double x) { return x * hard_sigmoid(x); }, Accepts::Float, true),
  };
}

// A one-input op whose function reads attributes.
ElementwiseSpec with_attrs(const char* name, ir::Attributes defaults, MakeFn make, bool in_out_names = true) {
  return {name, {in_out_names ? "in" : "x"}, {in_out_names ? "out" : "y"}, Accepts::Float, Result::SameAsInput,
          false, true, std::move(defaults), std::move(make)};
}

// OneFlow's scalar operand attributes (scalar_add, scalar_mul, ..., scalar_logical_less).
ir::Attributes scalar_operand_defaults() {
  return {{"has_int_operand", int64_t{0}}, {"has_float_operand", int64_t{1}},
          {"int_operand", int64_t{0}}, {"float_operand", 0.0}};
}

ElementwiseSpec scalar_op(const char* name, double (*fn)(double, double), Result result = Result::SameAsInput) {
  MakeFn make = [fn](const ir::Attributes& attrs) -> PointwiseFn {
    double operand = scalar_operand(attrs);
    return [fn, operand](const double* v) { return fn(v[0], operand); };
  };
  return {name, {"in"}, {"out"}, Accepts::Numeric, result, false, true, scalar_operand_defaults(), make};
}

std::vector<ElementwiseSpec> attribute_specs() {
  auto clip = [](const char* low, const char* high) -> MakeFn {
    return [low, high](const ir::Attributes& attrs) -> PointwiseFn {
      double lo = low ? attrs.get_float(low) : -INFINITY, hi = high ? attrs.get_float(high) : INFINITY;
      return [lo, hi](const double* v) { return std::min(std::max(v[0], lo), hi); };
    };
  };
  ir::Attributes clip_both{{"floating_min", 0.0}, {"floating_max", 0.0}, {"integral_min", int64_t{0}},
                           {"integral_max", int64_t{0}}};
  return {
      with_attrs("leaky_relu", {{"alpha", 0.01}}, [](const ir::Attributes& a) -> PointwiseFn {
        double alpha = a.get_float("alpha");
        return [alpha](const double* v) { return v[0] >= 0 ? v[0] : alpha * v[0]; };
      }, false),
      with_attrs("elu", {{"alpha", 1.0}}, [](const ir::Attributes& a) -> PointwiseFn {
        double alpha = a.get_float("alpha");
        return [alpha](const double* v) { return v[0] >= 0 ? v[0] : alpha * std::expm1(v[0]); };
      }),
      // OneFlow: x where beta * x > threshold, else log(1 + exp(beta * x)) / beta.
      with_attrs("softplus", {{"beta", 1.0}, {"threshold", 20.0}}, [](const ir::Attributes& a) -> PointwiseFn {
        double beta = a.get_float("beta"), threshold = a.get_float("threshold");
        return [=](const double* v) { return v[0] * beta > threshold ? v[0] : std::log1p(std::exp(v[0] * beta)) / beta; };
      }),
      with_attrs("hardtanh", {{"min_val", -1.0}, {"max_val", 1.0}}, clip("min_val", "max_val")),
      with_attrs("clip_by_scalar", clip_both, clip("floating_min", "floating_max"), false),
      with_attrs("clip_by_scalar_min", {{"floating_min", 0.0}, {"integral_min", int64_t{0}}},
                 clip("floating_min", nullptr), false),
      with_attrs("clip_by_scalar_max", {{"floating_max", 0.0}, {"integral_max", int64_t{0}}},
                 clip(nullptr, "floating_max"), false),
      scalar_op("scalar_add", [](double x, double s) { return x + s; }),
      scalar_op("scalar_mul", [](double x, double s) { return x * s; }),
      scalar_op("scalar_div", [](double x, double s) { return x / s; }),
      scalar_op("scalar_pow", [](double x, double s) { return std::pow(x, s); }),
      scalar_op("scalar_logical_less", [](double x, double s) { return double(x < s); }, Result::Bool),
      scalar_op("scalar_logical_greater", [](double x, double s) { return double(x > s); }, Result::Bool),
      {"fill_", {"in"}, {"out"}, Accepts::Any, Result::SameAsInput, false, true,
       {{"floating_value", 0.0}, {"integral_value", int64_t{0}}, {"is_floating_value", int64_t{1}}},
       [](const ir::Attributes& a) -> PointwiseFn {
         double value = fill_value(a);
         return [value](const double*) { return value; };
       }},
  };
}

ElementwiseSpec binary(const char* name, double (*fn)(double, double), Result result = Result::SameAsInput,
                       Accepts accepts = Accepts::Numeric) {
  return {name, {"x", "y"}, {"z"}, accepts, result, false, true, {}, fixed2(fn)};
}

std::vector<ElementwiseSpec> binary_specs() {
  auto minimum = [](double a, double b) { return std::min(a, b); };
  auto maximum = [](double a, double b) { return std::max(a, b); };
  ElementwiseSpec elementwise_min = binary("elementwise_minimum", minimum);
  ElementwiseSpec elementwise_max = binary("elementwise_maximum", maximum);
  elementwise_min.same_shape = elementwise_max.same_shape = true;
  ElementwiseSpec logical_not{"logical_not", {"x"}, {"y"}, Accepts::Any, Result::Bool, false, true, {},
                              fixed([](double x) { return double(x == 0); })};
  ElementwiseSpec logical_and = binary("broadcast_logical_and", [](double a, double b) { return double(a != 0 && b != 0); },
                                       Result::Bool, Accepts::Any);
  ElementwiseSpec logical_or = binary("broadcast_logical_or", [](double a, double b) { return double(a != 0 || b != 0); },
                                      Result::Bool, Accepts::Any);
  logical_and.same_dtype = logical_or.same_dtype = false;
  return {
      binary("broadcast_minimum", minimum),
      binary("broadcast_maximum", maximum),
      elementwise_min,
      elementwise_max,
      binary("squared_difference", [](double a, double b) { return (a - b) * (a - b); }),
      // Python's modulo: the result takes the divisor's sign.
      binary("broadcast_floor_mod", [](double a, double b) { return a - std::floor(a / b) * b; },
             Result::SameAsInput, Accepts::Float),
      binary("broadcast_equal", [](double a, double b) { return double(a == b); }, Result::Bool, Accepts::Any),
      binary("broadcast_not_equal", [](double a, double b) { return double(a != b); }, Result::Bool, Accepts::Any),
      binary("broadcast_greater", [](double a, double b) { return double(a > b); }, Result::Bool),
      binary("broadcast_less", [](double a, double b) { return double(a < b); }, Result::Bool),
      binary("broadcast_greater_equal", [](double a, double b) { return double(a >= b); }, Result::Bool),
      binary("broadcast_less_equal", [](double a, double b) { return double(a <= b); }, Result::Bool),
      logical_not,
      logical_and,
      logical_or,
  };
}

// prelu(x, alpha): alpha [C] scales the negative part along dim 1 (a [1] alpha is shared).
OpSchema prelu_schema() {
  OpSchema schema;
  schema.name = "prelu";
  schema.inputs = {"x", "alpha"};
  schema.outputs = {"y"};
  schema.infer = [](const std::vector<TensorMeta>& in, const ir::Attributes&) {
    require_float32("prelu", "x", in[0]);
    require_float32("prelu", "alpha", in[1]);
    FLOWONNX_REQUIRE(in[0].shape.size() >= 2 && in[1].shape.size() == 1 &&
                         (in[1].shape[0] == 1 || in[1].shape[0] == in[0].shape[1]),
                     "prelu: alpha must be [1] or [C] for x [N, C, ...], got x {} and alpha {}",
                     shape_to_string(in[0].shape), shape_to_string(in[1].shape));
    return std::vector<TensorMeta>{in[0]};
  };
  schema.compute = [](const std::vector<Tensor>& in, const ir::Attributes&, std::vector<Tensor>& out) {
    Shape alpha_shape(in[0].shape().size() - 1, 1);
    alpha_shape[0] = in[1].dim(0);
    kernels::pointwise("prelu", {in[0], in[1].reshape(alpha_shape)}, out[0],
                       [](const double* v) { return v[0] >= 0 ? v[0] : v[1] * v[0]; });
  };
  return schema;
}

}  // namespace

void register_math_elementwise_ops(OpRegistry& registry) {
  for (auto specs : {unary_specs(), attribute_specs(), binary_specs()})
    for (ElementwiseSpec& spec : specs) registry.add(elementwise_schema(std::move(spec)));
  registry.add(prelu_schema());
}

}  // namespace flowonnx::flow
