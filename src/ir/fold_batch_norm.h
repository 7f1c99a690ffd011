// Conv or ConvTranspose -> BatchNormalization (inference) becomes one Conv / ConvTranspose: with
// s = scale / sqrt(var + eps), W' = W * s per output channel (Conv: dim 0 of W; ConvTranspose:
// dim 1 within each group) and B' = (B - mean) * s + bias (B = 0 for a conv without bias). The one folding routine of the
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
