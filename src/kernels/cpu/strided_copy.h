// Byte-level data movement shared by transpose and strided slice: a visitor over element widths
// and a copy of a strided walk over the input into a contiguous output.
#pragma once

#include <cstdint>
#include <vector>

#include "base/error.h"
#include "tensor/shape.h"

namespace flowonnx::kernels::detail {

// Calls fn(U{}) with U an unsigned integer as wide as one element: data movement never needs the
// element's meaning, only its bytes.
template <typename Fn>
void visit_element_size(size_t size, Fn&& fn) {
  switch (size) {
    case 1:
      return fn(uint8_t{});
    case 2:
      return fn(uint16_t{});
    case 4:
      return fn(uint32_t{});
    case 8:
      return fn(uint64_t{});
  }
  fail(ErrorCode::Internal, "data movement: unsupported element size {}", size);
}

// Fills y (contiguous, the product of `dims` elements of `element_size` bytes) from the walk over
// the input that starts at `first`: output dim d has dims[d] elements, `walk[d]` input elements
// apart. Rows of the last dim are memcpys when its step is 1; rows run in parallel when large.
void strided_gather(const void* first, size_t element_size, const Shape& dims,
                    const std::vector<int64_t>& walk, void* y);

}  // namespace flowonnx::kernels::detail
