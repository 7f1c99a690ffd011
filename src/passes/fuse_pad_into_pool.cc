// Pad -> MaxPool when the pad value is -inf (what MaxPool's own pads mean), and Pad -> AveragePool
// when the value is 0 and the pool counts padding (count_include_pad=1, set here when the pool
// had no pads of its own).
#include <cmath>

#include "passes/pad_fusion.h"

namespace flowonnx::passes {

namespace {

bool counts_padding(const ir::Node& node) {
  return node.attrs.has("count_include_pad") && node.attrs.get_int("count_include_pad") != 0;
}

bool has_own_pads(const ir::Node& node) {
  if (!node.attrs.has("pads")) return false;
  for (int64_t p : node.attrs.get_ints("pads"))
    if (p != 0) return true;
  return false;
}

}  // namespace

bool fuse_pad_into_pool(ir::Graph& graph, PassContext& context) {
  return fuse_pad_into_window_op(
      graph, {"MaxPool", "AveragePool"},
      [](const ir::Node& node, double value) {
        // ceil_mode output sizes depend on which pads are implicit: not fused.
        if (node.attrs.has("ceil_mode") && node.attrs.get_int("ceil_mode") != 0) return false;
        if (node.op_type == "MaxPool") return std::isinf(value) && value < 0;
        return value == 0 && (counts_padding(node) || !has_own_pads(node));
      },
      [](ir::Node& node) {
        if (node.op_type == "AveragePool") node.attrs.set("count_include_pad", int64_t{1});
      });
}

}  // namespace flowonnx::passes
