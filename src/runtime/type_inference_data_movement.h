// Static output shapes of Concat, Split, Slice, Reshape, Transpose and Flatten for the runtime's
// type inference (type_inference.cc).
#pragma once

#include <optional>
#include <vector>

#include "ir/graph.h"

namespace flowonnx::runtime {

// The dims of output `k` of `node` when they follow statically from its inputs' types and
// constant inputs; nullopt otherwise (also for other ops).
std::optional<std::vector<ir::Dim>> infer_data_movement_dims(const ir::Graph& graph,
                                                             const ir::Node& node, size_t k);

}  // namespace flowonnx::runtime
