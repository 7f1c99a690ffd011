// Tensor files on the command line: ".npy" or ".pb" (ONNX TensorProto), and the "[NAME=]FILE"
// bindings of `run` (unnamed ones bind to the model's inputs/outputs in order).
#pragma once

#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::cli {

Tensor read_tensor_file(const std::string& path);
void write_tensor_file(const std::string& path, const Tensor& tensor);

struct Binding {
  std::string name;  // empty: bind by position
  std::string file;
};
Binding parse_binding(const std::string& text);

// Names every binding: named ones keep their name (which must be in `names`), unnamed ones take
// the next name of `names` not bound by name. `what` is "input" or "output" for messages.
std::vector<Binding> resolve_bindings(const std::vector<std::string>& texts,
                                      const std::vector<std::string>& names, const char* what);

// "min -1.2 max 3.4 mean 0.01; first: 0.1 0.2 0.3 ..." for float and integer tensors.
std::string summarize(const Tensor& tensor);

}  // namespace flowonnx::cli
