// Transpose(Transpose(x, p1), p2) = Transpose(x, p) with p[i] = p1[p2[i]]. The outer node is
// rewired to x; the inner one goes when nothing else reads it (eliminate_deadend).
#include <numeric>

#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

namespace {

// perm, or the default (reversed dims) when the rank is known.
std::optional<std::vector<int64_t>> perm_of(const ir::Graph& graph, const ir::Node& node) {
  if (node.attrs.has("perm")) return node.attrs.get_ints("perm");
  auto rank = rank_of(graph, node.inputs[0]);
  if (!rank) return std::nullopt;
  std::vector<int64_t> perm(*rank);
  std::iota(perm.rbegin(), perm.rend(), 0);
  return perm;
}

}  // namespace

bool fuse_consecutive_transposes(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* outer : graph.topological_order()) {
    if (!is_onnx_node(*outer) || outer->op_type != "Transpose" || outer->inputs.size() != 1) continue;
    ir::Node* inner = producer_of(graph, outer->inputs[0]);
    if (!inner || !is_onnx_node(*inner) || inner->op_type != "Transpose" || inner->inputs.size() != 1) continue;
    auto p1 = perm_of(graph, *inner), p2 = perm_of(graph, *outer);
    if (!p1 || !p2 || p1->size() != p2->size()) continue;
    std::vector<int64_t> perm;
    for (int64_t axis : *p2) {
      if (axis < 0 || axis >= static_cast<int64_t>(p1->size())) return changed;
      perm.push_back((*p1)[axis]);
    }
    outer->inputs[0] = inner->inputs[0];
    outer->attrs.set("perm", perm);
    changed = true;
  }
  return changed;
}

}  // namespace flowonnx::passes
