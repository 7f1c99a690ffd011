#include "kernels/cuda/matmul.h"

#include <algorithm>
#include <tuple>

#include "base/error.h"
#include "kernels/cuda/cuda_check.h"

namespace flowonnx::cuda {

bool MatmulProblem::operator<(const MatmulProblem& o) const {
  return std::tie(m, n, k, trans_a, trans_b, batch, stride_a, stride_b, stride_d, math) <
         std::tie(o.m, o.n, o.k, o.trans_a, o.trans_b, o.batch, o.stride_a, o.stride_b, o.stride_d, o.math);
}

namespace {

void check(cublasStatus_t status, const char* what) { check_cublas_status(static_cast<int>(status), what); }

// The largest power of two (<= 256) dividing the address of every batch entry, in bytes: the
// algorithm must not assume more alignment than the pointers have (views, batch offsets).
int alignment_of(const void* ptr, int64_t stride_elements, int64_t batch) {
  uint64_t bits = reinterpret_cast<uintptr_t>(ptr) | 256;
  if (batch > 1 && stride_elements > 0) bits |= static_cast<uint64_t>(stride_elements) * sizeof(float);
  return static_cast<int>(bits & (~bits + 1));
}

cublasLtMatrixLayout_t make_layout(uint64_t rows, uint64_t cols, int64_t ld, int64_t batch, int64_t stride) {
  cublasLtMatrixLayout_t layout = nullptr;
  check(cublasLtMatrixLayoutCreate(&layout, CUDA_R_32F, rows, cols, ld), "creating a matrix layout");
  if (batch > 1) {
    int32_t count = static_cast<int32_t>(batch);
    check(cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof(count)),
          "setting the batch count");
    check(cublasLtMatrixLayoutSetAttribute(layout, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                                           sizeof(stride)),
          "setting the batch stride");
  }
  return layout;
}

}  // namespace

struct CublasLtMatmul::Plan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;  // cuBLASLt's A = our B, B = our A
  cublasLtMatmulAlgo_t algo{};
  bool has_algo = false;
  size_t workspace_bytes = 0;
  ~Plan() {
    if (a) cublasLtMatrixLayoutDestroy(a);
    if (b) cublasLtMatrixLayoutDestroy(b);
    if (d) cublasLtMatrixLayoutDestroy(d);
    if (desc) cublasLtMatmulDescDestroy(desc);
  }
};

CublasLtMatmul::CublasLtMatmul() = default;
CublasLtMatmul::~CublasLtMatmul() = default;

void CublasLtMatmul::run(const MatmulResources& res, const MatmulProblem& p, float alpha, const float* a,
                         const float* b, float beta, const float* c, float* d) {
  if (p.m == 0 || p.n == 0 || p.batch == 0) return;
  FLOWONNX_CHECK(p.k > 0, "MatMul: K = 0 is handled by the caller");
  int alignment = alignment_of(a, p.stride_a, p.batch);
  alignment = std::min(alignment, alignment_of(b, p.stride_b, p.batch));
  alignment = std::min(alignment, alignment_of(d, p.stride_d, p.batch));
  if (beta != 0.f) alignment = std::min(alignment, alignment_of(c, p.stride_d, p.batch));
  Plan* plan = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto key = std::make_pair(p, alignment);
    auto found = plans_.find(key);
    if (found == plans_.end()) {
      auto fresh = std::make_unique<Plan>();
      const cublasComputeType_t compute = p.math == MathMode::Fp16   ? CUBLAS_COMPUTE_32F_FAST_16F
                                          : p.math == MathMode::Tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32
                                                                     : CUBLAS_COMPUTE_32F;
      check(cublasLtMatmulDescCreate(&fresh->desc, compute, CUDA_R_32F), "creating a matmul descriptor");
      // Column-major: D^T [N, M] = op(B)^T [N, K] * op(A)^T [K, M].
      const cublasOperation_t op_a = p.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;  // applied to our B
      const cublasOperation_t op_b = p.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;  // applied to our A
      check(cublasLtMatmulDescSetAttribute(fresh->desc, CUBLASLT_MATMUL_DESC_TRANSA, &op_a, sizeof(op_a)),
            "setting transA");
      check(cublasLtMatmulDescSetAttribute(fresh->desc, CUBLASLT_MATMUL_DESC_TRANSB, &op_b, sizeof(op_b)),
            "setting transB");
      // Our B row-major [K, N] is column-major [N, K] (ld N); transposed it is stored [N, K] row-major
      // = column-major [K, N] (ld K).
      fresh->a = p.trans_b ? make_layout(p.k, p.n, p.k, p.batch, p.stride_b)
                           : make_layout(p.n, p.k, p.n, p.batch, p.stride_b);
      fresh->b = p.trans_a ? make_layout(p.m, p.k, p.m, p.batch, p.stride_a)
                           : make_layout(p.k, p.m, p.k, p.batch, p.stride_a);
      fresh->d = make_layout(p.n, p.m, p.n, p.batch, p.stride_d);

      cublasLtMatmulPreference_t pref = nullptr;
      check(cublasLtMatmulPreferenceCreate(&pref), "creating a matmul preference");
      uint64_t limit = res.workspace_bytes;
      uint32_t align = static_cast<uint32_t>(alignment);
      cublasStatus_t status = cublasLtMatmulPreferenceSetAttribute(
          pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &limit, sizeof(limit));
      for (auto attr : {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                        CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES})
        if (status == CUBLAS_STATUS_SUCCESS)
          status = cublasLtMatmulPreferenceSetAttribute(pref, attr, &align, sizeof(align));
      cublasLtMatmulHeuristicResult_t result{};
      int returned = 0;
      if (status == CUBLAS_STATUS_SUCCESS)
        status = cublasLtMatmulAlgoGetHeuristic(res.handle, fresh->desc, fresh->a, fresh->b, fresh->d,
                                                fresh->d, pref, 1, &result, &returned);
      cublasLtMatmulPreferenceDestroy(pref);
      check(status, "choosing a matmul algorithm");
      FLOWONNX_REQUIRE(returned > 0 && result.state == CUBLAS_STATUS_SUCCESS,
                       "MatMul: cuBLASLt has no algorithm for [{}x{}] x [{}x{}] (batch {})", p.m, p.k, p.k,
                       p.n, p.batch);
      fresh->algo = result.algo;
      fresh->workspace_bytes = result.workspaceSize;
      fresh->has_algo = true;
      found = plans_.emplace(key, std::move(fresh)).first;
    }
    plan = found->second.get();
  }
  FLOWONNX_CHECK(plan->workspace_bytes <= res.workspace_bytes, "matmul workspace {} > {}",
                 plan->workspace_bytes, res.workspace_bytes);
  check(cublasLtMatmul(res.handle, plan->desc, &alpha, b, plan->a, a, plan->b, &beta, beta != 0.f ? c : d,
                       plan->d, d, plan->d, &plan->algo, res.workspace, res.workspace_bytes, res.stream),
        "cublasLtMatmul");
}

}  // namespace flowonnx::cuda
