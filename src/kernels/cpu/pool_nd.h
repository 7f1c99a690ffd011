// N-d pooling over the spatial dims of [N, C, d1, ..., dk] (k >= 1): max (with optional argmax
// indices), average (count_include_pad or not) and Lp. The 2-D float32 pool kernel is the fast
// path; this one covers 1-D, 3-D, integer inputs, indices and LpPool. The caller computes the
// output shape (ceil_mode, auto_pad) and passes y preallocated.
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

enum class PoolNdKind { Max, Average, Lp };

struct PoolNdParams {
  std::vector<int64_t> kernel, strides, pads_begin, pads_end, dilations;  // one per spatial dim
  bool count_include_pad = false;
  int64_t p = 2;              // Lp only
  bool column_major_indices = false;  // MaxPool storage_order = 1
};

// indices (optional, int64 with y's shape) receives the flat input index of each max.
void pool_nd(PoolNdKind kind, const Tensor& x, const PoolNdParams& params, Tensor& y,
             Tensor* indices = nullptr);

// Output length of one spatial dim with explicit pads (ceil_mode drops a window that would start
// in the end padding).
int64_t pooled_length(int64_t in, int64_t kernel, int64_t stride, int64_t pad_begin,
                      int64_t pad_end, int64_t dilation, bool ceil_mode);

}  // namespace flowonnx::kernels
