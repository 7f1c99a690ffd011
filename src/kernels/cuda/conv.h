// 2-D float32 NCHW convolution through cuDNN. One CudnnConv per node: descriptors and the chosen
// algorithm are made once per problem (input and weight shapes, math mode) and cached behind a
// mutex, because one kernel object serves concurrent runs (each with its own handle and stream).
// Pads must be symmetric here; the caller pads asymmetric inputs explicitly (conv_epilogue.h).
#pragma once

#include <cudnn.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "kernels/cuda/math_mode.h"
namespace flowonnx::cuda {

struct ConvProblem {
  std::array<int64_t, 4> x{};  // N, C, H, W
  std::array<int64_t, 4> w{};  // K, C / group, R, S
  int64_t group = 1;
  std::array<int64_t, 2> pads{}, strides{1, 1}, dilations{1, 1};  // symmetric pads
  MathMode math = MathMode::Fp32;
  bool operator<(const ConvProblem& o) const;
};

// Output [N, K, outH, outW] (same formula as cuDNN and the CPU kernel).
std::array<int64_t, 4> conv_output_shape(const ConvProblem& problem);

// Temporary device memory for a workspace; the caller keeps it alive until the conv call returns
// (later users of the run's allocator are queued behind it on the same stream).
using WorkspaceFn = std::function<void*(size_t bytes)>;

// The fused form cudnnConvolutionBiasActivationForward computes:
//   y = relu(conv(x, w) + z + bias)   (z = the residual, or none).
struct ConvBiasRelu {
  const float* bias = nullptr;  // required
  const float* z = nullptr;     // optional residual with y's shape
};

class CudnnConv {
 public:
  CudnnConv();
  ~CudnnConv();
  CudnnConv(const CudnnConv&) = delete;
  CudnnConv& operator=(const CudnnConv&) = delete;

  // y = conv(x, w); with `fused`, y = relu(conv(x, w) + bias + z) in one cuDNN call.
  void forward(cudnnHandle_t handle, const ConvProblem& problem, const float* x, const float* w,
               float* y, const WorkspaceFn& workspace, const ConvBiasRelu* fused = nullptr);

  // Largest workspace an algorithm may use.
  static constexpr size_t kWorkspaceLimit = size_t{256} << 20;

 private:
  struct Plan;
  Plan& plan_for(cudnnHandle_t handle, const ConvProblem& problem, const float* x, const float* w,
                 float* y, const WorkspaceFn& workspace, bool fused);
  std::mutex mutex_;
  std::map<std::pair<ConvProblem, bool>, std::unique_ptr<Plan>> plans_;
};

}  // namespace flowonnx::cuda
