// Element-wise passes around the cuDNN / cuBLASLt calls: FusedConv's epilogue (bias, activation,
// residual sum, activation in one pass over the conv output), explicit zero padding for convs
// whose pads cuDNN cannot express (asymmetric), and Gemm's broadcast of C into the output.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace flowonnx::cuda {

// kind: 0 none, 1 Relu (max(x, 0)), 2 Clip (min(max(x, lo), hi)).
struct EpilogueActivation {
  int kind = 0;
  float lo = 0, hi = 0;
};

// In place on y = [N, C, spatial] (spatial = elements per channel):
//   y = post(pre(y + bias[c]) + sum)   (bias and sum may be null).
void conv_epilogue(float* y, const float* bias, const float* sum, int64_t n, int64_t channels,
                   int64_t spatial, EpilogueActivation pre, EpilogueActivation post, cudaStream_t stream);

// x [N, C, H, W] -> y [N, C, H + top + bottom, W + left + right] with zeros around.
void pad_nchw(const float* x, float* y, int64_t n, int64_t c, int64_t h, int64_t w, int64_t top,
              int64_t bottom, int64_t left, int64_t right, cudaStream_t stream);

// y [rows, cols] = scale * c broadcast from [c_rows, c_cols] (each 1 or the full size).
void broadcast_matrix(const float* c, int64_t c_rows, int64_t c_cols, float* y, int64_t rows,
                      int64_t cols, float scale, cudaStream_t stream);

}  // namespace flowonnx::cuda
