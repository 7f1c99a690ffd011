// The body of an infer request and response in the Open Inference Protocol's
// HTTP/REST form: JSON tensors ("data" as a flat or nested array) and Triton's
// binary tensor data extension (a JSON header of
// Inference-Header-Content-Length bytes, then each binary tensor's raw
// little-endian bytes in order, sized by its "binary_data_size" parameter).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::serve {

struct RequestedOutput {
  std::string name;
  bool binary = false;
};

struct InferRequestBody {
  std::string id;
  std::vector<std::pair<std::string, Tensor>> inputs;  // in request order
  std::vector<RequestedOutput> outputs;                // empty: every output
  bool binary_outputs = false;  // parameters.binary_data_output: the default for outputs
};

// Parses `body` (its first `header_length` bytes are the JSON when given).
// Every malformed part (JSON syntax, missing or mistyped field, data count vs
// shape, a value out of the datatype's range, binary sizes that do not add up)
// is a ServeError 400 saying which input and what.
InferRequestBody parse_infer_request(const std::string& body, std::optional<size_t> header_length);

struct InferResponseBody {
  std::string body;
  std::optional<size_t> header_length;  // set when binary tensors follow the JSON
};

struct ResponseTensor {
  std::string name;
  Tensor tensor;
  bool binary = false;
};

InferResponseBody build_infer_response(const std::string& model_name, const std::string& version,
                                       const std::string& id,
                                       const std::vector<ResponseTensor>& outputs);

}  // namespace flowonnx::serve
