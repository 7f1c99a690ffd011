#include "vision/topk.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace flowonnx::vision {
namespace {

bool looks_like_probabilities(const std::vector<double>& row) {
  double sum = 0;
  for (double v : row) {
    if (!(v >= 0 && v <= 1)) return false;
    sum += v;
  }
  return std::fabs(sum - 1) <= 1e-3;
}

std::vector<double> softmax(const std::vector<double>& row) {
  double max = -INFINITY;
  for (double v : row) max = std::max(max, v);
  std::vector<double> out(row.size());
  double sum = 0;
  for (size_t i = 0; i < row.size(); ++i) sum += out[i] = std::exp(row[i] - max);
  for (double& v : out) v /= sum;
  return out;
}

}  // namespace

TopK top_k(const Tensor& scores, int k, SoftmaxMode mode) {
  FLOWONNX_REQUIRE(is_floating(scores.dtype()), "top-k: scores must be floating, got {}",
                   scores.describe());
  FLOWONNX_REQUIRE(k > 0, "top-k: k must be > 0, got {}", k);
  Shape shape = scores.shape();
  while (shape.size() > 2 && shape.back() == 1) shape.pop_back();  // [N, C, 1, 1]
  FLOWONNX_REQUIRE(shape.size() == 1 || shape.size() == 2,
                   "top-k: expected class scores [N, classes] or [classes], got {}",
                   scores.describe());
  const int64_t rows = shape.size() == 2 ? shape[0] : 1;
  const int64_t classes = shape.back();
  FLOWONNX_REQUIRE(classes > 0, "top-k: no classes in {}", scores.describe());
  const std::vector<double> values = scores.to_double_vector();

  TopK result;
  std::vector<std::vector<double>> probabilities;
  bool all_probabilities = true;
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> row(values.begin() + r * classes, values.begin() + (r + 1) * classes);
    all_probabilities = all_probabilities && looks_like_probabilities(row);
    probabilities.push_back(std::move(row));
  }
  result.softmax_applied =
      mode == SoftmaxMode::Always || (mode == SoftmaxMode::Auto && !all_probabilities);
  const int64_t count = std::min<int64_t>(k, classes);
  for (int64_t r = 0; r < rows; ++r) {
    const double* raw = values.data() + r * classes;
    std::vector<double> prob =
        result.softmax_applied ? softmax(probabilities[r]) : probabilities[r];
    std::vector<int64_t> order(classes);
    std::iota(order.begin(), order.end(), 0);
    // NaN sorts last so a broken row still prints.
    auto better = [&](int64_t a, int64_t b) {
      if (std::isnan(raw[a]) != std::isnan(raw[b])) return std::isnan(raw[b]);
      return raw[a] > raw[b] || (raw[a] == raw[b] && a < b);
    };
    std::partial_sort(order.begin(), order.begin() + count, order.end(), better);
    std::vector<Prediction> top;
    for (int64_t i = 0; i < count; ++i)
      top.push_back(
          {order[i], static_cast<float>(prob[order[i]]), static_cast<float>(raw[order[i]])});
    result.rows.push_back(std::move(top));
  }
  return result;
}

}  // namespace flowonnx::vision
