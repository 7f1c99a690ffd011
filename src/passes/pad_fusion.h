// Shared by fuse_pad_into_conv and fuse_pad_into_pool: folding a constant-mode Pad of the spatial
// dims into the `pads` attribute of the window op that reads it.
#pragma once

#include <functional>
#include <set>
#include <string>

#include "ir/graph.h"
#include "passes/pass.h"

namespace flowonnx::passes {

// For every node of `ops` whose input 0 comes from a single-use constant-mode Pad that pads only
// spatial dims (non-negative) with a value `accept_value(node, value)` allows, and whose auto_pad
// is NOTSET: adds the pads to the node's and bypasses the Pad. `adjust` may edit the node after
// a fusion (AveragePool sets count_include_pad).
bool fuse_pad_into_window_op(ir::Graph& graph, const std::set<std::string>& ops,
                             const std::function<bool(const ir::Node&, double)>& accept_value,
                             const std::function<void(ir::Node&)>& adjust);

}  // namespace flowonnx::passes
