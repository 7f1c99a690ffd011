// Reshape to the shape its input already has. Works with symbolic dims: a target dim matches
// when it equals the static input dim, is 0 (copy, without allowzero), or is the single -1 while
// every other dim matches.
#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

bool eliminate_nop_reshape(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* node : graph.topological_order()) {
    if (!is_onnx_node(*node) || node->op_type != "Reshape" || node->inputs.size() < 2) continue;
    auto dims = dims_of(graph, node->inputs[0]);
    auto target = constant_ints(graph, node->inputs[1]);
    if (!dims || !target || dims->size() != target->size()) continue;
    bool allow_zero = node->attrs.has("allowzero") && node->attrs.get_int("allowzero") != 0;
    int inferred = 0, unmatched = 0;
    for (size_t i = 0; i < dims->size(); ++i) {
      int64_t t = (*target)[i];
      const ir::Dim& d = (*dims)[i];
      if (t == -1) ++inferred;
      else if (!((d.is_static() && d.value == t) || (t == 0 && !allow_zero))) ++unmatched;
    }
    if (unmatched == 0 && inferred <= 1) changed |= bypass_node(graph, node);
  }
  return changed;
}

}  // namespace flowonnx::passes
