// Reductions. The input is first simplified (size-1 dims dropped, neighbouring dims with the
// same reduced/kept role merged); then a contiguous trailing reduced block runs one warp (short
// rows) or one block (long rows) per output with shuffles, and anything else one thread per
// output walking its reduced elements. Accumulators are double, like the CPU's.
#include "kernels/cuda/block_reduce.cuh"
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/reduce.h"

#include <math.h>

#include <type_traits>

namespace flowonnx::cuda {

namespace {

constexpr int kMaxReduceRank = 8;
constexpr int64_t kBlockPerRowThreshold = 1024;  // rows at least this long get a whole block

// ---- per-op accumulation -----------------------------------------------------------------

struct SumCombine {
  __device__ double operator()(double a, double b) const { return a + b; }
};
struct ProdCombine {
  __device__ double operator()(double a, double b) const { return a * b; }
};
// NaN wins, as in the CPU's `(isnan(v) || v > a) ? v : a`.
struct MaxCombine {
  __device__ double operator()(double a, double b) const { return (isnan(b) || b > a) ? b : a; }
};
struct MinCombine {
  __device__ double operator()(double a, double b) const { return (isnan(b) || b < a) ? b : a; }
};
// LogSumExp's shift: the CPU's std::max(best, v), which keeps `best` when v is NaN.
struct ShiftCombine {
  __device__ double operator()(double a, double b) const { return b > a ? b : a; }
};

template <ReduceOp Op>
struct Reducer {
  using Combine = std::conditional_t<Op == ReduceOp::Max, MaxCombine,
                  std::conditional_t<Op == ReduceOp::Min, MinCombine,
                  std::conditional_t<Op == ReduceOp::Prod, ProdCombine, SumCombine>>>;
  __device__ static double identity() {
    if constexpr (Op == ReduceOp::Max) return -INFINITY;
    else if constexpr (Op == ReduceOp::Min) return INFINITY;
    else if constexpr (Op == ReduceOp::Prod) return 1.0;
    else return 0.0;
  }
  // What one element contributes.
  __device__ static double map(float v, double shift) {
    if constexpr (Op == ReduceOp::SumSquare || Op == ReduceOp::L2) return double(v) * double(v);
    else if constexpr (Op == ReduceOp::L1) return fabs(double(v));
    else if constexpr (Op == ReduceOp::LogSumExp) return exp(double(v) - shift);
    else return double(v);
  }
  __device__ static float finalize(double acc, int64_t count, double shift) {
    if constexpr (Op == ReduceOp::Mean) return float(acc / double(count));  // 0/0 = NaN when empty
    else if constexpr (Op == ReduceOp::L2) return float(sqrt(acc));
    else if constexpr (Op == ReduceOp::LogSum) return float(log(acc));
    else if constexpr (Op == ReduceOp::LogSumExp) return float(log(acc) + shift);
    else return float(acc);
  }
};

__device__ double finite_or_zero(double best) { return isfinite(best) ? best : 0.0; }

// ---- contiguous rows: y[r] = op(x[r*n .. r*n+n)) -----------------------------------------

template <ReduceOp Op>
__global__ void reduce_rows_warp_kernel(const float* x, float* y, int64_t rows, int64_t n) {
  using R = Reducer<Op>;
  const int lane = threadIdx.x & 31;
  const int64_t first_warp = (blockIdx.x * int64_t(blockDim.x) + threadIdx.x) >> 5;
  const int64_t warps = (int64_t(gridDim.x) * blockDim.x) >> 5;
  for (int64_t row = first_warp; row < rows; row += warps) {  // uniform across the warp
    const float* p = x + row * n;
    double shift = 0;
    if constexpr (Op == ReduceOp::LogSumExp) {
      double best = -INFINITY;
      for (int64_t j = lane; j < n; j += 32) best = ShiftCombine{}(best, p[j]);
      shift = finite_or_zero(warp_allreduce(best, ShiftCombine{}));
    }
    typename R::Combine combine;
    double acc = R::identity();
    for (int64_t j = lane; j < n; j += 32) acc = combine(acc, R::map(p[j], shift));
    acc = warp_allreduce(acc, combine);
    if (lane == 0) y[row] = R::finalize(acc, n, shift);
  }
}

template <ReduceOp Op>
__global__ void reduce_rows_block_kernel(const float* x, float* y, int64_t rows, int64_t n) {
  using R = Reducer<Op>;
  __shared__ double shared[32];
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {  // uniform across the block
    const float* p = x + row * n;
    double shift = 0;
    if constexpr (Op == ReduceOp::LogSumExp) {
      double best = -INFINITY;
      for (int64_t j = threadIdx.x; j < n; j += blockDim.x) best = ShiftCombine{}(best, p[j]);
      shift = finite_or_zero(block_allreduce(best, ShiftCombine{}, shared));
    }
    typename R::Combine combine;
    double acc = R::identity();
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) acc = combine(acc, R::map(p[j], shift));
    acc = block_allreduce(acc, combine, shared);
    if (threadIdx.x == 0) y[row] = R::finalize(acc, n, shift);
  }
}

// ---- general: one thread per output ------------------------------------------------------

// Kept and reduced dims of x with their strides in x, passed by value.
struct ReduceLayout {
  int kept_rank, reduced_rank;
  int64_t kept_dims[kMaxReduceRank], kept_strides[kMaxReduceRank];
  int64_t reduced_dims[kMaxReduceRank], reduced_strides[kMaxReduceRank];
  int64_t reduced_count;
};

__device__ int64_t offset_of(int64_t index, int rank, const int64_t* dims, const int64_t* strides) {
  int64_t offset = 0;
  for (int d = rank - 1; d >= 0; --d) {
    offset += (index % dims[d]) * strides[d];
    index /= dims[d];
  }
  return offset;
}

template <ReduceOp Op>
__global__ void reduce_strided_kernel(const float* x, float* y, int64_t outputs, ReduceLayout layout) {
  using R = Reducer<Op>;
  for (int64_t o = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; o < outputs; o += int64_t(gridDim.x) * blockDim.x) {
    const float* p = x + offset_of(o, layout.kept_rank, layout.kept_dims, layout.kept_strides);
    auto at = [&](int64_t r) {
      return p[offset_of(r, layout.reduced_rank, layout.reduced_dims, layout.reduced_strides)];
    };
    double shift = 0;
    if constexpr (Op == ReduceOp::LogSumExp) {
      double best = -INFINITY;
      for (int64_t r = 0; r < layout.reduced_count; ++r) best = ShiftCombine{}(best, at(r));
      shift = finite_or_zero(best);
    }
    typename R::Combine combine;
    double acc = R::identity();
    for (int64_t r = 0; r < layout.reduced_count; ++r) acc = combine(acc, R::map(at(r), shift));
    y[o] = R::finalize(acc, layout.reduced_count, shift);
  }
}

// ---- dispatch ----------------------------------------------------------------------------

struct Group {
  int64_t size;
  bool reduced;
};

// Drops size-1 dims and merges neighbours with the same role: [N,C,H,W] reducing H,W becomes
// {N*C kept, H*W reduced}.
std::vector<Group> simplify(const std::vector<int64_t>& dims, const std::vector<bool>& reduced) {
  std::vector<Group> groups;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (dims[d] == 1) continue;
    if (!groups.empty() && groups.back().reduced == reduced[d]) groups.back().size *= dims[d];
    else groups.push_back({dims[d], reduced[d]});
  }
  return groups;
}

template <ReduceOp Op>
void launch_reduce(const float* x, const std::vector<Group>& groups, int64_t outputs, int64_t count,
                   float* y, cudaStream_t stream) {
  int reduced_groups = 0;
  for (const auto& g : groups) reduced_groups += g.reduced;
  const bool trailing = reduced_groups == 0 || (reduced_groups == 1 && groups.back().reduced);
  if (trailing) {
    if (count >= kBlockPerRowThreshold) {
      unsigned blocks = static_cast<unsigned>(outputs < 65535LL * 32 ? outputs : 65535LL * 32);
      reduce_rows_block_kernel<Op><<<blocks, kBlockSize, 0, stream>>>(x, y, outputs, count);
    } else {
      reduce_rows_warp_kernel<Op><<<grid_for(outputs * 32), kBlockSize, 0, stream>>>(x, y, outputs, count);
    }
  } else {
    ReduceLayout layout{};
    int64_t stride = 1;
    // Walk from the innermost group outwards to get strides; fill from the back, then shift.
    std::vector<int64_t> strides(groups.size());
    for (size_t g = groups.size(); g-- > 0;) {
      strides[g] = stride;
      stride *= groups[g].size;
    }
    for (size_t g = 0; g < groups.size(); ++g) {
      if (groups[g].reduced) {
        layout.reduced_dims[layout.reduced_rank] = groups[g].size;
        layout.reduced_strides[layout.reduced_rank++] = strides[g];
      } else {
        layout.kept_dims[layout.kept_rank] = groups[g].size;
        layout.kept_strides[layout.kept_rank++] = strides[g];
      }
    }
    layout.reduced_count = count;
    reduce_strided_kernel<Op><<<grid_for(outputs), kBlockSize, 0, stream>>>(x, y, outputs, layout);
  }
}

__global__ void fill_kernel(float* y, int64_t n, float value) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = value;
}

// The CPU's result of reducing nothing.
float empty_reduction(ReduceOp op) {
  switch (op) {
    case ReduceOp::Mean: return NAN;
    case ReduceOp::Max: case ReduceOp::LogSum: case ReduceOp::LogSumExp: return -INFINITY;
    case ReduceOp::Min: return INFINITY;
    case ReduceOp::Prod: return 1.f;
    default: return 0.f;
  }
}

}  // namespace

void reduce_f32(ReduceOp op, const float* x, const std::vector<int64_t>& dims,
                const std::vector<bool>& reduced, float* y, cudaStream_t stream) {
  int64_t outputs = 1, count = 1;
  for (size_t d = 0; d < dims.size(); ++d) (reduced[d] ? count : outputs) *= dims[d];
  if (outputs == 0) return;
  if (count == 0) {
    fill_kernel<<<grid_for(outputs), kBlockSize, 0, stream>>>(y, outputs, empty_reduction(op));
    check_cuda(cudaGetLastError(), "reduction (empty)");
    return;
  }
  // Merged groups alternate roles, so there are at most rank of them: within kMaxReduceRank
  // for any rank <= 8 (the adapter refuses more).
  std::vector<Group> groups = simplify(dims, reduced);
  switch (op) {
#define FLOWONNX_REDUCE_CASE(name) \
  case ReduceOp::name: launch_reduce<ReduceOp::name>(x, groups, outputs, count, y, stream); break;
    FLOWONNX_REDUCE_CASE(Sum) FLOWONNX_REDUCE_CASE(Mean) FLOWONNX_REDUCE_CASE(Max)
    FLOWONNX_REDUCE_CASE(Min) FLOWONNX_REDUCE_CASE(Prod) FLOWONNX_REDUCE_CASE(SumSquare)
    FLOWONNX_REDUCE_CASE(L1) FLOWONNX_REDUCE_CASE(L2) FLOWONNX_REDUCE_CASE(LogSum)
    FLOWONNX_REDUCE_CASE(LogSumExp)
#undef FLOWONNX_REDUCE_CASE
  }
  check_cuda(cudaGetLastError(), "reduction kernel");
}

}  // namespace flowonnx::cuda
