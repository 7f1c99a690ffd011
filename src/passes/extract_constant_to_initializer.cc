// Constant nodes become initializers of the same name (the value may be given as value,
// value_float(s) or value_int(s)); string and sparse constants stay, with a note.
#include "ir/rewrite.h"
#include "passes/pass.h"

namespace flowonnx::passes {

namespace {

std::optional<Tensor> constant_value(const ir::Attributes& attrs) {
  if (attrs.has("value")) return attrs.get_tensor("value");
  if (attrs.has("value_float")) return Tensor::scalar<float>(static_cast<float>(attrs.get_float("value_float")));
  if (attrs.has("value_int")) return Tensor::scalar<int64_t>(attrs.get_int("value_int"));
  if (attrs.has("value_floats")) {
    const auto& values = attrs.get_floats("value_floats");
    return Tensor::from_vector<float>({static_cast<int64_t>(values.size())},
                                      std::vector<float>(values.begin(), values.end()));
  }
  if (attrs.has("value_ints")) return ir::int64_tensor(attrs.get_ints("value_ints"));
  return std::nullopt;
}

}  // namespace

bool extract_constant_to_initializer(ir::Graph& graph, PassContext& context) {
  bool changed = false;
  for (ir::Node* node : graph.topological_order()) {
    if (!is_onnx_node(*node) || node->op_type != "Constant" || node->outputs.size() != 1) continue;
    std::optional<Tensor> value;
    try {
      value = constant_value(node->attrs);
    } catch (const Error& error) {
      fail(ErrorCode::InvalidModel, "Constant node '{}': {}", node->name, error.what());
    }
    if (!value) {
      context.note("kept node " + node->name + " (Constant): only tensor, float(s) and int(s) values become initializers");
      continue;
    }
    std::string output = node->outputs[0];
    graph.remove_node(node);
    graph.set_initializer(output, *value);
    changed = true;
  }
  return changed;
}

}  // namespace flowonnx::passes
