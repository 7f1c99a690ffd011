// Float32 softmax and normalisation kernels of the CUDA provider (Softmax, LogSoftmax,
// LayerNormalization, InstanceNormalization, BatchNormalization inference). Plain header: the
// adapters (runtime/providers/cuda/reduce.cc) resolve axes and check shapes; these only enqueue
// work on `stream` and throw via check_cuda when a launch fails.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace flowonnx::cuda {

enum class SoftmaxKind { Softmax, LogSoftmax };

// x and y viewed as [outer, n, inner]; the softmax runs along n. inner == 1 (the last axis) runs
// a warp or a block per row; otherwise one thread per (outer, inner) pair.
void softmax_f32(SoftmaxKind kind, const float* x, float* y, int64_t outer, int64_t n, int64_t inner,
                 cudaStream_t stream);

// x and y viewed as [rows, n]: each row is normalised to zero mean and unit variance (biased,
// two passes in double), then y = normalised * scale[k] + bias[k] with k the column when
// `channels` is 0 (LayerNormalization: scale/bias have n values) or row % channels otherwise
// (InstanceNormalization: one value per channel). bias may be null (no bias).
void normalize_rows_f32(const float* x, const float* scale, const float* bias, float* y, int64_t rows,
                        int64_t n, int64_t channels, double epsilon, cudaStream_t stream);

// BatchNormalization inference on x [batch, channels, inner]: y = x * a[c] + b[c] with
// a = scale / sqrt(var + epsilon), b = bias - mean * a folded per channel in double (as the
// CPU does) into `folded` (2 * channels floats of device scratch).
void batch_norm_f32(const float* x, const float* scale, const float* bias, const float* mean,
                    const float* var, float* y, int64_t batch, int64_t channels, int64_t inner,
                    double epsilon, float* folded, cudaStream_t stream);

}  // namespace flowonnx::cuda
