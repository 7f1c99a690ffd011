#include "onnx/import/normalize.h"

#include "onnx/import/rules.h"

namespace flowonnx::onnx_import {

namespace detail {

std::string ImportContext::add_constant(const ir::Node& node, const std::string& what,
                                        Tensor value) {
  std::string name = graph_.unique_name((node.name.empty() ? node.op_type : node.name) + "/" + what);
  graph_.set_initializer(name, std::move(value));
  return name;
}

std::vector<std::string> ImportContext::add_node_before(const ir::Node& before,
                                                        const std::string& op_type,
                                                        std::vector<std::string> inputs,
                                                        std::vector<std::string> output_bases,
                                                        ir::Attributes attrs) {
  ir::Node node;
  node.name = graph_.unique_name((before.name.empty() ? before.op_type : before.name) + "/" + op_type);
  node.domain = before.domain;
  node.op_type = op_type;
  node.inputs = std::move(inputs);
  for (const auto& base : output_bases) node.outputs.push_back(graph_.unique_name(base));
  node.attrs = std::move(attrs);
  std::vector<std::string> outputs = node.outputs;
  graph_.insert_node_before(&before, std::move(node));
  return outputs;
}

std::optional<int64_t> ImportContext::rank_of(const std::string& value) const {
  if (value.empty() || !graph_.has_type(value)) return std::nullopt;
  const auto& shape = graph_.type(value).shape;
  if (!shape) return std::nullopt;
  return static_cast<int64_t>(shape->size());
}

void ImportContext::ints_attr_to_input(ir::Node& node, const std::string& name, size_t index) {
  if (!node.attrs.has(name)) return;
  std::vector<int64_t> values;
  try {
    values = node.attrs.get_ints(name);
  } catch (const Error& error) {
    fail_node(node, error.what());
  }
  erase_attr(node, name);
  set_input(node, index,
            add_constant(node, name, Tensor::from_vector<int64_t>({static_cast<int64_t>(values.size())}, values)));
}

void ImportContext::fail_node(const ir::Node& node, const std::string& message) const {
  fail(ErrorCode::InvalidModel, "{} node '{}' (opset {}): {}", node.op_type, node.name, opset_,
       message);
}

namespace {

// Constant nodes become initializers: constants are then converted once, at load.
Tensor constant_value(ImportContext& context, const ir::Node& node) {
  const ir::Attributes& attrs = node.attrs;
  try {
    if (attrs.has("value")) return attrs.get_tensor("value");
    if (attrs.has("value_float"))
      return Tensor::scalar<float>(static_cast<float>(attrs.get_float("value_float")));
    if (attrs.has("value_int")) return Tensor::scalar<int64_t>(attrs.get_int("value_int"));
    if (attrs.has("value_floats")) {
      const auto& values = attrs.get_floats("value_floats");
      return Tensor::from_vector<float>({static_cast<int64_t>(values.size())},
                                        std::vector<float>(values.begin(), values.end()));
    }
    if (attrs.has("value_ints")) {
      const auto& values = attrs.get_ints("value_ints");
      return Tensor::from_vector<int64_t>({static_cast<int64_t>(values.size())}, values);
    }
  } catch (const Error& error) {
    context.fail_node(node, error.what());
  }
  if (attrs.has("value_string") || attrs.has("value_strings") || attrs.has("sparse_value"))
    fail(ErrorCode::NotImplemented, "Constant node '{}': string and sparse constants are not supported",
         node.name);
  context.fail_node(node, "Constant has no value attribute");
}

bool is_onnx_domain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

}  // namespace
}  // namespace detail

int64_t onnx_opset(const ir::Graph& graph) {
  for (const char* domain : {"", "ai.onnx"}) {
    auto found = graph.opset_imports.find(domain);
    if (found != graph.opset_imports.end()) return found->second;
  }
  return 0;
}

void normalize_graph(ir::Graph& graph) {
  int64_t opset = onnx_opset(graph);
  detail::ImportContext context(graph, opset);
  std::vector<ir::Node*> nodes;
  for (const auto& node : graph.nodes()) nodes.push_back(node.get());
  std::vector<const ir::Node*> constants;
  for (ir::Node* node : nodes) {
    if (!detail::is_onnx_domain(node->domain)) continue;
    node->domain = "";
    if (node->op_type == "Constant") {
      if (node->outputs.size() != 1 || node->outputs[0].empty())
        context.fail_node(*node, "Constant must have exactly one output");
      graph.set_initializer(node->outputs[0], detail::constant_value(context, *node));
      constants.push_back(node);
      continue;
    }
    ir::erase_attr(*node, "consumed_inputs");  // opset < 6 leftover, meaningless here
    detail::normalize_attribute_inputs(context, *node);
    detail::normalize_legacy_ops(context, *node);
  }
  for (const ir::Node* node : constants) graph.remove_node(node);
}

std::string describe_unsupported(const std::vector<UnsupportedOp>& ops) {
  std::vector<std::string> parts;
  for (const auto& op : ops)
    parts.push_back(fmt::format("{} (domain {}, opset {}){}", op.op_type, op.domain, op.opset,
                                op.count > 1 ? fmt::format(" x{}", op.count) : ""));
  return fmt::format("unsupported ops: {}", fmt::join(parts, ", "));
}

}  // namespace flowonnx::onnx_import
