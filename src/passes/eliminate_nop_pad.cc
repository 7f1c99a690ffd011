// Pad whose pads are all zero (attribute before opset 11, constant input after) does nothing,
// whatever its mode.
#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

bool eliminate_nop_pad(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* node : graph.topological_order()) {
    if (!is_onnx_node(*node) || node->op_type != "Pad" || node->inputs.empty()) continue;
    auto pads = ints_attr_or_input(graph, *node, "pads", 1, std::nullopt);
    if (!pads) continue;
    bool zero = true;
    for (int64_t pad : *pads) zero &= pad == 0;
    if (zero) changed |= bypass_node(graph, node);
  }
  return changed;
}

}  // namespace flowonnx::passes
