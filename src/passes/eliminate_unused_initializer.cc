// Removes initializers no node reads and that are neither graph inputs nor outputs.
#include <algorithm>
#include <set>

#include "passes/pass.h"

namespace flowonnx::passes {

bool eliminate_unused_initializer(ir::Graph& graph, PassContext& context) {
  std::set<std::string> used(graph.outputs.begin(), graph.outputs.end());
  used.insert(graph.inputs.begin(), graph.inputs.end());
  for (const auto& node : graph.nodes()) used.insert(node->inputs.begin(), node->inputs.end());
  std::vector<std::string> unused;
  for (const auto& [name, tensor] : graph.initializers())
    if (!used.count(name)) unused.push_back(name);
  for (const auto& name : unused) graph.remove_initializer(name);
  return !unused.empty();
}

}  // namespace flowonnx::passes
