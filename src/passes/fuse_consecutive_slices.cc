// Slice(Slice(x, s1, e1, a1, t1), s2, e2, a2, t2) with disjoint axes slices each axis once, so it
// is Slice(x, s1+s2, e1+e2, a1+a2, t1+t2). Opset 10+ (inputs form) with every parameter constant.
#include <set>

#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

namespace {

struct SliceParams {
  std::vector<int64_t> starts, ends, axes, steps;
};

std::optional<SliceParams> slice_params(const ir::Graph& graph, const ir::Node& node, int64_t rank) {
  if (node.inputs.size() < 3) return std::nullopt;
  SliceParams p;
  auto starts = constant_ints(graph, node.inputs[1]), ends = constant_ints(graph, node.inputs[2]);
  if (!starts || !ends || starts->size() != ends->size()) return std::nullopt;
  p.starts = *starts;
  p.ends = *ends;
  std::vector<int64_t> default_axes;
  for (size_t i = 0; i < starts->size(); ++i) default_axes.push_back(static_cast<int64_t>(i));
  std::vector<int64_t> ones(starts->size(), 1);
  auto axes = ints_attr_or_input(graph, node, "", 3, default_axes);
  auto steps = ints_attr_or_input(graph, node, "", 4, ones);
  if (!axes || !steps || axes->size() != starts->size() || steps->size() != starts->size())
    return std::nullopt;
  auto normalized = ir::normalize_axes(*axes, rank);
  if (!normalized) return std::nullopt;
  p.axes = *normalized;
  p.steps = *steps;
  return p;
}

}  // namespace

bool fuse_consecutive_slices(ir::Graph& graph, PassContext& context) {
  if (onnx_opset_of(graph) < 10) return false;
  bool changed = false;
  for (ir::Node* outer : graph.topological_order()) {
    if (!is_onnx_node(*outer) || outer->op_type != "Slice") continue;
    ir::Node* inner = producer_of(graph, outer->inputs.empty() ? "" : outer->inputs[0]);
    if (!inner || !is_onnx_node(*inner) || inner->op_type != "Slice") continue;
    auto rank = rank_of(graph, inner->inputs[0]);
    if (!rank) continue;
    auto first = slice_params(graph, *inner, *rank), second = slice_params(graph, *outer, *rank);
    if (!first || !second) continue;
    std::set<int64_t> axes(first->axes.begin(), first->axes.end());
    bool disjoint = axes.size() == first->axes.size();
    for (int64_t axis : second->axes) disjoint &= axes.insert(axis).second;
    if (!disjoint) continue;
    auto join = [](std::vector<int64_t> a, const std::vector<int64_t>& b) {
      a.insert(a.end(), b.begin(), b.end());
      return a;
    };
    std::string base = outer->name.empty() ? "Slice" : outer->name;
    outer->inputs = {inner->inputs[0],
                     add_initializer(graph, base + "/starts", ir::int64_tensor(join(first->starts, second->starts))),
                     add_initializer(graph, base + "/ends", ir::int64_tensor(join(first->ends, second->ends))),
                     add_initializer(graph, base + "/axes", ir::int64_tensor(join(first->axes, second->axes))),
                     add_initializer(graph, base + "/steps", ir::int64_tensor(join(first->steps, second->steps)))};
    changed = true;
  }
  return changed;
}

}  // namespace flowonnx::passes
