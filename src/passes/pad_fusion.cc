#include "passes/pad_fusion.h"

#include "ir/rewrite.h"

namespace flowonnx::passes {

bool fuse_pad_into_window_op(ir::Graph& graph, const std::set<std::string>& ops,
                             const std::function<bool(const ir::Node&, double)>& accept_value,
                             const std::function<void(ir::Node&)>& adjust) {
  bool changed = false;
  for (ir::Node* node : graph.topological_order()) {
    if (!is_onnx_node(*node) || !ops.count(node->op_type) || node->inputs.empty()) continue;
    if (node->attrs.has("auto_pad") && node->attrs.get_string("auto_pad") != "NOTSET") continue;
    ir::Node* pad = producer_of(graph, node->inputs[0]);
    ir::UseMap uses(graph);
    if (!pad || !is_onnx_node(*pad) || pad->op_type != "Pad" || pad->outputs.size() != 1 ||
        uses.count(pad->outputs[0]) != 1 || pad->inputs.empty() || pad->inputs.size() > 3)
      continue;
    if (pad->attrs.has("mode") && pad->attrs.get_string("mode") != "constant") continue;
    auto pads = ints_attr_or_input(graph, *pad, "pads", 1, std::nullopt);
    double value = 0;
    if (pad->attrs.has("value")) value = pad->attrs.get_float("value");
    if (pad->inputs.size() > 2 && !pad->inputs[2].empty()) {
      auto constant = constant_scalar(graph, pad->inputs[2]);
      if (!constant) continue;
      value = *constant;
    }
    if (!pads || pads->size() % 2 != 0 || pads->size() < 6 || !accept_value(*node, value)) continue;
    size_t rank = pads->size() / 2, spatial = rank - 2;
    bool spatial_only = (*pads)[0] == 0 && (*pads)[1] == 0 && (*pads)[rank] == 0 && (*pads)[rank + 1] == 0;
    for (int64_t p : *pads) spatial_only &= p >= 0;
    std::vector<int64_t> window_pads = node->attrs.has("pads") ? node->attrs.get_ints("pads")
                                                               : std::vector<int64_t>(2 * spatial, 0);
    if (!spatial_only || window_pads.size() != 2 * spatial) continue;
    for (size_t i = 0; i < spatial; ++i) {
      window_pads[i] += (*pads)[2 + i];
      window_pads[spatial + i] += (*pads)[rank + 2 + i];
    }
    node->attrs.set("pads", window_pads);
    node->inputs[0] = pad->inputs[0];
    adjust(*node);
    graph.remove_node(pad);
    changed = true;
  }
  return changed;
}

}  // namespace flowonnx::passes
