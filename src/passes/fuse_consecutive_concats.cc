// Concat(..., Concat(p, q), ...) on the same axis, the inner one read only here, becomes one
// Concat(..., p, q, ...). Axes are compared after normalising with the rank when it is known.
#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

namespace {

std::optional<int64_t> concat_axis(const ir::Graph& graph, const ir::Node& node) {
  if (!node.attrs.has("axis")) return std::nullopt;
  int64_t axis = node.attrs.get_int("axis");
  if (axis >= 0) return axis;
  auto rank = node.outputs.empty() ? std::nullopt : rank_of(graph, node.outputs[0]);
  if (!rank) return axis;  // compared raw: equal negative axes still agree
  return axis + *rank;
}

}  // namespace

bool fuse_consecutive_concats(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* outer : graph.topological_order()) {
    if (!is_onnx_node(*outer) || outer->op_type != "Concat") continue;
    auto axis = concat_axis(graph, *outer);
    if (!axis) continue;
    ir::UseMap uses(graph);
    std::vector<std::string> inputs;
    bool fused = false;
    for (const auto& input : outer->inputs) {
      ir::Node* inner = producer_of(graph, input);
      if (inner && is_onnx_node(*inner) && inner->op_type == "Concat" && uses.count(input) == 1 &&
          concat_axis(graph, *inner) == axis) {
        inputs.insert(inputs.end(), inner->inputs.begin(), inner->inputs.end());
        graph.remove_node(inner);
        fused = true;
      } else {
        inputs.push_back(input);
      }
    }
    if (!fused) continue;
    outer->inputs = inputs;
    changed = true;
  }
  return changed;
}

}  // namespace flowonnx::passes
