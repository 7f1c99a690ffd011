// Evaluates one node whose inputs are all initializers with the runtime's CPU kernels (the same
// code the InferenceSession runs): the node is put alone into a graph of the same opset,
// normalised like any imported model, planned and executed.
#pragma once

#include <vector>

#include "ir/graph.h"

namespace flowonnx::passes {

// Outputs in node order (undefined Tensor for an omitted output). Throws the kernel's Error
// (NotImplemented when no kernel exists) — callers decide whether that keeps the node.
std::vector<Tensor> evaluate_node(const ir::Graph& graph, const ir::Node& node);

// A deep copy (nodes, types, initializers sharing tensor storage).
void copy_graph(const ir::Graph& source, ir::Graph& target);

}  // namespace flowonnx::passes
