// Export handlers of the array family: identity, flatten, reshape, transpose, concat.
#include "onnx/export/handler_registry.h"

namespace flowonnx::exporter {
namespace {

using Ints = std::vector<int64_t>;

void export_identity(const ir::Node& node, ExportContext& ctx) {
  ctx.emit("Identity", node.inputs, {}, node.outputs);
}

// A Reshape whose target never bakes in the batch: with a dynamic batch, a target dim equal to
// the input's batch at the same position 0 becomes 0 ("copy from input"), and a target that
// would otherwise depend on the batch is refused rather than exported wrong.
void emit_reshape(const ir::Node& node, ExportContext& ctx, Ints target) {
  Shape in = ctx.shape(node.inputs[0]);
  if (ctx.dynamic_batch() && !in.empty()) {
    if (target.empty() || target[0] != in[0])
      fail(ErrorCode::NotImplemented,
           "export: node '{}' reshapes {} to {}, which does not keep the batch dim first; it cannot "
           "be exported with a dynamic batch size", node.name, shape_to_string(in), shape_to_string(target));
    target[0] = 0;
  }
  ctx.emit("Reshape", {node.inputs[0], ctx.add_int64s(node.name + "/shape", target)}, {}, node.outputs);
}

// flatten(start, end) is ONNX Flatten only for start=1, end=last (2-D result); every other
// case is a Reshape (oneflow-onnx dropped the axis here and exported wrong shapes).
void export_flatten(const ir::Node& node, ExportContext& ctx) {
  Shape in = ctx.shape(node.inputs[0]);
  int64_t rank = static_cast<int64_t>(in.size());
  int64_t start = node.attrs.get_int("start_dim"), end = node.attrs.get_int("end_dim");
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  if (rank >= 2 && start == 1 && end == rank - 1) {
    ctx.emit("Flatten", node.inputs, {{"axis", int64_t{1}}}, node.outputs);
    return;
  }
  emit_reshape(node, ctx, ctx.shape(node.outputs[0]));
}

void export_reshape(const ir::Node& node, ExportContext& ctx) {
  emit_reshape(node, ctx, ctx.shape(node.outputs[0]));
}

void export_transpose(const ir::Node& node, ExportContext& ctx) {
  ctx.emit("Transpose", node.inputs, {{"perm", node.attrs.get_ints("perm")}}, node.outputs);
}

void export_concat(const ir::Node& node, ExportContext& ctx) {
  ctx.emit("Concat", node.inputs, {{"axis", node.attrs.get_int("axis")}}, node.outputs);
}

}  // namespace

void register_array_handlers(HandlerRegistry& registry) {
  registry.add("identity", export_identity);
  registry.add("flatten", export_flatten);
  registry.add("reshape", export_reshape);
  registry.add("transpose", export_transpose);
  registry.add("concat", export_concat);
}

}  // namespace flowonnx::exporter
