// Validates ONNX nodes against libonnx's schema registry at a target opset. The exporter checks
// every node fully (op exists at that opset, attributes known and typed, input/output counts) so
// we never write a model a runtime refuses; the importer checks that each op exists at the
// model's opset, as ONNX Runtime does when it loads a model.
#pragma once

#include "ir/graph.h"

namespace flowonnx::exporter {

// Throws InvalidArgument naming the node, the op and, for a missing op, the first opset that
// has it ("Range is not available at opset 10; it exists from opset 11").
void check_node_against_opset(const ir::Node& node, int opset);
void check_graph_against_opset(const ir::Graph& graph, int opset);

// First ai.onnx opset (up to the registry's newest) that defines op_type, or 0 if none.
int first_opset_with(const std::string& op_type);

// Throws InvalidModel listing every ai.onnx op that ONNX defines but not yet at `opset` (with
// the first opset that has it). Names ONNX never defined are not reported here (the runtime
// lists them as unsupported). An opset newer than ONNX 1.22 knows (27) is refused as a whole.
void check_ops_exist_at_opset(const ir::Graph& graph, int opset);

}  // namespace flowonnx::exporter
