// Turning CUDA, cuDNN and cuBLAS status codes into flowonnx::Error. Plain header: .cu files call
// check_cuda(cudaGetLastError(), "Transpose") after a launch; the messages carry the library's
// own error string and what was being done.
#pragma once

#include <cuda_runtime_api.h>

namespace flowonnx::cuda {

// Throws Error(Internal) "CUDA error in <what>: <cudaGetErrorString>" unless status is success.
void check_cuda(cudaError_t status, const char* what);
// Same for cuDNN (cudnnStatus_t) and cuBLAS (cublasStatus_t), passed as int to keep this header
// free of their headers.
void check_cudnn_status(int status, const char* what);
void check_cublas_status(int status, const char* what);

// Threads per block for the simple one-element-per-thread kernels, and the grid for n elements
// (grid-stride loops cover n beyond the grid limit).
inline constexpr int kBlockSize = 256;
inline unsigned grid_for(long long n) {
  long long blocks = (n + kBlockSize - 1) / kBlockSize;
  if (blocks < 1) blocks = 1;
  return static_cast<unsigned>(blocks > 65535LL * 32 ? 65535LL * 32 : blocks);
}

}  // namespace flowonnx::cuda
