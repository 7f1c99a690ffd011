#include "kernels/cuda/conv.h"

#include <limits>
#include <tuple>
#include <vector>

#include "base/error.h"
#include "kernels/cuda/conv_epilogue.h"
#include "kernels/cuda/cuda_check.h"

namespace flowonnx::cuda {

bool ConvProblem::operator<(const ConvProblem& o) const {
  return std::tie(x, w, group, pads, strides, dilations, math) <
         std::tie(o.x, o.w, o.group, o.pads, o.strides, o.dilations, o.math);
}

std::array<int64_t, 4> conv_output_shape(const ConvProblem& p) {
  std::array<int64_t, 4> out{p.x[0], p.w[0], 0, 0};
  for (int d = 0; d < 2; ++d) {
    const int64_t span = (p.w[2 + d] - 1) * p.dilations[d] + 1;
    const int64_t room = p.x[2 + d] + 2 * p.pads[d] - span;
    FLOWONNX_REQUIRE(room >= 0, "Conv: kernel extent {} larger than padded input {}", span,
                     p.x[2 + d] + 2 * p.pads[d]);
    out[2 + d] = room / p.strides[d] + 1;
  }
  return out;
}

namespace {

int to_int(int64_t v, const char* what) {
  FLOWONNX_REQUIRE(v >= 0 && v <= std::numeric_limits<int>::max(), "Conv: {} = {} is too large for cuDNN",
                   what, v);
  return static_cast<int>(v);
}

void check(cudnnStatus_t status, const char* what) { check_cudnn_status(static_cast<int>(status), what); }

}  // namespace

struct CudnnConv::Plan {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr, bias = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  cudnnActivationDescriptor_t relu = nullptr;
  cudnnConvolutionFwdAlgo_t algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
  size_t workspace_bytes = 0;

  ~Plan() {
    if (x) cudnnDestroyTensorDescriptor(x);
    if (y) cudnnDestroyTensorDescriptor(y);
    if (bias) cudnnDestroyTensorDescriptor(bias);
    if (w) cudnnDestroyFilterDescriptor(w);
    if (conv) cudnnDestroyConvolutionDescriptor(conv);
    if (relu) cudnnDestroyActivationDescriptor(relu);
  }
};

CudnnConv::CudnnConv() = default;
CudnnConv::~CudnnConv() = default;

CudnnConv::Plan& CudnnConv::plan_for(cudnnHandle_t handle, const ConvProblem& p, const float* x,
                                     const float* w, float* y, const WorkspaceFn& workspace, bool fused) {
  auto key = std::make_pair(p, fused);
  auto found = plans_.find(key);
  if (found != plans_.end()) return *found->second;

  auto plan = std::make_unique<Plan>();
  const std::array<int64_t, 4> out = conv_output_shape(p);
  check(cudnnCreateTensorDescriptor(&plan->x), "creating a tensor descriptor");
  check(cudnnCreateTensorDescriptor(&plan->y), "creating a tensor descriptor");
  check(cudnnCreateTensorDescriptor(&plan->bias), "creating a tensor descriptor");
  check(cudnnCreateFilterDescriptor(&plan->w), "creating a filter descriptor");
  check(cudnnCreateConvolutionDescriptor(&plan->conv), "creating a convolution descriptor");
  check(cudnnCreateActivationDescriptor(&plan->relu), "creating an activation descriptor");
  check(cudnnSetTensor4dDescriptor(plan->x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, to_int(p.x[0], "N"),
                                   to_int(p.x[1], "C"), to_int(p.x[2], "H"), to_int(p.x[3], "W")),
        "Conv input descriptor");
  check(cudnnSetTensor4dDescriptor(plan->y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, to_int(out[0], "N"),
                                   to_int(out[1], "K"), to_int(out[2], "out H"), to_int(out[3], "out W")),
        "Conv output descriptor");
  check(cudnnSetTensor4dDescriptor(plan->bias, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, to_int(out[1], "K"), 1, 1),
        "Conv bias descriptor");
  check(cudnnSetFilter4dDescriptor(plan->w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, to_int(p.w[0], "K"),
                                   to_int(p.w[1], "C/group"), to_int(p.w[2], "R"), to_int(p.w[3], "S")),
        "Conv weight descriptor");
  check(cudnnSetConvolution2dDescriptor(plan->conv, to_int(p.pads[0], "pad"), to_int(p.pads[1], "pad"),
                                        to_int(p.strides[0], "stride"), to_int(p.strides[1], "stride"),
                                        to_int(p.dilations[0], "dilation"), to_int(p.dilations[1], "dilation"),
                                        CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
        "Conv descriptor");
  check(cudnnSetConvolutionGroupCount(plan->conv, to_int(p.group, "group")), "Conv group count");
  // FMA math keeps fp32 accuracy (DEFAULT_MATH would allow TF32 tensor cores on Ampere+).
  const bool tensor_cores = p.math != MathMode::Fp32;
  const cudnnMathType_t math = p.math == MathMode::Fp16 ? CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION
                               : p.math == MathMode::Tf32 ? CUDNN_TENSOR_OP_MATH
                                                          : CUDNN_FMA_MATH;
  check(cudnnSetConvolutionMathType(plan->conv, math), "Conv math type");
  check(cudnnSetActivationDescriptor(plan->relu, CUDNN_ACTIVATION_RELU, CUDNN_NOT_PROPAGATE_NAN, 0.0),
        "Conv activation descriptor");

  // Candidates: measured (FindEx, once per shape; runs on the handle's stream and waits for it),
  // then the heuristics. Without TF32 only FMA / default-math results qualify and the algorithm
  // runs with FMA math forced on the descriptor (DEFAULT_MATH would allow TF32 on Ampere+).
  std::vector<cudnnConvolutionFwdAlgoPerf_t> candidates;
  std::vector<cudnnConvolutionFwdAlgoPerf_t> perfs(CUDNN_CONVOLUTION_FWD_ALGO_COUNT);
  int returned = 0;
  try {
    void* scratch = workspace(kWorkspaceLimit);
    if (cudnnFindConvolutionForwardAlgorithmEx(handle, plan->x, x, plan->w, w, plan->conv, plan->y, y,
                                               static_cast<int>(perfs.size()), &returned, perfs.data(), scratch,
                                               kWorkspaceLimit) != CUDNN_STATUS_SUCCESS)
      returned = 0;
  } catch (const Error&) {
    returned = 0;  // no room for the measuring workspace: the heuristics decide
  }
  candidates.insert(candidates.end(), perfs.begin(), perfs.begin() + returned);
  returned = 0;
  if (cudnnGetConvolutionForwardAlgorithm_v7(handle, plan->x, plan->w, plan->conv, plan->y,
                                             static_cast<int>(perfs.size()), &returned,
                                             perfs.data()) == CUDNN_STATUS_SUCCESS)
    candidates.insert(candidates.end(), perfs.begin(), perfs.begin() + returned);

  // First pass: results measured / proposed with the requested math type; second pass (FMA only):
  // default-math results, run with FMA forced.
  bool chosen = false;
  for (int pass = 0; pass < 2 && !chosen; ++pass)
    for (const cudnnConvolutionFwdAlgoPerf_t& perf : candidates) {
      if (perf.status != CUDNN_STATUS_SUCCESS || perf.memory > kWorkspaceLimit) continue;
      if (pass == 0 && !tensor_cores && perf.mathType != CUDNN_FMA_MATH) continue;
      if (pass == 1 && (tensor_cores || perf.mathType != CUDNN_DEFAULT_MATH)) continue;
      if (cudnnSetConvolutionMathType(plan->conv, tensor_cores ? perf.mathType : CUDNN_FMA_MATH) != CUDNN_STATUS_SUCCESS)
        continue;
      size_t bytes = 0;
      if (cudnnGetConvolutionForwardWorkspaceSize(handle, plan->x, plan->w, plan->conv, plan->y, perf.algo,
                                                  &bytes) != CUDNN_STATUS_SUCCESS ||
          bytes > kWorkspaceLimit)
        continue;
      plan->algo = perf.algo;
      plan->workspace_bytes = bytes;
      chosen = true;
      break;
    }
  if (!chosen) {
    // IMPLICIT_GEMM supports every configuration with FMA math.
    plan->algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
    check(cudnnSetConvolutionMathType(plan->conv, math), "Conv math type");
    check(cudnnGetConvolutionForwardWorkspaceSize(handle, plan->x, plan->w, plan->conv, plan->y, plan->algo,
                                                  &plan->workspace_bytes),
          "Conv workspace size");
  }
  return *plans_.emplace(key, std::move(plan)).first->second;
}

void CudnnConv::forward(cudnnHandle_t handle, const ConvProblem& problem, const float* x, const float* w,
                        float* y, const WorkspaceFn& workspace, const ConvBiasRelu* fused) {
  Plan* plan = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    plan = &plan_for(handle, problem, x, w, y, workspace, fused != nullptr);
  }
  // Plans are never erased, so the pointer stays valid outside the lock; descriptors are only
  // read from here on.
  void* scratch = plan->workspace_bytes ? workspace(plan->workspace_bytes) : nullptr;
  const float one = 1.f, zero = 0.f;
  // The plain conv; should cuDNN refuse the chosen algorithm at run time after all, IMPLICIT_GEMM
  // (supported for every configuration) runs instead.
  auto plain_conv = [&] {
    cudnnStatus_t status = cudnnConvolutionForward(handle, &one, plan->x, x, plan->w, w, plan->conv, plan->algo,
                                                   scratch, plan->workspace_bytes, &zero, plan->y, y);
    if (CUDNN_STATUS_CATEGORY(status) == CUDNN_STATUS_NOT_SUPPORTED) {
      const auto fallback = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM;
      size_t bytes = 0;
      check(cudnnGetConvolutionForwardWorkspaceSize(handle, plan->x, plan->w, plan->conv, plan->y, fallback, &bytes),
            "Conv workspace size");
      void* fallback_scratch = bytes ? workspace(bytes) : nullptr;
      status = cudnnConvolutionForward(handle, &one, plan->x, x, plan->w, w, plan->conv, fallback, fallback_scratch,
                                       bytes, &zero, plan->y, y);
    }
    check(status, "cudnnConvolutionForward");
  };
  if (!fused) {
    plain_conv();
    return;
  }
  FLOWONNX_CHECK(fused->bias != nullptr, "fused conv needs a bias");
  // Without a residual, z aliases y with weight 0 (y is zeroed first so no stale NaN leaks in).
  const float* z = fused->z;
  if (!z) {
    const std::array<int64_t, 4> out = conv_output_shape(problem);
    cudaStream_t stream = nullptr;
    check(cudnnGetStream(handle, &stream), "reading the cuDNN stream");
    check_cuda(cudaMemsetAsync(y, 0, static_cast<size_t>(out[0] * out[1] * out[2] * out[3]) * sizeof(float),
                               stream),
               "Conv output clear");
    z = y;
  }
  const float alpha2 = fused->z ? 1.f : 0.f;
  const cudnnStatus_t status = cudnnConvolutionBiasActivationForward(
      handle, &one, plan->x, x, plan->w, w, plan->conv, plan->algo, scratch, plan->workspace_bytes, &alpha2,
      plan->y, z, plan->bias, fused->bias, plan->relu, plan->y, y);
  if (CUDNN_STATUS_CATEGORY(status) != CUDNN_STATUS_NOT_SUPPORTED) {
    check(status, "cudnnConvolutionBiasActivationForward");
    return;
  }
  // The fused call refuses this algorithm / configuration: the plain conv and one epilogue pass.
  plain_conv();
  const std::array<int64_t, 4> out = conv_output_shape(problem);
  cudaStream_t stream = nullptr;
  check(cudnnGetStream(handle, &stream), "reading the cuDNN stream");
  EpilogueActivation relu;
  relu.kind = 1;
  conv_epilogue(y, fused->bias, fused->z, out[0], out[1], out[2] * out[3], EpilogueActivation{}, relu, stream);
}

}  // namespace flowonnx::cuda
