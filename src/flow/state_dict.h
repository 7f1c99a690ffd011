// A state dict: parameter and buffer tensors by dotted name ("layer1.0.conv1.weight"),
// the currency between modules and checkpoint folders.
#pragma once

#include <map>
#include <string>

#include "tensor/tensor.h"

namespace flowonnx {

using StateDict = std::map<std::string, Tensor>;

}  // namespace flowonnx
