// A generic element-wise map over numpy-broadcast inputs of any dtypes, computed in double and
// written in the output's dtype. It is the straightforward (reference-style) kernel behind the
// framework ops that have no dedicated fast kernel: activations beyond elementwise.h /
// unary_math.h, comparisons, logic, where, clip, scalar ops. Exact for every float32 and int32
// value (double holds them), so it is also the oracle those ops are tested against.
#pragma once

#include <functional>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// fn receives one value per input (in input order) for each output element.
using PointwiseFn = std::function<double(const double* values)>;

// y is preallocated with broadcast_all(input shapes) and any dtype; a double result is
// converted as Tensor::to converts (bool: nonzero is true; ints truncate toward zero).
// Throws InvalidArgument naming `op` when the shapes do not broadcast to y's shape.
void pointwise(const char* op, const std::vector<Tensor>& inputs, Tensor& y, const PointwiseFn& fn);

}  // namespace flowonnx::kernels
