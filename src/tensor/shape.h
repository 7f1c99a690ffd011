// Tensor shapes: a list of non-negative dims, row-major (C order).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace flowonnx {

using Shape = std::vector<int64_t>;

// Product of dims. Throws InvalidArgument for a negative dim or when the count exceeds
// kMaxElements, so hostile shapes are refused before anything is allocated.
int64_t num_elements(const Shape& shape);
inline constexpr int64_t kMaxElements = int64_t{1} << 36;

// The target of a reshape from `from` to `to`, where `to` may hold one -1 (inferred from the
// element count). Throws InvalidArgument naming both shapes when the counts cannot agree.
Shape resolve_reshape(const Shape& from, const Shape& to);

// Row-major strides in elements.
std::vector<int64_t> contiguous_strides(const Shape& shape);

// "[1,3,224,224]"
std::string shape_to_string(const Shape& shape);

// Parses "1,3,224,224" (brackets and spaces optional); throws InvalidArgument on bad text.
Shape parse_shape(const std::string& text);

}  // namespace flowonnx
