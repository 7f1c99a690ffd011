// One broadcasting walk for every N-ary element-wise op that the basic binary kernel does not
// cover (comparisons, logic, Pow, Mod, Where, PRelu, variadic Max/Min/Mean): numpy rules,
// any dtype, inputs addressed by per-input strides (0 on broadcast dims).
#pragma once

#include <array>
#include <vector>

#include "kernels/cpu/threading.h"
#include "tensor/tensor.h"

namespace flowonnx::kernels {

// Numpy broadcast of several shapes; throws InvalidArgument naming `op` and the shapes.
Shape broadcast_all(const std::vector<Shape>& shapes, const char* op);
// Element strides of `in` viewed with `out`'s rank (0 where `in` is broadcast).
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);

// Calls fn(out_index, std::array<int64_t, N> input_offsets) for every output element, rows in
// parallel when the output is large. `fn` must be safe to call concurrently.
template <size_t N, typename Fn>
void for_each_broadcast(const Shape& out, const std::array<Shape, N>& inputs, Fn&& fn) {
  const size_t rank = out.size();
  std::array<std::vector<int64_t>, N> strides;
  for (size_t k = 0; k < N; ++k) strides[k] = broadcast_strides(inputs[k], out);
  const int64_t inner = rank == 0 ? 1 : out[rank - 1];
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < rank; ++d) rows *= out[d];
  if (inner == 0) return;
  std::array<int64_t, N> inner_stride{};
  for (size_t k = 0; k < N; ++k) inner_stride[k] = rank == 0 ? 0 : strides[k][rank - 1];
  const int threads = threads_for(rows * inner);
#pragma omp parallel for num_threads(threads) if (threads > 1)
  for (int64_t row = 0; row < rows; ++row) {
    std::array<int64_t, N> base{};
    int64_t rest = row;
    for (size_t d = rank == 0 ? 0 : rank - 1; d-- > 0;) {  // no outer dims at rank 0
      int64_t index = rest % out[d];
      rest /= out[d];
      for (size_t k = 0; k < N; ++k) base[k] += index * strides[k][d];
    }
    int64_t out_base = row * inner;
    for (int64_t j = 0; j < inner; ++j) {
      std::array<int64_t, N> offsets;
      for (size_t k = 0; k < N; ++k) offsets[k] = base[k] + j * inner_stride[k];
      fn(out_base + j, offsets);
    }
  }
}

}  // namespace flowonnx::kernels
