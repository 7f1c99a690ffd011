// Pieces shared by the element-wise kernels and their references: the op lambdas (one switch per
// op family), the broadcast plan, and validation.
#pragma once

#include <type_traits>

#include "kernels/cpu/elementwise.h"

namespace flowonnx::kernels::detail {

// y = op(a, b) with a, b, y viewed as dims with per-input strides (0 where broadcast); adjacent
// dims are merged wherever both inputs step through them contiguously, so equal shapes become
// one flat run and a bias row a two-dim walk.
struct BroadcastPlan {
  Shape dims;
  std::vector<int64_t> a_strides, b_strides;
};
BroadcastPlan plan_broadcast(const Shape& a, const Shape& b, const Shape& y);

// Calls visit(fn) with fn the scalar function of `op` for element type T. Integer ops wrap on
// overflow (computed unsigned) instead of invoking undefined behaviour; integer Div truncates
// toward zero like C, and INT_MIN / -1 wraps to INT_MIN. Zero divisors are refused before any
// loop runs (require_nonzero_divisors).
template <typename T, typename Visit>
decltype(auto) visit_binary_op(BinaryOp op, Visit&& visit) {
  if constexpr (std::is_integral_v<T>) {
    using U = std::make_unsigned_t<T>;
    switch (op) {
      case BinaryOp::Add:
        return visit([](T a, T b) { return T(U(a) + U(b)); });
      case BinaryOp::Sub:
        return visit([](T a, T b) { return T(U(a) - U(b)); });
      case BinaryOp::Mul:
        return visit([](T a, T b) { return T(U(a) * U(b)); });
      case BinaryOp::Div:
        return visit([](T a, T b) { return b == T(-1) ? T(U(0) - U(a)) : T(a / b); });
    }
  } else {
    switch (op) {
      case BinaryOp::Add:
        return visit([](T a, T b) { return a + b; });
      case BinaryOp::Sub:
        return visit([](T a, T b) { return a - b; });
      case BinaryOp::Mul:
        return visit([](T a, T b) { return a * b; });
      case BinaryOp::Div:
        return visit([](T a, T b) { return a / b; });
    }
  }
  fail(ErrorCode::InvalidArgument, "binary: unknown op {}", static_cast<int>(op));
}

// Calls visit(fn) with fn the scalar function of `op`; adding a unary op = an enum case plus a
// line here.
template <typename T, typename Visit>
decltype(auto) visit_unary_op(UnaryOp op, Visit&& visit) {
  switch (op) {
    case UnaryOp::Relu:
      // NaN stays NaN, as in ONNX Runtime and PyTorch (x > 0 ? x : 0 made it 0).
      return visit([](T x) { return x < T(0) ? T(0) : x; });
  }
  fail(ErrorCode::InvalidArgument, "unary: unknown op {}", static_cast<int>(op));
}

const char* binary_op_name(BinaryOp op);

// Calls fn(T{}) for the dtypes element-wise ops support (float32/64, int32/64); throws naming
// `op` and `tensor` otherwise.
template <typename Fn>
decltype(auto) visit_arithmetic_dtype(const char* op, const Tensor& tensor, Fn&& fn) {
  switch (tensor.dtype()) {
    case DType::Float32:
      return fn(float{});
    case DType::Float64:
      return fn(double{});
    case DType::Int32:
      return fn(int32_t{});
    case DType::Int64:
      return fn(int64_t{});
    default:
      fail(ErrorCode::InvalidArgument,
           "{}: dtype of {} is not supported (float32, float64, "
           "int32, int64)",
           op, tensor.describe());
  }
}

// Validates a binary call and returns the broadcast output shape.
Shape validate_binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& y);

// Integer Div: a zero anywhere in b is an error (every element of b reaches the output).
void require_nonzero_divisors(BinaryOp op, const Tensor& b, int64_t output_elements);

void validate_unary(UnaryOp op, const Tensor& x, const Tensor& y);

}  // namespace flowonnx::kernels::detail
