// Load-time checks of a model graph before anything runs: structure (every value defined exactly
// once, every used value defined, no cycle) and op support (every unsupported op listed at once).
#pragma once

#include "ir/graph.h"
#include "runtime/kernel_registry.h"

namespace flowonnx::runtime {

// Throws InvalidModel naming the node and value.
void check_graph_structure(const ir::Graph& graph);
// Throws NotImplemented: "unsupported ops: Foo (domain com.x, opset 13) x2, ...".
void check_supported_ops(const ir::Graph& graph, const KernelRegistry& registry);

}  // namespace flowonnx::runtime
