// Einsum with ONNX (numpy) semantics: letters a-z A-Z name axes, "..." stands for broadcast
// leading axes, a letter repeated in one operand takes the diagonal, letters absent from the
// output are summed, and without "->" the output is the ellipsis axes then the letters seen once,
// in ASCII order. Two float32 operands whose summed letters appear in both become one batched
// matmul (each operand gathered through per-label strides into [batch, M, K] / [batch, K, N]);
// everything else, and einsum_reference, is one loop over every label combination that
// accumulates in double (int64 for integer types).
#pragma once

#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace flowonnx::kernels {

// The output shape; throws InvalidArgument naming the equation and the offending term or
// operand for a malformed equation, a term that does not match its operand's rank, a letter
// with two sizes, or operands of different dtypes.
Shape einsum_output_shape(const std::string& equation, const std::vector<const Tensor*>& inputs);
// Operands float32/64 or int32/int64 of one dtype; y preallocated (einsum_output_shape, dtype).
void einsum(const std::string& equation, const std::vector<const Tensor*>& inputs, Tensor& y);
void einsum_reference(const std::string& equation, const std::vector<const Tensor*>& inputs,
                      Tensor& y);

}  // namespace flowonnx::kernels
