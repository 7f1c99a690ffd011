// Static output shapes of Concat, Split, Slice, Reshape, Transpose, Flatten and Pad: their type rule
// (registered with their kernels in providers/cpu/tensor.cc and indexing.cc).
#pragma once

#include <optional>
#include <vector>

#include "ir/graph.h"
#include "runtime/type_rules.h"

namespace flowonnx::runtime {

// The dims of output `k` of `node` when they follow statically from its inputs' types and
// constant inputs; nullopt otherwise (also for other ops).
std::optional<std::vector<ir::Dim>> infer_data_movement_dims(const ir::Graph& graph,
                                                             const ir::Node& node, size_t k);

namespace rules {
// Every output has input 0's dtype; dims from infer_data_movement_dims where they are static.
TypeRule data_movement();
}  // namespace rules

}  // namespace flowonnx::runtime
