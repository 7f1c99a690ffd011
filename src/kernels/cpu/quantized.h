// Integer matrix products and convolutions of quantized (8-bit) operands, accumulating in int32
// as ONNX's MatMulInteger / ConvInteger define them, and the requantization QLinearMatMul /
// QLinearConv add. Operands arrive widened to int32 with their zero points already subtracted
// (widen_quantized), so one loop serves uint8 and int8 and every zero-point layout. These are
// plain loops: correctness first; the int8 models we run are small.
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// int32(q) - zero_point, q uint8 or int8. zero_point (nullptr: 0) has q's dtype and holds one
// value (per tensor) or q.shape()[axis] values (one per slice along axis). `what` names the
// operand in messages.
Tensor widen_quantized(const Tensor& q, const Tensor* zero_point, int64_t axis, const std::string& what);

// numpy matmul of int32 a and b (rank >= 1, batch dims broadcast) into int32 y of
// matmul_output_shape. Sums accumulate in int64 and wrap to int32, defined where ORT's int32
// sums would overflow.
void integer_matmul(const Tensor& a, const Tensor& b, Tensor& y);

struct IntegerConvParams {
  std::vector<int64_t> strides, dilations, pads_begin;  // one per spatial dim
  int64_t group = 1;
};
// y[n, m, o..] = sum over the channels c of m's group and kernel taps k.. of
// x[n, c, o*stride + k*dilation - pad] * w[m, c, k..] (int32; out-of-range taps read 0).
// x [N, C, spatial..], w [M, C / group, kernel..], y preallocated [N, M, out..].
void integer_conv(const Tensor& x, const Tensor& w, const IntegerConvParams& params, Tensor& y);

// y[i] = saturate(rint(acc[i] * multiplier(i)) + zero_point), y uint8 or int8 (zero_point's
// dtype); multiplier(i) = multipliers[(i / inner) % multipliers.size()] (one value: per tensor).
void requantize(const Tensor& acc, const std::vector<float>& multipliers, int64_t inner,
                const Tensor& zero_point, Tensor& y);

}  // namespace flowonnx::kernels
