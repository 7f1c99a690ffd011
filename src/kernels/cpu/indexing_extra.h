// Index-driven ops whose output is picked from the input by data: Unique (the distinct slices),
// ReverseSequence (per-batch reversal of a prefix) and MaxUnpool (the scatter back of a max
// pool's values by their flat indices). Compress is a gather of the selected positions.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

struct UniqueResult {
  std::vector<int64_t> first;    // per unique slice: the index of its first occurrence
  std::vector<int64_t> inverse;  // per input slice: the index of its unique slice
  std::vector<int64_t> counts;   // per unique slice: how often it occurs
};

// The distinct slices of x along `axis` (x of rank >= 1), compared element by element; in
// ascending lexicographic order when `sorted`, else in order of first occurrence. NaNs compare
// equal to each other and above every number. Unique without an axis is this on x flattened.
UniqueResult unique_slices(const Tensor& x, int64_t axis, bool sorted);

// y = x with, for each batch b, the first seq_lens[b] steps along time_axis reversed; time_axis
// and batch_axis are 0 and 1 in either order. seq_lens must be in [0, x.shape[time_axis]].
void reverse_sequence(const Tensor& x, const std::vector<int64_t>& seq_lens, int64_t time_axis,
                      int64_t batch_axis, Tensor& y);

// y = 0 everywhere except y.flat[indices[i]] = x[i]; indices int64 of x's shape with values in
// [0, y.num_elements()). y preallocated with x's dtype.
void max_unpool(const Tensor& x, const Tensor& indices, Tensor& y);

}  // namespace flowonnx::kernels
