#include "kernels/cuda/pool.h"

#include "kernels/cuda/cuda_check.h"

namespace flowonnx::cuda {

namespace {

__global__ void pool_kernel(const float* x, float* y, int64_t total, PoolParams p) {
  int64_t in_plane = 1, out_plane = 1;
  for (int d = 0; d < p.rank; ++d) {
    in_plane *= p.in[d];
    out_plane *= p.out[d];
  }
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t plane = i / out_plane;
    int64_t rest = i % out_plane;
    int64_t start[kMaxPoolRank] = {}, taps[kMaxPoolRank] = {1, 1, 1};
    int64_t padded_count = 1;
    for (int d = p.rank - 1; d >= 0; --d) {
      const int64_t pos = rest % p.out[d];
      rest /= p.out[d];
      start[d] = pos * p.strides[d] - p.pads_begin[d];
      taps[d] = p.kernel[d];
      if (!p.max && p.count_include_pad) {
        // Taps of the window inside the padded input (ceil_mode windows may run past it).
        const int64_t window_end = start[d] + (p.kernel[d] - 1) * p.dilations[d] + 1;
        const int64_t padded_end = p.in[d] + p.pads_end[d];
        const int64_t end = window_end < padded_end ? window_end : padded_end;
        const int64_t n = end > start[d] ? (end - start[d] + p.dilations[d] - 1) / p.dilations[d] : 0;
        padded_count *= n;
      }
    }
    const float* src = x + plane * in_plane;
    float best = -INFINITY;
    double acc = 0.0;
    int64_t counted = 0;
    bool found = false;
    for (int64_t k0 = 0; k0 < taps[0]; ++k0) {
      const int64_t c0 = start[0] + k0 * p.dilations[0];
      if (c0 < 0 || c0 >= p.in[0]) continue;
      for (int64_t k1 = 0; k1 < (p.rank > 1 ? taps[1] : 1); ++k1) {
        const int64_t c1 = p.rank > 1 ? start[1] + k1 * p.dilations[1] : 0;
        if (p.rank > 1 && (c1 < 0 || c1 >= p.in[1])) continue;
        for (int64_t k2 = 0; k2 < (p.rank > 2 ? taps[2] : 1); ++k2) {
          const int64_t c2 = p.rank > 2 ? start[2] + k2 * p.dilations[2] : 0;
          if (p.rank > 2 && (c2 < 0 || c2 >= p.in[2])) continue;
          int64_t flat = c0;
          if (p.rank > 1) flat = flat * p.in[1] + c1;
          if (p.rank > 2) flat = flat * p.in[2] + c2;
          const float v = src[flat];
          if (p.max) {
            if (!found || v > best) best = v;
            found = true;
          } else {
            acc += v;
          }
          ++counted;
        }
      }
    }
    if (p.max) {
      y[i] = best;
    } else {
      const int64_t divisor = p.count_include_pad ? padded_count : counted;
      y[i] = counted == 0 ? 0.f : static_cast<float>(acc / static_cast<double>(divisor));
    }
  }
}

}  // namespace

void pool(const float* x, float* y, int64_t planes, const PoolParams& params, cudaStream_t stream) {
  int64_t total = planes;
  for (int d = 0; d < params.rank; ++d) total *= params.out[d];
  if (total == 0) return;
  pool_kernel<<<grid_for(total), kBlockSize, 0, stream>>>(x, y, total, params);
  check_cuda(cudaGetLastError(), params.max ? "MaxPool" : "AveragePool");
}

}  // namespace flowonnx::cuda
