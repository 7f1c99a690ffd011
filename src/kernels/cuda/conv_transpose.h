// Float32 transposed convolution through cuDNN's backward-data pass (the transposed conv is the
// gradient of a conv with respect to its input). One CudnnConvTranspose per node: descriptors
// and the algorithm are made once per problem and cached behind a mutex, as CudnnConv does.
// cuDNN pads symmetrically and sizes its output from the input; the caller crops or extends
// (asymmetric pads, output_padding beyond the stride) around a padding-free result.
#pragma once

#include <cudnn.h>

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "kernels/cuda/conv.h"
#include "kernels/cuda/math_mode.h"

namespace flowonnx::cuda {

struct ConvTransposeProblem {
  int spatial = 2;                   // 2 or 3 (1-d runs as 2-d with a height of 1)
  std::array<int64_t, 5> x{};        // N, C_in, d...
  std::array<int64_t, 5> w{};        // C_in, C_out / group, k...
  std::array<int64_t, 5> y{};        // N, C_out, d...: what cuDNN writes
  int64_t group = 1;
  std::array<int64_t, 3> pads{}, strides{1, 1, 1}, dilations{1, 1, 1};  // symmetric pads
  MathMode math = MathMode::Fp32;
  bool operator<(const ConvTransposeProblem& o) const;
};

class CudnnConvTranspose {
 public:
  CudnnConvTranspose();
  ~CudnnConvTranspose();
  CudnnConvTranspose(const CudnnConvTranspose&) = delete;
  CudnnConvTranspose& operator=(const CudnnConvTranspose&) = delete;

  // y = conv_transpose(x, w) with the problem's symmetric pads; y is problem.y, whose spatial
  // dims must satisfy x = (y + 2 * pad - span) / stride + 1 (cuDNN's rule).
  void run(cudnnHandle_t handle, const ConvTransposeProblem& problem, const float* x, const float* w,
           float* y, const WorkspaceFn& workspace);

 private:
  struct Plan;
  Plan& plan_for(cudnnHandle_t handle, const ConvTransposeProblem& problem);
  std::mutex mutex_;
  std::map<ConvTransposeProblem, std::unique_ptr<Plan>> plans_;
};

}  // namespace flowonnx::cuda
