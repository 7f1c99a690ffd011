// Transpose with perm = [0, 1, ..., r-1] (or no perm on a rank <= 1 input) does nothing.
#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

bool eliminate_nop_transpose(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* node : graph.topological_order()) {
    if (!is_onnx_node(*node) || node->op_type != "Transpose" || node->inputs.size() != 1) continue;
    bool nop;
    if (node->attrs.has("perm")) {
      auto perm = ints_attr_or_input(graph, *node, "perm", 99, std::nullopt);
      if (!perm) continue;
      nop = true;
      for (size_t i = 0; i < perm->size(); ++i) nop &= (*perm)[i] == static_cast<int64_t>(i);
    } else {
      auto rank = rank_of(graph, node->inputs[0]);
      nop = rank && *rank <= 1;
    }
    if (nop) changed |= bypass_node(graph, node);
  }
  return changed;
}

}  // namespace flowonnx::passes
