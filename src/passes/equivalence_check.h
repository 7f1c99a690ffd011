// --check N: the original and the rewritten model run on the same N random inputs in our runtime
// (its reference kernels, without its own graph rewrites)
// and every output is compared (onnxsim's check, on all outputs, never skipped for dynamic dims:
// symbolic and unknown dims are fed as 1 unless `dim_values` names them).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "onnx/model_io.h"

namespace flowonnx::passes {

struct EquivalenceOptions {
  int runs = 1;
  uint64_t seed = 0;
  double rtol = 1e-4;
  double atol = 1e-5;
  std::map<std::string, int64_t> dim_values;  // symbol -> value for the random inputs
};

struct EquivalenceResult {
  bool ok = true;
  double max_abs = 0;
  std::string message;  // the first mismatch: "output 'y' changed (run 0): max abs diff ..."
};

// Float inputs are uniform in [0, 1) like numpy.random.rand; integer and bool inputs are 0.
EquivalenceResult check_equivalence(const onnx_io::Model& original, const onnx_io::Model& rewritten,
                                    const EquivalenceOptions& options = {});

}  // namespace flowonnx::passes
