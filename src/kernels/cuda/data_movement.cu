// One thread per output element, grid-stride loops, int64 index math throughout; the index math
// itself is in data_movement_math.h (shared with host-side checks).
#include "kernels/cuda/data_movement.h"

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/data_movement_math.h"

namespace flowonnx::cuda {

namespace {

__device__ inline int64_t first_index() { return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; }
__device__ inline int64_t grid_stride() { return static_cast<int64_t>(blockDim.x) * gridDim.x; }

template <typename E>
__global__ void strided_copy_kernel(const E* __restrict__ src, E* __restrict__ dst, StridedCopy p, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    int64_t from, to;
    detail::copy_offsets(p, i, from, to);
    dst[to] = src[from];
  }
}

template <typename E>
__global__ void pad_kernel(const E* __restrict__ x, E* __restrict__ y, PadParams p, E fill, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    const int64_t from = detail::pad_source(p, i);
    y[i] = from < 0 ? fill : x[from];
  }
}

template <typename E, typename Index>
__global__ void gather_kernel(const E* __restrict__ x, const Index* __restrict__ indices, E* __restrict__ y,
                              int64_t axis_dim, int64_t inner, int64_t num_indices, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    const int64_t index = static_cast<int64_t>(indices[detail::gather_index_position(i, inner, num_indices)]);
    const int64_t from = detail::gather_source(index, i, axis_dim, inner, num_indices);
    y[i] = from < 0 ? E{} : x[from];
  }
}

template <typename In, typename Out>
__global__ void cast_kernel(const In* __restrict__ x, Out* __restrict__ y, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) {
    if constexpr (std::is_same_v<Out, int64_t>)
      y[i] = detail::float_to_integer<int64_t>(x[i], INT64_MIN);
    else if constexpr (std::is_same_v<Out, int32_t>)
      y[i] = detail::float_to_integer<int32_t>(x[i], INT32_MIN);
    else
      y[i] = static_cast<Out>(x[i]);  // integer -> float: round to nearest, as static_cast on the host
  }
}

// Swaps the last two dims of a [batches, rows, cols] tensor through a shared-memory tile, so both
// the reads and the writes are coalesced (the general kernel's reads stride by `cols`). Loops over
// tiles and batches cover grids beyond the launch limits; the loop bounds depend on blockIdx only,
// so every thread of a block reaches the same __syncthreads.
constexpr int kTile = 32, kTileRows = 8;

template <typename E>
__global__ void transpose_tiles_kernel(const E* __restrict__ in, E* __restrict__ out, int64_t batches, int64_t rows,
                                       int64_t cols) {
  __shared__ E tile[kTile][kTile + 1];
  const int64_t row_tiles = (rows + kTile - 1) / kTile, col_tiles = (cols + kTile - 1) / kTile;
  for (int64_t b = blockIdx.z; b < batches; b += gridDim.z) {
    const E* src = in + b * rows * cols;
    E* dst = out + b * rows * cols;
    for (int64_t tr = blockIdx.y; tr < row_tiles; tr += gridDim.y) {
      for (int64_t tc = blockIdx.x; tc < col_tiles; tc += gridDim.x) {
        const int64_t r0 = tr * kTile, c0 = tc * kTile;
        for (int j = threadIdx.y; j < kTile; j += kTileRows) {
          const int64_t r = r0 + j, c = c0 + threadIdx.x;
          if (r < rows && c < cols) tile[j][threadIdx.x] = src[r * cols + c];
        }
        __syncthreads();
        for (int j = threadIdx.y; j < kTile; j += kTileRows) {
          const int64_t c = c0 + j, r = r0 + threadIdx.x;  // output [cols, rows]
          if (c < cols && r < rows) dst[c * rows + r] = tile[threadIdx.x][j];
        }
        __syncthreads();
      }
    }
  }
}

int64_t count_of(const int64_t* dims, int rank) {
  int64_t n = 1;
  for (int d = 0; d < rank; ++d) n *= dims[d];
  return n;
}

template <typename Fn>
void with_element_type(size_t element_size, const char* what, Fn&& fn) {
  switch (element_size) {
    case 1: fn(uint8_t{}); break;
    case 2: fn(uint16_t{}); break;
    case 4: fn(uint32_t{}); break;
    case 8: fn(uint64_t{}); break;
    default: check_cuda(cudaErrorInvalidValue, what);  // unsupported element size
  }
}

}  // namespace

void strided_copy(const void* src, void* dst, size_t element_size, const StridedCopy& copy, cudaStream_t stream) {
  if (copy.rank < 0 || copy.rank > kMaxCopyRank) check_cuda(cudaErrorInvalidValue, "strided copy rank");
  const int64_t n = count_of(copy.dims, copy.rank);
  if (n <= 0) return;
  const StridedCopy p = detail::simplify_copy(copy);
  // Contiguous on both sides (rank 0 is one element): a plain device-to-device copy.
  if (p.rank == 0 || (p.rank == 1 && p.src_strides[0] == 1 && p.dst_strides[0] == 1 && p.src_wrap[0] == 0)) {
    check_cuda(cudaMemcpyAsync(dst, src, static_cast<size_t>(n) * element_size, cudaMemcpyDeviceToDevice, stream),
               "strided copy (contiguous)");
    return;
  }
  int64_t batches = 0, rows = 0, cols = 0;
  if (detail::is_last_two_swap(p, batches, rows, cols)) {
    const dim3 block(kTile, kTileRows);
    const dim3 grid(static_cast<unsigned>(std::min<int64_t>((cols + kTile - 1) / kTile, 65535)),
                    static_cast<unsigned>(std::min<int64_t>((rows + kTile - 1) / kTile, 65535)),
                    static_cast<unsigned>(std::min<int64_t>(batches, 65535)));
    with_element_type(element_size, "transpose element size", [&](auto zero) {
      using E = decltype(zero);
      transpose_tiles_kernel<E><<<grid, block, 0, stream>>>(static_cast<const E*>(src), static_cast<E*>(dst), batches,
                                                            rows, cols);
    });
    check_cuda(cudaGetLastError(), "Transpose (tiled)");
    return;
  }
  with_element_type(element_size, "strided copy element size", [&](auto zero) {
    using E = decltype(zero);
    strided_copy_kernel<E><<<grid_for(n), kBlockSize, 0, stream>>>(static_cast<const E*>(src), static_cast<E*>(dst),
                                                                    p, n);
  });
  check_cuda(cudaGetLastError(), "strided copy");
}

void pad(const void* x, void* y, size_t element_size, const PadParams& params, cudaStream_t stream) {
  if (params.rank < 0 || params.rank > kMaxCopyRank) check_cuda(cudaErrorInvalidValue, "Pad rank");
  const int64_t n = count_of(params.out_dims, params.rank);
  if (n <= 0) return;
  with_element_type(element_size, "Pad element size", [&](auto zero) {
    using E = decltype(zero);
    const E fill = static_cast<E>(params.constant_bits);  // the low element_size bytes
    pad_kernel<E><<<grid_for(n), kBlockSize, 0, stream>>>(static_cast<const E*>(x), static_cast<E*>(y), params,
                                                          fill, n);
  });
  check_cuda(cudaGetLastError(), "Pad");
}

void gather(const void* x, const void* indices, bool indices_are_int64, void* y, size_t element_size,
            int64_t outer, int64_t axis_dim, int64_t inner, int64_t num_indices, cudaStream_t stream) {
  const int64_t n = outer * num_indices * inner;
  if (n <= 0) return;
  with_element_type(element_size, "Gather element size", [&](auto zero) {
    using E = decltype(zero);
    const E* in = static_cast<const E*>(x);
    E* out = static_cast<E*>(y);
    if (indices_are_int64)
      gather_kernel<E, int64_t><<<grid_for(n), kBlockSize, 0, stream>>>(
          in, static_cast<const int64_t*>(indices), out, axis_dim, inner, num_indices, n);
    else
      gather_kernel<E, int32_t><<<grid_for(n), kBlockSize, 0, stream>>>(
          in, static_cast<const int32_t*>(indices), out, axis_dim, inner, num_indices, n);
  });
  check_cuda(cudaGetLastError(), "Gather");
}

void cast(const void* x, void* y, int64_t n, CastKind kind, cudaStream_t stream) {
  if (n <= 0) return;
  const unsigned grid = grid_for(n);
  switch (kind) {
    case CastKind::Int64ToFloat:
      cast_kernel<<<grid, kBlockSize, 0, stream>>>(static_cast<const int64_t*>(x), static_cast<float*>(y), n);
      break;
    case CastKind::Int32ToFloat:
      cast_kernel<<<grid, kBlockSize, 0, stream>>>(static_cast<const int32_t*>(x), static_cast<float*>(y), n);
      break;
    case CastKind::FloatToInt64:
      cast_kernel<<<grid, kBlockSize, 0, stream>>>(static_cast<const float*>(x), static_cast<int64_t*>(y), n);
      break;
    case CastKind::FloatToInt32:
      cast_kernel<<<grid, kBlockSize, 0, stream>>>(static_cast<const float*>(x), static_cast<int32_t*>(y), n);
      break;
  }
  check_cuda(cudaGetLastError(), "Cast");
}

}  // namespace flowonnx::cuda
