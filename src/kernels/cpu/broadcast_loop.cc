#include "kernels/cpu/broadcast_loop.h"

#include <fmt/ranges.h>

namespace flowonnx::kernels {

Shape broadcast_all(const std::vector<Shape>& shapes, const char* op) {
  Shape out;
  for (const Shape& shape : shapes) {
    if (shape.size() > out.size()) out.insert(out.begin(), shape.size() - out.size(), 1);
    size_t offset = out.size() - shape.size();
    for (size_t i = 0; i < shape.size(); ++i) {
      int64_t& dim = out[offset + i];
      if (shape[i] == dim || shape[i] == 1) continue;
      if (dim == 1) {
        dim = shape[i];
        continue;
      }
      std::vector<std::string> texts;
      for (const Shape& s : shapes) texts.push_back(shape_to_string(s));
      fail(ErrorCode::InvalidArgument, "{}: shapes {} cannot be broadcast together", op,
           fmt::join(texts, ", "));
    }
  }
  return out;
}

std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t step = 1;
  for (size_t i = in.size(); i-- > 0;) {
    size_t o = out.size() - in.size() + i;
    strides[o] = in[i] == 1 ? 0 : step;
    step *= in[i];
  }
  return strides;
}

}  // namespace flowonnx::kernels
