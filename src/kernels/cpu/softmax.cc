#include "kernels/cpu/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/cpu/kernel_checks.h"

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

void softmax(const Tensor& x, int64_t axis, Tensor& y) {
  // Plain variables, not a structured binding: clang < 16 cannot use bindings in an OpenMP region.
  const SoftmaxLayout layout = validate_softmax(x, axis, y);
  const int64_t outer = layout.outer, axis_size = layout.axis_size, inner = layout.inner;
  const float* in = x.data<float>();
  float* out = y.data<float>();
  // One independent reduction per (outer, inner) pair; elements of one are `inner` apart.
#pragma omp parallel for schedule(static)
  for (int64_t row = 0; row < outer * inner; ++row) {
    const int64_t base = (row / inner) * axis_size * inner + row % inner;
    const float* src = in + base;
    float* dst = out + base;
    float max_value = -std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < axis_size; ++i) max_value = std::max(max_value, src[i * inner]);
    float sum = 0;
    for (int64_t i = 0; i < axis_size; ++i) {
      dst[i * inner] = std::exp(src[i * inner] - max_value);
      sum += dst[i * inner];
    }
    const float inverse = 1.0f / sum;
    for (int64_t i = 0; i < axis_size; ++i) dst[i * inner] *= inverse;
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
