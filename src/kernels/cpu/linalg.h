// Dense linear algebra on small matrices: the determinant (ONNX Det).
#pragma once

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// y[..] = det(x[.., M, M]) by LU factorisation with partial pivoting, in double; x float32 or
// float64, y preallocated with x's dtype and shape x.shape()[:-2]. A singular matrix gives 0.
void determinant(const Tensor& x, Tensor& y);
// The Leibniz (permutation) expansion, for tests: exact for tiny matrices, O(M!).
void determinant_reference(const Tensor& x, Tensor& y);

}  // namespace flowonnx::kernels
