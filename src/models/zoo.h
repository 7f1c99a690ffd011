// The model zoo by name (FlowVision / torchvision names), for the CLI and tests.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "flow/nn/module.h"
#include "tensor/random.h"

namespace flowonnx::models {

struct ModelInfo {
  std::string name;         // "resnet34"
  std::string description;  // one line
  Shape input_shape;        // a typical batch-1 input, e.g. [1,3,224,224]
  std::string graph_name;   // the tutorial-style nn.Graph class name, e.g. "ResNet34Graph"
  std::function<std::shared_ptr<nn::Module>(Generator&)> create;
  // Images are float32; a text encoder takes int64 token ids in [0, input_index_bound).
  DType input_dtype = DType::Float32;
  int64_t input_index_bound = 0;  // exclusive upper bound of integer inputs (the vocabulary size)
  // Input dims that may change between runs besides the batch (dim 0), e.g. {1} for the sequence
  // of a text encoder: what `flowonnx export --dynamic-sequence` makes symbolic.
  std::vector<int64_t> sequence_dims = {};
};

const std::vector<ModelInfo>& model_zoo();
// Throws InvalidArgument naming the unknown model and listing the known ones.
const ModelInfo& find_model(const std::string& name);
// A sample input of `shape` for the model: N(0, 1) floats, or int64 ids uniform in
// [0, input_index_bound) for a text encoder.
Tensor sample_input(const ModelInfo& info, const Shape& shape, Generator& gen);

// A model with weights initialised from a generator seeded with `seed`.
std::shared_ptr<nn::Module> create_model(const std::string& name, uint64_t seed = 0);

// Initialisation leaves every batch norm at identity (scale 1, bias 0, mean 0, var 1); through
// tens of random residual blocks activations then grow block after block, and float rounding
// alone moves outputs past a 1e-4/1e-5 check. Trained nets keep activations in range: their BN
// statistics are spread out and each residual branch ends in a small scale (what
// zero_init_residual does at the start of training). This gives every batch norm such values
// from `seed`: var and weight U(0.5, 1.5) (weight times `scale`), mean and bias U(-0.1, 0.1), and
// weight U(0.1, 0.3) on the last BN of a residual branch (bn2 of a BasicBlock, bn3 of a
// Bottleneck). Seeded stand-ins for trained weights (flowonnx init, the demo, tests) use it.
void set_batch_norm_like_trained(nn::Module& model, uint64_t seed, double scale = 1.0);

// The CLI's seeded stand-in for trained weights: create_model(name, seed) followed by
// set_batch_norm_like_trained(seed).
std::shared_ptr<nn::Module> create_seeded_model(const std::string& name, uint64_t seed);

}  // namespace flowonnx::models
