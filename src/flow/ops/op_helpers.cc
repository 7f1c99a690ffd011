#include "flow/ops/op_helpers.h"

#include <fmt/ranges.h>

namespace flowonnx::flow {

std::array<int64_t, 2> pair_attr(const ir::Attributes& attrs, const char* name, const char* op) {
  const std::vector<int64_t>& values = attrs.get_ints(name);
  FLOWONNX_REQUIRE(values.size() == 1 || values.size() == 2,
                   "{}: attribute '{}' needs 1 or 2 values, got [{}]", op, name, fmt::join(values, ","));
  return values.size() == 1 ? std::array<int64_t, 2>{values[0], values[0]}
                            : std::array<int64_t, 2>{values[0], values[1]};
}

static std::string meta_text(const TensorMeta& meta) {
  return std::string(dtype_name(meta.dtype)) + shape_to_string(meta.shape);
}

void require_float32(const char* op, const char* input, const TensorMeta& meta) {
  FLOWONNX_REQUIRE(meta.dtype == DType::Float32, "{}: input '{}' must be float32, got {}", op,
                   input, meta_text(meta));
}

void require_rank(const char* op, const char* input, const TensorMeta& meta, int rank) {
  FLOWONNX_REQUIRE(static_cast<int>(meta.shape.size()) == rank,
                   "{}: input '{}' must have rank {}, got {}", op, input, rank, meta_text(meta));
}

std::vector<TensorMeta> same_as_first(const std::vector<TensorMeta>& inputs, const ir::Attributes&) {
  return {inputs[0]};
}

}  // namespace flowonnx::flow
