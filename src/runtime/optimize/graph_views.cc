#include "runtime/optimize/graph_views.h"

#include <algorithm>

namespace flowonnx::runtime {

bool is_default_domain(const ir::Node& node) {
  return node.domain.empty() || node.domain == "ai.onnx";
}

bool is_onnx_op(const ir::Node& node, const std::string& op_type) {
  return is_default_domain(node) && node.op_type == op_type;
}

std::vector<ir::Node*> consumers_of(const ir::Graph& graph, const std::string& value) {
  std::vector<ir::Node*> found;
  for (const auto& node : graph.nodes())
    for (const auto& in : node->inputs)
      if (in == value) found.push_back(node.get());
  return found;
}

ir::Node* sole_consumer(const ir::Graph& graph, const std::string& value) {
  if (is_graph_output(graph, value)) return nullptr;
  const std::vector<ir::Node*> found = consumers_of(graph, value);
  return found.size() == 1 ? found[0] : nullptr;
}

std::string other_operand(const ir::Node& node, const std::string& value) {
  if (node.inputs.size() != 2 || node.outputs.size() != 1) return "";
  if (node.inputs[0] == value && node.inputs[1] != value) return node.inputs[1];
  if (node.inputs[1] == value && node.inputs[0] != value) return node.inputs[0];
  return "";
}

std::map<std::string, std::vector<ir::Node*>> consumers_of(const ir::Graph& graph) {
  std::map<std::string, std::vector<ir::Node*>> consumers;
  for (const auto& node : graph.nodes())
    for (const auto& in : node->inputs)
      if (!in.empty()) consumers[in].push_back(node.get());
  return consumers;
}

bool is_graph_output(const ir::Graph& graph, const std::string& value) {
  return std::find(graph.outputs.begin(), graph.outputs.end(), value) != graph.outputs.end();
}

const Tensor* fixed_constant(const ir::Graph& graph, const std::string& value) {
  if (value.empty() || !graph.is_initializer(value)) return nullptr;
  if (std::find(graph.inputs.begin(), graph.inputs.end(), value) != graph.inputs.end())
    return nullptr;
  return &graph.initializer(value);
}

std::optional<double> scalar_constant(const ir::Graph& graph, const std::string& value) {
  const Tensor* t = fixed_constant(graph, value);
  if (!t || t->num_elements() != 1 || t->dtype() == DType::Bool) return std::nullopt;
  return t->to_double_vector()[0];
}

void drop_if_unused(ir::Graph& graph, const std::string& value) {
  if (value.empty() || !fixed_constant(graph, value) || is_graph_output(graph, value)) return;
  for (const auto& node : graph.nodes())
    for (const auto& in : node->inputs)
      if (in == value) return;
  graph.remove_initializer(value);
}

std::optional<int64_t> static_dim_of(const ir::Graph& graph, const std::string& value,
                                     size_t axis) {
  if (!graph.has_type(value)) return std::nullopt;
  const ir::ValueType& type = graph.type(value);
  if (!type.shape || axis >= type.shape->size() || !(*type.shape)[axis].is_static())
    return std::nullopt;
  return (*type.shape)[axis].value;
}

bool same_known_type(const ir::Graph& graph, const std::string& a, const std::string& b) {
  if (!graph.has_type(a) || !graph.has_type(b)) return false;
  const ir::ValueType &ta = graph.type(a), &tb = graph.type(b);
  if (ta.dtype != tb.dtype || !ta.shape || !tb.shape || ta.shape->size() != tb.shape->size())
    return false;
  for (size_t i = 0; i < ta.shape->size(); ++i) {
    const ir::Dim &da = (*ta.shape)[i], &db = (*tb.shape)[i];
    if (da.is_static() ? !(db.is_static() && da.value == db.value)
                       : (da.symbol.empty() || da.symbol != db.symbol))
      return false;
  }
  return true;
}

}  // namespace flowonnx::runtime
