#include "kernels/cuda/cuda_check.h"

#include <cublasLt.h>
#include <cudnn.h>

#include "base/error.h"

namespace flowonnx::cuda {

void check_cuda(cudaError_t status, const char* what) {
  if (status != cudaSuccess)
    fail(ErrorCode::Internal, "CUDA error in {}: {} ({})", what, cudaGetErrorString(status),
         cudaGetErrorName(status));
}

void check_cudnn_status(int status, const char* what) {
  if (status != CUDNN_STATUS_SUCCESS)
    fail(ErrorCode::Internal, "cuDNN error in {}: {}", what,
         cudnnGetErrorString(static_cast<cudnnStatus_t>(status)));
}

void check_cublas_status(int status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS)
    fail(ErrorCode::Internal, "cuBLAS error in {}: {}", what,
         cublasLtGetStatusString(static_cast<cublasStatus_t>(status)));
}

}  // namespace flowonnx::cuda
