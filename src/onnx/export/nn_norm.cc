// Export handlers of the normalisations: normalization -> BatchNormalization; layer_norm ->
// LayerNormalization (opset 17) or a ReduceMean subgraph; rms_norm / rms_layer_norm ->
// RMSNormalization (opset 23) or a ReduceMean/Sqrt/Reciprocal subgraph (plain ONNX ops:
// oneflow-onnx emitted a non-existent Rsqrt); group_norm -> GroupNormalization from opset 21 (18's version scaled per group, not
// per channel, and was deprecated), before that Reshape + InstanceNormalization + Reshape + affine.
#include "onnx/export/nn_norm.h"

namespace flowonnx::exporter {
namespace {

using Ints = std::vector<int64_t>;

// Inference form only (the tracer records eval-mode graphs).
void export_normalization(const ir::Node& node, ExportContext& ctx) {
  FLOWONNX_REQUIRE(!node.attrs.get_bool("training"),
                   "export: node '{}' is a training-mode normalization; call eval() before compile()", node.name);
  const auto& in = node.inputs;  // x, moving_mean, moving_variance, gamma, beta
  ctx.emit("BatchNormalization", {in[0], in[3], in[4], in[1], in[2]},
           {{"epsilon", node.attrs.get_float("epsilon")}}, node.outputs);
}

Ints trailing_axes(int64_t axis, int64_t rank) {
  Ints axes;
  for (int64_t a = axis; a < rank; ++a) axes.push_back(a);
  return axes;
}

std::string epsilon_constant(const ir::Node& node, ExportContext& ctx) {
  return ctx.add_constant(node.name + "/epsilon", Tensor::scalar<float>(static_cast<float>(node.attrs.get_float("epsilon"))));
}

// y = x / sqrt(mean(x^2 over axes) + eps), times `weight` when given; `outputs` names the result.
void emit_rms(const ir::Node& node, ExportContext& ctx, const Ints& axes, const std::string& weight) {
  const std::string& x = node.inputs[0];
  std::string mean_square = ctx.emit_reduce("ReduceMean", ctx.emit("Mul", {x, x}), axes, true);
  std::string inv_rms = ctx.emit("Reciprocal", {ctx.emit("Sqrt", {ctx.emit("Add", {mean_square, epsilon_constant(node, ctx)})})});
  if (weight.empty()) {
    ctx.emit("Mul", {x, inv_rms}, {}, node.outputs);
  } else {
    ctx.emit("Mul", {ctx.emit("Mul", {x, inv_rms}), weight}, {}, node.outputs);
  }
}

constexpr int kRmsNormalizationOpset = 23;

void export_rms_norm(const ir::Node& node, ExportContext& ctx) {
  const std::string& x = node.inputs[0];
  int64_t rank = static_cast<int64_t>(ctx.type(x).shape->size());
  int64_t count = node.op_type == "rms_layer_norm" ? 1 : static_cast<int64_t>(node.attrs.get_ints("normalized_shape").size());
  std::string weight = node.inputs.size() > 1 ? node.inputs[1] : std::string();
  if (ctx.opset() < kRmsNormalizationOpset) {
    emit_rms(node, ctx, trailing_axes(rank - count, rank), weight);
    return;
  }
  if (weight.empty()) {  // RMSNormalization's scale is required: ones over the normalised dims
    Shape normalised(ctx.shape(x).end() - count, ctx.shape(x).end());
    weight = ctx.add_constant(node.name + "/ones", Tensor::full(normalised, 1.0, ctx.type(x).dtype));
  }
  ctx.emit("RMSNormalization", {x, weight}, {{"axis", rank - count}, {"epsilon", node.attrs.get_float("epsilon")}},
           node.outputs);
}

void export_layer_norm(const ir::Node& node, ExportContext& ctx) {
  int64_t rank = static_cast<int64_t>(ctx.type(node.inputs[0]).shape->size());
  int64_t axis = node.attrs.get_int("begin_norm_axis");
  if (axis < 0) axis += rank;
  bool scale = node.attrs.get_bool("scale"), center = node.attrs.get_bool("center");
  std::string gamma = scale ? node.inputs[1] : std::string();
  std::string beta = center ? node.inputs[scale ? 2 : 1] : std::string();
  float epsilon = static_cast<float>(node.attrs.get_float("epsilon"));
  if (ctx.opset() >= 17) {
    if (gamma.empty()) {  // LayerNormalization's Scale is required; the normalised dims are static
      Shape param;
      for (int64_t a = axis; a < rank; ++a) param.push_back(ctx.type(node.inputs[0]).shape->at(a).value);
      gamma = ctx.add_constant(node.name + "/ones", Tensor::full(param, 1.0));
    }
    std::vector<std::string> inputs{node.inputs[0], gamma};
    if (!beta.empty()) inputs.push_back(beta);
    ctx.emit("LayerNormalization", inputs, {{"axis", axis}, {"epsilon", double(epsilon)}}, node.outputs);
    return;
  }
  Ints axes = trailing_axes(axis, rank);
  std::string centred = ctx.emit("Sub", {node.inputs[0], ctx.emit_reduce("ReduceMean", node.inputs[0], axes, true)});
  std::string variance = ctx.emit_reduce("ReduceMean", ctx.emit("Mul", {centred, centred}), axes, true);
  std::string std_dev = ctx.emit("Sqrt", {ctx.emit("Add", {variance, epsilon_constant(node, ctx)})});
  if (gamma.empty() && beta.empty()) {
    ctx.emit("Div", {centred, std_dev}, {}, node.outputs);
    return;
  }
  std::string y = ctx.emit("Div", {centred, std_dev});
  if (!gamma.empty()) y = ctx.emit("Mul", {y, gamma}, {}, beta.empty() ? node.outputs : std::vector<std::string>{});
  if (!beta.empty()) ctx.emit("Add", {y, beta}, {}, node.outputs);
}

// [C] -> [C, 1, ..., 1] so it broadcasts over x's spatial dims.
std::string per_channel(const std::string& param, int64_t rank, ExportContext& ctx, const std::string& base) {
  Shape target(rank - 1, 1);
  target[0] = ctx.shape(param)[0];
  if (const Tensor* data = ctx.constant(param)) return ctx.add_constant(base, data->reshape(target));
  return ctx.emit("Reshape", {param, ctx.add_int64s(base + "_shape", target)});
}

constexpr int kGroupNormalizationOpset = 21;

void export_group_norm(const ir::Node& node, ExportContext& ctx) {
  const std::string& x = node.inputs[0];
  int64_t rank = static_cast<int64_t>(ctx.type(x).shape->size());
  int64_t groups = node.attrs.get_int("num_groups");
  bool affine = node.inputs.size() == 3;
  if (ctx.opset() >= kGroupNormalizationOpset) {
    int64_t channels = ctx.shape(x)[1];
    std::string scale = affine ? node.inputs[1] : ctx.add_constant(node.name + "/ones", Tensor::full({channels}, 1.0));
    std::string bias = affine ? node.inputs[2] : ctx.add_constant(node.name + "/zeros", Tensor::zeros({channels}));
    ctx.emit("GroupNormalization", {x, scale, bias},
             {{"num_groups", groups}, {"epsilon", node.attrs.get_float("epsilon")}}, node.outputs);
    return;
  }
  // [N, G, rest] keeps the batch symbolic (0 copies it); the way back takes x's own shape.
  std::string grouped = ctx.emit("Reshape", {x, ctx.add_int64s(node.name + "/grouped_shape", {0, groups, -1})});
  std::string normalised = ctx.emit(
      "InstanceNormalization",
      {grouped, ctx.add_constant(node.name + "/ones", Tensor::full({groups}, 1.0)),
       ctx.add_constant(node.name + "/zeros", Tensor::zeros({groups}))},
      {{"epsilon", node.attrs.get_float("epsilon")}});
  std::string y = ctx.emit("Reshape", {normalised, ctx.emit("Shape", {x})}, {},
                           affine ? std::vector<std::string>{} : node.outputs);
  if (!affine) return;
  y = ctx.emit("Mul", {y, per_channel(node.inputs[1], rank, ctx, node.name + "/gamma")});
  ctx.emit("Add", {y, per_channel(node.inputs[2], rank, ctx, node.name + "/beta")}, {}, node.outputs);
}

}  // namespace

void register_nn_norm_handlers(HandlerRegistry& registry) {
  registry.add("normalization", export_normalization, {{9, "BatchNormalization"}}, nn_export_test("normalization"));
  registry.add("layer_norm", export_layer_norm,
               {{9, "ReduceMean/Sub/Mul/ReduceMean/Add/Sqrt/Div (+Mul, Add)"}, {17, "LayerNormalization"}}, nn_export_test("layer_norm"));
  for (const char* name : {"rms_norm", "rms_layer_norm"})
    registry.add(name, export_rms_norm,
                 {{9, "Mul/ReduceMean/Add/Sqrt/Reciprocal/Mul (+Mul weight)"}, {23, "RMSNormalization"}},
                 nn_export_test(name));
  registry.add("group_norm", export_group_norm,
               {{9, "Reshape/InstanceNormalization/Shape/Reshape (+Mul, Add)"}, {21, "GroupNormalization"}}, nn_export_test("group_norm"));
}

}  // namespace flowonnx::exporter
