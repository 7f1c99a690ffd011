#include "passes/axes_form.h"

#include "ir/rewrite.h"

namespace flowonnx::passes {

std::optional<std::vector<int64_t>> squeeze_axes(const ir::Graph& graph, const ir::Node& node) {
  return ints_attr_or_input(graph, node, "axes", 1, std::nullopt);
}

void set_squeeze_axes(ir::Graph& graph, ir::Node& node, const std::vector<int64_t>& axes) {
  if (onnx_opset_of(graph) < 13) {
    node.attrs.set("axes", axes);
    return;
  }
  node.inputs.resize(2);
  node.inputs[1] = add_initializer(graph, (node.name.empty() ? node.op_type : node.name) + "/axes",
                                   ir::int64_tensor(axes));
}

}  // namespace flowonnx::passes
