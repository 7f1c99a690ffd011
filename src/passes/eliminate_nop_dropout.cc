// Dropout at inference is the identity: removed when its mask output is unused and training_mode
// is absent or a constant false (a non-constant training_mode keeps the node).
#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

bool eliminate_nop_dropout(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* node : graph.topological_order()) {
    if (!is_onnx_node(*node) || node->op_type != "Dropout" || node->inputs.empty()) continue;
    ir::UseMap uses(graph);
    if (node->outputs.size() > 1 && !node->outputs[1].empty() && uses.count(node->outputs[1]) > 0)
      continue;
    if (node->inputs.size() > 2 && !node->inputs[2].empty()) {
      auto training = constant_scalar(graph, node->inputs[2]);
      if (!training || *training != 0) continue;
    }
    changed |= bypass_node(graph, node);
  }
  return changed;
}

}  // namespace flowonnx::passes
