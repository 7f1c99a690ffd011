#include "kernels/cpu/rms_norm.h"

#include <cmath>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/threading.h"

namespace flowonnx::kernels {

void rms_norm(const Tensor& x, int64_t axis, const Tensor& weight, double epsilon, Tensor& y) {
  detail::require_dtype("rms_norm", "input", x, DType::Float32);
  axis = detail::normalize_axis("rms_norm", axis, x.rank());
  const int64_t inner = detail::product(x.shape(), axis, x.shape().size());
  const int64_t outer = detail::product(x.shape(), 0, axis);
  if (weight.defined())
    FLOWONNX_REQUIRE(weight.dtype() == DType::Float32 && weight.num_elements() == inner,
                     "rms_norm: weight {} for {} normalised values", weight.describe(), inner);
  detail::require_output("rms_norm", y, x.shape(), DType::Float32, {&x});
  const float* in = x.data<float>();
  const float* w = weight.defined() ? weight.data<float>() : nullptr;
  float* out = y.data<float>();
  const int threads = threads_for(outer * inner, 2);  // the mean square, then the output
#pragma omp parallel for num_threads(threads) if (threads > 1)
  for (int64_t r = 0; r < outer; ++r) {
    const float* row = in + r * inner;
    double sum_sq = 0;
    for (int64_t i = 0; i < inner; ++i) sum_sq += double(row[i]) * row[i];
    const double inv_rms = 1.0 / std::sqrt(sum_sq / static_cast<double>(inner) + epsilon);
    for (int64_t i = 0; i < inner; ++i)
      out[r * inner + i] = static_cast<float>(row[i] * inv_rms * (w ? w[i] : 1.0f));
  }
}

}  // namespace flowonnx::kernels
