// Rotary position embedding (ONNX RotaryEmbedding, opset 23; RoFormer / LLaMA): the first
// `rotary_dim` values of each head are taken as rotary_dim / 2 pairs (x1, x2), either the two
// halves (x1 = x[:R/2], x2 = x[R/2:R]) or neighbours (interleaved: x1 = x[0::2], x2 = x[1::2]),
// and rotated by the angle of their position: (x1 cos - x2 sin, x1 sin + x2 cos). The rest of the
// head passes through.
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

struct RotaryParams {
  int64_t rotary_dim = 0;  // even, <= head size
  bool interleaved = false;
  // x as [B, S, H, D] (true: the op's 3-d input split into heads) or [B, H, S, D] (false).
  bool sequence_major = false;
};

// x float32 [B, H, S, D] or [B, S, H, D] (see params); cos and sin float32: with positions
// (B * S ids) [max_position, R / 2] tables indexed by them, without positions [B, S, R / 2].
// y preallocated like x.
void rotary_embedding(const Tensor& x, const Tensor& cos, const Tensor& sin,
                      const std::vector<int64_t>& positions, const RotaryParams& params, Tensor& y);

}  // namespace flowonnx::kernels
