// Cast to the dtype the input already has.
#include "ir/rewrite.h"
#include "onnx/model_io.h"
#include "passes/pass.h"

namespace flowonnx::passes {

bool eliminate_nop_cast(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* node : graph.topological_order()) {
    if (!is_onnx_node(*node) || node->op_type != "Cast" || node->inputs.size() != 1 ||
        !node->attrs.has("to") || !graph.has_type(node->inputs[0]))
      continue;
    try {
      DType to = onnx_io::dtype_from_onnx(static_cast<int>(node->attrs.get_int("to")));
      if (to == graph.type(node->inputs[0]).dtype) changed |= bypass_node(graph, node);
    } catch (const Error&) {
      // a dtype we do not know cannot be the input's
    }
  }
  return changed;
}

}  // namespace flowonnx::passes
