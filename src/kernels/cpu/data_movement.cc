#include "kernels/cpu/data_movement.h"

#include <cstring>
#include <functional>

#include "kernels/cpu/broadcast_loop.h"
#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/strided_copy.h"

namespace flowonnx::kernels {

void copy_by_index(const Tensor& x, Tensor& y,
                   const std::function<int64_t(const std::vector<int64_t>&)>& source) {
  FLOWONNX_CHECK(x.dtype() == y.dtype(), "copy_by_index dtypes");
  const int64_t count = y.num_elements();
  if (count == 0) return;
  const Shape& shape = y.shape();
  detail::visit_element_size(dtype_size(x.dtype()), [&](auto zero) {
    using E = decltype(zero);
    const E* in = static_cast<const E*>(x.raw_data());
    E* out = static_cast<E*>(y.raw_data());
    std::vector<int64_t> index(shape.size(), 0);
    for (int64_t i = 0; i < count; ++i) {
      int64_t from = source(index);
      if (from >= 0) out[i] = in[from];
      for (size_t d = shape.size(); d-- > 0;) {
        if (++index[d] < shape[d]) break;
        index[d] = 0;
      }
    }
  });
}

void strided_slice(const Tensor& x, const std::vector<int64_t>& starts,
                   const std::vector<int64_t>& steps, Tensor& y) {
  const int64_t count = y.num_elements();
  if (count == 0) return;
  // y as a walk over x: the offset of its first element, then per output dim its size and its
  // step in x. Size-1 dims move nothing; a dim whose step spans exactly the next one merges with
  // it, so a channel range of NCHW at batch 1 is one run and a last-axis range one run per row.
  const std::vector<int64_t> strides = contiguous_strides(x.shape());
  int64_t first = 0;
  Shape dims;
  std::vector<int64_t> walk;
  for (size_t d = 0; d < strides.size(); ++d) {
    first += starts[d] * strides[d];
    const int64_t size = y.shape()[d], step = steps[d] * strides[d];
    if (size == 1) continue;
    if (!dims.empty() && walk.back() == step * size) {
      dims.back() *= size;
      walk.back() = step;
    } else {
      dims.push_back(size);
      walk.push_back(step);
    }
  }
  if (dims.empty()) dims = {1}, walk = {1};
  const size_t element_size = dtype_size(x.dtype());
  detail::strided_gather(static_cast<const char*>(x.raw_data()) + first * element_size,
                         element_size, dims, walk, y.raw_data());
}

void strided_slice_reference(const Tensor& x, const std::vector<int64_t>& starts,
                             const std::vector<int64_t>& steps, Tensor& y) {
  std::vector<int64_t> strides = contiguous_strides(x.shape());
  copy_by_index(x, y, [&](const std::vector<int64_t>& index) {
    int64_t at = 0;
    for (size_t d = 0; d < index.size(); ++d) at += (starts[d] + index[d] * steps[d]) * strides[d];
    return at;
  });
}

void gather(const Tensor& x, int64_t axis, const std::vector<int64_t>& indices, Tensor& y) {
  const int64_t outer = detail::product(x.shape(), 0, axis);
  const int64_t inner = detail::product(x.shape(), axis + 1, x.shape().size());
  const int64_t n = x.shape()[axis];
  const size_t esize = dtype_size(x.dtype());
  const auto* in = static_cast<const uint8_t*>(x.raw_data());
  auto* out = static_cast<uint8_t*>(y.raw_data());
  const int64_t k = static_cast<int64_t>(indices.size());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < k; ++j)
      std::memcpy(out + ((o * k + j) * inner) * esize, in + ((o * n + indices[j]) * inner) * esize,
                  inner * esize);
}

void broadcast_to(const Tensor& x, Tensor& y) {
  detail::visit_element_size(dtype_size(x.dtype()), [&](auto zero) {
    using E = decltype(zero);
    const E* in = static_cast<const E*>(x.raw_data());
    E* out = static_cast<E*>(y.raw_data());
    for_each_broadcast<1>(y.shape(), {x.shape()},
                          [&](int64_t i, const std::array<int64_t, 1>& at) { out[i] = in[at[0]]; });
  });
}

void tile(const Tensor& x, Tensor& y) {
  std::vector<int64_t> strides = contiguous_strides(x.shape());
  const Shape& in = x.shape();
  copy_by_index(x, y, [&](const std::vector<int64_t>& index) {
    int64_t at = 0;
    for (size_t d = 0; d < index.size(); ++d) at += (index[d] % in[d]) * strides[d];
    return at;
  });
}

void pad(const Tensor& x, const std::vector<int64_t>& pads_begin, PadMode mode, double value,
         Tensor& y) {
  if (mode == PadMode::Constant) {
    Tensor fill = Tensor::full({}, value, x.dtype());
    detail::visit_element_size(dtype_size(x.dtype()), [&](auto zero) {
      using E = decltype(zero);
      E v;
      std::memcpy(&v, fill.raw_data(), sizeof(E));
      E* out = static_cast<E*>(y.raw_data());
      std::fill(out, out + y.num_elements(), v);
    });
  }
  std::vector<int64_t> strides = contiguous_strides(x.shape());
  const Shape& in = x.shape();
  for (int64_t dim : in)
    FLOWONNX_REQUIRE(mode == PadMode::Constant || dim > 0 || y.num_elements() == 0,
                     "pad: cannot reflect, extend or wrap an empty dim of {}", x.describe());
  copy_by_index(x, y, [&](const std::vector<int64_t>& index) -> int64_t {
    int64_t at = 0;
    for (size_t d = 0; d < index.size(); ++d) {
      int64_t i = index[d] - pads_begin[d];
      if (i < 0 || i >= in[d]) {
        if (mode == PadMode::Constant) return -1;
        if (mode == PadMode::Edge) {
          i = i < 0 ? 0 : in[d] - 1;
        } else if (mode == PadMode::Wrap) {
          i = ((i % in[d]) + in[d]) % in[d];
        } else {
          int64_t n = in[d];
          if (n == 1) {
            i = 0;
          } else {
            int64_t period = 2 * (n - 1);
            i = ((i % period) + period) % period;
            if (i >= n) i = period - i;
          }
        }
      }
      at += i * strides[d];
    }
    return at;
  });
}

}  // namespace flowonnx::kernels
