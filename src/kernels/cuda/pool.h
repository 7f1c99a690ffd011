// Max / average pooling over [N, C, d1..dk] (k = 1..3) with ONNX semantics, one thread per
// output: explicit begin/end pads, strides, dilations, windows that (with ceil_mode) run past the
// end padding, count_include_pad counting only taps inside the padded input — exactly as the CPU
// provider's pool_nd (src/kernels/cpu/pool_nd.cc). A window with no tap inside the input gives
// -inf (max) or 0 (average), as there.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace flowonnx::cuda {

inline constexpr int kMaxPoolRank = 3;

struct PoolParams {
  int rank = 0;  // spatial dims
  bool max = true;
  bool count_include_pad = false;
  int64_t in[kMaxPoolRank] = {}, out[kMaxPoolRank] = {};
  int64_t kernel[kMaxPoolRank] = {}, strides[kMaxPoolRank] = {}, dilations[kMaxPoolRank] = {};
  int64_t pads_begin[kMaxPoolRank] = {}, pads_end[kMaxPoolRank] = {};
};

// x [planes, in...] -> y [planes, out...].
void pool(const float* x, float* y, int64_t planes, const PoolParams& params, cudaStream_t stream);

}  // namespace flowonnx::cuda
