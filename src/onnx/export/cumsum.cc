// Export handler of cumsum: ONNX CumSum (opset 11+; refused below by the opset check) with the
// axis as a scalar int64 input.
#include "onnx/export/handler_registry.h"

namespace flowonnx::exporter {
namespace {

void export_cumsum(const ir::Node& node, ExportContext& ctx) {
  int64_t dim = node.attrs.get_int("dim");
  if (dim < 0) dim += static_cast<int64_t>(ctx.type(node.inputs[0]).shape->size());
  std::string axis = ctx.add_constant(node.name + "/axis", Tensor::scalar<int64_t>(dim));
  ctx.emit("CumSum", {node.inputs[0], axis}, {}, node.outputs);
}

}  // namespace

void register_cumsum_handlers(HandlerRegistry& registry) {
  registry.add("cumsum", export_cumsum, {{11, "CumSum"}}, "TransformerZooExport.CumsumMatchesEagerAndOnnxRuntime");
}

}  // namespace flowonnx::exporter
