#include "kernels/cpu/indexing_extra.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "kernels/cpu/kernel_checks.h"

namespace flowonnx::kernels {

namespace {

// A total order on the keys (NaN above everything, equal to NaN) so sorting is well defined.
template <typename K>
int compare_keys(K a, K b) {
  if constexpr (std::is_floating_point_v<K>) {
    const bool na = std::isnan(a), nb = std::isnan(b);
    if (na || nb) return na == nb ? 0 : (na ? 1 : -1);
  }
  return a < b ? -1 : (b < a ? 1 : 0);
}

template <typename K>
UniqueResult unique_typed(const std::vector<K>& keys, int64_t outer, int64_t n, int64_t inner,
                          bool sorted) {
  // Slice j is keys[o * n * inner + j * inner + i] over (o, i) in order.
  auto compare = [&](int64_t p, int64_t q) {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int c = compare_keys(keys[(o * n + p) * inner + i], keys[(o * n + q) * inner + i]);
        if (c != 0) return c;
      }
    return 0;
  };
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t p, int64_t q) { return compare(p, q) < 0; });
  // Groups of equal slices in sorted order; the first of each group is its first occurrence.
  UniqueResult r;
  std::vector<int64_t> group_of(static_cast<size_t>(n));
  for (size_t k = 0; k < order.size(); ++k) {
    if (k == 0 || compare(order[k - 1], order[k]) != 0) {
      r.first.push_back(order[k]);
      r.counts.push_back(0);
    }
    group_of[order[k]] = static_cast<int64_t>(r.first.size()) - 1;
    ++r.counts.back();
  }
  std::vector<int64_t> rank(r.first.size());  // output position of each group
  std::iota(rank.begin(), rank.end(), 0);
  if (!sorted) {
    std::vector<int64_t> by_first(r.first.size());
    std::iota(by_first.begin(), by_first.end(), 0);
    std::sort(by_first.begin(), by_first.end(),
              [&](int64_t a, int64_t b) { return r.first[a] < r.first[b]; });
    UniqueResult u;
    for (size_t k = 0; k < by_first.size(); ++k) {
      rank[by_first[k]] = static_cast<int64_t>(k);
      u.first.push_back(r.first[by_first[k]]);
      u.counts.push_back(r.counts[by_first[k]]);
    }
    r.first = std::move(u.first);
    r.counts = std::move(u.counts);
  }
  r.inverse.resize(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) r.inverse[j] = rank[group_of[j]];
  return r;
}

}  // namespace

UniqueResult unique_slices(const Tensor& x, int64_t axis, bool sorted) {
  detail::require_defined("Unique", "input 0 (X)", x);
  FLOWONNX_REQUIRE(x.rank() >= 1, "Unique: input 0 (X) {} must have rank >= 1 with an axis",
                   x.describe());
  const int64_t a = detail::normalize_axis("Unique", axis, x.rank());
  const int64_t outer = detail::product(x.shape(), 0, a), n = x.shape()[a];
  const int64_t inner = detail::product(x.shape(), a + 1, x.shape().size());
  if (x.dtype() == DType::Int64) {
    const int64_t* data = x.data<int64_t>();
    return unique_typed(std::vector<int64_t>(data, data + x.num_elements()), outer, n, inner,
                        sorted);
  }
  return unique_typed(x.to_double_vector(), outer, n, inner, sorted);
}

void reverse_sequence(const Tensor& x, const std::vector<int64_t>& seq_lens, int64_t time_axis,
                      int64_t batch_axis, Tensor& y) {
  constexpr const char* kOp = "ReverseSequence";
  detail::require_defined(kOp, "input 0 (input)", x);
  FLOWONNX_REQUIRE(x.rank() >= 2, "{}: input 0 (input) {} must have rank >= 2", kOp, x.describe());
  FLOWONNX_REQUIRE((time_axis == 0 && batch_axis == 1) || (time_axis == 1 && batch_axis == 0),
                   "{}: time_axis {} and batch_axis {} must be 0 and 1", kOp, time_axis,
                   batch_axis);
  const int64_t steps = x.shape()[time_axis], batch = x.shape()[batch_axis];
  FLOWONNX_REQUIRE(static_cast<int64_t>(seq_lens.size()) == batch,
                   "{}: input 1 (sequence_lens) has {} values for a batch of {} in input 0 {}", kOp,
                   seq_lens.size(), batch, x.describe());
  for (size_t b = 0; b < seq_lens.size(); ++b)
    FLOWONNX_REQUIRE(seq_lens[b] >= 0 && seq_lens[b] <= steps,
                     "{}: input 1 (sequence_lens) holds {} for batch {}, outside [0, {}]", kOp,
                     seq_lens[b], b, steps);
  detail::require_output(kOp, y, x.shape(), x.dtype(), {&x});
  const size_t row =
      static_cast<size_t>(detail::product(x.shape(), 2, x.shape().size())) * dtype_size(x.dtype());
  const auto* in = static_cast<const uint8_t*>(x.raw_data());
  auto* out = static_cast<uint8_t*>(y.raw_data());
  for (int64_t t = 0; t < steps; ++t)
    for (int64_t b = 0; b < batch; ++b) {
      const int64_t src_t = t < seq_lens[b] ? seq_lens[b] - 1 - t : t;
      auto offset = [&](int64_t time) {
        return static_cast<size_t>(time_axis == 0 ? time * batch + b : b * steps + time) * row;
      };
      std::memcpy(out + offset(t), in + offset(src_t), row);
    }
}

void max_unpool(const Tensor& x, const Tensor& indices, Tensor& y) {
  constexpr const char* kOp = "MaxUnpool";
  detail::require_defined(kOp, "input 0 (X)", x);
  detail::require_dtype(kOp, "input 1 (I)", indices, DType::Int64);
  FLOWONNX_REQUIRE(indices.shape() == x.shape(), "{}: input 1 (I) {} must have input 0's shape {}",
                   kOp, indices.describe(), x.describe());
  FLOWONNX_REQUIRE(y.defined() && y.dtype() == x.dtype() && !y.shares_storage_with(x),
                   "{}: output must be a fresh {} tensor", kOp, dtype_name(x.dtype()));
  const int64_t total = y.num_elements();
  const int64_t* idx = indices.data<int64_t>();
  for (int64_t i = 0; i < indices.num_elements(); ++i)
    FLOWONNX_REQUIRE(idx[i] >= 0 && idx[i] < total,
                     "{}: input 1 (I) holds {} at flat index {}, outside the output's {} elements",
                     kOp, idx[i], i, total);
  const size_t esize = dtype_size(x.dtype());
  std::memset(y.raw_data(), 0, y.nbytes());
  const auto* in = static_cast<const uint8_t*>(x.raw_data());
  auto* out = static_cast<uint8_t*>(y.raw_data());
  for (int64_t i = 0; i < x.num_elements(); ++i)
    std::memcpy(out + idx[i] * esize, in + i * esize, esize);
}

}  // namespace flowonnx::kernels
