#include "kernels/cpu/linalg.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace flowonnx::kernels {

namespace {

// Checks x [.., M, M] against y [..] and calls fn(matrix index, M, values of that matrix).
template <typename Fn>
void for_each_matrix(const Tensor& x, Tensor& y, Fn&& fn) {
  FLOWONNX_REQUIRE((x.dtype() == DType::Float32 || x.dtype() == DType::Float64) && x.rank() >= 2 &&
                       x.shape()[x.rank() - 1] == x.shape()[x.rank() - 2],
                   "Det: input must be float32 or float64 [.., M, M], got {}", x.describe());
  const Shape batch(x.shape().begin(), x.shape().end() - 2);
  FLOWONNX_REQUIRE(y.shape() == batch && y.dtype() == x.dtype(), "Det: output {} must be {} of shape {}",
                   y.describe(), dtype_name(x.dtype()), shape_to_string(batch));
  const int64_t m = x.shape().back();
  const std::vector<double> values = x.to_double_vector();
  std::vector<double> dets(static_cast<size_t>(num_elements(batch)));
  for (size_t b = 0; b < dets.size(); ++b)
    dets[b] = fn(std::vector<double>(values.begin() + b * m * m, values.begin() + (b + 1) * m * m), m);
  Tensor wide(batch, DType::Float64);
  std::copy(dets.begin(), dets.end(), wide.data<double>());
  y.copy_from(wide);
}

}  // namespace

void determinant(const Tensor& x, Tensor& y) {
  for_each_matrix(x, y, [](std::vector<double> a, int64_t m) {
    double det = 1.0;
    for (int64_t k = 0; k < m; ++k) {
      int64_t pivot = k;
      for (int64_t r = k + 1; r < m; ++r)
        if (std::abs(a[r * m + k]) > std::abs(a[pivot * m + k])) pivot = r;
      if (a[pivot * m + k] == 0.0) return 0.0;
      if (pivot != k) {
        for (int64_t c = 0; c < m; ++c) std::swap(a[k * m + c], a[pivot * m + c]);
        det = -det;
      }
      det *= a[k * m + k];
      for (int64_t r = k + 1; r < m; ++r) {
        const double factor = a[r * m + k] / a[k * m + k];
        for (int64_t c = k + 1; c < m; ++c) a[r * m + c] -= factor * a[k * m + c];
      }
    }
    return det;
  });
}

void determinant_reference(const Tensor& x, Tensor& y) {
  for_each_matrix(x, y, [](std::vector<double> a, int64_t m) {
    std::vector<int64_t> perm(static_cast<size_t>(m));
    std::iota(perm.begin(), perm.end(), 0);
    double det = 0.0;
    do {
      int inversions = 0;
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = i + 1; j < m; ++j) inversions += perm[i] > perm[j];
      double product = inversions % 2 ? -1.0 : 1.0;
      for (int64_t i = 0; i < m; ++i) product *= a[i * m + perm[i]];
      det += product;
    } while (std::next_permutation(perm.begin(), perm.end()));
    return det;
  });
}

}  // namespace flowonnx::kernels
