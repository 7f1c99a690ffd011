// Export handlers of the element-wise math ops (src/flow/ops/math_elementwise_ops.cc): a table
// of OneFlow op -> ONNX lowering with the opset from which each form applies. Composite
// lowerings (gelu, silu, rsqrt, ...) use only ops that exist at opset 9.
#include <cmath>
#include <limits>
#include <numbers>

#include "flow/ops/scalar_attrs.h"
#include "onnx/export/handler_registry.h"
#include "onnx/model_io.h"

namespace flowonnx::exporter {
namespace {

// A rank-0 constant of `like`'s dtype.
std::string scalar_like(ExportContext& ctx, const ir::Node& node, const std::string& like, double value,
                        const char* what) {
  return ctx.add_constant(node.name + "/" + what, Tensor::full({}, value, ctx.type(like).dtype));
}

// `value` as bool (And / Or / Not / Where take bool only).
std::string as_bool(ExportContext& ctx, const std::string& value) {
  if (ctx.type(value).dtype == DType::Bool) return value;
  return ctx.emit("Cast", {value}, {{"to", int64_t{onnx_io::dtype_to_onnx(DType::Bool)}}});
}

ExportHandler same_op(const char* onnx_op, ir::Attributes attrs = {}) {
  return [onnx_op, attrs](const ir::Node& node, ExportContext& ctx) {
    ctx.emit(onnx_op, node.inputs, attrs, node.outputs);
  };
}

const ir::Attributes kHardSigmoid{{"alpha", 1.0 / 6.0}, {"beta", 0.5}};  // ONNX's default alpha is 0.2

void export_square(const ir::Node& node, ExportContext& ctx) {
  ctx.emit("Mul", {node.inputs[0], node.inputs[0]}, {}, node.outputs);
}

// Rsqrt is not an ONNX op (oneflow-onnx's rms_layer_norm emitted it anyway).
void export_rsqrt(const ir::Node& node, ExportContext& ctx) {
  ctx.emit("Reciprocal", {ctx.emit("Sqrt", node.inputs)}, {}, node.outputs);
}

void export_silu(const ir::Node& node, ExportContext& ctx) {
  ctx.emit("Mul", {node.inputs[0], ctx.emit("Sigmoid", node.inputs)}, {}, node.outputs);
}

// The Gelu op exists from opset 20; before, both forms are spelled out.
constexpr int kGeluOpset = 20;

// 0.5 * x * (1 + erf(x / sqrt(2)))
void export_gelu(const ir::Node& node, ExportContext& ctx) {
  const std::string& x = node.inputs[0];
  if (ctx.opset() >= kGeluOpset) {
    ctx.emit("Gelu", {x}, {}, node.outputs);
    return;
  }
  std::string erf = ctx.emit("Erf", {ctx.emit("Div", {x, scalar_like(ctx, node, x, std::numbers::sqrt2, "sqrt2")})});
  std::string one_plus = ctx.emit("Add", {erf, scalar_like(ctx, node, x, 1.0, "one")});
  std::string half_x = ctx.emit("Mul", {x, scalar_like(ctx, node, x, 0.5, "half")});
  ctx.emit("Mul", {half_x, one_plus}, {}, node.outputs);
}

// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))
void export_fast_gelu(const ir::Node& node, ExportContext& ctx) {
  const std::string& x = node.inputs[0];
  if (ctx.opset() >= kGeluOpset) {
    ctx.emit("Gelu", {x}, {{"approximate", std::string("tanh")}}, node.outputs);
    return;
  }
  std::string cube = ctx.emit("Mul", {ctx.emit("Mul", {x, x}), x});
  std::string inner = ctx.emit("Add", {x, ctx.emit("Mul", {cube, scalar_like(ctx, node, x, 0.044715, "coefficient")})});
  std::string scaled = ctx.emit("Mul", {inner, scalar_like(ctx, node, x, std::sqrt(2.0 / std::numbers::pi), "scale")});
  std::string one_plus = ctx.emit("Add", {ctx.emit("Tanh", {scaled}), scalar_like(ctx, node, x, 1.0, "one")});
  std::string half_x = ctx.emit("Mul", {x, scalar_like(ctx, node, x, 0.5, "half")});
  ctx.emit("Mul", {half_x, one_plus}, {}, node.outputs);
}

void export_quick_gelu(const ir::Node& node, ExportContext& ctx) {
  const std::string& x = node.inputs[0];
  std::string gate = ctx.emit("Sigmoid", {ctx.emit("Mul", {x, scalar_like(ctx, node, x, 1.702, "scale")})});
  ctx.emit("Mul", {x, gate}, {}, node.outputs);
}

// HardSwish exists from opset 14; before, x * HardSigmoid(x; 1/6, 1/2) is the same function.
void export_hardswish(const ir::Node& node, ExportContext& ctx) {
  if (ctx.opset() >= 14) {
    ctx.emit("HardSwish", node.inputs, {}, node.outputs);
    return;
  }
  ctx.emit("Mul", {node.inputs[0], ctx.emit("HardSigmoid", node.inputs, kHardSigmoid)}, {}, node.outputs);
}

void export_leaky_relu(const ir::Node& node, ExportContext& ctx) {
  ctx.emit("LeakyRelu", node.inputs, {{"alpha", node.attrs.get_float("alpha")}}, node.outputs);
}

void export_elu(const ir::Node& node, ExportContext& ctx) {
  ctx.emit("Elu", node.inputs, {{"alpha", node.attrs.get_float("alpha")}}, node.outputs);
}

// Softplus(beta * x) / beta. OneFlow's threshold (x itself where beta * x > threshold) differs
// from that by less than exp(-threshold) / beta, below float resolution at the default 20.
void export_softplus(const ir::Node& node, ExportContext& ctx) {
  double beta = node.attrs.get_float("beta");
  const std::string& x = node.inputs[0];
  if (beta == 1.0) {
    ctx.emit("Softplus", node.inputs, {}, node.outputs);
    return;
  }
  std::string b = scalar_like(ctx, node, x, beta, "beta");
  ctx.emit("Div", {ctx.emit("Softplus", {ctx.emit("Mul", {x, b})}), b}, {}, node.outputs);
}

// Clip with optional bounds: attributes before opset 11, inputs from 11 ("" = no bound).
ExportHandler clip(const char* low_attr, const char* high_attr) {
  return [low_attr, high_attr](const ir::Node& node, ExportContext& ctx) {
    const std::string& x = node.inputs[0];
    if (ctx.opset() < 11) {
      ir::Attributes attrs;
      if (low_attr) attrs.set("min", node.attrs.get_float(low_attr));
      if (high_attr) attrs.set("max", node.attrs.get_float(high_attr));
      ctx.emit("Clip", {x}, attrs, node.outputs);
      return;
    }
    std::string low = low_attr ? scalar_like(ctx, node, x, node.attrs.get_float(low_attr), "min") : "";
    std::string high = high_attr ? scalar_like(ctx, node, x, node.attrs.get_float(high_attr), "max") : "";
    std::vector<std::string> inputs{x, low};
    if (high_attr) inputs.push_back(high);
    ctx.emit("Clip", inputs, {}, node.outputs);
  };
}

// x (op) OneFlow's scalar operand, as a constant of x's dtype.
ExportHandler scalar_op(const char* onnx_op) {
  return [onnx_op](const ir::Node& node, ExportContext& ctx) {
    std::string operand = scalar_like(ctx, node, node.inputs[0], flow::scalar_operand(node.attrs), "operand");
    ctx.emit(onnx_op, {node.inputs[0], operand}, {}, node.outputs);
  };
}

// fill_: the value expanded to x's runtime shape, so a dynamic batch stays dynamic.
void export_fill(const ir::Node& node, ExportContext& ctx) {
  std::string value = scalar_like(ctx, node, node.inputs[0], flow::fill_value(node.attrs), "value");
  ctx.emit("Expand", {value, ctx.emit("Shape", node.inputs)}, {}, node.outputs);
}

void export_logical_not(const ir::Node& node, ExportContext& ctx) {
  ctx.emit("Not", {as_bool(ctx, node.inputs[0])}, {}, node.outputs);
}

ExportHandler logical(const char* onnx_op) {
  return [onnx_op](const ir::Node& node, ExportContext& ctx) {
    ctx.emit(onnx_op, {as_bool(ctx, node.inputs[0]), as_bool(ctx, node.inputs[1])}, {}, node.outputs);
  };
}

void export_squared_difference(const ir::Node& node, ExportContext& ctx) {
  std::string difference = ctx.emit("Sub", node.inputs);
  ctx.emit("Mul", {difference, difference}, {}, node.outputs);
}

// x - floor(x / y) * y: Python's modulo for floats (ONNX Mod with fmod=0 takes integers only).
void export_floor_mod(const ir::Node& node, ExportContext& ctx) {
  std::string quotient = ctx.emit("Floor", {ctx.emit("Div", node.inputs)});
  ctx.emit("Sub", {node.inputs[0], ctx.emit("Mul", {quotient, node.inputs[1]})}, {}, node.outputs);
}

// Equal takes floats from opset 11; before, x == y is "neither x < y nor x > y" (which also
// calls NaN equal to NaN — the one difference, documented in docs/ops.md).
std::string emit_equal(const ir::Node& node, ExportContext& ctx, std::vector<std::string> outputs) {
  if (ctx.opset() >= 11 || !is_floating(ctx.type(node.inputs[0]).dtype))
    return ctx.emit("Equal", node.inputs, {}, std::move(outputs));
  std::string unordered = ctx.emit("Or", {ctx.emit("Less", node.inputs), ctx.emit("Greater", node.inputs)});
  return ctx.emit("Not", {unordered}, {}, std::move(outputs));
}

void export_equal(const ir::Node& node, ExportContext& ctx) { emit_equal(node, ctx, node.outputs); }
void export_not_equal(const ir::Node& node, ExportContext& ctx) {
  ctx.emit("Not", {emit_equal(node, ctx, {})}, {}, node.outputs);
}

// GreaterOrEqual / LessOrEqual exist from opset 12; before, not (x < y) / not (x > y).
ExportHandler or_equal(const char* onnx_op, const char* negated_op) {
  return [onnx_op, negated_op](const ir::Node& node, ExportContext& ctx) {
    if (ctx.opset() >= 12) ctx.emit(onnx_op, node.inputs, {}, node.outputs);
    else ctx.emit("Not", {ctx.emit(negated_op, node.inputs)}, {}, node.outputs);
  };
}

// alpha [C] -> [C, 1, ..., 1] so ONNX's unidirectional broadcasting lines it up with dim 1.
void export_prelu(const ir::Node& node, ExportContext& ctx) {
  size_t rank = ctx.type(node.inputs[0]).shape->size();
  Shape target(rank - 1, 1);
  target[0] = ctx.shape(node.inputs[1])[0];
  std::string alpha = node.inputs[1];
  if (const Tensor* data = ctx.constant(alpha)) alpha = ctx.add_constant(alpha + "/reshaped", data->reshape(target));
  else alpha = ctx.emit("Reshape", {alpha, ctx.add_int64s(node.name + "/alpha_shape", target)});
  ctx.emit("PRelu", {node.inputs[0], alpha}, {}, node.outputs);
}

struct Row {
  const char* op;
  ExportHandler handler;
  std::vector<OpsetMapping> mappings;
};

std::vector<Row> rows() {
  std::vector<Row> table;
  // Ops that are one ONNX op of the same meaning at every supported opset.
  const std::pair<const char*, const char*> same[] = {
      {"abs", "Abs"},   {"neg", "Neg"},   {"sign", "Sign"},   {"ceil", "Ceil"},     {"floor", "Floor"},
      {"exp", "Exp"},   {"log", "Log"},   {"sqrt", "Sqrt"},   {"reciprocal", "Reciprocal"},
      {"erf", "Erf"},   {"sigmoid", "Sigmoid"}, {"sigmoid_v2", "Sigmoid"}, {"tanh", "Tanh"},
      {"sin", "Sin"},   {"cos", "Cos"},   {"tan", "Tan"},     {"asin", "Asin"},     {"acos", "Acos"},
      {"atan", "Atan"}, {"sinh", "Sinh"}, {"cosh", "Cosh"},   {"asinh", "Asinh"},   {"acosh", "Acosh"},
      {"atanh", "Atanh"}, {"broadcast_minimum", "Min"}, {"broadcast_maximum", "Max"},
      {"elementwise_minimum", "Min"}, {"elementwise_maximum", "Max"},
      {"broadcast_greater", "Greater"}, {"broadcast_less", "Less"}};
  for (auto [op, onnx_op] : same) table.push_back({op, same_op(onnx_op), {{9, onnx_op}}});
  table.push_back({"round", same_op("Round"), {{11, "Round"}}});  // refused below 11: no exact lowering
  table.push_back({"square", export_square, {{9, "Mul(x, x)"}}});
  table.push_back({"rsqrt", export_rsqrt, {{9, "Reciprocal(Sqrt)"}}});
  table.push_back({"silu", export_silu, {{9, "Mul(x, Sigmoid)"}}});
  table.push_back({"gelu", export_gelu, {{9, "0.5*x*(1+Erf(x/sqrt2)) (Div, Erf, Add, Mul)"}, {20, "Gelu"}}});
  table.push_back({"fast_gelu", export_fast_gelu, {{9, "tanh approximation (Mul, Add, Tanh)"}, {20, "Gelu(approximate tanh)"}}});
  table.push_back({"quick_gelu", export_quick_gelu, {{9, "Mul(x, Sigmoid(1.702*x))"}}});
  table.push_back({"hardsigmoid", same_op("HardSigmoid", kHardSigmoid), {{9, "HardSigmoid(alpha=1/6)"}}});
  table.push_back({"hardswish", export_hardswish, {{9, "Mul(x, HardSigmoid(alpha=1/6))"}, {14, "HardSwish"}}});
  table.push_back({"leaky_relu", export_leaky_relu, {{9, "LeakyRelu"}}});
  table.push_back({"elu", export_elu, {{9, "Elu"}}});
  table.push_back({"softplus", export_softplus, {{9, "Softplus (beta != 1: Div(Softplus(Mul)))"}}});
  const std::vector<OpsetMapping> clip_mapping{{9, "Clip(min/max attrs)"}, {11, "Clip(min/max inputs)"}};
  table.push_back({"hardtanh", clip("min_val", "max_val"), clip_mapping});
  table.push_back({"clip_by_scalar", clip("floating_min", "floating_max"), clip_mapping});
  table.push_back({"clip_by_scalar_min", clip("floating_min", nullptr), clip_mapping});
  table.push_back({"clip_by_scalar_max", clip(nullptr, "floating_max"), clip_mapping});
  table.push_back({"scalar_add", scalar_op("Add"), {{9, "Add(x, const)"}}});
  table.push_back({"scalar_mul", scalar_op("Mul"), {{9, "Mul(x, const)"}}});
  table.push_back({"scalar_div", scalar_op("Div"), {{9, "Div(x, const)"}}});
  table.push_back({"scalar_pow", scalar_op("Pow"), {{9, "Pow(x, const)"}}});
  table.push_back({"scalar_logical_less", scalar_op("Less"), {{9, "Less(x, const)"}}});
  table.push_back({"scalar_logical_greater", scalar_op("Greater"), {{9, "Greater(x, const)"}}});
  table.push_back({"fill_", export_fill, {{9, "Expand(const, Shape(x))"}}});
  table.push_back({"logical_not", export_logical_not, {{9, "Not (Cast to bool first)"}}});
  table.push_back({"broadcast_logical_and", logical("And"), {{9, "And (Cast to bool first)"}}});
  table.push_back({"broadcast_logical_or", logical("Or"), {{9, "Or (Cast to bool first)"}}});
  table.push_back({"squared_difference", export_squared_difference, {{9, "Mul(Sub, Sub)"}}});
  table.push_back({"broadcast_floor_mod", export_floor_mod, {{9, "x - Floor(x / y) * y"}}});
  table.push_back({"broadcast_equal", export_equal, {{9, "Not(Or(Less, Greater)) for floats"}, {11, "Equal"}}});
  table.push_back({"broadcast_not_equal", export_not_equal, {{9, "Not(Not(Or(Less, Greater))) for floats"}, {11, "Not(Equal)"}}});
  table.push_back({"broadcast_greater_equal", or_equal("GreaterOrEqual", "Less"), {{9, "Not(Less)"}, {12, "GreaterOrEqual"}}});
  table.push_back({"broadcast_less_equal", or_equal("LessOrEqual", "Greater"), {{9, "Not(Greater)"}, {12, "LessOrEqual"}}});
  table.push_back({"prelu", export_prelu, {{9, "PRelu (alpha reshaped to [C,1,..])"}}});
  return table;
}

}  // namespace

void register_math_elementwise_handlers(HandlerRegistry& registry) {
  for (Row& row : rows())
    registry.add(row.op, std::move(row.handler), std::move(row.mappings),
                 std::string(kMathOpsExportTest) + row.op);
}

}  // namespace flowonnx::exporter
