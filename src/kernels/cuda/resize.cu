// One thread per output element. Each thread finds, per dim, the source coordinate and its one
// (nearest) or two (linear) taps exactly as kernels/cpu/resize.cc does, then sums the weighted
// inputs over the taps' cartesian product in the CPU's order, in double precision.
#include "kernels/cuda/resize.h"

#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/resize_math.h"

namespace flowonnx::cuda {

namespace {

__global__ void resize_kernel(const float* __restrict__ x, float* __restrict__ y, ResizeGeometry g, int64_t n) {
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += static_cast<int64_t>(blockDim.x) * gridDim.x)
    y[i] = detail::resize_element(x, g, i);
}

}  // namespace

void resize_float(const float* x, float* y, const ResizeGeometry& geometry, cudaStream_t stream) {
  if (geometry.rank < 1 || geometry.rank > kMaxResizeRank) check_cuda(cudaErrorInvalidValue, "Resize rank");
  int64_t n = 1;
  for (int d = 0; d < geometry.rank; ++d) n *= geometry.out_dims[d];
  if (n <= 0) return;
  resize_kernel<<<grid_for(n), kBlockSize, 0, stream>>>(x, y, geometry, n);
  check_cuda(cudaGetLastError(), "Resize");
}

}  // namespace flowonnx::cuda
