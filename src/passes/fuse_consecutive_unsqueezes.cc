// Unsqueeze(Unsqueeze(x, a1), a2) = Unsqueeze(x, a) where a are the positions of every inserted
// dim in the final shape. Negative axes need x's rank; non-negative ones do not.
#include <algorithm>
#include <set>

#include "ir/rewrite.h"
#include "passes/axes_form.h"
#include "passes/pass.h"

namespace flowonnx::passes {

namespace {

// Marks (true = inserted) after inserting dims at `axes` (relative to the output rank).
std::optional<std::vector<bool>> insert_dims(const std::vector<bool>& dims, const std::vector<int64_t>& axes) {
  int64_t out_rank = static_cast<int64_t>(dims.size() + axes.size());
  auto normalized = ir::normalize_axes(axes, out_rank);
  if (!normalized) return std::nullopt;
  std::set<int64_t> inserted(normalized->begin(), normalized->end());
  if (inserted.size() != axes.size()) return std::nullopt;
  std::vector<bool> result;
  size_t next = 0;
  for (int64_t i = 0; i < out_rank; ++i) result.push_back(inserted.count(i) ? true : dims[next++]);
  return result;
}

}  // namespace

bool fuse_consecutive_unsqueezes(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* outer : graph.topological_order()) {
    if (!is_onnx_node(*outer) || outer->op_type != "Unsqueeze" || outer->inputs.empty()) continue;
    ir::Node* inner = producer_of(graph, outer->inputs[0]);
    if (!inner || !is_onnx_node(*inner) || inner->op_type != "Unsqueeze" || inner->inputs.empty()) continue;
    auto a1 = squeeze_axes(graph, *inner), a2 = squeeze_axes(graph, *outer);
    if (!a1 || !a2) continue;
    auto rank = rank_of(graph, inner->inputs[0]);
    bool negative = std::any_of(a1->begin(), a1->end(), [](int64_t a) { return a < 0; }) ||
                    std::any_of(a2->begin(), a2->end(), [](int64_t a) { return a < 0; });
    if (!rank) {
      if (negative) continue;
      // Without the rank, treat x as having enough dims that every axis is in range.
      int64_t max_axis = 0;
      for (int64_t a : *a1) max_axis = std::max(max_axis, a);
      for (int64_t a : *a2) max_axis = std::max(max_axis, a);
      rank = max_axis + 1;
      // Only exact when all inserted dims land below the existing ones' tail, which holds for
      // any rank >= max_axis + 1 because positions are counted from the front.
    }
    auto once = insert_dims(std::vector<bool>(*rank, false), *a1);
    if (!once) continue;
    auto twice = insert_dims(*once, *a2);
    if (!twice) continue;
    std::vector<int64_t> axes;
    for (size_t i = 0; i < twice->size(); ++i)
      if ((*twice)[i]) axes.push_back(static_cast<int64_t>(i));
    outer->inputs[0] = inner->inputs[0];
    set_squeeze_axes(graph, *outer, axes);
    changed = true;
  }
  return changed;
}

}  // namespace flowonnx::passes
