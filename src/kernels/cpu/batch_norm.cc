#include "kernels/cpu/batch_norm.h"

#include <cmath>
#include <vector>

#include "kernels/cpu/kernel_checks.h"
#include "kernels/cpu/threading.h"

namespace flowonnx::kernels {

namespace {

void validate_batch_norm(const Tensor& x, const Tensor& scale, const Tensor& bias,
                         const Tensor& mean, const Tensor& var, const Tensor& y) {
  detail::require_dtype("batch_norm", "input", x, DType::Float32);
  FLOWONNX_REQUIRE(x.rank() >= 2, "batch_norm: input {} must have rank >= 2 (channels on axis 1)",
                   shape_to_string(x.shape()));
  const int64_t channels = x.shape()[1];
  const std::pair<const char*, const Tensor*> parameters[] = {
      {"scale", &scale}, {"bias", &bias}, {"mean", &mean}, {"var", &var}};
  for (const auto& [name, tensor] : parameters) {
    detail::require_dtype("batch_norm", name, *tensor, DType::Float32);
    FLOWONNX_REQUIRE(tensor->shape() == Shape{channels},
                     "batch_norm: {} {} must be [{}] for input {}", name,
                     shape_to_string(tensor->shape()), channels, shape_to_string(x.shape()));
  }
  detail::require_output("batch_norm", y, x.shape(), DType::Float32,
                         {&x, &scale, &bias, &mean, &var});
}

}  // namespace

void batch_norm_inference(const Tensor& x, const Tensor& scale, const Tensor& bias,
                          const Tensor& mean, const Tensor& var, double epsilon, Tensor& y) {
  validate_batch_norm(x, scale, bias, mean, var, y);
  const int64_t channels = x.shape()[1];
  const int64_t planes = x.shape()[0] * channels;
  const int64_t inner = detail::product(x.shape(), 2, x.shape().size());
  // Fold the four parameters into y = x * a + b once per channel, in double.
  std::vector<float> multiplier(channels), offset(channels);
  for (int64_t c = 0; c < channels; ++c) {
    const double a = scale.data<float>()[c] / std::sqrt(double(var.data<float>()[c]) + epsilon);
    multiplier[c] = static_cast<float>(a);
    offset[c] = static_cast<float>(bias.data<float>()[c] - mean.data<float>()[c] * a);
  }
  const float* in = x.data<float>();
  float* out = y.data<float>();
  const int threads = threads_for(x.num_elements());
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (int64_t plane = 0; plane < planes; ++plane) {
    const float a = multiplier[plane % channels], b = offset[plane % channels];
    const float* in_plane = in + plane * inner;
    float* out_plane = out + plane * inner;
    for (int64_t i = 0; i < inner; ++i) out_plane[i] = in_plane[i] * a + b;
  }
}

void batch_norm_inference_reference(const Tensor& x, const Tensor& scale, const Tensor& bias,
                                    const Tensor& mean, const Tensor& var, double epsilon,
                                    Tensor& y) {
  validate_batch_norm(x, scale, bias, mean, var, y);
  const int64_t channels = x.shape()[1];
  const int64_t inner = detail::product(x.shape(), 2, x.shape().size());
  const float* in = x.data<float>();
  float* out = y.data<float>();
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    const int64_t c = (i / inner) % channels;
    const double normalized =
        (in[i] - double(mean.data<float>()[c])) / std::sqrt(double(var.data<float>()[c]) + epsilon);
    out[i] = static_cast<float>(normalized * scale.data<float>()[c] + bias.data<float>()[c]);
  }
}

}  // namespace flowonnx::kernels
