// multi_head_attention (transformer.h): the attention core shared by the ViT and the BERT encoder.
#include <cmath>

#include "flow/functional.h"
#include "models/transformer.h"

namespace flowonnx::models {

namespace F = functional;

Tensor multi_head_attention(const Tensor& q, const Tensor& k, const Tensor& v, int64_t num_heads) {
  FLOWONNX_REQUIRE(q.rank() == 3 && k.rank() == 3 && v.rank() == 3,
                   "multi_head_attention: q, k, v must be [N, S, E], got {}, {}, {}", q.describe(), k.describe(),
                   v.describe());
  int64_t embed_dim = q.dim(2);
  FLOWONNX_REQUIRE(num_heads > 0 && embed_dim % num_heads == 0,
                   "multi_head_attention: embed dim {} is not divisible by {} heads", embed_dim, num_heads);
  int64_t head_dim = embed_dim / num_heads;
  double scale = 1.0 / std::sqrt(static_cast<double>(head_dim));
  std::vector<Tensor> heads;
  for (int64_t h = 0; h < num_heads; ++h) {
    auto head = [&](const Tensor& x) { return F::narrow(x, 2, h * head_dim, head_dim); };
    Tensor weights = F::softmax(F::matmul(head(q), head(k), false, true, scale), -1);  // [N, S, S]
    heads.push_back(F::matmul(weights, head(v)));                                       // [N, S, D]
  }
  return heads.size() == 1 ? heads[0] : F::concat(heads, 2);
}

}  // namespace flowonnx::models
