#include "flow/nn/embedding.h"

#include "flow/dispatch.h"

namespace flowonnx::nn {

Embedding::Embedding(int64_t num_embeddings, int64_t embedding_dim, Generator& gen) {
  weight = register_parameter("weight", Tensor({num_embeddings, embedding_dim}));
  normal_(weight, 0.0, 1.0, gen);
}

Tensor Embedding::forward(const Tensor& indices) {
  FLOWONNX_REQUIRE(indices.dtype() == DType::Int64 || indices.dtype() == DType::Int32,
                   "Embedding: indices must be int64 or int32, got {}", indices.describe());
  return flow::call_op("gather", {weight, indices}, {{"axis", int64_t{0}}})[0];
}

}  // namespace flowonnx::nn
