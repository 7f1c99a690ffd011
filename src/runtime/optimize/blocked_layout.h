// Session-time layout planning: keeps activations in the layouts FusedConvs read and write
// (kernels::conv_layouts: oneDNN's channel-blocked layout, or channels-last where channel counts
// cannot be blocked) from conv to conv and through max pools, with reorders only where a value
// enters or leaves such a region or changes layout between two convs. MaxPools on blocked values
// become BlockedMaxPool. A value's copy in another layout is named "<value>/<layout>" (blocked,
// channels_last); every original name keeps its meaning (plain NCHW) wherever it is read, graph
// outputs included.
#pragma once

#include "ir/graph.h"

namespace flowonnx::runtime {

inline const char* const kBlockedMaxPool = "BlockedMaxPool";
// Reorders its input between two layouts: string attributes "from" and "to" (layout_name()).
inline const char* const kReorderLayout = "ReorderLayout";

// Returns the number of reorder nodes inserted.
int plan_blocked_layout(ir::Graph& graph);

}  // namespace flowonnx::runtime
