// Helpers shared by the functional wrapper files (functional.cc, nn_functional.cc).
#pragma once

#include <array>
#include <vector>

#include "flow/dispatch.h"

namespace flowonnx::functional::detail {

inline std::vector<int64_t> ints(std::array<int64_t, 2> pair) { return {pair[0], pair[1]}; }
// The only output of a single-output op.
inline Tensor first(std::vector<Tensor> outputs) { return std::move(outputs[0]); }

}  // namespace flowonnx::functional::detail
