// Element-wise ops. Binary ops broadcast with numpy rules through one shared loop; unary ops
// share one loop parameterised by the op. Binary ops need both inputs of the same dtype
// (float32, float64, int32, int64); y is preallocated with the broadcast shape and that dtype.
#pragma once

#include "tensor/tensor.h"

namespace flowonnx::kernels {

enum class BinaryOp { Add, Sub, Mul, Div };

// Numpy broadcasting; throws InvalidArgument naming `op_name` and both shapes when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op_name = "broadcast");
// Integer ops wrap on overflow. Integer Div truncates toward zero like C (-7 / 2 == -3),
// INT_MIN / -1 wraps to INT_MIN, and a zero divisor throws InvalidArgument before anything is
// written. Float division by zero follows IEEE (inf / nan).
void binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y);
void binary_reference(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& y);

// y = sum of inputs (all the same shape and dtype); OneFlow's add_n.
void add_n(const std::vector<Tensor>& inputs, Tensor& y);

enum class UnaryOp { Relu };
void unary(UnaryOp op, const Tensor& x, Tensor& y);
void unary_reference(UnaryOp op, const Tensor& x, Tensor& y);

}  // namespace flowonnx::kernels
