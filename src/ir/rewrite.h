// The graph-rewrite helpers, shared by the model passes (passes/), the runtime's session-time
// rewrites (runtime/optimize/) and import normalisation (onnx/import/): who reads a value,
// replacing one value by another (keeping graph output names stable), reading constants and the
// axes/perm/pads that ONNX keeps either in an attribute (old opsets) or in a constant input (new
// opsets), and the static types type inference left on values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace flowonnx::ir {

// Readers of every value: the nodes reading it (once per input slot) and the graph outputs.
class UseMap {
 public:
  explicit UseMap(const ir::Graph& graph);
  // Number of reads, counting a graph output as one.
  int count(const std::string& value) const;
  const std::vector<ir::Node*>& consumers(const std::string& value) const;
  bool is_graph_output(const std::string& value) const { return outputs_.count(value) != 0; }

 private:
  std::map<std::string, std::vector<ir::Node*>> consumers_;
  std::map<std::string, int> outputs_;
};

// An ai.onnx node (domain "" or "ai.onnx"), of `op_type` when one is given.
bool is_onnx_node(const ir::Node& node);
bool is_onnx_op(const ir::Node& node, const std::string& op_type);
// The node producing `value` (nullptr for graph inputs, initializers and unknown values).
ir::Node* producer_of(const ir::Graph& graph, const std::string& value);
// The graph's ai.onnx opset (17 when none is declared, as the writer assumes).
int64_t onnx_opset_of(const ir::Graph& graph);

// Makes every reader of `from` read `to` instead, so the node producing `from` can go. When
// `from` is a graph output, `to`'s producer is renamed to produce `from` instead (names seen by
// users never change); that is impossible when `to` is a graph input, initializer or another
// graph output, and then nothing changes and false is returned.
bool replace_value(ir::Graph& graph, const std::string& from, const std::string& to);

// Removes a node that passes input `input` through unchanged as its output 0 (its other outputs
// unused): readers of output 0 read the input instead. False (graph unchanged) when
// replace_value refuses.
bool bypass_node(ir::Graph& graph, const ir::Node* node, size_t input = 0);

// The initializer behind `value`, or nullptr ("" and non-constants).
const Tensor* constant_of(const ir::Graph& graph, const std::string& value);
// An integer constant as int64s (nullopt when not a constant integer tensor).
std::optional<std::vector<int64_t>> constant_ints(const ir::Graph& graph, const std::string& value);
// A constant with exactly one element, as double.
std::optional<double> constant_scalar(const ir::Graph& graph, const std::string& value);
// An ints attribute (`attr`) or, when the node has input `index`, that constant input; `fallback`
// when neither is present; nullopt when the input exists but is not constant.
std::optional<std::vector<int64_t>> ints_attr_or_input(const ir::Graph& graph, const ir::Node& node,
                                                       const std::string& attr, size_t index,
                                                       std::optional<std::vector<int64_t>> fallback);

// Shape of a value when its type records one.
std::optional<std::vector<ir::Dim>> dims_of(const ir::Graph& graph, const std::string& value);
std::optional<int64_t> rank_of(const ir::Graph& graph, const std::string& value);
// Axes made non-negative for `rank`; nullopt when an axis is out of range.
std::optional<std::vector<int64_t>> normalize_axes(std::vector<int64_t> axes, int64_t rank);

// A new initializer named after `base` (made unique); returns its name.
std::string add_initializer(ir::Graph& graph, const std::string& base, Tensor value);
// A 1-D int64 tensor.
Tensor int64_tensor(const std::vector<int64_t>& values);

// The nodes reading `value`, a node once per input that reads it.
std::vector<ir::Node*> consumers_of(const ir::Graph& graph, const std::string& value);
// The single consumer of `value`, or nullptr when it has several, none, or is a graph output.
ir::Node* sole_consumer(const ir::Graph& graph, const std::string& value);
// For a node of two inputs and one output that reads `value` once: its other input; else "".
std::string other_operand(const ir::Node& node, const std::string& value);
bool is_graph_output(const ir::Graph& graph, const std::string& value);

// An initializer that is not also a graph input (so no feed can replace it), or nullptr. What a
// rewrite that bakes a constant into the graph (folding, prepacking) must use.
const Tensor* fixed_constant(const ir::Graph& graph, const std::string& value);
// The value of a one-element numeric fixed constant, as a double.
std::optional<double> scalar_constant(const ir::Graph& graph, const std::string& value);
// Drops an initializer nothing reads any more (after a rewrite replaced its last use).
void drop_if_unused(ir::Graph& graph, const std::string& value);

// Dim `axis` of a value when type inference knows it statically.
std::optional<int64_t> static_dim_of(const ir::Graph& graph, const std::string& value, size_t axis);
// True when both values have known, equal shapes (symbolic dims compare by name) and dtypes.
bool same_known_type(const ir::Graph& graph, const std::string& a, const std::string& b);

// Sets input `index`, padding skipped inputs with "" (omitted).
void set_input(ir::Node& node, size_t index, const std::string& value);
// Removes an attribute (nothing when absent).
void erase_attr(ir::Node& node, const std::string& name);

bool tensors_equal(const Tensor& a, const Tensor& b);
bool attributes_equal(const ir::Attributes& a, const ir::Attributes& b);

}  // namespace flowonnx::ir
