// Dtype-agnostic data movement (elements are moved by size, whatever their type): strided
// slices, gather along an axis, broadcast expansion, tiling and padding. Output shapes are the
// caller's (y preallocated); every index passed in is already normalised and in range.
#pragma once

#include <functional>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// y[i0..ik] = x[start_d + i_d * step_d]; starts/steps have x's rank.
void strided_slice(const Tensor& x, const std::vector<int64_t>& starts,
                   const std::vector<int64_t>& steps, Tensor& y);
void strided_slice_reference(const Tensor& x, const std::vector<int64_t>& starts,
                             const std::vector<int64_t>& steps, Tensor& y);
// y = take(x, indices, axis); indices in [0, x.shape[axis]); y shape = x[:axis]+idx+x[axis+1:].
void gather(const Tensor& x, int64_t axis, const std::vector<int64_t>& indices, Tensor& y);
// Numpy broadcast of x to y's shape.
void broadcast_to(const Tensor& x, Tensor& y);
// y = x repeated repeats[d] times along each dim d.
void tile(const Tensor& x, Tensor& y);

enum class PadMode { Constant, Reflect, Edge, Wrap };
// pads_begin/end per dim (negative crops). Constant fills with `value` converted to the dtype.
void pad(const Tensor& x, const std::vector<int64_t>& pads_begin, PadMode mode, double value,
         Tensor& y);

// Calls copy(out_flat, in_flat) for y's elements with in_flat = source(multi_index) (-1 = leave
// for the caller's fill); used by the kernels above and by index-based ops in the runtime.
void copy_by_index(const Tensor& x, Tensor& y,
                   const std::function<int64_t(const std::vector<int64_t>&)>& source);

}  // namespace flowonnx::kernels
