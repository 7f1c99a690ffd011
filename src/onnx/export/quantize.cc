// Export handlers of the quantize family: min_max_observer, moving_average_min_max_observer and
// fake_quantization (OneFlow's quantization-aware-training ops).
//
// Observers on constants (the usual case: weights, or the stored moving min/max of an eval-mode
// graph) are folded: the framework op itself computes scale and zero_point, which become
// initializers, so the exported numbers are eager's bit for bit. On other inputs the same
// formulas are emitted as ONNX arithmetic. fake_quantization becomes QuantizeLinear +
// DequantizeLinear: symmetric (and cambricon) ranges are int8 with zero point 0, affine ranges
// are uint8; per-channel scales (axis 0) need opset 13. Only 8-bit quantization has an ONNX
// form (QuantizeLinear's int8 / uint8).
#include <cmath>

#include <fmt/format.h>

#include "flow/dispatch.h"
#include "onnx/export/handler_registry.h"

namespace flowonnx::exporter {
namespace {

using Ints = std::vector<int64_t>;

constexpr int kFirstQuantizeOpset = 10;  // QuantizeLinear / DequantizeLinear
constexpr int kRoundOpset = 11;          // Round
constexpr int kPerAxisOpset = 13;        // QuantizeLinear's axis attribute

void require_quantize_opset(const ir::Node& node, ExportContext& ctx) {
  FLOWONNX_REQUIRE(ctx.opset() >= kFirstQuantizeOpset,
                   "export: node '{}' {} needs opset >= {} (QuantizeLinear), got opset {}", node.name, node.op_type,
                   kFirstQuantizeOpset, ctx.opset());
}

// A scalar of the value's floating dtype.
Tensor scalar_like(DType dtype, double value) { return Tensor::scalar<double>(value).to(dtype); }

// Emits `tensor` as the value `name`: an initializer under that very name when the name is free
// (so a following fake_quantization finds a constant), else (a graph output) an initializer
// copied by Identity; a fake_quantization reading that output then takes the computed path.
void emit_constant(ExportContext& ctx, const std::string& name, Tensor tensor) {
  std::string added = ctx.add_constant(name, std::move(tensor));
  if (added != name) ctx.emit("Identity", {added}, {}, {name});
}

// Runs the framework op on constant inputs and emits its outputs as constants.
void emit_folded(const ir::Node& node, ExportContext& ctx, const std::vector<Tensor>& inputs) {
  std::vector<Tensor> outputs = flow::call_op(node.op_type, inputs, node.attrs);
  for (size_t i = 0; i < outputs.size(); ++i) emit_constant(ctx, node.outputs[i], outputs[i]);
}

std::string emit_scalar(ExportContext& ctx, const ir::Node& node, const char* what, DType dtype, double value) {
  return ctx.add_constant(node.name + "/" + what, scalar_like(dtype, value));
}

void refuse_cambricon_arithmetic(const ir::Node& node) {
  FLOWONNX_REQUIRE(node.attrs.get_string("quantization_formula") != "cambricon",
                   "export: node '{}' {}: the cambricon formula (floor(log2(max))) is exported only for constant "
                   "inputs, where it is folded; ONNX has no exact log2 for a computed one",
                   node.name, node.op_type);
}

double symmetric_denominator(int64_t bit) { return std::pow(2.0, bit - 1) - 1; }
double affine_denominator(int64_t bit) { return std::pow(2.0, bit) - 1; }

// scale, zero_point of min_max_observer from its input: per-tensor or per slice along axis 0.
void export_min_max_observer(const ir::Node& node, ExportContext& ctx) {
  require_quantize_opset(node, ctx);
  const std::string& x = node.inputs[0];
  if (const Tensor* constant = ctx.constant(x)) {
    emit_folded(node, ctx, {constant->clone()});
    return;
  }
  refuse_cambricon_arithmetic(node);
  DType dtype = ctx.type(x).dtype;
  bool affine = node.attrs.get_string("quantization_scheme") == "affine";
  FLOWONNX_REQUIRE(!affine || ctx.opset() >= kRoundOpset,
                   "export: node '{}' min_max_observer: the affine zero point of a computed input needs Round, "
                   "which exists from opset {}; got opset {}", node.name, kRoundOpset, ctx.opset());
  int64_t outer = node.attrs.get_bool("per_layer_quantization") ? 1 : ctx.shape(x)[0];
  int64_t bit = node.attrs.get_int("quantization_bit");
  std::string rows = ctx.emit("Reshape", {x, ctx.add_int64s(node.name + "/rows", {outer, -1})});
  std::string max = ctx.emit_reduce("ReduceMax", rows, {1}, false);
  std::string min = ctx.emit_reduce("ReduceMin", rows, {1}, false);
  if (!affine) {
    std::string abs_max = ctx.emit("Max", {ctx.emit("Abs", {max}), ctx.emit("Abs", {min})});
    ctx.emit("Div", {abs_max, emit_scalar(ctx, node, "denominator", dtype, symmetric_denominator(bit))}, {},
             {node.outputs[0]});
    emit_constant(ctx, node.outputs[1], Tensor::zeros({outer}, dtype));
    return;
  }
  std::string scale = ctx.emit("Div", {ctx.emit("Sub", {max, min}),
                                       emit_scalar(ctx, node, "denominator", dtype, affine_denominator(bit))},
                               {}, {node.outputs[0]});
  ctx.emit("Neg", {ctx.emit("Round", {ctx.emit("Div", {min, scale})})}, {}, {node.outputs[1]});
}

// Eval mode reads the stored moving_max / moving_min. Training mode updates them, which an
// inference graph cannot, unless current_train_step is a constant past stop_update_after_iters.
void export_moving_average_observer(const ir::Node& node, ExportContext& ctx) {
  require_quantize_opset(node, ctx);
  const Tensor* step = ctx.constant(node.inputs[1]);
  if (node.attrs.get_bool("training")) {
    bool frozen = step && step->data<int64_t>()[0] > node.attrs.get_int("stop_update_after_iters");
    FLOWONNX_REQUIRE(frozen, "export: node '{}' moving_average_min_max_observer with training=1 updates its moving "
                     "min/max, which an ONNX graph cannot; export the model in eval mode (training=0)", node.name);
  }
  DType dtype = ctx.type(node.inputs[0]).dtype;
  const std::string& moving_max = node.inputs[2];
  const std::string& moving_min = node.inputs[3];
  const Tensor* max_constant = ctx.constant(moving_max);
  const Tensor* min_constant = ctx.constant(moving_min);
  if (max_constant && min_constant) {
    // `in` only feeds the state update, which is off here: a placeholder stands in for it.
    Tensor step_value = step ? step->clone() : Tensor::zeros({1}, DType::Int64);
    emit_folded(node, ctx, {Tensor::zeros({1}, dtype), step_value, max_constant->clone(), min_constant->clone()});
    return;
  }
  refuse_cambricon_arithmetic(node);
  int64_t bit = node.attrs.get_int("quantization_bit");
  if (node.attrs.get_string("quantization_scheme") == "symmetric") {
    ctx.emit("Div", {moving_max, emit_scalar(ctx, node, "denominator", dtype, symmetric_denominator(bit))}, {},
             {node.outputs[0]});
    emit_constant(ctx, node.outputs[1], Tensor::zeros({1}, dtype));
    return;
  }
  std::string scale = ctx.emit("Div", {ctx.emit("Sub", {moving_max, moving_min}),
                                       emit_scalar(ctx, node, "denominator", dtype, affine_denominator(bit))},
                               {}, {node.outputs[0]});
  ctx.emit("Neg", {ctx.emit("Div", {moving_min, scale})}, {}, {node.outputs[1]});  // unrounded, as OneFlow
}

// The QuantizeLinear scale: a scalar per-tensor (a 1-element 1-D scale would mean per-axis at
// opset 13), the [C] tensor per-channel; cambricon's shift s becomes the step 2^trunc(s).
std::string onnx_scale(const ir::Node& node, ExportContext& ctx, bool per_channel) {
  const std::string& scale = node.inputs[1];
  bool cambricon = node.attrs.get_string("quantization_formula") == "cambricon";
  if (const Tensor* constant = ctx.constant(scale)) {
    if (per_channel) return ctx.add_constant(node.name + "/scale", constant->to(DType::Float32));
    double value = constant->to_double_vector()[0];
    if (cambricon) value = std::pow(2.0, static_cast<int32_t>(value));
    return ctx.add_constant(node.name + "/scale", Tensor::scalar<float>(static_cast<float>(value)));
  }
  if (per_channel) return scale;
  std::string step = scale;
  if (cambricon) {  // on the [1] tensor: our runtime's rank-0 broadcast loop is not safe
    std::string truncated = ctx.emit("Cast", {ctx.emit("Cast", {scale}, {{"to", int64_t{6}}})},  // int32, float
                                     {{"to", int64_t{1}}});
    step = ctx.emit("Pow", {ctx.add_constant(node.name + "/two", Tensor::from_vector<float>({1}, {2.0f})), truncated});
  }
  return ctx.emit("Reshape", {step, ctx.add_int64s(node.name + "/scalar_shape", {})});
}

// The QuantizeLinear zero point: int8 zeros for symmetric / cambricon (OneFlow ignores the
// input there), else uint8 round(zero_point) saturated to 0..255 (see fake_quantization).
std::string onnx_zero_point(const ir::Node& node, ExportContext& ctx, bool per_channel, int64_t channels) {
  const std::string& zero_point = node.inputs[2];
  Shape shape = per_channel ? Shape{channels} : Shape{};
  bool affine = node.attrs.get_string("quantization_formula") == "google" &&
                node.attrs.get_string("quantization_scheme") == "affine";
  if (!affine) return ctx.add_constant(node.name + "/zero_point", Tensor::zeros(shape, DType::Int8));
  if (const Tensor* constant = ctx.constant(zero_point)) {
    std::vector<double> values = constant->to_double_vector();
    if (!per_channel) values.resize(1);
    for (double& v : values) v = std::clamp(std::round(v), 0.0, 255.0);
    return ctx.add_constant(node.name + "/zero_point", Tensor::from_vector<double>(shape, values).to(DType::UInt8));
  }
  FLOWONNX_REQUIRE(ctx.opset() >= kRoundOpset,
                   "export: node '{}' fake_quantization: a computed affine zero_point is rounded with Round, which "
                   "exists from opset {}; got opset {}", node.name, kRoundOpset, ctx.opset());
  std::string rounded = ctx.emit("Round", {zero_point});
  std::string clipped = ctx.emit("Clip", {rounded, ctx.add_constant(node.name + "/zp_low", Tensor::scalar<float>(0)),
                                          ctx.add_constant(node.name + "/zp_high", Tensor::scalar<float>(255))});
  std::string as_uint8 = ctx.emit("Cast", {clipped}, {{"to", int64_t{2}}});  // uint8
  if (per_channel) return as_uint8;
  return ctx.emit("Reshape", {as_uint8, ctx.add_int64s(node.name + "/zp_scalar_shape", {})});
}

void export_fake_quantization(const ir::Node& node, ExportContext& ctx) {
  require_quantize_opset(node, ctx);
  int64_t bit = node.attrs.get_int("quantization_bit");
  FLOWONNX_REQUIRE(bit == 8,
                   "export: node '{}' fake_quantization has quantization_bit {}: ONNX QuantizeLinear only has the "
                   "8-bit int8/uint8 ranges, so only quantization_bit 8 can be exported", node.name, bit);
  DType dtype = ctx.type(node.inputs[0]).dtype;
  FLOWONNX_REQUIRE(dtype == DType::Float32,
                   "export: node '{}' fake_quantization: QuantizeLinear (opset <= 17) takes float32, input 'in' is {}",
                   node.name, dtype_name(dtype));
  int64_t channels = ctx.shape(node.inputs[1])[0];
  bool cambricon = node.attrs.get_string("quantization_formula") == "cambricon";
  FLOWONNX_REQUIRE(!cambricon || channels == 1,
                   "export: node '{}' fake_quantization: the cambricon formula takes a 1-element scale, got {}",
                   node.name, channels);
  bool per_channel = channels > 1;
  FLOWONNX_REQUIRE(!per_channel || ctx.opset() >= kPerAxisOpset,
                   "export: node '{}' fake_quantization has a per-channel scale ({} channels): per-channel "
                   "QuantizeLinear needs opset {} (axis attribute), got opset {}",
                   node.name, channels, kPerAxisOpset, ctx.opset());
  std::string scale = onnx_scale(node, ctx, per_channel);
  std::string zero_point = onnx_zero_point(node, ctx, per_channel, channels);
  ir::Attributes attrs;
  if (per_channel) attrs.set("axis", int64_t{0});
  std::string quantized = ctx.emit("QuantizeLinear", {node.inputs[0], scale, zero_point}, attrs);
  ctx.emit("DequantizeLinear", {quantized, scale, zero_point}, attrs, {node.outputs[0]});
}

}  // namespace

void register_quantize_handlers(HandlerRegistry& registry) {
  registry.add("min_max_observer", export_min_max_observer,
               {{10, "folded to scale/zero_point initializers (constant input); else Reshape, ReduceMax, ReduceMin, "
                     "Abs, Max, Div (symmetric)"},
                {11, "as opset 10; affine on a computed input: Sub, Div, Round, Neg"}},
               "QuantizeExport.MinMaxObserver");
  registry.add("moving_average_min_max_observer", export_moving_average_observer,
               {{10, "folded to scale/zero_point initializers (constant moving_max/min, eval mode); else Div "
                     "(symmetric) or Sub, Div, Neg (affine)"}},
               "QuantizeExport.MovingAverageObserver");
  registry.add("fake_quantization", export_fake_quantization,
               {{10, "QuantizeLinear + DequantizeLinear (per-tensor scalar scale; int8 / uint8 zero point)"},
                {13, "QuantizeLinear + DequantizeLinear (per-channel: axis 0)"}},
               "QuantizeExport.FakeQuantization");
}

}  // namespace flowonnx::exporter
