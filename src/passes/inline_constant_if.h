// Constant folding of control flow: an If whose condition is a constant is replaced by the nodes
// of the branch it takes (values it defines renamed to fresh names, its reads of enclosing values
// kept, nested subgraphs following the renames), its outputs keeping their names through
// Identity nodes.
#pragma once

#include "ir/graph.h"

namespace flowonnx::passes {

// True when `node` was an If with a constant one-element bool condition and is now inlined (the
// node is removed); false and nothing changed otherwise.
bool inline_constant_if(ir::Graph& graph, const ir::Node* node);

}  // namespace flowonnx::passes
