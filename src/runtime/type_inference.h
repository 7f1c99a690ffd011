// Type inference through the graph: gives every value without a declared type a dtype and, where
// the op's rule allows it, a shape (static dims kept static, symbolic dims carried along, unknown
// dims left unknown). Declared types are never overwritten. Values whose dtype cannot be derived
// stay untyped; the executor does not need them (kernels see real tensors).
#pragma once

#include "ir/graph.h"

namespace flowonnx::runtime {

void infer_types(ir::Graph& graph);

}  // namespace flowonnx::runtime
