#include "verify/compare.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace flowonnx {
namespace {

std::vector<int64_t> unravel(int64_t flat, const Shape& shape) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = shape[d] == 0 ? 0 : flat % shape[d];
    flat = shape[d] == 0 ? 0 : flat / shape[d];
  }
  return index;
}

// |a - e| with NaN/inf semantics: equal non-finite values are 0 apart, any other pair involving
// a non-finite value is infinitely far apart.
double distance(double actual, double expected) {
  if (std::isnan(actual) || std::isnan(expected))
    return std::isnan(actual) && std::isnan(expected) ? 0.0
                                                      : std::numeric_limits<double>::infinity();
  if (std::isinf(actual) || std::isinf(expected))
    return actual == expected ? 0.0 : std::numeric_limits<double>::infinity();
  return std::fabs(actual - expected);
}

}  // namespace

std::string index_to_string(const std::vector<int64_t>& index) {
  std::string text = "[";
  for (size_t i = 0; i < index.size(); ++i) text += (i ? ", " : "") + std::to_string(index[i]);
  return text + "]";
}

OutputComparison compare_output(const std::string& name, const Tensor& framework,
                                const Tensor& onnx, const Tolerance& tolerance, size_t max_worst) {
  OutputComparison result;
  result.name = name;
  result.shape = framework.shape();
  result.dtype = framework.dtype();
  result.num_elements = framework.num_elements();
  if (framework.shape() != onnx.shape() || framework.dtype() != onnx.dtype()) {
    result.mismatch =
        fmt::format("framework gives {}, ONNX gives {}", framework.describe(), onnx.describe());
    result.num_outside = std::max<int64_t>(result.num_elements, 1);
    result.max_abs_err = result.max_rel_err = std::numeric_limits<double>::infinity();
    return result;
  }
  const std::vector<double> expected = framework.to_double_vector();
  const std::vector<double> actual = onnx.to_double_vector();
  // (abs_err, flat index) of the worst outliers, kept as a min-heap of size <= max_worst so a
  // badly broken export with millions of outliers costs O(n log k), not a sort.
  using Entry = std::pair<double, int64_t>;
  std::vector<Entry> heap;
  auto worse = [](const Entry& a, const Entry& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  };
  for (size_t i = 0; i < expected.size(); ++i) {
    const double err = distance(actual[i], expected[i]);
    result.max_abs_err = std::max(result.max_abs_err, err);
    if (expected[i] != 0 && !std::isnan(err))
      result.max_rel_err = std::max(result.max_rel_err, err / std::fabs(expected[i]));
    // An infinite error is outside even where the bound is infinite too (framework +inf vs -inf).
    const bool inside =
        err == 0 ||
        (std::isfinite(err) && err <= tolerance.atol + tolerance.rtol * std::fabs(expected[i]));
    if (inside) continue;
    ++result.num_outside;
    if (max_worst == 0) continue;
    Entry entry{err, static_cast<int64_t>(i)};
    if (heap.size() < max_worst) {
      heap.push_back(entry);
      std::push_heap(heap.begin(), heap.end(), worse);
    } else if (worse(entry, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), worse);
      heap.back() = entry;
      std::push_heap(heap.begin(), heap.end(), worse);
    }
  }
  std::sort(heap.begin(), heap.end(), worse);
  for (const auto& [err, flat] : heap)
    result.worst.push_back({unravel(flat, result.shape), expected[flat], actual[flat], err});
  return result;
}

}  // namespace flowonnx
