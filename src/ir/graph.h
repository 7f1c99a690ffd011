// The IR shared by traced framework graphs (domain "flow"), the exporter, the passes and the
// runtime (domain "" = ai.onnx): a graph of nodes that name their input and output values, like
// ONNX's GraphProto. Values are named; their types live in one table; initializers are constant
// values with data. Node order is insertion order; topological_order() gives execution order.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/attribute.h"
#include "tensor/tensor.h"

namespace flowonnx::ir {

// A dim is a known size (value >= 0), a named symbol ("N", "batch"), or unknown (neither).
struct Dim {
  int64_t value = -1;
  std::string symbol;

  static Dim of(int64_t v) { return Dim{v, {}}; }
  static Dim named(std::string s) { return Dim{-1, std::move(s)}; }
  bool is_static() const { return value >= 0; }
  bool operator==(const Dim& other) const { return value == other.value && symbol == other.symbol; }
  std::string to_string() const;  // "64", "N", "?"
};

// dtype and (optionally) shape of a value.
struct ValueType {
  DType dtype = DType::Float32;
  std::optional<std::vector<Dim>> shape;  // nullopt: rank unknown

  static ValueType of(DType dtype, const Shape& shape);
  bool is_static() const;
  Shape static_shape() const;  // throws InvalidArgument if any dim is not static
  bool operator==(const ValueType& other) const { return dtype == other.dtype && shape == other.shape; }
  std::string to_string() const;  // "f32[N,64]", "i64[?]", "f32[*]"
};

struct Node {
  std::string name;
  std::string domain;   // "flow" for framework ops, "" for ai.onnx
  std::string op_type;  // "conv2d", "Conv"
  std::vector<std::string> inputs;  // "" marks an omitted optional input
  std::vector<std::string> outputs;
  Attributes attrs;
  // The last `implicit_inputs` inputs are not the op's own: they are the outer-scope values its
  // subgraphs read, made explicit while the runtime and the passes work on the graph so that
  // uses, lifetimes and order see them (ir/subgraph.h). Always 0 in files and in ONNX ops' terms.
  int implicit_inputs = 0;

  std::string qualified_type() const;
  // Inputs without the implicit ones.
  size_t num_explicit_inputs() const { return inputs.size() - static_cast<size_t>(implicit_inputs); }  // "flow.conv2d", "onnx.Conv"
};

class Graph {
 public:
  std::string name;
  std::vector<std::string> inputs;   // graph input value names, in order
  std::vector<std::string> outputs;  // graph output value names, in order
  std::map<std::string, int64_t> opset_imports;  // domain -> version ("" = ai.onnx)

  // Nodes in insertion order. Pointers stay valid until the node is removed.
  const std::vector<std::unique_ptr<Node>>& nodes() const { return nodes_; }
  Node* add_node(Node node);
  // Removes the node (its output values stay in the type table until prune_values()).
  void remove_node(const Node* node);
  // Inserts `node` right before `before` in insertion order (keeps dumps readable).
  Node* insert_node_before(const Node* before, Node node);

  // Value types; set_type overwrites.
  void set_type(const std::string& value, ValueType type) { types_[value] = std::move(type); }
  bool has_type(const std::string& value) const { return types_.count(value) != 0; }
  const ValueType& type(const std::string& value) const;  // throws InvalidModel if unknown
  const std::map<std::string, ValueType>& types() const { return types_; }

  // Constant values with data (their type is recorded too).
  void set_initializer(const std::string& value, Tensor tensor);
  bool is_initializer(const std::string& value) const { return initializers_.count(value) != 0; }
  const Tensor& initializer(const std::string& value) const;
  void remove_initializer(const std::string& value);
  const std::map<std::string, Tensor>& initializers() const { return initializers_; }

  // A value name not used yet in this graph: base, base_1, base_2, ...
  std::string unique_name(const std::string& base);

  // Producer of each value (graph inputs and initializers have none).
  std::map<std::string, const Node*> producers() const;
  // Nodes in an order where every input is produced before use. Throws InvalidModel naming a
  // node on a cycle.
  std::vector<Node*> topological_order() const;
  // Checks: every value defined once (graph input, initializer or one node output), every used
  // value defined, graph outputs defined, no cycle, graph inputs and outputs typed, initializer
  // types consistent with their data (intermediate values may be untyped, as in ONNX). Throws
  // InvalidModel with the offending node and value.
  void verify() const;
  // Drops types of values nothing defines any more.
  void prune_values();

  // One line per node in topological order: "%y:f32[N,64] = flow.relu(%x)".
  std::string to_text() const;

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
  std::map<std::string, ValueType> types_;
  std::map<std::string, Tensor> initializers_;
  std::set<std::string> used_names_;
};

}  // namespace flowonnx::ir
