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
};

const std::vector<ModelInfo>& model_zoo();
// Throws InvalidArgument naming the unknown model and listing the known ones.
const ModelInfo& find_model(const std::string& name);
// A model with weights initialised from a generator seeded with `seed`.
std::shared_ptr<nn::Module> create_model(const std::string& name, uint64_t seed = 0);

}  // namespace flowonnx::models
