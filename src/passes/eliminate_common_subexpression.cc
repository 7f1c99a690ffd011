// Two nodes with the same op, inputs and attributes compute the same values (for deterministic
// ops): the later one's readers read the earlier one's outputs.
#include <algorithm>
#include <set>

#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

namespace {

bool is_nondeterministic(const ir::Node& node) {
  static const std::set<std::string> ops = {"RandomNormal", "RandomUniform", "RandomNormalLike",
                                            "RandomUniformLike", "Multinomial", "Bernoulli"};
  return ops.count(node.op_type) != 0;
}

}  // namespace

bool eliminate_common_subexpression(ir::Graph& graph, PassContext& context) {
  std::map<std::string, std::vector<ir::Node*>> seen;  // domain|op|inputs -> earlier nodes
  bool changed = false;
  for (ir::Node* node : graph.topological_order()) {
    if (is_nondeterministic(*node)) continue;
    std::string key = node->domain + "|" + node->op_type + "|" + std::to_string(node->outputs.size());
    for (const auto& input : node->inputs) key += "|" + input;
    auto& earlier = seen[key];
    auto same = std::find_if(earlier.begin(), earlier.end(), [&](const ir::Node* other) {
      return attributes_equal(other->attrs, node->attrs);
    });
    bool is_output = std::any_of(node->outputs.begin(), node->outputs.end(), [&](const auto& out) {
      return std::count(graph.outputs.begin(), graph.outputs.end(), out) > 0;
    });
    if (same == earlier.end() || is_output) {
      earlier.push_back(node);
      continue;
    }
    for (size_t i = 0; i < node->outputs.size(); ++i)
      if (!node->outputs[i].empty() && !(*same)->outputs[i].empty())
        replace_value(graph, node->outputs[i], (*same)->outputs[i]);
    bool still_read = false;
    ir::UseMap uses(graph);
    for (const auto& out : node->outputs) still_read |= !out.empty() && uses.count(out) > 0;
    if (!still_read) graph.remove_node(node);
    changed = true;
  }
  return changed;
}

}  // namespace flowonnx::passes
