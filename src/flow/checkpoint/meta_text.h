// The `meta` file of a OneFlow tensor folder: protobuf text format of VariableMetaInfo
// (`shape { dim: 64 dim: 3 } data_type: kFloat`), and OneFlow's DataType enum mapped to our DType.
#pragma once

#include <string>
#include <string_view>

#include "tensor/dtype.h"
#include "tensor/shape.h"

namespace flowonnx::checkpoint {

struct VariableMeta {
  Shape shape;  // empty for a 0-d tensor (no `shape` field, or `shape { }`)
  DType dtype = DType::Float32;
};

// Parses the text proto. Accepts any whitespace and `#` comments, `shape: {..}` and `shape <..>`,
// `dim: [1, 2]` lists, numeric or named enum values, and an optional `stride { dim: .. }` that
// must be C-contiguous. Unknown fields are skipped (newer OneFlow versions add some). Throws
// InvalidModel naming `key` and `source` for bad syntax, a missing or unsupported data_type, a
// negative dim or a non-contiguous stride.
VariableMeta parse_variable_meta(std::string_view text, const std::string& key,
                                 const std::string& source);

// The text OneFlow writes (python protobuf's MessageToString):
// "shape {\n  dim: 2\n  dim: 3\n}\ndata_type: kFloat\n".
std::string format_variable_meta(const Shape& shape, DType dtype);

}  // namespace flowonnx::checkpoint
