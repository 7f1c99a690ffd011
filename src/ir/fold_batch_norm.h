// Conv -> BatchNormalization (inference) becomes one Conv: with s = scale / sqrt(var + eps),
// W' = W * s per output channel (dim 0 of W, right for every group count) and
// B' = (B - mean) * s + bias (B = 0 for a Conv without bias). The one folding routine of the
// project: the fuse_bn_into_conv pass (passes/) and the runtime's session-time rewrites
// (runtime/optimize/) both call it.
#pragma once

#include "ir/graph.h"

namespace flowonnx::ir {

// Folds every BatchNormalization whose input is a Conv read by nothing else (and not a graph
// output), whose extra outputs nobody reads, and whose parameters and the Conv's weights and
// bias are fixed constants (initializers no feed can override) of floating dtype with one value
// per output channel. Computed in double and written in W's dtype into new initializers, so
// weights shared with other nodes stay untouched (onnxoptimizer's bug of rewriting shared
// initializers in place cannot happen); initializers nothing reads any more are dropped.
// Returns the number of BatchNormalization nodes folded.
int fold_batch_norms_into_convs(Graph& graph);

}  // namespace flowonnx::ir
