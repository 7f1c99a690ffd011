// Checks the tensors of an infer request against the served model's
// configuration before they are queued, so that a bad request is a clear 400
// naming the input (and never reaches a batch shared with other requests).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model_config.pb.h"
#include "tensor/tensor.h"

namespace flowonnx::serve {

// Every configured input present once, no unknown ones, datatype and dims as
// configured (a -1 dim takes any size; with max_batch_size > 0 a leading batch
// dim in [1, max_batch_size]).
std::map<std::string, Tensor> check_request_inputs(
    const inference::ModelConfig& config, std::vector<std::pair<std::string, Tensor>> inputs);

// The index of output `name` in the model's outputs (`output_names`), or a 400
// naming the configured outputs.
size_t requested_output_index(const inference::ModelConfig& config,
                              const std::vector<std::string>& output_names,
                              const std::string& name);

}  // namespace flowonnx::serve
