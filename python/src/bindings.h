// Shared pieces of the flowonnx Python extension (flowonnx._flowonnx): how tensors cross the
// language boundary, and the bind_* function of each file, called from module.cc.
#pragma once

#include <nanobind/nanobind.h>

#include "tensor/tensor.h"

namespace flowonnx::python {

namespace nb = nanobind;
using namespace nanobind::literals;

// A Python object as a tensor, without copying where the layout allows: our Tensor as is; an
// object with the buffer protocol (numpy arrays, memoryviews) or DLPack (__dlpack__) that is
// C-contiguous, aligned to its element size and of one of our dtypes is borrowed (the tensor
// keeps the object alive); anything else (non-contiguous arrays, lists, scalars) goes through
// numpy.ascontiguousarray first. Unsupported dtypes raise TypeError naming `what`.
Tensor as_tensor(nb::handle object, const char* what = "tensor");
// The tensor as a numpy array over the same memory (the array keeps the tensor alive).
nb::object to_numpy(const Tensor& tensor);
// True when `as_tensor(object)` borrows the object's memory (no copy).
bool borrows_memory(nb::handle object);

void bind_errors(nb::module_& m);
void bind_tensor(nb::module_& m);
void bind_framework(nb::module_& m);
void bind_session(nb::module_& m);
void bind_export(nb::module_& m);
void bind_vision(nb::module_& m);

}  // namespace flowonnx::python
