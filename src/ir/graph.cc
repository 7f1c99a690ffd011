#include "ir/graph.h"

#include <fmt/format.h>

#include <algorithm>

#include "ir/subgraph.h"

namespace flowonnx::ir {

std::string Dim::to_string() const {
  if (is_static()) return std::to_string(value);
  return symbol.empty() ? "?" : symbol;
}

ValueType ValueType::of(DType dtype, const Shape& shape) {
  ValueType type;
  type.dtype = dtype;
  type.shape.emplace();
  for (int64_t d : shape) type.shape->push_back(Dim::of(d));
  return type;
}

bool ValueType::is_static() const {
  if (!shape) return false;
  return std::all_of(shape->begin(), shape->end(), [](const Dim& d) { return d.is_static(); });
}

Shape ValueType::static_shape() const {
  FLOWONNX_REQUIRE(is_static(), "shape {} is not static", to_string());
  Shape result;
  for (const Dim& d : *shape) result.push_back(d.value);
  return result;
}

namespace {
const char* short_dtype(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "f32";
    case DType::Float64: return "f64";
    case DType::Float16: return "f16";
    case DType::Int8: return "i8";
    case DType::Int16: return "i16";
    case DType::Int32: return "i32";
    case DType::Int64: return "i64";
    case DType::UInt8: return "u8";
    case DType::UInt16: return "u16";
    case DType::UInt32: return "u32";
    case DType::UInt64: return "u64";
    case DType::Bool: return "bool";
  }
  return "?";
}
}  // namespace

std::string ValueType::to_string() const {
  std::string text = short_dtype(dtype);
  if (!shape) return text + "[*]";
  text += "[";
  for (size_t i = 0; i < shape->size(); ++i) text += (i ? "," : "") + (*shape)[i].to_string();
  return text + "]";
}

std::string Node::qualified_type() const {
  return (domain.empty() ? std::string("onnx") : domain) + "." + op_type;
}

Node* Graph::add_node(Node node) {
  for (const auto& out : node.outputs) used_names_.insert(out);
  nodes_.push_back(std::make_unique<Node>(std::move(node)));
  return nodes_.back().get();
}

Node* Graph::insert_node_before(const Node* before, Node node) {
  for (const auto& out : node.outputs) used_names_.insert(out);
  auto at = std::find_if(nodes_.begin(), nodes_.end(), [&](const auto& n) { return n.get() == before; });
  return nodes_.insert(at, std::make_unique<Node>(std::move(node)))->get();
}

void Graph::remove_node(const Node* node) {
  auto at = std::find_if(nodes_.begin(), nodes_.end(), [&](const auto& n) { return n.get() == node; });
  FLOWONNX_CHECK(at != nodes_.end(), "remove_node: node not in graph '{}'", name);
  nodes_.erase(at);
}

const ValueType& Graph::type(const std::string& value) const {
  auto found = types_.find(value);
  if (found == types_.end()) fail(ErrorCode::InvalidModel, "graph '{}': value '{}' has no type", name, value);
  return found->second;
}

void Graph::set_initializer(const std::string& value, Tensor tensor) {
  used_names_.insert(value);
  types_[value] = ValueType::of(tensor.dtype(), tensor.shape());
  initializers_[value] = std::move(tensor);
}

const Tensor& Graph::initializer(const std::string& value) const {
  auto found = initializers_.find(value);
  if (found == initializers_.end()) fail(ErrorCode::InvalidModel, "graph '{}': '{}' is not an initializer", name, value);
  return found->second;
}

void Graph::remove_initializer(const std::string& value) { initializers_.erase(value); }

std::string Graph::unique_name(const std::string& base) {
  for (const auto& in : inputs) used_names_.insert(in);
  std::string candidate = base;
  for (int i = 1; used_names_.count(candidate) || types_.count(candidate); ++i)
    candidate = fmt::format("{}_{}", base, i);
  used_names_.insert(candidate);
  return candidate;
}

std::map<std::string, const Node*> Graph::producers() const {
  std::map<std::string, const Node*> result;
  for (const auto& node : nodes_)
    for (const auto& out : node->outputs)
      if (!out.empty()) result[out] = node.get();
  return result;
}

std::vector<Node*> Graph::topological_order() const {
  // Kahn's algorithm, stable in insertion order.
  std::map<std::string, size_t> producer_index;
  for (size_t i = 0; i < nodes_.size(); ++i)
    for (const auto& out : nodes_[i]->outputs)
      if (!out.empty()) producer_index[out] = i;
  std::vector<int> pending(nodes_.size(), 0);
  std::vector<std::vector<size_t>> consumers(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    // A subgraph's outer-scope reads order its node after their producers too (they are among
    // the inputs already while attached).
    std::vector<std::string> reads = nodes_[i]->inputs;
    if (nodes_[i]->implicit_inputs == 0 && has_subgraphs(*nodes_[i])) {
      std::vector<std::string> outer = outer_scope_reads(*nodes_[i]);
      reads.insert(reads.end(), outer.begin(), outer.end());
    }
    for (const auto& in : reads) {
      auto found = producer_index.find(in);
      if (in.empty() || found == producer_index.end()) continue;
      ++pending[i];
      consumers[found->second].push_back(i);
    }
  }
  std::vector<Node*> order;
  std::set<size_t> ready;  // smallest insertion index first, so the order is stable
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (pending[i] == 0) ready.insert(i);
  while (!ready.empty()) {
    size_t i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(nodes_[i].get());
    for (size_t c : consumers[i])
      if (--pending[c] == 0) ready.insert(c);
  }
  if (order.size() != nodes_.size()) {
    for (size_t i = 0; i < nodes_.size(); ++i)
      if (pending[i] > 0)
        fail(ErrorCode::InvalidModel, "graph '{}' has a cycle through node '{}' ({})", name,
             nodes_[i]->name, nodes_[i]->qualified_type());
  }
  return order;
}

void Graph::verify() const {
  std::map<std::string, std::string> defined;  // value -> what defines it
  auto define = [&](const std::string& value, const std::string& by) {
    FLOWONNX_REQUIRE(!value.empty(), "graph '{}': {} defines a value with an empty name", name, by);
    auto [it, inserted] = defined.emplace(value, by);
    if (!inserted)
      fail(ErrorCode::InvalidModel, "graph '{}': value '{}' is defined twice ({} and {})", name,
           value, it->second, by);
  };
  for (const auto& in : inputs) define(in, "graph input");
  for (const auto& [value, tensor] : initializers_)
    if (std::find(inputs.begin(), inputs.end(), value) == inputs.end()) define(value, "initializer");
  for (const auto& node : nodes_)
    for (const auto& out : node->outputs)
      if (!out.empty()) define(out, fmt::format("node '{}' ({})", node->name, node->qualified_type()));
  for (const auto& node : nodes_)
    for (const auto& in : node->inputs)
      if (!in.empty() && !defined.count(in))
        fail(ErrorCode::InvalidModel, "graph '{}': node '{}' ({}) uses undefined value '{}'", name,
             node->name, node->qualified_type(), in);
  for (const auto& out : outputs)
    if (!defined.count(out)) fail(ErrorCode::InvalidModel, "graph '{}': output '{}' is not defined", name, out);
  for (const auto& in : inputs)
    if (!types_.count(in)) fail(ErrorCode::InvalidModel, "graph '{}': input '{}' has no type", name, in);
  for (const auto& out : outputs)
    if (!types_.count(out)) fail(ErrorCode::InvalidModel, "graph '{}': output '{}' has no type", name, out);
  for (const auto& [value, tensor] : initializers_) {
    const ValueType& t = types_.at(value);
    if (t.dtype != tensor.dtype() || !(t == ValueType::of(tensor.dtype(), tensor.shape())))
      fail(ErrorCode::InvalidModel, "graph '{}': initializer '{}' is {} but typed {}", name, value,
           tensor.describe(), t.to_string());
  }
  topological_order();  // throws on a cycle
  check_subgraph_scopes(*this);
}

void Graph::prune_values() {
  std::set<std::string> live(inputs.begin(), inputs.end());
  for (const auto& [value, tensor] : initializers_) live.insert(value);
  for (const auto& node : nodes_) live.insert(node->outputs.begin(), node->outputs.end());
  for (auto it = types_.begin(); it != types_.end();) it = live.count(it->first) ? std::next(it) : types_.erase(it);
}

std::string Graph::to_text() const {
  auto typed = [&](const std::string& value) {
    auto found = types_.find(value);
    return "%" + value + (found == types_.end() ? "" : ":" + found->second.to_string());
  };
  std::string text;
  for (const auto& in : inputs) text += "input " + typed(in) + "\n";
  for (const auto& [value, tensor] : initializers_) text += "initializer " + typed(value) + "\n";
  for (const Node* node : topological_order()) {
    std::string outs, ins;
    for (const auto& out : node->outputs) outs += (outs.empty() ? "" : ", ") + typed(out);
    for (const auto& in : node->inputs) ins += (ins.empty() ? "" : ", ") + (in.empty() ? std::string("_") : "%" + in);
    std::string attrs;
    for (const auto& [key, value] : node->attrs) attrs += (attrs.empty() ? " {" : ", ") + key + "=" + attr_to_string(value);
    if (!attrs.empty()) attrs += "}";
    text += fmt::format("{} = {}({}){}\n", outs, node->qualified_type(), ins, attrs);
  }
  for (const auto& out : outputs) text += "output " + typed(out) + "\n";
  return text;
}

}  // namespace flowonnx::ir
