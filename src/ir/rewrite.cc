#include "ir/rewrite.h"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <variant>


namespace flowonnx::ir {

UseMap::UseMap(const ir::Graph& graph) {
  for (const auto& node : graph.nodes())
    for (const auto& input : node->inputs)
      if (!input.empty()) consumers_[input].push_back(node.get());
  for (const auto& output : graph.outputs) ++outputs_[output];
}

int UseMap::count(const std::string& value) const {
  auto found = consumers_.find(value);
  int reads = found == consumers_.end() ? 0 : static_cast<int>(found->second.size());
  auto output = outputs_.find(value);
  return reads + (output == outputs_.end() ? 0 : output->second);
}

const std::vector<ir::Node*>& UseMap::consumers(const std::string& value) const {
  static const std::vector<ir::Node*> none;
  auto found = consumers_.find(value);
  return found == consumers_.end() ? none : found->second;
}

bool is_onnx_node(const ir::Node& node) { return node.domain.empty() || node.domain == "ai.onnx"; }

ir::Node* producer_of(const ir::Graph& graph, const std::string& value) {
  if (value.empty()) return nullptr;
  for (const auto& node : graph.nodes())
    for (const auto& output : node->outputs)
      if (output == value) return node.get();
  return nullptr;
}

int64_t onnx_opset_of(const ir::Graph& graph) {
  for (const char* domain : {"", "ai.onnx"}) {
    auto found = graph.opset_imports.find(domain);
    if (found != graph.opset_imports.end()) return found->second;
  }
  return 17;
}

bool replace_value(ir::Graph& graph, const std::string& from, const std::string& to) {
  if (from == to) return true;
  bool from_is_output = std::count(graph.outputs.begin(), graph.outputs.end(), from) > 0;
  if (!from_is_output) {
    for (const auto& node : graph.nodes())
      for (auto& input : node->inputs)
        if (input == from) input = to;
    return true;
  }
  // `from` must keep its name: `to` is renamed to `from` instead.
  bool to_is_boundary = graph.is_initializer(to) ||
                        std::count(graph.inputs.begin(), graph.inputs.end(), to) > 0 ||
                        std::count(graph.outputs.begin(), graph.outputs.end(), to) > 0;
  ir::Node* producer = producer_of(graph, to);
  if (to_is_boundary || producer == nullptr) return false;
  for (auto& output : producer->outputs)
    if (output == to) output = from;
  // Readers of `from` (other than the node being bypassed, which still reads `to`) keep reading
  // `from`; readers of `to` now read `from`. The bypassed node becomes the only reader of a
  // value nothing defines, so the caller must remove it (it stops producing `from` too).
  for (const auto& node : graph.nodes()) {
    if (node.get() == producer) continue;
    bool defines_from = std::count(node->outputs.begin(), node->outputs.end(), from) > 0;
    if (defines_from) continue;
    for (auto& input : node->inputs)
      if (input == to) input = from;
  }
  return true;
}

bool bypass_node(ir::Graph& graph, const ir::Node* node, size_t input) {
  if (input >= node->inputs.size() || node->inputs[input].empty() || node->outputs.empty()) return false;
  if (!replace_value(graph, node->outputs[0], node->inputs[input])) return false;
  graph.remove_node(node);
  return true;
}

const Tensor* constant_of(const ir::Graph& graph, const std::string& value) {
  if (value.empty() || !graph.is_initializer(value)) return nullptr;
  return &graph.initializer(value);
}

std::optional<std::vector<int64_t>> constant_ints(const ir::Graph& graph, const std::string& value) {
  const Tensor* tensor = constant_of(graph, value);
  if (!tensor || (tensor->dtype() != DType::Int64 && tensor->dtype() != DType::Int32)) return std::nullopt;
  std::vector<int64_t> result;
  for (double v : tensor->to_double_vector()) result.push_back(static_cast<int64_t>(v));
  return result;
}

std::optional<double> constant_scalar(const ir::Graph& graph, const std::string& value) {
  const Tensor* tensor = constant_of(graph, value);
  if (!tensor || tensor->num_elements() != 1) return std::nullopt;
  return tensor->to_double_vector()[0];
}

std::optional<std::vector<int64_t>> ints_attr_or_input(const ir::Graph& graph, const ir::Node& node,
                                                       const std::string& attr, size_t index,
                                                       std::optional<std::vector<int64_t>> fallback) {
  if (node.attrs.has(attr)) {
    try {
      return node.attrs.get_ints(attr);
    } catch (const Error&) {
      return std::nullopt;
    }
  }
  if (index < node.inputs.size() && !node.inputs[index].empty())
    return constant_ints(graph, node.inputs[index]);
  return fallback;
}

std::optional<std::vector<ir::Dim>> dims_of(const ir::Graph& graph, const std::string& value) {
  if (value.empty() || !graph.has_type(value)) return std::nullopt;
  return graph.type(value).shape;
}

std::optional<int64_t> rank_of(const ir::Graph& graph, const std::string& value) {
  auto dims = dims_of(graph, value);
  if (!dims) return std::nullopt;
  return static_cast<int64_t>(dims->size());
}

std::optional<std::vector<int64_t>> normalize_axes(std::vector<int64_t> axes, int64_t rank) {
  for (auto& axis : axes) {
    if (axis < -rank || axis >= rank) return std::nullopt;
    if (axis < 0) axis += rank;
  }
  return axes;
}

std::string add_initializer(ir::Graph& graph, const std::string& base, Tensor value) {
  std::string name = graph.unique_name(base);
  graph.set_initializer(name, std::move(value));
  return name;
}

Tensor int64_tensor(const std::vector<int64_t>& values) {
  return Tensor::from_vector<int64_t>({static_cast<int64_t>(values.size())}, values);
}

bool tensors_equal(const Tensor& a, const Tensor& b) {
  if (a.defined() != b.defined()) return false;
  if (!a.defined()) return true;
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

bool attributes_equal(const ir::Attributes& a, const ir::Attributes& b) {
  if (a.values().size() != b.values().size()) return false;
  for (const auto& [name, value] : a) {
    if (!b.has(name)) return false;
    const ir::AttrValue& other = b.get(name);
    if (value.index() != other.index()) return false;
    bool same = std::visit(
        [&](const auto& mine) {
          using T = std::decay_t<decltype(mine)>;
          const T& theirs = std::get<T>(other);
          if constexpr (std::is_same_v<T, Tensor>) return tensors_equal(mine, theirs);
          else return mine == theirs;
        },
        value);
    if (!same) return false;
  }
  return true;
}

bool is_onnx_op(const ir::Node& node, const std::string& op_type) {
  return is_onnx_node(node) && node.op_type == op_type;
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

void set_input(ir::Node& node, size_t index, const std::string& value) {
  if (node.inputs.size() <= index) node.inputs.resize(index + 1);
  node.inputs[index] = value;
}

void erase_attr(ir::Node& node, const std::string& name) {
  if (!node.attrs.has(name)) return;
  ir::Attributes kept;
  for (const auto& [key, value] : node.attrs)
    if (key != name) kept.set(key, value);
  node.attrs = std::move(kept);
}

}  // namespace flowonnx::ir
