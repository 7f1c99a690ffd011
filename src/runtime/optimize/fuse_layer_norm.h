// Session-time fusion of the layer norm that exporters spell out before opset 17 (torch.onnx,
// our own exporter at opset < 17) into one LayerNormalization node:
//   mean = ReduceMean(x, axes)          keepdims = 1
//   d    = Sub(x, mean)
//   sq   = Pow(d, 2) | Mul(d, d)
//   var  = ReduceMean(sq, axes)         keepdims = 1, the same axes
//   n    = Div(d, Sqrt(Add(var, eps)))  eps a one-element constant
//   y    = Add(Mul(n, scale), bias)     both optional; constants that broadcast within the
//                                       normalised dims (operands in either order)
// -> LayerNormalization(x, scale or ones, bias?; axis = the first normalised dim, epsilon = eps).
// The axes must be the trailing dims of x (rank known, normalised dims static), x float32; each
// intermediate value is read only by the next node of the pattern and is no graph output; eps and
// the parameters have at most x's rank, so y has x's shape. Anything else is left alone. (ONNX
// Runtime's LayerNormFusion matches the same graph.) LayerNormalization runs on the CPU and the
// CUDA provider, so this runs in fuse_graph.
#pragma once

#include "ir/graph.h"

namespace flowonnx::runtime {

// Returns the number of layer norms fused.
int fuse_layer_norm(ir::Graph& graph);

}  // namespace flowonnx::runtime
