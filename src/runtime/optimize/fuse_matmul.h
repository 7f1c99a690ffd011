// Session-time MatMul fusions of the CPU runtime: a MatMul (float32) absorbs what oneDNN's
// matmul does in the same call, becoming flowonnx.cpu.FusedMatMul(A, B, bias?) with attributes
// trans_b, alpha and activation:
//   MatMul(A, Transpose(K))  the Transpose swapping only the last two dims  -> B = K, trans_b = 1
//   Mul(MatMul(..), c)       c a one-element constant (either operand order) -> alpha = c
//   Add(MatMul(..), bias)    bias a constant of N values, [N] or [1,..,1,N], N the static last
//                            dim of the product (either operand order)    -> bias
//   flowonnx.cpu.Gelu(..)    (fuse_gelu.h runs first)                     -> activation = "Gelu"
// Attention scores (q k^T * scale) and linear layers with a bias and a GELU (gelu(x W + b)) are
// the cases that matter. Each absorbed value is read only by the next node and is no graph
// output, and nothing may change the product's shape (c and bias have at most its rank).
// CPU-only op, so this runs in prepare_for_cpu.
#pragma once

#include "ir/graph.h"

namespace flowonnx::runtime {

inline const char* const kFusedMatMul = "FusedMatMul";

// Returns the number of MatMul nodes turned into FusedMatMul.
int fuse_matmul(ir::Graph& graph);

}  // namespace flowonnx::runtime
