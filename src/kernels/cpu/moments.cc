#include "kernels/cpu/moments.h"

#include <cmath>

namespace flowonnx::kernels {

namespace {

void require_float(const char* op, const Tensor& t) {
  FLOWONNX_REQUIRE(t.dtype() == DType::Float32 || t.dtype() == DType::Float64, "{}: input must be float32 or "
                   "float64, got {}", op, t.describe());
}

// Writes `values` (double) into `out` of out's float dtype.
void store(const std::vector<double>& values, Tensor& out) {
  Tensor wide(out.shape(), DType::Float64);
  std::copy(values.begin(), values.end(), wide.data<double>());
  out.copy_from(wide);
}

// Group of every element of `shape` when `reduced` dims are summed over: the flat index over the
// kept dims. Returns the group of each element and the number of groups.
std::vector<int64_t> groups_of(const Shape& shape, const std::vector<bool>& reduced, int64_t& count) {
  const int64_t total = num_elements(shape);
  std::vector<int64_t> group(static_cast<size_t>(total), 0);
  count = 1;
  for (size_t d = 0; d < shape.size(); ++d)
    if (!reduced[d]) count *= shape[d];
  for (int64_t i = 0; i < total; ++i) {
    int64_t rest = i, g = 0, scale = 1;
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      const int64_t at = rest % shape[d];
      rest /= shape[d];
      if (!reduced[d]) {
        g += at * scale;
        scale *= shape[d];
      }
    }
    group[i] = g;
  }
  return group;
}

// Mean and population variance of each group (two passes, so no cancellation).
void moments(const std::vector<double>& x, const std::vector<int64_t>& group, int64_t count,
             std::vector<double>& mean, std::vector<double>& var) {
  std::vector<double> n(static_cast<size_t>(count), 0.0);
  mean.assign(static_cast<size_t>(count), 0.0);
  var.assign(static_cast<size_t>(count), 0.0);
  for (size_t i = 0; i < x.size(); ++i) {
    mean[group[i]] += x[i];
    n[group[i]] += 1.0;
  }
  for (int64_t g = 0; g < count; ++g) mean[g] = n[g] > 0 ? mean[g] / n[g] : 0.0;
  for (size_t i = 0; i < x.size(); ++i) var[group[i]] += (x[i] - mean[group[i]]) * (x[i] - mean[group[i]]);
  for (int64_t g = 0; g < count; ++g) var[g] = n[g] > 0 ? var[g] / n[g] : 0.0;
}

}  // namespace

void mean_variance_normalize(const Tensor& x, const std::vector<int64_t>& axes, Tensor& y) {
  require_float("MeanVarianceNormalization", x);
  FLOWONNX_REQUIRE(y.shape() == x.shape() && y.dtype() == x.dtype(), "MeanVarianceNormalization: output {} "
                   "must match input {}", y.describe(), x.describe());
  std::vector<bool> reduced(static_cast<size_t>(x.rank()), false);
  for (int64_t a : axes) {
    FLOWONNX_REQUIRE(a >= 0 && a < x.rank() && !reduced[a], "MeanVarianceNormalization: axes must be distinct "
                     "dims of input {}, got {}", x.describe(), a);
    reduced[a] = true;
  }
  int64_t count = 0;
  std::vector<int64_t> group = groups_of(x.shape(), reduced, count);
  std::vector<double> values = x.to_double_vector(), mean, var;
  moments(values, group, count, mean, var);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = (values[i] - mean[group[i]]) / (std::sqrt(var[group[i]]) + 1e-9);
  store(values, y);
}

void batch_norm_training(const Tensor& x, const Tensor& scale, const Tensor& bias, const Tensor& mean,
                         const Tensor& var, double epsilon, double momentum, Tensor& y, Tensor& running_mean,
                         Tensor& running_var) {
  require_float("BatchNormalization", x);
  FLOWONNX_REQUIRE(x.rank() >= 2, "BatchNormalization: input {} must be [N, C, ..]", x.describe());
  const int64_t channels = x.shape()[1];
  for (const Tensor* p : {&scale, &bias, &mean, &var})
    FLOWONNX_REQUIRE(p->rank() == 1 && p->shape()[0] == channels && is_floating(p->dtype()),
                     "BatchNormalization: scale, B, mean and var must be float [{}], got {}", channels,
                     p->describe());
  std::vector<bool> reduced(static_cast<size_t>(x.rank()), true);
  reduced[1] = false;
  int64_t count = 0;
  std::vector<int64_t> group = groups_of(x.shape(), reduced, count);
  std::vector<double> values = x.to_double_vector(), batch_mean, batch_var;
  moments(values, group, count, batch_mean, batch_var);
  const std::vector<double> s = scale.to_double_vector(), b = bias.to_double_vector();
  const std::vector<double> m = mean.to_double_vector(), v = var.to_double_vector();
  for (size_t i = 0; i < values.size(); ++i) {
    const int64_t c = group[i];
    values[i] = (values[i] - batch_mean[c]) / std::sqrt(batch_var[c] + epsilon) * s[c] + b[c];
  }
  store(values, y);
  std::vector<double> new_mean(static_cast<size_t>(channels)), new_var(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) {
    new_mean[c] = m[c] * momentum + batch_mean[c] * (1.0 - momentum);
    new_var[c] = v[c] * momentum + batch_var[c] * (1.0 - momentum);
  }
  store(new_mean, running_mean);
  store(new_var, running_var);
}

}  // namespace flowonnx::kernels
