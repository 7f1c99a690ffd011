#include "kernels/cpu/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/threading.h"
#include "kernels/cpu/vector_math.h"

namespace flowonnx::kernels {

Shape reduced_shape(const Shape& x, const std::vector<bool>& reduce_axis, bool keepdims) {
  Shape out;
  for (size_t d = 0; d < x.size(); ++d) {
    if (!reduce_axis[d]) out.push_back(x[d]);
    else if (keepdims) out.push_back(1);
  }
  return out;
}

namespace {

double identity_of(ReduceOp op) {
  switch (op) {
    case ReduceOp::Max: return -std::numeric_limits<double>::infinity();
    case ReduceOp::Min: return std::numeric_limits<double>::infinity();
    case ReduceOp::Prod: return 1.0;
    default: return 0.0;
  }
}

// Output index of every input element: reduced dims contribute nothing.
std::vector<int64_t> output_offsets(const Shape& x, const std::vector<bool>& reduce_axis) {
  Shape kept;
  for (size_t d = 0; d < x.size(); ++d) kept.push_back(reduce_axis[d] ? 1 : x[d]);
  std::vector<int64_t> kept_strides = contiguous_strides(kept);
  int64_t count = num_elements(x);
  std::vector<int64_t> offsets(count);
  std::vector<int64_t> index(x.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t at = 0;
    for (size_t d = 0; d < x.size(); ++d)
      if (!reduce_axis[d]) at += index[d] * kept_strides[d];
    offsets[i] = at;
    for (size_t d = x.size(); d-- > 0;) {
      if (++index[d] < x[d]) break;
      index[d] = 0;
    }
  }
  return offsets;
}

// x viewed as [outer, n, inner] with the n elements of each (outer, inner) pair reduced; exists
// when the reduced dims are one run once size-1 dims are dropped (trailing axes of a layer norm,
// the spatial dims of NCHW, a single axis).
struct ReduceBlock {
  int64_t outer = 1, n = 1, inner = 1;
};

std::optional<ReduceBlock> as_one_block(const Shape& x, const std::vector<bool>& reduce_axis) {
  ReduceBlock block;
  enum { kBefore, kInside, kAfter } at = kBefore;
  for (size_t d = 0; d < x.size(); ++d) {
    if (x[d] == 0) return std::nullopt;
    if (x[d] == 1) continue;
    if (reduce_axis[d]) {
      if (at == kAfter) return std::nullopt;
      at = kInside;
      block.n *= x[d];
    } else if (at == kBefore) {
      block.outer *= x[d];
    } else {
      at = kAfter;
      block.inner *= x[d];
    }
  }
  return block;
}

// The ops with a float32 fast path: a per-element map, a combine (sum or max/min) and a final
// map of the accumulator.
bool has_fast_path(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum:
    case ReduceOp::Mean:
    case ReduceOp::Max:
    case ReduceOp::Min:
    case ReduceOp::L1:
    case ReduceOp::L2:
    case ReduceOp::LogSum:
    case ReduceOp::SumSquare:
      return true;
    default:
      return false;
  }
}

bool is_extremum(ReduceOp op) { return op == ReduceOp::Max || op == ReduceOp::Min; }

float finish(ReduceOp op, float accumulated, int64_t n) {
  switch (op) {
    case ReduceOp::Mean:
      return accumulated / static_cast<float>(n);
    case ReduceOp::L2:
      return std::sqrt(accumulated);
    case ReduceOp::LogSum:
      return std::log(accumulated);
    default:
      return accumulated;
  }
}

// Reduces `n` contiguous floats. Extrema track NaN apart (max_ps drops one operand's NaN);
// padding lanes hold the identity.
float reduce_contiguous(ReduceOp op, const float* x, int64_t n) {
  const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
  if (is_extremum(op)) {
    const bool max = op == ReduceOp::Max;
    const float identity = max ? -INFINITY : INFINITY;
    __m256 best = _mm256_set1_ps(identity), nan = _mm256_setzero_ps();
    auto step = [&](__m256 v) {
      best = max ? _mm256_max_ps(best, v) : _mm256_min_ps(best, v);
      nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    };
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) step(_mm256_loadu_ps(x + i));
    if (i < n) step(vec::load_partial(x + i, n - i, identity));
    if (_mm256_movemask_ps(nan)) return NAN;
    return max ? vec::horizontal_max(best) : vec::horizontal_min(best);
  }
  const bool square = op == ReduceOp::SumSquare || op == ReduceOp::L2;
  const bool absolute = op == ReduceOp::L1;
  __m256 sum0 = _mm256_setzero_ps(), sum1 = _mm256_setzero_ps();
  auto add = [&](__m256& sum, __m256 v) {
    if (square)
      sum = _mm256_fmadd_ps(v, v, sum);
    else
      sum = _mm256_add_ps(sum, absolute ? _mm256_and_ps(v, abs_mask) : v);
  };
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    add(sum0, _mm256_loadu_ps(x + i));
    add(sum1, _mm256_loadu_ps(x + i + 8));
  }
  if (i + 8 <= n) add(sum0, _mm256_loadu_ps(x + i)), i += 8;
  if (i < n) add(sum1, vec::load_partial(x + i, n - i));
  return vec::horizontal_sum(_mm256_add_ps(sum0, sum1));
}

// Reduces the `n` rows of `inner` floats at x into acc (already holding the identity).
void reduce_rows(ReduceOp op, const float* x, int64_t n, int64_t inner, float* acc) {
  for (int64_t i = 0; i < n; ++i) {
    const float* row = x + i * inner;
    switch (op) {
      case ReduceOp::Max:
        for (int64_t j = 0; j < inner; ++j)
          acc[j] = (row[j] != row[j] || row[j] > acc[j]) ? row[j] : acc[j];
        break;
      case ReduceOp::Min:
        for (int64_t j = 0; j < inner; ++j)
          acc[j] = (row[j] != row[j] || row[j] < acc[j]) ? row[j] : acc[j];
        break;
      case ReduceOp::L1:
        for (int64_t j = 0; j < inner; ++j) acc[j] += std::abs(row[j]);
        break;
      case ReduceOp::L2:
      case ReduceOp::SumSquare:
        for (int64_t j = 0; j < inner; ++j) acc[j] += row[j] * row[j];
        break;
      default:
        for (int64_t j = 0; j < inner; ++j) acc[j] += row[j];
        break;
    }
  }
}

// float32 reductions over one block of dims, accumulated in float (vector lanes for rows);
// false when the generic path must run.
bool reduce_float_block(ReduceOp op, const Tensor& x, const std::vector<bool>& reduce_axis,
                        Tensor& y) {
  if (x.dtype() != DType::Float32 || !has_fast_path(op)) return false;
  const std::optional<ReduceBlock> found = as_one_block(x.shape(), reduce_axis);
  if (!found) return false;
  const int64_t outer = found->outer, n = found->n, inner = found->inner;
  const float* in = x.data<float>();
  float* out = y.data<float>();
  const int threads = threads_for(x.num_elements());
  if (inner == 1) {
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
    for (int64_t o = 0; o < outer; ++o)
      out[o] = finish(op, reduce_contiguous(op, in + o * n, n), n);
    return true;
  }
  const float identity = static_cast<float>(identity_of(op));
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (int64_t o = 0; o < outer; ++o) {
    float* acc = out + o * inner;
    std::fill(acc, acc + inner, identity);
    reduce_rows(op, in + o * n * inner, n, inner, acc);
    for (int64_t j = 0; j < inner; ++j) acc[j] = finish(op, acc[j], n);
  }
  return true;
}

}  // namespace

void reduce(ReduceOp op, const Tensor& x, const std::vector<bool>& reduce_axis, Tensor& y) {
  FLOWONNX_REQUIRE(reduce_axis.size() == x.shape().size(), "reduce: axes mask for {}", x.describe());
  FLOWONNX_REQUIRE(y.dtype() == x.dtype(), "reduce: output {} for input {}", y.describe(), x.describe());
  FLOWONNX_REQUIRE(y.num_elements() == num_elements(reduced_shape(x.shape(), reduce_axis, true)),
                   "reduce: output {} for input {}", y.describe(), x.describe());
  if (reduce_float_block(op, x, reduce_axis, y)) return;
  reduce_reference(op, x, reduce_axis, y);
}

void reduce_reference(ReduceOp op, const Tensor& x, const std::vector<bool>& reduce_axis,
                      Tensor& y) {
  FLOWONNX_REQUIRE(reduce_axis.size() == x.shape().size(), "reduce: axes mask for {}",
                   x.describe());
  FLOWONNX_REQUIRE(y.dtype() == x.dtype(), "reduce: output {} for input {}", y.describe(),
                   x.describe());
  const int64_t out_count = y.num_elements();
  std::vector<double> acc(out_count, identity_of(op));
  std::vector<double> in = x.to_double_vector();
  std::vector<int64_t> offsets = output_offsets(x.shape(), reduce_axis);
  int64_t group = 1;
  for (size_t d = 0; d < reduce_axis.size(); ++d) if (reduce_axis[d]) group *= x.shape()[d];
  // LogSumExp: subtract each group's max first for stability.
  std::vector<double> shift(out_count, 0.0);
  if (op == ReduceOp::LogSumExp) {
    std::vector<double> best(out_count, -std::numeric_limits<double>::infinity());
    for (size_t i = 0; i < in.size(); ++i) best[offsets[i]] = std::max(best[offsets[i]], in[i]);
    for (int64_t o = 0; o < out_count; ++o) shift[o] = std::isfinite(best[o]) ? best[o] : 0.0;
  }
  for (size_t i = 0; i < in.size(); ++i) {
    double v = in[i];
    double& a = acc[offsets[i]];
    switch (op) {
      case ReduceOp::Sum: case ReduceOp::Mean: case ReduceOp::LogSum: a += v; break;
      case ReduceOp::Max: a = (std::isnan(v) || v > a) ? v : a; break;
      case ReduceOp::Min: a = (std::isnan(v) || v < a) ? v : a; break;
      case ReduceOp::Prod: a *= v; break;
      case ReduceOp::L1: a += std::abs(v); break;
      case ReduceOp::L2: case ReduceOp::SumSquare: a += v * v; break;
      case ReduceOp::LogSumExp: a += std::exp(v - shift[offsets[i]]); break;
    }
  }
  for (int64_t o = 0; o < out_count; ++o) {
    double& a = acc[o];
    switch (op) {
      case ReduceOp::Mean: a = group == 0 ? std::nan("") : a / static_cast<double>(group); break;
      case ReduceOp::L2: a = std::sqrt(a); break;
      case ReduceOp::LogSum: a = std::log(a); break;
      case ReduceOp::LogSumExp: a = std::log(a) + shift[o]; break;
      default: break;
    }
  }
  Tensor result = Tensor::from_vector<double>(y.shape(), acc);
  y.copy_from(result);
}

void arg_reduce(bool max, const Tensor& x, int64_t axis, bool select_last_index, Tensor& y) {
  axis = detail::normalize_axis("arg_reduce", axis, x.rank());
  const int64_t n = x.shape()[axis];
  const int64_t outer = detail::product(x.shape(), 0, axis);
  const int64_t inner = detail::product(x.shape(), axis + 1, x.shape().size());
  // An empty axis has no index to return, unless the output is empty too (as ORT: [0,0] -> [0]).
  FLOWONNX_REQUIRE(n > 0 || outer * inner == 0, "arg_reduce: empty axis {} of {}", axis,
                   x.describe());
  FLOWONNX_REQUIRE(y.dtype() == DType::Int64 && y.num_elements() == outer * inner,
                   "arg_reduce: output {} for input {}", y.describe(), x.describe());
  std::vector<double> in = x.to_double_vector();
  int64_t* out = y.data<int64_t>();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      double best_value = in[o * n * inner + i];
      for (int64_t k = 1; k < n; ++k) {
        double v = in[(o * n + k) * inner + i];
        bool better = max ? (v > best_value) : (v < best_value);
        if (better || (select_last_index && v == best_value)) best = k, best_value = v;
      }
      out[o * inner + i] = best;
    }
}

}  // namespace flowonnx::kernels
