// The CPU runtime's session-time graph preparation, run on the session's own graph after type
// inference and before planning: BatchNormalization folding, conv post-op fusion, blocked
// activation layout (fuse_conv.h, blocked_layout.h), spelled-out LayerNorm and GELU
// (fuse_layer_norm.h, fuse_gelu.h), MatMul epilogues (fuse_matmul.h).
#pragma once

#include <string>

#include "ir/graph.h"

namespace flowonnx::runtime {

struct CpuGraphOptions {
  // BN folding, FusedConv (prepacked weights, post-ops) and the blocked layout between them
  // (FusedConv reads and writes blocked activations, so the layout plan always comes with it),
  // LayerNormalization and Gelu from their spelled-out forms, MatMul epilogues.
  bool fuse = true;
  bool winograd = true;  // Winograd for eligible 3x3 stride-1 FusedConvs
};

struct CpuGraphReport {
  int folded_batch_norms = 0, fused_convs = 0, conv_activations = 0, layout_reorders = 0,
      layer_norms = 0, gelus = 0, fused_matmuls = 0;
  std::string to_string() const;
};

// Both steps below, for a graph that runs on the CPU alone.
CpuGraphReport optimize_for_cpu(ir::Graph& graph, const CpuGraphOptions& options);
// The provider-independent part, run before the CUDA provider claims nodes so both providers
// see the same fused graph: BN folding, FusedConv and LayerNormalization (which the CUDA
// provider runs too).
void fuse_graph(ir::Graph& graph, const CpuGraphOptions& options, CpuGraphReport& report);
// The CPU-only part, on what the CPU runs: Gelu and FusedMatMul (CPU-internal ops), Winograd
// choice and the blocked layout plan.
void prepare_for_cpu(ir::Graph& graph, const CpuGraphOptions& options, CpuGraphReport& report);

}  // namespace flowonnx::runtime
