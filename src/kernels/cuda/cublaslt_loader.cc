#include "kernels/cuda/cublaslt_loader.h"

#include <cublasLt.h>
#include <dlfcn.h>

#include <string>

namespace flowonnx::cuda {

namespace {

struct Library {
  void* handle = nullptr;
  std::string error;
};

const Library& library() {
  static const Library loaded = [] {
    Library lib;
    const std::string name = "libcublasLt.so." + std::to_string(CUBLAS_VER_MAJOR);
    lib.handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib.handle) {
      const char* why = dlerror();
      lib.error = "cannot load " + name + ": " + (why ? why : "unknown error");
    }
    return lib;
  }();
  return loaded;
}

}  // namespace

// The address of `name` in libcublasLt (nullptr when the library or the symbol is missing).
void* symbol(const char* name) {
  const Library& lib = library();
  return lib.handle ? dlsym(lib.handle, name) : nullptr;
}

std::string cublaslt_load_error() { return library().error; }

}  // namespace flowonnx::cuda

// Each forwarder resolves its function once; without the library it reports
// CUBLAS_STATUS_NOT_INITIALIZED, and cublasLtGetStatusString then says why.
#define FLOWONNX_FORWARD(name, params, args)                                                   \
  extern "C" cublasStatus_t CUBLASWINAPI name params {                                         \
    static auto* const fn = reinterpret_cast<decltype(&name)>(flowonnx::cuda::symbol(#name)); \
    return fn ? fn args : CUBLAS_STATUS_NOT_INITIALIZED;                                       \
  }

FLOWONNX_FORWARD(cublasLtCreate, (cublasLtHandle_t* handle), (handle))
FLOWONNX_FORWARD(cublasLtDestroy, (cublasLtHandle_t handle), (handle))
FLOWONNX_FORWARD(cublasLtMatmul,
                 (cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, const void* alpha, const void* a,
                  cublasLtMatrixLayout_t a_desc, const void* b, cublasLtMatrixLayout_t b_desc,
                  const void* beta, const void* c, cublasLtMatrixLayout_t c_desc, void* d,
                  cublasLtMatrixLayout_t d_desc, const cublasLtMatmulAlgo_t* algo, void* workspace,
                  size_t workspace_bytes, cudaStream_t stream),
                 (handle, desc, alpha, a, a_desc, b, b_desc, beta, c, c_desc, d, d_desc, algo, workspace,
                  workspace_bytes, stream))
FLOWONNX_FORWARD(cublasLtMatmulAlgoGetHeuristic,
                 (cublasLtHandle_t handle, cublasLtMatmulDesc_t desc, cublasLtMatrixLayout_t a,
                  cublasLtMatrixLayout_t b, cublasLtMatrixLayout_t c, cublasLtMatrixLayout_t d,
                  cublasLtMatmulPreference_t preference, int requested,
                  cublasLtMatmulHeuristicResult_t results[], int* returned),
                 (handle, desc, a, b, c, d, preference, requested, results, returned))
FLOWONNX_FORWARD(cublasLtMatmulDescCreate,
                 (cublasLtMatmulDesc_t* desc, cublasComputeType_t compute, cudaDataType_t scale),
                 (desc, compute, scale))
FLOWONNX_FORWARD(cublasLtMatmulDescDestroy, (cublasLtMatmulDesc_t desc), (desc))
FLOWONNX_FORWARD(cublasLtMatmulDescSetAttribute,
                 (cublasLtMatmulDesc_t desc, cublasLtMatmulDescAttributes_t attr, const void* buf, size_t bytes),
                 (desc, attr, buf, bytes))
FLOWONNX_FORWARD(cublasLtMatmulPreferenceCreate, (cublasLtMatmulPreference_t* pref), (pref))
FLOWONNX_FORWARD(cublasLtMatmulPreferenceDestroy, (cublasLtMatmulPreference_t pref), (pref))
FLOWONNX_FORWARD(cublasLtMatmulPreferenceSetAttribute,
                 (cublasLtMatmulPreference_t pref, cublasLtMatmulPreferenceAttributes_t attr, const void* buf,
                  size_t bytes),
                 (pref, attr, buf, bytes))
FLOWONNX_FORWARD(cublasLtMatrixLayoutCreate,
                 (cublasLtMatrixLayout_t* layout, cudaDataType type, uint64_t rows, uint64_t cols, int64_t ld),
                 (layout, type, rows, cols, ld))
FLOWONNX_FORWARD(cublasLtMatrixLayoutDestroy, (cublasLtMatrixLayout_t layout), (layout))
FLOWONNX_FORWARD(cublasLtMatrixLayoutSetAttribute,
                 (cublasLtMatrixLayout_t layout, cublasLtMatrixLayoutAttribute_t attr, const void* buf,
                  size_t bytes),
                 (layout, attr, buf, bytes))

extern "C" const char* CUBLASWINAPI cublasLtGetStatusString(cublasStatus_t status) {
  static auto* const fn =
      reinterpret_cast<decltype(&cublasLtGetStatusString)>(flowonnx::cuda::symbol("cublasLtGetStatusString"));
  if (fn) return fn(status);
  static const std::string error = flowonnx::cuda::cublaslt_load_error();
  return error.empty() ? "cublasLtGetStatusString missing" : error.c_str();
}
