#include "kernels/cpu/group_norm.h"

#include <cmath>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/threading.h"

namespace flowonnx::kernels {

void group_norm(const Tensor& x, int64_t groups, const Tensor& gamma, const Tensor& beta,
                double epsilon, Tensor& y) {
  detail::require_dtype("group_norm", "input", x, DType::Float32);
  FLOWONNX_REQUIRE(x.rank() >= 2, "group_norm: input {} must be [N, C, ...]", x.describe());
  const int64_t batch = x.dim(0), channels = x.dim(1);
  FLOWONNX_REQUIRE(groups > 0 && channels % groups == 0,
                   "group_norm: {} channels of {} do not split into {} groups", channels, x.describe(), groups);
  FLOWONNX_REQUIRE(gamma.defined() == beta.defined(), "group_norm: gamma and beta must both be given or both absent");
  for (const Tensor* param : {&gamma, &beta})
    if (param->defined())
      FLOWONNX_REQUIRE(param->dtype() == DType::Float32 && param->shape() == Shape{channels},
                       "group_norm: gamma/beta must be float32[{}], got {}", channels, param->describe());
  detail::require_output("group_norm", y, x.shape(), DType::Float32, {&x});
  const int64_t spatial = detail::product(x.shape(), 2, x.shape().size());
  const int64_t group_size = channels / groups * spatial;
  const float* in = x.data<float>();
  float* out = y.data<float>();
  const int threads = threads_for(x.num_elements(), 3);  // statistics, then the output
#pragma omp parallel for num_threads(threads) if (threads > 1)
  for (int64_t block = 0; block < batch * groups; ++block) {
    const float* src = in + block * group_size;
    double sum = 0, sum_sq = 0;
    for (int64_t i = 0; i < group_size; ++i) sum += src[i];
    const double mean = sum / static_cast<double>(group_size);
    for (int64_t i = 0; i < group_size; ++i) sum_sq += (src[i] - mean) * (src[i] - mean);
    const double inv_std = 1.0 / std::sqrt(sum_sq / static_cast<double>(group_size) + epsilon);
    float* dst = out + block * group_size;
    const int64_t first_channel = (block % groups) * (channels / groups);
    for (int64_t i = 0; i < group_size; ++i) {
      const int64_t c = first_channel + i / spatial;
      double v = (src[i] - mean) * inv_std;
      if (gamma.defined()) v = v * gamma.data<float>()[c] + beta.data<float>()[c];
      dst[i] = static_cast<float>(v);
    }
  }
}

}  // namespace flowonnx::kernels
