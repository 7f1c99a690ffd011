#include "kernels/cpu/strided_copy.h"

#include <cstring>

#include "kernels/cpu/threading.h"

namespace flowonnx::kernels::detail {

void strided_gather(const void* first, size_t element_size, const Shape& dims,
                    const std::vector<int64_t>& walk, void* y) {
  const int rank = static_cast<int>(dims.size());
  const int64_t inner = dims.back(), inner_step = walk.back();
  int64_t rows = 1;
  for (int d = 0; d + 1 < rank; ++d) rows *= dims[d];
  const int threads = threads_for(rows * inner);
  visit_element_size(element_size, [&](auto zero) {
    using U = decltype(zero);
    const U* in = static_cast<const U*>(first);
    U* out = static_cast<U*>(y);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
    for (int64_t row = 0; row < rows; ++row) {
      int64_t offset = 0, rest = row;
      for (int d = rank - 2; d >= 0; --d) {
        offset += (rest % dims[d]) * walk[d];
        rest /= dims[d];
      }
      const U* src = in + offset;
      U* dst = out + row * inner;
      if (inner_step == 1) {
        std::memcpy(dst, src, inner * sizeof(U));
      } else {
        for (int64_t i = 0; i < inner; ++i) dst[i] = src[i * inner_step];
      }
    }
  });
}

}  // namespace flowonnx::kernels::detail
