// Scaled dot-product attention (ONNX Attention, opset 23/24) on 4-d float32 tensors:
//   scores = scale * Q K^T, softcapped (softcap * tanh(scores / softcap)) when softcap > 0,
//   plus the additive bias, the causal mask and the key-padding mask; Y = softmax(scores) V.
// Query head h reads key/value head h / (Hq / Hkv) (grouped-query attention; Hkv = Hq is plain
// multi-head, Hkv = 1 multi-query). The ONNX op's 3-d layout, KV cache concatenation, boolean
// masks and float16 are the runtime adapter's business (runtime/providers/cpu/attention.cc).
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// Which intermediate the optional scores output holds (ONNX qk_matmul_output_mode 0..3).
enum class AttentionScores { MatMul, Softcapped, Masked, Softmax };

struct AttentionParams {
  double scale = 1.0;    // multiplies Q K^T
  double softcap = 0.0;  // 0: none
  bool is_causal = false;
  // Causal alignment: query i sees keys t <= i + past_length (the upper-left diagonal shifted by
  // the cached keys that precede the new queries).
  int64_t past_length = 0;
  AttentionScores scores_mode = AttentionScores::MatMul;
};

// q [B, Hq, Sq, D], k [B, Hkv, T, D], v [B, Hkv, T, Dv], Hq a multiple of Hkv.
// bias: undefined or float32 of rank 4 whose dims are each 1 or those of [B, Hq, Sq, T].
// kv_lengths: empty, or B counts; keys t >= kv_lengths[b] are masked out.
// y [B, Hq, Sq, Dv] preallocated; scores: nullptr or a preallocated [B, Hq, Sq, T].
// A query whose keys are all masked gets NaN, as softmax over only -inf does.
void attention(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& bias,
               const std::vector<int64_t>& kv_lengths, const AttentionParams& params, Tensor& y,
               Tensor* scores);
// The same, one dot product at a time in double: the oracle for attention().
void attention_reference(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& bias,
                         const std::vector<int64_t>& kv_lengths, const AttentionParams& params,
                         Tensor& y, Tensor* scores);

}  // namespace flowonnx::kernels
