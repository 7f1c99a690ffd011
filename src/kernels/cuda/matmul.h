// Row-major float32 matrix products through cuBLASLt: D[b] = alpha * op(A[b]) op(B[b]) + beta * C[b]
// for a batch of equally shaped products whose operands sit at a fixed stride (0 = the same
// matrix for every batch entry). cuBLASLt is column-major, so it computes D^T = op(B)^T op(A)^T.
// One CublasLtMatmul per node caches the descriptors and the heuristic's algorithm per problem
// (shapes, strides, pointer alignment, TF32) behind a mutex: the object serves concurrent runs.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "kernels/cuda/math_mode.h"
namespace flowonnx::cuda {

struct MatmulProblem {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false, trans_b = false;  // A stored [K, M] / B stored [N, K]
  int64_t batch = 1;
  int64_t stride_a = 0, stride_b = 0, stride_d = 0;  // elements between batch entries
  MathMode math = MathMode::Fp32;
  bool operator<(const MatmulProblem& o) const;
};

struct MatmulResources {
  cublasLtHandle_t handle = nullptr;
  cudaStream_t stream = nullptr;
  void* workspace = nullptr;
  size_t workspace_bytes = 0;
};

class CublasLtMatmul {
 public:
  CublasLtMatmul();
  ~CublasLtMatmul();
  CublasLtMatmul(const CublasLtMatmul&) = delete;
  CublasLtMatmul& operator=(const CublasLtMatmul&) = delete;

  // d (and c, read when beta != 0; it may be d) are [batch, M, N] at stride_d.
  void run(const MatmulResources& res, const MatmulProblem& problem, float alpha, const float* a,
           const float* b, float beta, const float* c, float* d);

 private:
  struct Plan;
  std::mutex mutex_;
  std::map<std::pair<MatmulProblem, int>, std::unique_ptr<Plan>> plans_;  // (problem, alignment)
};

}  // namespace flowonnx::cuda
