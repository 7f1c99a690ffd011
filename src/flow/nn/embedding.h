// nn.Embedding: weight [num_embeddings, embedding_dim] ~ N(0, 1); forward gathers rows by
// int64 indices (OneFlow's gather op on the weight, axis 0), output indices.shape + [dim].
#pragma once

#include "flow/nn/module.h"
#include "tensor/random.h"

namespace flowonnx::nn {

class Embedding : public Module {
 public:
  Embedding(int64_t num_embeddings, int64_t embedding_dim, Generator& gen = default_generator());
  Tensor forward(const Tensor& indices) override;
  std::string type_name() const override { return "Embedding"; }
  Tensor weight;
};

}  // namespace flowonnx::nn
