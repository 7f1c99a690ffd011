// Identity y = x: readers of y read x.
#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

bool eliminate_identity(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* node : graph.topological_order())
    if (is_onnx_node(*node) && node->op_type == "Identity" && node->inputs.size() == 1)
      changed |= bypass_node(graph, node);
  return changed;
}

}  // namespace flowonnx::passes
