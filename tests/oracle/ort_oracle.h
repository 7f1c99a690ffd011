// ONNX Runtime as the independent test oracle: runs an .onnx file in PyPI's onnxruntime (CPU
// execution provider) through tests/oracle/run_model.py and returns its outputs as Tensors, plus
// an element-wise tensor comparison for the checks. The oracle is a hard dependency of the tests:
// when it is missing, run_onnxruntime throws an Error telling the user to run scripts/setup.sh
// (tests fail, they never skip).
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::testing {

struct OrtOptions {
  // ONNX Runtime graph optimisation level: "disabled", "basic", "extended" or "all".
  std::string optimization = "all";
  // intraOpNumThreads; 0 keeps ONNX Runtime's default (one per core).
  int threads = 0;
};

// The repository's tests/oracle folder (run_model.py, bench_model.py).
std::filesystem::path oracle_dir();
// The Python that runs the oracle scripts: $FLOWONNX_PYTHON when set, else the project's
// .venv/bin/python (scripts/setup_python.sh creates it).
std::string oracle_python();
// True when that Python imports onnxruntime and numpy.
bool onnxruntime_available();
// The message a test prints when the oracle is missing (names scripts/setup.sh).
std::string onnxruntime_missing_message();

// Runs `model` in ONNX Runtime with the given named inputs and returns every output in the
// model's output order. Throws flowonnx::Error carrying the script's stderr (ONNX Runtime's message)
// when the model is refused or the run fails, and when the oracle is not installed. Temporary
// files are always removed.
std::vector<Tensor> run_onnxruntime(const std::filesystem::path& model,
                                    const std::vector<std::pair<std::string, Tensor>>& feeds,
                                    const OrtOptions& options = {});
// Same, also returning the output names (session order) through `output_names`.
std::vector<Tensor> run_onnxruntime(const std::filesystem::path& model,
                                    const std::vector<std::pair<std::string, Tensor>>& feeds,
                                    const OrtOptions& options,
                                    std::vector<std::string>* output_names);

struct CompareResult {
  double max_abs = 0;    // largest |actual - expected|
  double max_rel = 0;    // largest |actual - expected| / |expected| over elements with expected != 0
  int64_t mismatches = 0;  // elements with |a - e| > atol + rtol * |e| (NaN matches only NaN)
  std::string worst;     // the worst element, or the shape/dtype disagreement; empty when equal
  bool ok() const { return mismatches == 0; }
};

// Element-wise comparison. Shapes and dtypes must agree, otherwise the result is one mismatch per
// expected element (at least 1) with `worst` describing the disagreement. Integer and bool
// tensors compare exactly through int64; floating ones through double.
CompareResult compare_tensors(const Tensor& actual, const Tensor& expected, double rtol,
                              double atol);

// "3 mismatches of 24, max_abs 0.5, max_rel 0.1; worst: ..." for test failure messages.
std::string to_string(const CompareResult& result);
std::ostream& operator<<(std::ostream& out, const CompareResult& result);

}  // namespace flowonnx::testing
