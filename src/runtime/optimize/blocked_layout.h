// Session-time layout planning: keeps activations in oneDNN's channel-blocked layout
// (kernels/cpu/blocked_layout.h) between FusedConvs and max pools, with reorders only where a
// value enters or leaves such a region. A FusedConv reads a blocked src exactly when its input
// channels can be blocked and writes a blocked dst exactly when its output channels can; this
// pass rewires its inputs accordingly and turns MaxPools on blocked values into BlockedMaxPool.
// Blocked copies of a value are named "<value>/blocked"; every original name keeps its meaning
// (plain NCHW) wherever it is read, graph outputs included.
#pragma once

#include "ir/graph.h"

namespace flowonnx::runtime {

inline const char* const kBlockedMaxPool = "BlockedMaxPool";
inline const char* const kToBlocked = "ToBlockedLayout";
inline const char* const kToPlain = "ToPlainLayout";

// Returns the number of reorder nodes inserted.
int plan_blocked_layout(ir::Graph& graph);

}  // namespace flowonnx::runtime
