// The naive oracle of matmul: one dot product per output element, accumulated in double.
#include <cmath>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/matmul_internal.h"

namespace flowonnx::kernels {

void matmul_reference(const Tensor& a, const Tensor& b, const MatMulParams& params, Tensor& y) {
  const detail::MatMulPlan plan = detail::validate_matmul(a, b, params, y);
  const int64_t m = plan.m, k = plan.k, n = plan.n;
  const bool trans_a = params.transpose_a && a.rank() > 1;
  const bool trans_b = params.transpose_b && b.rank() > 1;
  const float* a_data = a.data<float>();
  const float* b_data = b.data<float>();
  float* y_data = y.data<float>();
  const int64_t batch_count = num_elements(plan.batch);
  const std::vector<int64_t> a_strides = contiguous_strides(plan.a_batch);
  const std::vector<int64_t> b_strides = contiguous_strides(plan.b_batch);

  for (int64_t batch = 0; batch < batch_count; ++batch) {
    // Unravel the output batch index; a broadcast dim (size 1) always reads index 0.
    int64_t a_index = 0, b_index = 0, rest = batch;
    for (int64_t i = static_cast<int64_t>(plan.batch.size()) - 1; i >= 0; --i) {
      const int64_t coordinate = rest % plan.batch[i];
      rest /= plan.batch[i];
      if (plan.a_batch[i] != 1) a_index += coordinate * a_strides[i];
      if (plan.b_batch[i] != 1) b_index += coordinate * b_strides[i];
    }
    const float* a_matrix = a_data + a_index * m * k;
    const float* b_matrix = b_data + b_index * k * n;
    for (int64_t row = 0; row < m; ++row)
      for (int64_t col = 0; col < n; ++col) {
        double sum = 0;
        for (int64_t i = 0; i < k; ++i) {
          const float a_value = trans_a ? a_matrix[i * m + row] : a_matrix[row * k + i];
          const float b_value = trans_b ? b_matrix[col * k + i] : b_matrix[i * n + col];
          sum += double(a_value) * b_value;
        }
        double value = sum * params.alpha;
        if (params.activation == MatMulActivation::Gelu)
          value = 0.5 * value * (1.0 + std::erf(value / std::sqrt(2.0)));
        y_data[(batch * m + row) * n + col] = static_cast<float>(value);
      }
  }
}

}  // namespace flowonnx::kernels
