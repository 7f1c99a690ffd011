// Softmax and normalisation kernels. Row-wise work (last-axis softmax, layer/instance norm)
// runs one warp per row for short rows and one block per row for long ones; sums are double.
#include "kernels/cuda/block_reduce.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/normalization.h"

#include <math.h>

namespace flowonnx::cuda {

namespace {

constexpr int64_t kBlockPerRowThreshold = 1024;  // rows at least this long get a whole block

struct SumCombine {
  __device__ double operator()(double a, double b) const { return a + b; }
};
// std::max(best, v) as the CPU computes the softmax shift: a NaN v keeps `best`.
struct MaxCombine {
  __device__ double operator()(double a, double b) const { return b > a ? b : a; }
};

// A group of `Width` threads that cooperates on one row: a warp (32) or the whole block.
template <int Width>
struct RowGroup {
  __device__ static int lane() { return Width == 32 ? (threadIdx.x & 31) : threadIdx.x; }
  __device__ static int64_t first_row() {
    return Width == 32 ? (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) >> 5 : int64_t(blockIdx.x);
  }
  __device__ static int64_t row_step() {
    return Width == 32 ? (int64_t(gridDim.x) * blockDim.x) >> 5 : int64_t(gridDim.x);
  }
  template <class Combine>
  __device__ static double allreduce(double v, Combine combine, double* shared) {
    if constexpr (Width == 32) return warp_allreduce(v, combine);
    else return block_allreduce(v, combine, shared);
  }
};

// ---- softmax -----------------------------------------------------------------------------

template <SoftmaxKind Kind, int Width>
__global__ void softmax_rows_kernel(const float* x, float* y, int64_t rows, int64_t n) {
  using G = RowGroup<Width>;
  __shared__ double shared[32];
  const int64_t step = Width == 32 ? 32 : blockDim.x;
  for (int64_t row = G::first_row(); row < rows; row += G::row_step()) {  // uniform per group
    const float* in = x + row * n;
    float* out = y + row * n;
    double best = -INFINITY;
    for (int64_t j = G::lane(); j < n; j += step) best = MaxCombine{}(best, in[j]);
    best = G::allreduce(best, MaxCombine{}, shared);
    double sum = 0;
    for (int64_t j = G::lane(); j < n; j += step) sum += exp(double(in[j]) - best);
    sum = G::allreduce(sum, SumCombine{}, shared);
    if constexpr (Kind == SoftmaxKind::Softmax) {
      for (int64_t j = G::lane(); j < n; j += step) out[j] = float(exp(double(in[j]) - best) / sum);
    } else {
      const double log_sum = log(sum);
      for (int64_t j = G::lane(); j < n; j += step) out[j] = float(double(in[j]) - best - log_sum);
    }
  }
}

// One thread per (outer, inner) pair; neighbouring threads read neighbouring inner elements.
template <SoftmaxKind Kind>
__global__ void softmax_strided_kernel(const float* x, float* y, int64_t outer, int64_t n, int64_t inner) {
  const int64_t pairs = outer * inner;
  for (int64_t p = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; p < pairs; p += int64_t(gridDim.x) * blockDim.x) {
    const int64_t base = (p / inner) * n * inner + p % inner;
    const float* in = x + base;
    float* out = y + base;
    double best = -INFINITY;
    for (int64_t k = 0; k < n; ++k) best = MaxCombine{}(best, in[k * inner]);
    double sum = 0;
    for (int64_t k = 0; k < n; ++k) sum += exp(double(in[k * inner]) - best);
    const double log_sum = log(sum);
    for (int64_t k = 0; k < n; ++k) {
      const double shifted = double(in[k * inner]) - best;
      out[k * inner] = Kind == SoftmaxKind::Softmax ? float(exp(shifted) / sum) : float(shifted - log_sum);
    }
  }
}

template <SoftmaxKind Kind>
void launch_softmax(const float* x, float* y, int64_t outer, int64_t n, int64_t inner, cudaStream_t stream) {
  if (inner != 1) {
    softmax_strided_kernel<Kind><<<grid_for(outer * inner), kBlockSize, 0, stream>>>(x, y, outer, n, inner);
  } else if (n >= kBlockPerRowThreshold) {
    unsigned blocks = static_cast<unsigned>(outer < 65535LL * 32 ? outer : 65535LL * 32);
    softmax_rows_kernel<Kind, kBlockSize><<<blocks, kBlockSize, 0, stream>>>(x, y, outer, n);
  } else {
    softmax_rows_kernel<Kind, 32><<<grid_for(outer * 32), kBlockSize, 0, stream>>>(x, y, outer, n);
  }
}

// ---- layer / instance normalisation ------------------------------------------------------

template <int Width>
__global__ void normalize_rows_kernel(const float* x, const float* scale, const float* bias, float* y,
                                      int64_t rows, int64_t n, int64_t channels, double epsilon) {
  using G = RowGroup<Width>;
  __shared__ double shared[32];
  const int64_t step = Width == 32 ? 32 : blockDim.x;
  for (int64_t row = G::first_row(); row < rows; row += G::row_step()) {  // uniform per group
    const float* in = x + row * n;
    float* out = y + row * n;
    double sum = 0;
    for (int64_t j = G::lane(); j < n; j += step) sum += in[j];
    const double mean = G::allreduce(sum, SumCombine{}, shared) / double(n);
    double squares = 0;
    for (int64_t j = G::lane(); j < n; j += step) squares += (in[j] - mean) * (in[j] - mean);
    squares = G::allreduce(squares, SumCombine{}, shared);
    const double inv_std = 1.0 / sqrt(squares / double(n) + epsilon);
    for (int64_t j = G::lane(); j < n; j += step) {
      const int64_t k = channels > 0 ? row % channels : j;
      const float normalized = float((in[j] - mean) * inv_std);
      out[j] = normalized * scale[k] + (bias ? bias[k] : 0.f);
    }
  }
}

// ---- batch normalisation -----------------------------------------------------------------

__global__ void fold_batch_norm_kernel(const float* scale, const float* bias, const float* mean,
                                       const float* var, int64_t channels, double epsilon, float* folded) {
  for (int64_t c = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; c < channels; c += int64_t(gridDim.x) * blockDim.x) {
    const double a = scale[c] / sqrt(double(var[c]) + epsilon);
    folded[c] = float(a);
    folded[channels + c] = float(bias[c] - mean[c] * a);
  }
}

__global__ void batch_norm_kernel(const float* x, const float* folded, float* y, int64_t count,
                                  int64_t channels, int64_t inner) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t c = (i / inner) % channels;
    y[i] = x[i] * folded[c] + folded[channels + c];
  }
}

}  // namespace

void softmax_f32(SoftmaxKind kind, const float* x, float* y, int64_t outer, int64_t n, int64_t inner,
                 cudaStream_t stream) {
  if (outer * n * inner == 0) return;
  if (kind == SoftmaxKind::Softmax) launch_softmax<SoftmaxKind::Softmax>(x, y, outer, n, inner, stream);
  else launch_softmax<SoftmaxKind::LogSoftmax>(x, y, outer, n, inner, stream);
  check_cuda(cudaGetLastError(), "Softmax");
}

void normalize_rows_f32(const float* x, const float* scale, const float* bias, float* y, int64_t rows,
                        int64_t n, int64_t channels, double epsilon, cudaStream_t stream) {
  if (rows * n == 0) return;
  if (n >= kBlockPerRowThreshold) {
    unsigned blocks = static_cast<unsigned>(rows < 65535LL * 32 ? rows : 65535LL * 32);
    normalize_rows_kernel<kBlockSize><<<blocks, kBlockSize, 0, stream>>>(x, scale, bias, y, rows, n, channels, epsilon);
  } else {
    normalize_rows_kernel<32><<<grid_for(rows * 32), kBlockSize, 0, stream>>>(x, scale, bias, y, rows, n, channels, epsilon);
  }
  check_cuda(cudaGetLastError(), "normalization (rows)");
}

void batch_norm_f32(const float* x, const float* scale, const float* bias, const float* mean,
                    const float* var, float* y, int64_t batch, int64_t channels, int64_t inner,
                    double epsilon, float* folded, cudaStream_t stream) {
  if (channels == 0) return;
  fold_batch_norm_kernel<<<grid_for(channels), kBlockSize, 0, stream>>>(scale, bias, mean, var, channels, epsilon, folded);
  check_cuda(cudaGetLastError(), "BatchNormalization (fold)");
  const int64_t count = batch * channels * inner;
  if (count == 0) return;
  batch_norm_kernel<<<grid_for(count), kBlockSize, 0, stream>>>(x, folded, y, count, channels, inner);
  check_cuda(cudaGetLastError(), "BatchNormalization");
}

}  // namespace flowonnx::cuda
