#include "runtime/type_inference.h"

#include "runtime/kernel_registry.h"

namespace flowonnx::runtime {

void infer_types(ir::Graph& graph) {
  const KernelRegistry& registry = session_kernel_registry();
  static const TypeRule default_rule = rules::input_dtype_only();
  for (const ir::Node* node : graph.topological_order()) {
    TypeRule rule = registry.find_type_rule(node->domain, node->op_type);
    // Ops without a rule of their own keep input 0's dtype (ai.onnx only: other domains' ops
    // are unknown here).
    if (!rule && canonical_domain(node->domain).empty()) rule = default_rule;
    if (!rule) continue;
    for (size_t k = 0; k < node->outputs.size(); ++k) {
      const std::string& out = node->outputs[k];
      if (out.empty() || graph.has_type(out)) continue;
      if (std::optional<ir::ValueType> inferred = rule(TypeContext(graph, *node, k)))
        graph.set_type(out, *inferred);
    }
  }
}

}  // namespace flowonnx::runtime
