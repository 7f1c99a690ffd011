// Small helpers shared by the op family files: attribute pairs and input checks.
#pragma once

#include <array>
#include <vector>

#include "flow/op_schema.h"

namespace flowonnx::flow {

// A 2-element int list attribute ([h, w]); a 1-element list means [v, v].
std::array<int64_t, 2> pair_attr(const ir::Attributes& attrs, const char* name, const char* op);

// Throws InvalidArgument "<op>: input '<input>' must be float32, got int64[2,3]".
void require_float32(const char* op, const char* input, const TensorMeta& meta);
void require_rank(const char* op, const char* input, const TensorMeta& meta, int rank);

// Output metas of a unary op that keeps the input's dtype and shape.
std::vector<TensorMeta> same_as_first(const std::vector<TensorMeta>& inputs, const ir::Attributes&);

}  // namespace flowonnx::flow
