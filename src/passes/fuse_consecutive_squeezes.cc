// Squeeze(Squeeze(x, a1), a2) = Squeeze(x, a1 + the original positions of a2). Needs x's rank.
#include <algorithm>
#include <set>

#include "ir/rewrite.h"
#include "passes/axes_form.h"
#include "passes/pass.h"

namespace flowonnx::passes {

bool fuse_consecutive_squeezes(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* outer : graph.topological_order()) {
    if (!is_onnx_node(*outer) || outer->op_type != "Squeeze" || outer->inputs.empty()) continue;
    ir::Node* inner = producer_of(graph, outer->inputs[0]);
    if (!inner || !is_onnx_node(*inner) || inner->op_type != "Squeeze" || inner->inputs.empty()) continue;
    auto rank = rank_of(graph, inner->inputs[0]);
    auto a1 = squeeze_axes(graph, *inner), a2 = squeeze_axes(graph, *outer);
    if (!rank || !a1 || !a2) continue;
    auto first = ir::normalize_axes(*a1, *rank);
    if (!first) continue;
    std::set<int64_t> removed(first->begin(), first->end());
    if (removed.size() != first->size()) continue;
    std::vector<int64_t> remaining;
    for (int64_t i = 0; i < *rank; ++i)
      if (!removed.count(i)) remaining.push_back(i);
    auto second = ir::normalize_axes(*a2, static_cast<int64_t>(remaining.size()));
    if (!second) continue;
    for (int64_t axis : *second) removed.insert(remaining[axis]);
    outer->inputs[0] = inner->inputs[0];
    set_squeeze_axes(graph, *outer, std::vector<int64_t>(removed.begin(), removed.end()));
    changed = true;
  }
  return changed;
}

}  // namespace flowonnx::passes
