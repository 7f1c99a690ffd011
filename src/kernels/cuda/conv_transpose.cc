#include "kernels/cuda/conv_transpose.h"

#include <limits>
#include <tuple>
#include <vector>

#include "base/error.h"
#include "kernels/cuda/cuda_check.h"

namespace flowonnx::cuda {

bool ConvTransposeProblem::operator<(const ConvTransposeProblem& o) const {
  return std::tie(spatial, x, w, y, group, pads, strides, dilations, math) <
         std::tie(o.spatial, o.x, o.w, o.y, o.group, o.pads, o.strides, o.dilations, o.math);
}

namespace {

int to_int(int64_t v, const char* what) {
  FLOWONNX_REQUIRE(v >= 0 && v <= std::numeric_limits<int>::max(),
                   "ConvTranspose: {} = {} is out of cuDNN's range", what, v);
  return static_cast<int>(v);
}

void check(cudnnStatus_t status, const char* what) { check_cudnn_status(static_cast<int>(status), what); }

// Dense NC(D)HW strides of `dims` (the first `rank` entries).
std::vector<int> dense_strides(const std::vector<int>& dims) {
  std::vector<int> strides(dims.size(), 1);
  for (size_t d = dims.size() - 1; d-- > 0;) strides[d] = strides[d + 1] * dims[d + 1];
  return strides;
}

}  // namespace

struct CudnnConvTranspose::Plan {
  // In cuDNN's backward-data terms: dy is our input, dx our output, w the conv filter
  // [C_in, C_out / group, k...] (K = C_in, C = C_out / group).
  cudnnTensorDescriptor_t dy = nullptr, dx = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnConvolutionBwdDataAlgo_t algo = CUDNN_CONVOLUTION_BWD_DATA_ALGO_0;
  size_t workspace_bytes = 0;

  ~Plan() {
    if (dy) cudnnDestroyTensorDescriptor(dy);
    if (dx) cudnnDestroyTensorDescriptor(dx);
    if (w) cudnnDestroyFilterDescriptor(w);
    if (conv) cudnnDestroyConvolutionDescriptor(conv);
  }
};

CudnnConvTranspose::CudnnConvTranspose() = default;
CudnnConvTranspose::~CudnnConvTranspose() = default;

CudnnConvTranspose::Plan& CudnnConvTranspose::plan_for(cudnnHandle_t handle, const ConvTransposeProblem& p) {
  auto found = plans_.find(p);
  if (found != plans_.end()) return *found->second;
  auto plan = std::make_unique<Plan>();
  const int rank = p.spatial + 2;
  std::vector<int> x_dims, w_dims, y_dims, pads, strides, dilations;
  for (int d = 0; d < rank; ++d) {
    x_dims.push_back(to_int(p.x[d], "input dim"));
    w_dims.push_back(to_int(p.w[d], "weight dim"));
    y_dims.push_back(to_int(p.y[d], "output dim"));
  }
  for (int d = 0; d < p.spatial; ++d) {
    pads.push_back(to_int(p.pads[d], "pad"));
    strides.push_back(to_int(p.strides[d], "stride"));
    dilations.push_back(to_int(p.dilations[d], "dilation"));
  }
  check(cudnnCreateTensorDescriptor(&plan->dy), "creating a tensor descriptor");
  check(cudnnCreateTensorDescriptor(&plan->dx), "creating a tensor descriptor");
  check(cudnnCreateFilterDescriptor(&plan->w), "creating a filter descriptor");
  check(cudnnCreateConvolutionDescriptor(&plan->conv), "creating a convolution descriptor");
  check(cudnnSetTensorNdDescriptor(plan->dy, CUDNN_DATA_FLOAT, rank, x_dims.data(), dense_strides(x_dims).data()),
        "ConvTranspose input descriptor");
  check(cudnnSetTensorNdDescriptor(plan->dx, CUDNN_DATA_FLOAT, rank, y_dims.data(), dense_strides(y_dims).data()),
        "ConvTranspose output descriptor");
  check(cudnnSetFilterNdDescriptor(plan->w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, rank, w_dims.data()),
        "ConvTranspose filter descriptor");
  check(cudnnSetConvolutionNdDescriptor(plan->conv, p.spatial, pads.data(), strides.data(), dilations.data(),
                                        CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
        "ConvTranspose convolution descriptor");
  check(cudnnSetConvolutionGroupCount(plan->conv, to_int(p.group, "group")), "ConvTranspose group count");
  // FMA math keeps fp32 accuracy (DEFAULT_MATH would allow TF32 tensor cores on Ampere+); the
  // descriptor's math type is never changed afterwards, so every algorithm runs with it.
  const bool tensor_cores = p.math != MathMode::Fp32;
  const cudnnMathType_t math = p.math == MathMode::Fp16 ? CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION
                               : p.math == MathMode::Tf32 ? CUDNN_TENSOR_OP_MATH
                                                          : CUDNN_FMA_MATH;
  check(cudnnSetConvolutionMathType(plan->conv, math), "ConvTranspose math type");
  // The heuristics' first algorithm that fits the workspace limit; ALGO_0 supports everything.
  std::vector<cudnnConvolutionBwdDataAlgoPerf_t> perfs(CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT);
  int returned = 0;
  if (cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, plan->w, plan->dy, plan->conv, plan->dx,
                                                  static_cast<int>(perfs.size()), &returned,
                                                  perfs.data()) != CUDNN_STATUS_SUCCESS)
    returned = 0;
  bool chosen = false;
  for (int i = 0; i < returned && !chosen; ++i) {
    const cudnnConvolutionBwdDataAlgoPerf_t& perf = perfs[i];
    if (perf.status != CUDNN_STATUS_SUCCESS || perf.memory > CudnnConv::kWorkspaceLimit) continue;
    if (!tensor_cores && perf.mathType != CUDNN_FMA_MATH && perf.mathType != CUDNN_DEFAULT_MATH) continue;
    size_t bytes = 0;
    if (cudnnGetConvolutionBackwardDataWorkspaceSize(handle, plan->w, plan->dy, plan->conv, plan->dx, perf.algo,
                                                     &bytes) != CUDNN_STATUS_SUCCESS ||
        bytes > CudnnConv::kWorkspaceLimit)
      continue;
    plan->algo = perf.algo;
    plan->workspace_bytes = bytes;
    chosen = true;
  }
  if (!chosen) {
    plan->algo = CUDNN_CONVOLUTION_BWD_DATA_ALGO_0;
    check(cudnnGetConvolutionBackwardDataWorkspaceSize(handle, plan->w, plan->dy, plan->conv, plan->dx, plan->algo,
                                                       &plan->workspace_bytes),
          "ConvTranspose workspace size");
  }
  return *plans_.emplace(p, std::move(plan)).first->second;
}

void CudnnConvTranspose::run(cudnnHandle_t handle, const ConvTransposeProblem& problem, const float* x,
                             const float* w, float* y, const WorkspaceFn& workspace) {
  Plan* plan = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    plan = &plan_for(handle, problem);
  }
  // Plans are never erased: the pointer stays valid outside the lock, descriptors are only read.
  void* scratch = plan->workspace_bytes ? workspace(plan->workspace_bytes) : nullptr;
  const float one = 1.f, zero = 0.f;
  check(cudnnConvolutionBackwardData(handle, &one, plan->w, w, plan->dy, x, plan->conv, plan->algo, scratch,
                                     plan->workspace_bytes, &zero, plan->dx, y),
        "cudnnConvolutionBackwardData");
}

}  // namespace flowonnx::cuda
