// Element-wise kernels: one thread per output element in grid-stride loops, int64 indices.
#include "kernels/cuda/cuda_check.h"
#include "kernels/cuda/elementwise.h"

#include <math.h>

namespace flowonnx::cuda {

namespace {

// ---- unary -------------------------------------------------------------------------------

template <UnaryOp Op>
__device__ __forceinline__ float unary_value(float v, float alpha, float beta, float gamma) {
  if constexpr (Op == UnaryOp::Relu) return v > 0.f ? v : 0.f;
  else if constexpr (Op == UnaryOp::LeakyRelu) return v >= 0.f ? v : alpha * v;
  else if constexpr (Op == UnaryOp::Sigmoid)
    return v >= 0.f ? 1.f / (1.f + expf(-v)) : expf(v) / (1.f + expf(v));
  else if constexpr (Op == UnaryOp::Tanh) return tanhf(v);
  else if constexpr (Op == UnaryOp::Exp) return expf(v);
  else if constexpr (Op == UnaryOp::Log) return logf(v);
  else if constexpr (Op == UnaryOp::Sqrt) return sqrtf(v);
  else if constexpr (Op == UnaryOp::Reciprocal) return 1.f / v;
  else if constexpr (Op == UnaryOp::Neg) return -v;
  else if constexpr (Op == UnaryOp::Abs) return fabsf(v);
  else if constexpr (Op == UnaryOp::Erf) return erff(v);
  else if constexpr (Op == UnaryOp::Floor) return floorf(v);
  else if constexpr (Op == UnaryOp::Ceil) return ceilf(v);
  else if constexpr (Op == UnaryOp::Round) return rintf(v);  // round half to even
  else if constexpr (Op == UnaryOp::Sin) return sinf(v);
  else if constexpr (Op == UnaryOp::Cos) return cosf(v);
  else if constexpr (Op == UnaryOp::Elu) return v >= 0.f ? v : alpha * (expf(v) - 1.f);
  else if constexpr (Op == UnaryOp::Selu) return gamma * (v > 0.f ? v : alpha * (expf(v) - 1.f));
  else if constexpr (Op == UnaryOp::Softplus)
    return v > 0.f ? v + log1pf(expf(-v)) : log1pf(expf(v));
  else if constexpr (Op == UnaryOp::Softsign) return v / (1.f + fabsf(v));
  else if constexpr (Op == UnaryOp::HardSigmoid) return fmaxf(0.f, fminf(1.f, alpha * v + beta));
  else if constexpr (Op == UnaryOp::HardSwish) return v * fmaxf(0.f, fminf(1.f, v / 6.f + 0.5f));
  else if constexpr (Op == UnaryOp::Clip) return fminf(beta, fmaxf(alpha, v));  // NaN: fmaxf drops it
  else return v / alpha;  // DivideBy
}

template <UnaryOp Op>
__global__ void unary_kernel(const float* x, float* y, int64_t n, float alpha, float beta, float gamma) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x)
    y[i] = unary_value<Op>(x[i], alpha, beta, gamma);
}

template <UnaryOp Op>
void launch_unary(const float* x, float* y, int64_t n, const UnaryParams& p, cudaStream_t stream) {
  unary_kernel<Op><<<grid_for(n), kBlockSize, 0, stream>>>(x, y, n, p.alpha, p.beta, p.gamma);
}

// ---- binary ------------------------------------------------------------------------------

template <BinaryOp Op>
__device__ __forceinline__ float binary_value(float a, float b) {
  if constexpr (Op == BinaryOp::Add) return a + b;
  else if constexpr (Op == BinaryOp::Sub) return a - b;
  else if constexpr (Op == BinaryOp::Mul) return a * b;
  else if constexpr (Op == BinaryOp::Div) return a / b;
  else if constexpr (Op == BinaryOp::Pow) return static_cast<float>(pow(double(a), double(b)));
  else if constexpr (Op == BinaryOp::PRelu) return a < 0.f ? b * a : a;
  else if constexpr (Op == BinaryOp::Max) return (isnan(a) || a > b) ? a : b;
  else if constexpr (Op == BinaryOp::Min) return (isnan(a) || a < b) ? a : b;
  else return a;  // Left
}

// Each operand repeats with period a_period / b_period along the flat output (a scalar: 1; an
// operand with the output's shape: n; a trailing block such as a bias: its size).
template <BinaryOp Op>
__global__ void binary_periodic_kernel(const float* a, int64_t a_period, const float* b, int64_t b_period,
                                       float* y, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t ia = a_period == n ? i : i % a_period;
    int64_t ib = b_period == n ? i : i % b_period;
    y[i] = binary_value<Op>(a[ia], b[ib]);
  }
}

// Output dims and each operand's strides (0 along broadcast dims), passed by value.
struct StridedLayout {
  int rank;
  int64_t dims[kMaxBroadcastRank];
  int64_t a_strides[kMaxBroadcastRank];
  int64_t b_strides[kMaxBroadcastRank];
};

template <BinaryOp Op>
__global__ void binary_strided_kernel(const float* a, const float* b, float* y, int64_t n, StridedLayout layout) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    int64_t rest = i, ia = 0, ib = 0;
    for (int d = layout.rank - 1; d >= 0; --d) {
      int64_t index = rest % layout.dims[d];
      rest /= layout.dims[d];
      ia += index * layout.a_strides[d];
      ib += index * layout.b_strides[d];
    }
    y[i] = binary_value<Op>(a[ia], b[ib]);
  }
}

// The operand's dims left-padded with 1 to `rank`.
std::vector<int64_t> padded(const std::vector<int64_t>& dims, size_t rank) {
  std::vector<int64_t> out(rank - dims.size(), 1);
  out.insert(out.end(), dims.begin(), dims.end());
  return out;
}

// The period of an operand whose values repeat along the flat output (its dims are 1s followed
// by the output's trailing dims), or -1 when it needs strided indexing.
int64_t period_of(const std::vector<int64_t>& operand, const std::vector<int64_t>& out) {
  size_t first = 0;
  while (first < operand.size() && operand[first] == 1) ++first;
  int64_t period = 1;
  for (size_t d = first; d < operand.size(); ++d) {
    if (operand[d] != out[d]) return -1;
    period *= out[d];
  }
  return period;
}

// Strides of `operand` (padded) against the output: 0 where it broadcasts.
void broadcast_strides(const std::vector<int64_t>& operand, int64_t* strides) {
  int64_t stride = 1;
  for (size_t d = operand.size(); d-- > 0;) {
    strides[d] = operand[d] == 1 ? 0 : stride;
    stride *= operand[d];
  }
}

template <BinaryOp Op>
void launch_binary(const float* a, const std::vector<int64_t>& a_dims, const float* b,
                   const std::vector<int64_t>& b_dims, float* y, const std::vector<int64_t>& out_dims,
                   cudaStream_t stream) {
  int64_t n = 1;
  for (int64_t d : out_dims) n *= d;
  if (n == 0) return;
  const size_t rank = out_dims.size();
  std::vector<int64_t> pa = padded(a_dims, rank), pb = padded(b_dims, rank);
  int64_t a_period = period_of(pa, out_dims), b_period = period_of(pb, out_dims);
  if (a_period > 0 && b_period > 0) {
    binary_periodic_kernel<Op><<<grid_for(n), kBlockSize, 0, stream>>>(a, a_period, b, b_period, y, n);
    return;
  }
  StridedLayout layout{};
  layout.rank = static_cast<int>(rank);
  for (size_t d = 0; d < rank; ++d) layout.dims[d] = out_dims[d];
  broadcast_strides(pa, layout.a_strides);
  broadcast_strides(pb, layout.b_strides);
  binary_strided_kernel<Op><<<grid_for(n), kBlockSize, 0, stream>>>(a, b, y, n, layout);
}

}  // namespace

void unary_f32(UnaryOp op, const float* x, float* y, int64_t n, const UnaryParams& p, cudaStream_t stream) {
  if (n <= 0) return;
  switch (op) {
#define FLOWONNX_UNARY_CASE(name) \
  case UnaryOp::name: launch_unary<UnaryOp::name>(x, y, n, p, stream); break;
    FLOWONNX_UNARY_CASE(Relu) FLOWONNX_UNARY_CASE(LeakyRelu) FLOWONNX_UNARY_CASE(Sigmoid)
    FLOWONNX_UNARY_CASE(Tanh) FLOWONNX_UNARY_CASE(Exp) FLOWONNX_UNARY_CASE(Log)
    FLOWONNX_UNARY_CASE(Sqrt) FLOWONNX_UNARY_CASE(Reciprocal) FLOWONNX_UNARY_CASE(Neg)
    FLOWONNX_UNARY_CASE(Abs) FLOWONNX_UNARY_CASE(Erf) FLOWONNX_UNARY_CASE(Floor)
    FLOWONNX_UNARY_CASE(Ceil) FLOWONNX_UNARY_CASE(Round) FLOWONNX_UNARY_CASE(Sin)
    FLOWONNX_UNARY_CASE(Cos) FLOWONNX_UNARY_CASE(Elu) FLOWONNX_UNARY_CASE(Selu)
    FLOWONNX_UNARY_CASE(Softplus) FLOWONNX_UNARY_CASE(Softsign) FLOWONNX_UNARY_CASE(HardSigmoid)
    FLOWONNX_UNARY_CASE(HardSwish) FLOWONNX_UNARY_CASE(Clip) FLOWONNX_UNARY_CASE(DivideBy)
#undef FLOWONNX_UNARY_CASE
  }
  check_cuda(cudaGetLastError(), "element-wise unary kernel");
}

void binary_f32(BinaryOp op, const float* a, const std::vector<int64_t>& a_dims, const float* b,
                const std::vector<int64_t>& b_dims, float* y, const std::vector<int64_t>& out_dims,
                cudaStream_t stream) {
  switch (op) {
#define FLOWONNX_BINARY_CASE(name) \
  case BinaryOp::name: launch_binary<BinaryOp::name>(a, a_dims, b, b_dims, y, out_dims, stream); break;
    FLOWONNX_BINARY_CASE(Add) FLOWONNX_BINARY_CASE(Sub) FLOWONNX_BINARY_CASE(Mul)
    FLOWONNX_BINARY_CASE(Div) FLOWONNX_BINARY_CASE(Pow) FLOWONNX_BINARY_CASE(PRelu)
    FLOWONNX_BINARY_CASE(Max) FLOWONNX_BINARY_CASE(Min) FLOWONNX_BINARY_CASE(Left)
#undef FLOWONNX_BINARY_CASE
  }
  check_cuda(cudaGetLastError(), "element-wise binary kernel");
}

}  // namespace flowonnx::cuda
