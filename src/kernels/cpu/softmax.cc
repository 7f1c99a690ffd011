#include "kernels/cpu/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/threading.h"
#include "kernels/cpu/vector_math.h"

namespace flowonnx::kernels {

namespace {

struct SoftmaxLayout {
  int64_t outer, axis_size, inner;  // x viewed as [outer, axis_size, inner]
};

SoftmaxLayout validate_softmax(const Tensor& x, int64_t axis, const Tensor& y) {
  detail::require_dtype("softmax", "input", x, DType::Float32);
  FLOWONNX_REQUIRE(x.rank() >= 1, "softmax: input {} must have rank >= 1",
                   shape_to_string(x.shape()));
  const int64_t normalized = detail::normalize_axis("softmax", axis, x.rank());
  detail::require_output("softmax", y, x.shape(), DType::Float32, {&x});
  const Shape& shape = x.shape();
  return {detail::product(shape, 0, normalized), shape[normalized],
          detail::product(shape, normalized + 1, shape.size())};
}

}  // namespace

namespace {

// Softmax of `n` contiguous floats. Padding lanes hold -inf, whose exp is 0.
void softmax_contiguous(const float* src, float* dst, int64_t n) {
  const __m256 minus_infinity = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
  __m256 max_lanes = minus_infinity;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) max_lanes = _mm256_max_ps(max_lanes, _mm256_loadu_ps(src + i));
  if (i < n) max_lanes = _mm256_max_ps(max_lanes, vec::load_partial(src + i, n - i, -INFINITY));
  const __m256 shift = _mm256_set1_ps(vec::horizontal_max(max_lanes));
  __m256 sum = _mm256_setzero_ps();
  for (i = 0; i + 8 <= n; i += 8) {
    const __m256 e = vec::exp_ps(_mm256_sub_ps(_mm256_loadu_ps(src + i), shift));
    _mm256_storeu_ps(dst + i, e);
    sum = _mm256_add_ps(sum, e);
  }
  if (i < n) {
    const __m256 e =
        vec::exp_ps(_mm256_sub_ps(vec::load_partial(src + i, n - i, -INFINITY), shift));
    vec::store_partial(dst + i, e, n - i);
    sum = _mm256_add_ps(sum, e);
  }
  const __m256 inverse = _mm256_set1_ps(1.0f / vec::horizontal_sum(sum));
  vec::map_ps(dst, dst, n, [inverse](__m256 v) { return _mm256_mul_ps(v, inverse); });
}

// Softmax over the middle axis of one [n, inner] block: the reductions run across rows, each
// row of `inner` contiguous floats one vector loop.
void softmax_strided(const float* src, float* dst, int64_t n, int64_t inner) {
  std::vector<float> max_value(src, src + inner), sum(inner, 0.0f);
  for (int64_t i = 1; i < n; ++i) {
    const float* row = src + i * inner;
    for (int64_t j = 0; j < inner; ++j)
      max_value[j] = max_value[j] < row[j] ? row[j] : max_value[j];
  }
  for (int64_t i = 0; i < n; ++i) {
    const float* row = src + i * inner;
    float* out = dst + i * inner;
    for (int64_t j = 0; j < inner; ++j) out[j] = row[j] - max_value[j];
    vec::map_ps(out, out, inner, [](__m256 v) { return vec::exp_ps(v); });
    for (int64_t j = 0; j < inner; ++j) sum[j] += out[j];
  }
  for (int64_t j = 0; j < inner; ++j) sum[j] = 1.0f / sum[j];
  for (int64_t i = 0; i < n; ++i) {
    float* out = dst + i * inner;
    for (int64_t j = 0; j < inner; ++j) out[j] *= sum[j];
  }
}

}  // namespace

void softmax_row(const float* src, float* dst, int64_t n) { softmax_contiguous(src, dst, n); }

void softmax(const Tensor& x, int64_t axis, Tensor& y) {
  // Plain variables, not a structured binding: clang < 16 cannot use bindings in an OpenMP region.
  const SoftmaxLayout layout = validate_softmax(x, axis, y);
  const int64_t outer = layout.outer, axis_size = layout.axis_size, inner = layout.inner;
  if (x.num_elements() == 0) return;
  const float* in = x.data<float>();
  float* out = y.data<float>();
  // About four units per element: three passes, one exp.
  const int threads = threads_for(x.num_elements(), 4);
  if (inner == 1) {
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
    for (int64_t row = 0; row < outer; ++row)
      softmax_contiguous(in + row * axis_size, out + row * axis_size, axis_size);
  } else {
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
    for (int64_t block = 0; block < outer; ++block)
      softmax_strided(in + block * axis_size * inner, out + block * axis_size * inner, axis_size,
                      inner);
  }
}

void softmax_reference(const Tensor& x, int64_t axis, Tensor& y) {
  // Plain variables: clang < 16 cannot capture structured bindings in a lambda.
  const SoftmaxLayout layout = validate_softmax(x, axis, y);
  const int64_t outer = layout.outer, axis_size = layout.axis_size, inner = layout.inner;
  const float* in = x.data<float>();
  float* out = y.data<float>();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      auto at = [&](int64_t i) { return (o * axis_size + i) * inner + j; };
      double max_value = -INFINITY;
      for (int64_t i = 0; i < axis_size; ++i) max_value = std::max<double>(max_value, in[at(i)]);
      double sum = 0;
      for (int64_t i = 0; i < axis_size; ++i) sum += std::exp(in[at(i)] - max_value);
      for (int64_t i = 0; i < axis_size; ++i)
        out[at(i)] = static_cast<float>(std::exp(in[at(i)] - max_value) / sum);
    }
}

}  // namespace flowonnx::kernels
