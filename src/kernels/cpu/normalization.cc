#include "kernels/cpu/normalization.h"

#include <cmath>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/threading.h"
#include "kernels/cpu/vector_math.h"

namespace flowonnx::kernels {

namespace {

// Normalises `count` values at `in` (stride 1) into `out`; returns mean and 1/sqrt(var+eps).
std::pair<double, double> normalize_row(const float* in, float* out, int64_t count, double eps) {
  double sum = 0;
  for (int64_t i = 0; i < count; ++i) sum += in[i];
  double mean = sum / static_cast<double>(count);
  double sq = 0;
  for (int64_t i = 0; i < count; ++i) sq += (in[i] - mean) * (in[i] - mean);
  double inv_std = 1.0 / std::sqrt(sq / static_cast<double>(count) + eps);
  for (int64_t i = 0; i < count; ++i) out[i] = static_cast<float>((in[i] - mean) * inv_std);
  return {mean, inv_std};
}

// Layer norm of one row of `count` floats: mean and variance in float vector lanes (two
// passes, so no cancellation), then y = (x - mean) * inv_std * scale + bias in one more.
std::pair<float, float> layer_norm_row(const float* in, float* out, int64_t count, double eps,
                                       const float* scale, const float* bias) {
  __m256 sum = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= count; i += 8) sum = _mm256_add_ps(sum, _mm256_loadu_ps(in + i));
  if (i < count) sum = _mm256_add_ps(sum, vec::load_partial(in + i, count - i));
  const float mean = vec::horizontal_sum(sum) / static_cast<float>(count);
  const __m256 mean_lanes = _mm256_set1_ps(mean);
  __m256 squares = _mm256_setzero_ps();
  for (i = 0; i + 8 <= count; i += 8) {
    const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(in + i), mean_lanes);
    squares = _mm256_fmadd_ps(d, d, squares);
  }
  if (i < count) {  // padding lanes hold the mean: they add 0
    const __m256 d = _mm256_sub_ps(vec::load_partial(in + i, count - i, mean), mean_lanes);
    squares = _mm256_fmadd_ps(d, d, squares);
  }
  const float variance = vec::horizontal_sum(squares) / static_cast<float>(count);
  const float inv_std = static_cast<float>(1.0 / std::sqrt(static_cast<double>(variance) + eps));
  const __m256 inv_lanes = _mm256_set1_ps(inv_std);
  auto normalise = [&](__m256 v, __m256 s, __m256 b) {
    return _mm256_fmadd_ps(_mm256_mul_ps(_mm256_sub_ps(v, mean_lanes), inv_lanes), s, b);
  };
  const __m256 zero = _mm256_setzero_ps();
  for (i = 0; i + 8 <= count; i += 8)
    _mm256_storeu_ps(out + i, normalise(_mm256_loadu_ps(in + i), _mm256_loadu_ps(scale + i),
                                        bias ? _mm256_loadu_ps(bias + i) : zero));
  if (i < count) {
    const int64_t rest = count - i;
    vec::store_partial(
        out + i,
        normalise(vec::load_partial(in + i, rest), vec::load_partial(scale + i, rest),
                  bias ? vec::load_partial(bias + i, rest) : zero),
        rest);
  }
  return {mean, inv_std};
}

}  // namespace

void layer_norm(const Tensor& x, int64_t axis, const Tensor& scale, const Tensor& bias,
                double epsilon, Tensor& y, Tensor* mean, Tensor* inv_std) {
  detail::require_dtype("layer_norm", "input", x, DType::Float32);
  axis = detail::normalize_axis("layer_norm", axis, x.rank());
  const int64_t inner = detail::product(x.shape(), axis, x.shape().size());
  const int64_t outer = detail::product(x.shape(), 0, axis);
  detail::require_dtype("layer_norm", "scale", scale, DType::Float32);
  FLOWONNX_REQUIRE(scale.num_elements() == inner, "layer_norm: scale {} for {} normalised values",
                   scale.describe(), inner);
  FLOWONNX_REQUIRE(!bias.defined() || bias.num_elements() == inner,
                   "layer_norm: bias {} for {} normalised values", bias.describe(), inner);
  detail::require_output("layer_norm", y, x.shape(), DType::Float32, {&x});
  const float* in = x.data<float>();
  const float* s = scale.data<float>();
  const float* b = bias.defined() ? bias.data<float>() : nullptr;
  float* out = y.data<float>();
  float* mean_out = mean ? mean->data<float>() : nullptr;
  float* inv_out = inv_std ? inv_std->data<float>() : nullptr;
  const int threads = threads_for(outer * inner, 3);  // three passes over each row
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (int64_t r = 0; r < outer; ++r) {
    auto [m, inv] = layer_norm_row(in + r * inner, out + r * inner, inner, epsilon, s, b);
    if (mean_out) mean_out[r] = m;
    if (inv_out) inv_out[r] = inv;
  }
}

void instance_norm(const Tensor& x, const Tensor& scale, const Tensor& bias, double epsilon,
                   Tensor& y) {
  detail::require_dtype("instance_norm", "input", x, DType::Float32);
  FLOWONNX_REQUIRE(x.rank() >= 3, "instance_norm: input {} must be [N,C,...]", x.describe());
  const int64_t channels = x.shape()[1];
  detail::require_dtype("instance_norm", "scale", scale, DType::Float32);
  detail::require_dtype("instance_norm", "bias", bias, DType::Float32);
  FLOWONNX_REQUIRE(scale.num_elements() == channels && bias.num_elements() == channels,
                   "instance_norm: scale {} and bias {} must have {} values", scale.describe(),
                   bias.describe(), channels);
  detail::require_output("instance_norm", y, x.shape(), DType::Float32, {&x});
  const int64_t planes = x.shape()[0] * channels;
  const int64_t size = detail::product(x.shape(), 2, x.shape().size());
  const float* in = x.data<float>();
  float* out = y.data<float>();
  const float* s = scale.data<float>();
  const float* b = bias.data<float>();
  const int threads = threads_for(planes * size, 3);
#pragma omp parallel for num_threads(threads) if (threads > 1)
  for (int64_t p = 0; p < planes; ++p) {
    float* row = out + p * size;
    normalize_row(in + p * size, row, size, epsilon);
    int64_t c = p % channels;
    for (int64_t i = 0; i < size; ++i) row[i] = row[i] * s[c] + b[c];
  }
}

void local_response_norm(const Tensor& x, int64_t size, double alpha, double beta, double bias,
                         Tensor& y) {
  detail::require_dtype("lrn", "input", x, DType::Float32);
  FLOWONNX_REQUIRE(x.rank() >= 3 && size >= 1, "lrn: input {} with size {}", x.describe(), size);
  detail::require_output("lrn", y, x.shape(), DType::Float32, {&x});
  const int64_t n = x.shape()[0], channels = x.shape()[1];
  const int64_t plane = detail::product(x.shape(), 2, x.shape().size());
  const int64_t before = (size - 1) / 2, after = size - 1 - before;
  const float* in = x.data<float>();
  float* out = y.data<float>();
  for (int64_t b = 0; b < n; ++b)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t i = 0; i < plane; ++i) {
        double sum = 0;
        for (int64_t k = std::max<int64_t>(0, c - before); k <= std::min(channels - 1, c + after); ++k) {
          double v = in[(b * channels + k) * plane + i];
          sum += v * v;
        }
        int64_t at = (b * channels + c) * plane + i;
        out[at] = static_cast<float>(in[at] / std::pow(bias + alpha / size * sum, beta));
      }
}

}  // namespace flowonnx::kernels
