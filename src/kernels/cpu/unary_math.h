// Element-wise math beyond Relu (the activations and functions of ONNX), one loop parameterised
// by the op. Float ops take float32 or float64; Abs, Neg and Sign also take signed integers.
#pragma once

#include "tensor/tensor.h"

namespace flowonnx::kernels {

enum class MathOp {
  Abs, Neg, Sign, Exp, Log, Sqrt, Reciprocal, Floor, Ceil, Round, Erf, Tanh, Sigmoid,
  Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Asinh, Acosh, Atanh, Softplus, Softsign,
  LeakyRelu,        // alpha
  HardSigmoid,      // max(0, min(1, alpha * x + beta))
  HardSwish,        // x * HardSigmoid(x; 1/6, 1/2)
  Elu,              // alpha
  Selu,             // alpha, gamma
  Celu,             // alpha
  ThresholdedRelu,  // alpha
  Shrink,           // lambd = alpha, bias = beta
  Relu,
  Mish, Gelu,
  GeluTanh,  // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), Gelu's approximate="tanh"
  Swish      // x * sigmoid(alpha * x)
};

struct MathParams {
  double alpha = 0, beta = 0, gamma = 0;
};

const char* math_op_name(MathOp op);
// y preallocated with x's shape and dtype.
void unary_math(MathOp op, const Tensor& x, Tensor& y, const MathParams& params = {});

}  // namespace flowonnx::kernels
