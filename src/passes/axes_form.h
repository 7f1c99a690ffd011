// Squeeze / Unsqueeze keep their axes in an attribute before opset 13 and in input 1 from 13 on;
// these helpers read and write whichever form the graph's opset uses.
#pragma once

#include <optional>
#include <vector>

#include "ir/graph.h"

namespace flowonnx::passes {

// nullopt when the axes are absent (Squeeze all) or not constant.
std::optional<std::vector<int64_t>> squeeze_axes(const ir::Graph& graph, const ir::Node& node);
void set_squeeze_axes(ir::Graph& graph, ir::Node& node, const std::vector<int64_t>& axes);

}  // namespace flowonnx::passes
