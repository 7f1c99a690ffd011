// Removes nodes none of whose outputs is read by a node or is a graph output, walking backwards
// so whole dead chains go in one run.
#include <algorithm>

#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

bool eliminate_deadend(ir::Graph& graph, PassContext& context) {
  std::map<std::string, int> reads;
  for (const auto& node : graph.nodes())
    for (const auto& input : node->inputs) ++reads[input];
  for (const auto& output : graph.outputs) ++reads[output];
  std::vector<ir::Node*> order = graph.topological_order();
  bool changed = false;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    ir::Node* node = *it;
    bool used = std::any_of(node->outputs.begin(), node->outputs.end(), [&](const std::string& out) {
      return !out.empty() && reads[out] > 0;
    });
    if (used) continue;
    for (const auto& input : node->inputs) --reads[input];
    graph.remove_node(node);
    changed = true;
  }
  return changed;
}

}  // namespace flowonnx::passes
