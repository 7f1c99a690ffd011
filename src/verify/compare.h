// Element-wise comparison of a framework output (the reference) with an ONNX output under
// numpy.allclose's rule: |onnx - framework| <= atol + rtol * |framework|. NaN matches only NaN
// and an infinity only the same infinity. The result keeps the numbers a report needs: the
// largest errors, how many elements are outside tolerance, and where the worst ones are.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx {

struct Tolerance {
  double rtol = 1e-4;
  double atol = 1e-5;
};

// One element outside tolerance.
struct Outlier {
  std::vector<int64_t> index;  // multi-dimensional, C order
  double framework = 0;        // the reference value
  double onnx = 0;
  double abs_err = 0;  // |onnx - framework| (inf when exactly one side is NaN)
};

struct OutputComparison {
  std::string name;  // the ONNX output name
  Shape shape;       // the framework output's shape
  DType dtype = DType::Float32;
  int64_t num_elements = 0;
  double max_abs_err = 0;
  double max_rel_err = 0;   // over elements whose framework value is not 0
  int64_t num_outside = 0;  // elements outside tolerance
  // The elements outside tolerance with the largest abs_err, worst first (at most the cap given
  // to compare_output); num_outside counts them all.
  std::vector<Outlier> worst;
  // Non-empty when the outputs cannot be compared element-wise (shape or dtype differ); every
  // element then counts as outside.
  std::string mismatch;

  double fraction_outside() const {
    return num_elements == 0 ? (num_outside > 0 ? 1.0 : 0.0)
                             : static_cast<double>(num_outside) / static_cast<double>(num_elements);
  }
  bool ok() const { return num_outside == 0 && mismatch.empty(); }
};

// Compares `onnx` against `framework`, keeping up to `max_worst` outliers.
OutputComparison compare_output(const std::string& name, const Tensor& framework,
                                const Tensor& onnx, const Tolerance& tolerance,
                                size_t max_worst = 10);

// "[0, 17]"
std::string index_to_string(const std::vector<int64_t>& index);

}  // namespace flowonnx
