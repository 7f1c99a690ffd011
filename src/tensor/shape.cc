#include "tensor/shape.h"

#include <charconv>

#include "base/error.h"

namespace flowonnx {

int64_t num_elements(const Shape& shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    FLOWONNX_REQUIRE(dim >= 0, "shape {} has a negative dim", shape_to_string(shape));
    if (dim != 0 && count > kMaxElements / dim)
      fail(ErrorCode::InvalidArgument, "shape {} has more than 2^36 elements",
           shape_to_string(shape));
    count *= dim;
  }
  return count;
}

Shape resolve_reshape(const Shape& from, const Shape& to) {
  Shape resolved = to;
  int inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < resolved.size(); ++i) {
    if (resolved[i] == -1 && inferred < 0) {
      inferred = static_cast<int>(i);
      continue;
    }
    FLOWONNX_REQUIRE(resolved[i] >= 0, "reshape {} -> {}: bad target dim {}", shape_to_string(from),
                     shape_to_string(to), resolved[i]);
    known *= resolved[i];
  }
  int64_t count = num_elements(from);
  if (inferred >= 0) {
    FLOWONNX_REQUIRE(known != 0 && count % known == 0, "reshape {} -> {}: cannot infer -1",
                     shape_to_string(from), shape_to_string(to));
    resolved[inferred] = count / known;
  }
  FLOWONNX_REQUIRE(num_elements(resolved) == count, "reshape {} -> {}: element count {} vs {}",
                   shape_to_string(from), shape_to_string(to), count, num_elements(resolved));
  return resolved;
}

std::vector<int64_t> contiguous_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

std::string shape_to_string(const Shape& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) text += (i ? "," : "") + std::to_string(shape[i]);
  return text + "]";
}

Shape parse_shape(const std::string& text) {
  Shape shape;
  std::string token;
  auto flush = [&] {
    if (token.empty()) return;
    int64_t dim = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), dim);
    if (ec != std::errc() || end != token.data() + token.size() || dim < 0)
      fail(ErrorCode::InvalidArgument, "bad shape '{}': '{}' is not a non-negative integer", text, token);
    shape.push_back(dim);
    token.clear();
  };
  for (char c : text) {
    if (c == ',' || c == 'x') flush();
    else if (c != '[' && c != ']' && c != ' ' && c != '(' && c != ')') token += c;
  }
  flush();
  return shape;
}

}  // namespace flowonnx
