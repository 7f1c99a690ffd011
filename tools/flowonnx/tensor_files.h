// Tensor files on the command line: ".npy" or ".pb" (ONNX TensorProto), and the "[NAME=]FILE"
// bindings of `run` (unnamed ones bind to the model's inputs/outputs in order).
#pragma once

#include <map>
#include <optional>
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

// A model input as the command sees it: its name, element type and rank (-1: unknown).
struct InputSpec {
  std::string name;
  std::optional<DType> dtype;  // unset: a type this runtime has no DType for (not checked here)
  int rank = -1;
};

// The input rule shared by `infer` and `run` (docs/cli.md): `--input [NAME=]FILE` bindings are
// resolved as resolve_bindings does, each file is read, and a tensor of another dtype or rank than
// its input is refused naming the file, the input and both types. No silent cast: ONNX Runtime
// refuses an int64 or float64 array for a float32 input, and so does every subcommand here.
std::map<std::string, Tensor> read_inputs(const std::vector<std::string>& texts,
                                          const std::vector<InputSpec>& inputs);

// Refuses a tensor file name that is neither .npy nor .pb, before any work is done.
void check_tensor_file_name(const std::string& option, const std::string& path);

// "min -1.2 max 3.4 mean 0.01; first: 0.1 0.2 0.3 ..." for float and integer tensors.
std::string summarize(const Tensor& tensor);

}  // namespace flowonnx::cli
