// Export handlers of the nn family: conv2d, normalization, max_pool_2d, avg_pool_2d,
// adaptive_avg_pool2d.
#include "onnx/export/handler_registry.h"

namespace flowonnx::exporter {
namespace {

using Ints = std::vector<int64_t>;

// [a, b] -> [a, b, a, b]: OneFlow pads symmetrically, ONNX lists begins then ends.
Ints symmetric_pads(const Ints& pads) {
  Ints two = pads.size() == 1 ? Ints{pads[0], pads[0]} : pads;
  return {two[0], two[1], two[0], two[1]};
}

Ints pair(const Ints& values) { return values.size() == 1 ? Ints{values[0], values[0]} : values; }

void export_conv2d(const ir::Node& node, ExportContext& ctx) {
  Shape weight = ctx.shape(node.inputs[1]);
  ctx.emit("Conv", node.inputs,
           {{"kernel_shape", Ints{weight[2], weight[3]}},
            {"strides", pair(node.attrs.get_ints("strides"))},
            {"pads", symmetric_pads(node.attrs.get_ints("padding_before"))},
            {"dilations", pair(node.attrs.get_ints("dilation_rate"))},
            {"group", node.attrs.get_int("groups")}},
           node.outputs);
}

// Inference form only (the tracer records eval-mode graphs).
void export_normalization(const ir::Node& node, ExportContext& ctx) {
  FLOWONNX_REQUIRE(!node.attrs.get_bool("training"),
                   "export: node '{}' is a training-mode normalization; call eval() before compile()", node.name);
  const auto& in = node.inputs;  // x, moving_mean, moving_variance, gamma, beta
  ctx.emit("BatchNormalization", {in[0], in[3], in[4], in[1], in[2]},
           {{"epsilon", node.attrs.get_float("epsilon")}}, node.outputs);
}

// ceil_mode is an attribute from opset 10. At opset 9 the same windows come from extra end
// padding (max pooling pads with -inf, so the extra padding changes nothing else).
Ints pool_pads(const ir::Node& node, ExportContext& ctx, bool& use_ceil_attr) {
  Ints pads = symmetric_pads(node.attrs.get_ints("padding"));
  use_ceil_attr = node.attrs.get_bool("ceil_mode") && ctx.opset() >= 10;
  if (node.attrs.get_bool("ceil_mode") && !use_ceil_attr) {
    Shape in = ctx.shape(node.inputs[0]), out = ctx.shape(node.outputs[0]);
    Ints kernel = pair(node.attrs.get_ints("kernel_size")), stride = pair(node.attrs.get_ints("stride"));
    for (int i = 0; i < 2; ++i) {
      // floor((in + pads - k) / s) + 1 must reach out: grow the end pad until it does.
      int64_t needed = (out[2 + i] - 1) * stride[i] + kernel[i] - in[2 + i] - pads[i];
      pads[2 + i] = std::max(pads[2 + i], needed);
    }
  }
  return pads;
}

void export_max_pool(const ir::Node& node, ExportContext& ctx) {
  bool ceil_attr = false;
  ir::Attributes attrs{{"kernel_shape", pair(node.attrs.get_ints("kernel_size"))},
                       {"strides", pair(node.attrs.get_ints("stride"))},
                       {"pads", pool_pads(node, ctx, ceil_attr)}};
  if (ceil_attr) attrs.set("ceil_mode", int64_t{1});
  Ints dilation = pair(node.attrs.get_ints("dilation"));
  if (dilation != Ints{1, 1}) attrs.set("dilations", dilation);  // opset 10+, validated later
  ctx.emit("MaxPool", {node.inputs[0]}, attrs, node.outputs);
}

void export_avg_pool(const ir::Node& node, ExportContext& ctx) {
  bool count_pad = node.attrs.get_bool("count_include_pad");
  FLOWONNX_REQUIRE(!(node.attrs.get_bool("ceil_mode") && ctx.opset() < 10 && count_pad),
                   "export: node '{}' avg_pool_2d with ceil_mode and count_include_pad needs opset >= 10, "
                   "got {}", node.name, ctx.opset());
  bool ceil_attr = false;
  ir::Attributes attrs{{"kernel_shape", pair(node.attrs.get_ints("kernel_size"))},
                       {"strides", pair(node.attrs.get_ints("stride"))},
                       {"pads", pool_pads(node, ctx, ceil_attr)},
                       {"count_include_pad", int64_t{count_pad}}};
  if (ceil_attr) attrs.set("ceil_mode", int64_t{1});
  ctx.emit("AveragePool", {node.inputs[0]}, attrs, node.outputs);
}

// (1,1) -> GlobalAveragePool; otherwise an AveragePool when the input divides evenly (the
// bins are then equal windows); anything else has no ONNX form.
void export_adaptive_avg_pool(const ir::Node& node, ExportContext& ctx) {
  Ints size = pair(node.attrs.get_ints("output_size"));
  if (size == Ints{1, 1}) {
    ctx.emit("GlobalAveragePool", {node.inputs[0]}, {}, node.outputs);
    return;
  }
  Shape in = ctx.shape(node.inputs[0]);
  FLOWONNX_REQUIRE(in[2] % size[0] == 0 && in[3] % size[1] == 0,
                   "export: node '{}' adaptive_avg_pool2d from {}x{} to {}x{} has unequal bins; ONNX "
                   "has no adaptive pooling", node.name, in[2], in[3], size[0], size[1]);
  Ints kernel{in[2] / size[0], in[3] / size[1]};
  ctx.emit("AveragePool", {node.inputs[0]}, {{"kernel_shape", kernel}, {"strides", kernel}}, node.outputs);
}

}  // namespace

void register_nn_handlers(HandlerRegistry& registry) {
  registry.add("conv2d", export_conv2d);
  registry.add("normalization", export_normalization);
  registry.add("max_pool_2d", export_max_pool);
  registry.add("avg_pool_2d", export_avg_pool);
  registry.add("adaptive_avg_pool2d", export_adaptive_avg_pool);
}

}  // namespace flowonnx::exporter
