#include "flow/nn/attention.h"

#include <cmath>

#include "flow/dispatch.h"
#include "flow/functional.h"

namespace flowonnx::nn {

namespace F = functional;

namespace {
Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  return flow::call_op("narrow", {x}, {{"dim", dim}, {"start", start}, {"length", length}})[0];
}
}  // namespace

MultiheadAttention::MultiheadAttention(int64_t embed_dim, int64_t num_heads, bool bias, Generator& gen)
    : embed_dim(embed_dim), num_heads(num_heads) {
  FLOWONNX_REQUIRE(num_heads > 0 && embed_dim % num_heads == 0,
                   "MultiheadAttention: embed_dim {} is not divisible by num_heads {}", embed_dim, num_heads);
  // torch: xavier_uniform_ on in_proj_weight, zero biases, out_proj Linear default weight.
  in_proj_weight = register_parameter("in_proj_weight", Tensor({3 * embed_dim, embed_dim}));
  double bound = std::sqrt(6.0 / static_cast<double>(embed_dim + 3 * embed_dim));
  uniform_(in_proj_weight, -bound, bound, gen);
  if (bias) in_proj_bias = register_parameter("in_proj_bias", Tensor::zeros({3 * embed_dim}));
  out_proj = register_module("out_proj", std::make_shared<Linear>(embed_dim, embed_dim, bias, gen));
  if (bias) out_proj->bias.copy_from(Tensor::zeros({embed_dim}));
}

Tensor MultiheadAttention::project(const Tensor& x, int64_t index) {
  FLOWONNX_REQUIRE(x.rank() == 3 && x.dim(2) == embed_dim, "MultiheadAttention: expected [B, S, {}], got {}",
                   embed_dim, x.describe());
  Tensor weight = narrow(in_proj_weight, 0, index * embed_dim, embed_dim);
  Tensor bias = in_proj_bias.defined() ? narrow(in_proj_bias, 0, index * embed_dim, embed_dim) : Tensor();
  Tensor projected = F::linear(x, weight, bias);
  int64_t head_dim = embed_dim / num_heads;
  return F::transpose(F::reshape(projected, {x.dim(0), x.dim(1), num_heads, head_dim}), {0, 2, 1, 3});
}

Tensor MultiheadAttention::attend(const Tensor& query, const Tensor& key, const Tensor& value) {
  Tensor q = project(query, 0), k = project(key, 1), v = project(value, 2);
  double scale = 1.0 / std::sqrt(static_cast<double>(embed_dim / num_heads));
  Tensor weights = F::softmax(F::matmul(q, k, false, true, scale), -1);           // [B, H, L, S]
  Tensor context = F::transpose(F::matmul(weights, v), {0, 2, 1, 3});             // [B, L, H, D]
  return out_proj->forward(F::reshape(context, {query.dim(0), query.dim(1), embed_dim}));
}

}  // namespace flowonnx::nn
