// Data-movement kernels: transpose (any rank, any dtype), concat along an axis, and the shape
// rules of flatten. Reshape needs no kernel (Tensor::reshape shares storage).
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// perm is a permutation of 0..rank-1; throws InvalidArgument naming "transpose" otherwise.
Shape transpose_output_shape(const Shape& x, const std::vector<int64_t>& perm);
void transpose(const Tensor& x, const std::vector<int64_t>& perm, Tensor& y);
void transpose_reference(const Tensor& x, const std::vector<int64_t>& perm, Tensor& y);

// Inputs agree on every dim but `axis` (negative counts from the end) and on dtype.
Shape concat_output_shape(const std::vector<Shape>& inputs, int64_t axis);
void concat(const std::vector<Tensor>& inputs, int64_t axis, Tensor& y);
void concat_reference(const std::vector<Tensor>& inputs, int64_t axis, Tensor& y);

// torch.flatten(x, start_dim, end_dim) shape: dims start..end merged into one.
Shape flatten_output_shape(const Shape& x, int64_t start_dim, int64_t end_dim);

}  // namespace flowonnx::kernels
