// Validates ONNX nodes against libonnx's schema registry at a target opset, so we never write a
// model a runtime refuses: the op must exist at that opset, its attributes must be known to the
// schema with the right type, and its input/output counts must fit.
#pragma once

#include "ir/graph.h"

namespace flowonnx::exporter {

// Throws InvalidArgument naming the node, the op and, for a missing op, the first opset that
// has it ("Range is not available at opset 10; it exists from opset 11").
void check_node_against_opset(const ir::Node& node, int opset);
void check_graph_against_opset(const ir::Graph& graph, int opset);

// First ai.onnx opset (up to the registry's newest) that defines op_type, or 0 if none.
int first_opset_with(const std::string& op_type);

}  // namespace flowonnx::exporter
