#include "kernels/cuda/conv_epilogue.h"

#include "kernels/cuda/cuda_check.h"

namespace flowonnx::cuda {

namespace {

__device__ __forceinline__ float activate(float v, EpilogueActivation a) {
  if (a.kind == 1) return v > 0.f ? v : 0.f;
  if (a.kind == 2) return fminf(fmaxf(v, a.lo), a.hi);
  return v;
}

__global__ void conv_epilogue_kernel(float* y, const float* bias, const float* sum, int64_t total,
                                     int64_t channels, int64_t spatial, EpilogueActivation pre,
                                     EpilogueActivation post) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float v = y[i];
    if (bias) v += bias[(i / spatial) % channels];
    v = activate(v, pre);
    if (sum) v += sum[i];
    y[i] = activate(v, post);
  }
}

__global__ void pad_nchw_kernel(const float* x, float* y, int64_t total, int64_t h, int64_t w,
                                int64_t top, int64_t left, int64_t out_h, int64_t out_w) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t ox = i % out_w;
    const int64_t oy = (i / out_w) % out_h;
    const int64_t plane = i / (out_w * out_h);
    const int64_t ix = ox - left, iy = oy - top;
    y[i] = (ix >= 0 && ix < w && iy >= 0 && iy < h) ? x[(plane * h + iy) * w + ix] : 0.f;
  }
}

__global__ void broadcast_matrix_kernel(const float* c, int64_t c_rows, int64_t c_cols, float* y,
                                        int64_t total, int64_t cols, float scale) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t row = i / cols, col = i % cols;
    y[i] = scale * c[(c_rows == 1 ? 0 : row) * c_cols + (c_cols == 1 ? 0 : col)];
  }
}

}  // namespace

void conv_epilogue(float* y, const float* bias, const float* sum, int64_t n, int64_t channels,
                   int64_t spatial, EpilogueActivation pre, EpilogueActivation post, cudaStream_t stream) {
  const int64_t total = n * channels * spatial;
  if (total == 0) return;
  conv_epilogue_kernel<<<grid_for(total), kBlockSize, 0, stream>>>(y, bias, sum, total, channels, spatial,
                                                                   pre, post);
  check_cuda(cudaGetLastError(), "FusedConv epilogue");
}

void pad_nchw(const float* x, float* y, int64_t n, int64_t c, int64_t h, int64_t w, int64_t top,
              int64_t bottom, int64_t left, int64_t right, cudaStream_t stream) {
  const int64_t out_h = h + top + bottom, out_w = w + left + right;
  const int64_t total = n * c * out_h * out_w;
  if (total == 0) return;
  pad_nchw_kernel<<<grid_for(total), kBlockSize, 0, stream>>>(x, y, total, h, w, top, left, out_h, out_w);
  check_cuda(cudaGetLastError(), "Conv padding");
}

void broadcast_matrix(const float* c, int64_t c_rows, int64_t c_cols, float* y, int64_t rows,
                      int64_t cols, float scale, cudaStream_t stream) {
  const int64_t total = rows * cols;
  if (total == 0) return;
  broadcast_matrix_kernel<<<grid_for(total), kBlockSize, 0, stream>>>(c, c_rows, c_cols, y, total, cols, scale);
  check_cuda(cudaGetLastError(), "Gemm C broadcast");
}

}  // namespace flowonnx::cuda
