// nn.MultiheadAttention (torch names: in_proj_weight [3E, E], in_proj_bias [3E], out_proj) built
// from framework ops only (narrow, matmul, reshape, transpose, softmax), so it traces and
// exports like any other module. Batch-first [B, S, E]; no masks, no dropout at inference.
#pragma once

#include "flow/nn/layers.h"

namespace flowonnx::nn {

class MultiheadAttention : public Module {
 public:
  MultiheadAttention(int64_t embed_dim, int64_t num_heads, bool bias = true, Generator& gen = default_generator());
  // Self-attention: query = key = value = x.
  Tensor forward(const Tensor& x) override { return attend(x, x, x); }
  // query [B, L, E], key and value [B, S, E] -> [B, L, E].
  Tensor attend(const Tensor& query, const Tensor& key, const Tensor& value);
  std::string type_name() const override { return "MultiheadAttention"; }

  Tensor in_proj_weight, in_proj_bias;
  std::shared_ptr<Linear> out_proj;
  int64_t embed_dim, num_heads;

 private:
  // Rows [index*E, (index+1)*E) of the packed projection applied to x, split into heads:
  // [B, S, E] -> [B, H, S, D].
  Tensor project(const Tensor& x, int64_t index);
};

}  // namespace flowonnx::nn
