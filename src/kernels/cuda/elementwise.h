// Element-wise float32 kernels of the CUDA provider: unary math and activations, and binary ops
// with numpy broadcasting (rank <= kMaxBroadcastRank). Plain header (no CUDA syntax): the
// provider's adapters (runtime/providers/cuda/elementwise.cc) check shapes and dtypes, then call
// these, which only enqueue work on `stream` and throw via check_cuda when a launch fails.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <vector>

namespace flowonnx::cuda {

enum class UnaryOp {
  Relu, LeakyRelu, Sigmoid, Tanh, Exp, Log, Sqrt, Reciprocal, Neg, Abs, Erf, Floor, Ceil,
  Round,  // half to even
  Sin, Cos, Elu, Selu, Softplus, Softsign, HardSigmoid, HardSwish,
  Clip,      // min(beta, max(alpha, x))
  DivideBy,  // x / alpha (Mean's final step)
};

// The attributes a unary op uses (LeakyRelu/Elu: alpha; Selu: alpha, gamma; HardSigmoid: alpha,
// beta; Clip: alpha = min, beta = max).
struct UnaryParams {
  float alpha = 0, beta = 0, gamma = 0;
};

// y[i] = op(x[i]) for i < n; y may equal x.
void unary_f32(UnaryOp op, const float* x, float* y, int64_t n, const UnaryParams& params,
               cudaStream_t stream);

enum class BinaryOp {
  Add, Sub, Mul, Div,
  Pow,    // computed in double, as the CPU does
  PRelu,  // a < 0 ? b * a : a
  Max,    // NaN in either operand propagates (like the CPU's variadic Max)
  Min,
  Left,   // y = a (broadcasts a to out_dims; b is ignored)
};

inline constexpr int kMaxBroadcastRank = 8;

// y[out_dims] = op(a[a_dims], b[b_dims]) with numpy broadcasting. The caller has checked that
// a_dims and b_dims broadcast to out_dims and that out_dims has rank <= kMaxBroadcastRank.
// Operands that need no index math (same shape, a scalar, a trailing block such as a bias
// vector) take a fast path; others a strided one. y may equal a or b when that operand has
// out_dims itself.
void binary_f32(BinaryOp op, const float* a, const std::vector<int64_t>& a_dims, const float* b,
                const std::vector<int64_t>& b_dims, float* y, const std::vector<int64_t>& out_dims,
                cudaStream_t stream);

}  // namespace flowonnx::cuda
