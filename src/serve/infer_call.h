// One inference as both endpoints (HTTP/REST and gRPC) make it: find the model and version,
// check the inputs against its config, run them through the version's scheduler (which may batch
// them with other requests) and pick the requested outputs.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "serve/model_repository.h"
#include "tensor/tensor.h"

namespace flowonnx::serve {

struct InferOutput {
  std::string name;
  Tensor tensor;
};

struct InferResult {
  std::string model_name;
  std::string version;
  std::vector<InferOutput> outputs;  // in the order requested
};

// `requested` empty: every output of the config, in its order. ServeError for an unknown model,
// version or output and for inputs that do not fit the config; the session's errors pass through.
InferResult run_inference(ModelRepository& repository, const std::string& model_name,
                          const std::string& version,
                          std::vector<std::pair<std::string, Tensor>> inputs,
                          const std::vector<std::string>& requested);

}  // namespace flowonnx::serve
