// Session-time conv fusions of the CPU runtime, run after ir::fold_batch_norms_into_convs
// (applied to the session's own copy of the graph, never written back to a model file;
// src/passes/ has the model-to-model optimiser):
//   fuse_conv_post_ops         2-D Conv with constant weights becomes flowonnx.cpu.FusedConv,
//                              absorbing a following Relu/Clip, a residual Add and a Relu/Clip
//                              after it (oneDNN post-ops: eltwise, sum, eltwise).
//   fuse_conv_cpu_activations  CPU only (the CUDA provider's epilogues have Relu/Clip alone): a
//                              FusedConv's free activation slot takes a following Sigmoid,
//                              HardSwish or spelled-out SiLU x * Sigmoid(x).
// Only values with one consumer that are not graph outputs disappear, so results are unchanged
// up to float rounding.
#pragma once

#include "ir/graph.h"
#include "kernels/cpu/conv.h"

namespace flowonnx::runtime {

// FusedConv: inputs (X, W, B?, Sum?), Conv's attributes plus pre_activation / post_activation
// ("" | "Relu" | "Clip" | "Sigmoid" | "Swish" | "HardSwish") with pre_min/pre_max/post_min/post_max
// for Clip.
inline const char* const kFusedConv = "FusedConv";

// The strides, dilations, pads and group of a 2-D (Fused)Conv node, defaults where absent (for
// auto_pad SAME the pads of a stride-1 conv): what kernels::conv_layouts reads, so the layout
// pass and the FusedConv kernel agree.
kernels::Conv2dParams conv_layout_params(const ir::Node& node);

// Returns the number of Conv nodes turned into FusedConv.
int fuse_conv_post_ops(ir::Graph& graph);
// Returns the number of activations absorbed.
int fuse_conv_cpu_activations(ir::Graph& graph);

}  // namespace flowonnx::runtime
