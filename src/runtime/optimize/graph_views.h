// Read-only helpers the runtime's session-time rewrites share: who consumes a value, whether a
// value is a constant the session may rewrite (an initializer no feed can override).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace flowonnx::runtime {

// The domain of ops that only the runtime's own rewrites create (never read from a model file).
inline const std::string kInternalDomain = "flowonnx.cpu";

// An ai.onnx node (domain "" or "ai.onnx"), of `op_type` when one is given.
bool is_default_domain(const ir::Node& node);
bool is_onnx_op(const ir::Node& node, const std::string& op_type);

// value -> the nodes reading it (a node reading a value twice is listed twice).
std::map<std::string, std::vector<ir::Node*>> consumers_of(const ir::Graph& graph);
// The nodes reading `value`, a node once per input that reads it.
std::vector<ir::Node*> consumers_of(const ir::Graph& graph, const std::string& value);
// The single consumer of `value`, or nullptr when it has several, none, or is a graph output.
ir::Node* sole_consumer(const ir::Graph& graph, const std::string& value);
// For a node of two inputs and one output that reads `value` once: its other input; else "".
std::string other_operand(const ir::Node& node, const std::string& value);

bool is_graph_output(const ir::Graph& graph, const std::string& value);

// An initializer that is not also a graph input (so no feed can replace it), or nullptr.
const Tensor* fixed_constant(const ir::Graph& graph, const std::string& value);
// The value of a one-element numeric fixed constant, as a double.
std::optional<double> scalar_constant(const ir::Graph& graph, const std::string& value);
// Drops an initializer nothing reads any more (after a rewrite replaced its last use).
void drop_if_unused(ir::Graph& graph, const std::string& value);

// Dim `axis` of a value when type inference knows it statically.
std::optional<int64_t> static_dim_of(const ir::Graph& graph, const std::string& value, size_t axis);
// True when both values have known, equal shapes (symbolic dims compare by name) and dtypes.
bool same_known_type(const ir::Graph& graph, const std::string& a, const std::string& b);

}  // namespace flowonnx::runtime
