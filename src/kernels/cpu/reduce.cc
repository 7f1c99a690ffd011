#include "kernels/cpu/reduce.h"

#include <cmath>
#include <limits>

#include "kernels/cpu/kernel_checks.h"

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

}  // namespace

void reduce(ReduceOp op, const Tensor& x, const std::vector<bool>& reduce_axis, Tensor& y) {
  FLOWONNX_REQUIRE(reduce_axis.size() == x.shape().size(), "reduce: axes mask for {}", x.describe());
  FLOWONNX_REQUIRE(y.dtype() == x.dtype(), "reduce: output {} for input {}", y.describe(), x.describe());
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
  FLOWONNX_REQUIRE(n > 0, "arg_reduce: empty axis {} of {}", axis, x.describe());
  const int64_t outer = detail::product(x.shape(), 0, axis);
  const int64_t inner = detail::product(x.shape(), axis + 1, x.shape().size());
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
