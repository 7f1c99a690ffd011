// Matrix products with numpy matmul semantics: rank >= 1 operands, leading (batch) dims
// broadcast, optional transposes of the last two dims, and a scalar alpha.
// matmul uses oneDNN where it wins; matmul_reference is the naive oracle.
#pragma once

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// Applied to every output element last (after alpha and the bias).
enum class MatMulActivation { None, Gelu /* exact: x / 2 * (1 + erf(x / sqrt 2)) */ };

struct MatMulParams {
  bool transpose_a = false;
  bool transpose_b = false;
  double alpha = 1.0;
  MatMulActivation activation = MatMulActivation::None;
};

// Throws InvalidArgument naming "matmul" and both shapes when inner dims disagree.
Shape matmul_output_shape(const Shape& a, const Shape& b, const MatMulParams& params);
void matmul(const Tensor& a, const Tensor& b, const MatMulParams& params, Tensor& y);
// y = activation(alpha * a b + bias), bias [N] or [1,..,1,N] added to every row (oneDNN's bias
// and eltwise post-op when alpha is 1 or there is no bias; undefined: no bias).
void matmul_bias(const Tensor& a, const Tensor& b, const Tensor& bias, const MatMulParams& params,
                 Tensor& y);
void matmul_reference(const Tensor& a, const Tensor& b, const MatMulParams& params, Tensor& y);

// y[.., out] = x[.., in] . w[out, in]^T + bias[out] (bias may be undefined); torch.nn.Linear.
void linear(const Tensor& x, const Tensor& w, const Tensor& bias, Tensor& y);

}  // namespace flowonnx::kernels
