// Input validation shared by every CPU kernel: each failure throws InvalidArgument with a message
// that names the op, the argument and its shape/dtype, so a caller can act on it.
#pragma once

#include <initializer_list>

#include "tensor/tensor.h"

namespace flowonnx::kernels::detail {

// `tensor` must be defined; `what` names it in the message ("input", "weight", ...).
void require_defined(const char* op, const char* what, const Tensor& tensor);

// `tensor` must be defined and of `dtype`.
void require_dtype(const char* op, const char* what, const Tensor& tensor, DType dtype);

// The preallocated output must be defined, have exactly `shape` and `dtype`, and share no storage
// with any of `inputs` (kernels never run in place).
void require_output(const char* op, const Tensor& y, const Shape& shape, DType dtype,
                    std::initializer_list<const Tensor*> inputs);

// Maps a possibly negative axis into [0, rank); throws naming `op` when out of range.
int64_t normalize_axis(const char* op, int64_t axis, int64_t rank);

// Product of shape[begin, end).
int64_t product(const Shape& shape, size_t begin, size_t end);

}  // namespace flowonnx::kernels::detail
