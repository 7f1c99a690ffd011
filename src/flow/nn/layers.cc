#include "flow/nn/layers.h"

#include <algorithm>
#include <cmath>

#include "flow/functional.h"

namespace flowonnx::nn {

namespace F = functional;

void torch_default_init(Tensor& weight, Tensor& bias, Generator& gen) {
  kaiming_uniform_(weight, std::sqrt(5.0), FanMode::FanIn, gen);
  if (bias.defined()) {
    double bound = 1.0 / std::sqrt(static_cast<double>(fan(weight, FanMode::FanIn)));
    uniform_(bias, -bound, bound, gen);
  }
}

void require_groups(const char* module, int64_t in_channels, int64_t out_channels, int64_t groups) {
  FLOWONNX_REQUIRE(groups > 0 && in_channels % groups == 0 && out_channels % groups == 0,
                   "{}: in_channels={} and out_channels={} must be divisible by groups={}", module,
                   in_channels, out_channels, groups);
}

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Pair kernel_size, Conv2dOptions options,
               Generator& gen)
    : options(options) {
  require_groups("Conv2d", in_channels, out_channels, options.groups);
  weight = register_parameter(
      "weight", Tensor({out_channels, in_channels / options.groups, kernel_size[0], kernel_size[1]}));
  if (options.bias) bias = register_parameter("bias", Tensor({out_channels}));
  torch_default_init(weight, bias, gen);
}

Tensor Conv2d::forward(const Tensor& x) {
  Tensor y = F::conv2d(x, weight, options.stride, options.padding, options.dilation, options.groups);
  return bias.defined() ? F::bias_add(y, bias, 1) : y;
}

BatchNorm::BatchNorm(std::string type, std::vector<int> ranks, int64_t num_features, double eps, double momentum)
    : eps(eps), momentum(momentum), type_(std::move(type)), ranks_(std::move(ranks)) {
  weight = register_parameter("weight", Tensor::full({num_features}, 1.0));
  bias = register_parameter("bias", Tensor::zeros({num_features}));
  running_mean = register_buffer("running_mean", Tensor::zeros({num_features}));
  running_var = register_buffer("running_var", Tensor::full({num_features}, 1.0));
  num_batches_tracked = register_buffer("num_batches_tracked", Tensor::zeros({}, DType::Int64));
}

Tensor BatchNorm::forward(const Tensor& x) {
  FLOWONNX_REQUIRE(std::find(ranks_.begin(), ranks_.end(), x.rank()) != ranks_.end(),
                   "{}: expected a {}-D input, got {}", type_, ranks_.back(), x.describe());
  if (!is_training()) return F::normalization(x, running_mean, running_var, weight, bias, eps, false);
  // running = (1 - momentum) * running + momentum * batch statistic (unbiased variance).
  int64_t channels = x.dim(1);
  double count = static_cast<double>(x.num_elements() / channels);
  std::vector<double> values = x.to_double_vector();
  int64_t inner = x.num_elements() / (x.dim(0) * channels);
  float* mean = running_mean.data<float>();
  float* var = running_var.data<float>();
  for (int64_t c = 0; c < channels; ++c) {
    double sum = 0, sum_sq = 0;
    for (int64_t n = 0; n < x.dim(0); ++n)
      for (int64_t i = 0; i < inner; ++i) {
        double v = values[(n * channels + c) * inner + i];
        sum += v;
        sum_sq += v * v;
      }
    double batch_mean = sum / count;
    double batch_var = count > 1 ? (sum_sq - sum * batch_mean) / (count - 1) : 0.0;
    mean[c] = static_cast<float>((1 - momentum) * mean[c] + momentum * batch_mean);
    var[c] = static_cast<float>((1 - momentum) * var[c] + momentum * batch_var);
  }
  num_batches_tracked.data<int64_t>()[0] += 1;
  return F::normalization(x, running_mean, running_var, weight, bias, eps, true);
}

Tensor ReLU::forward(const Tensor& x) { return F::relu(x); }

MaxPool2d::MaxPool2d(Pair kernel_size, Pair stride, Pair padding, Pair dilation, bool ceil_mode)
    : kernel_size(kernel_size), stride(stride), padding(padding), dilation(dilation), ceil_mode(ceil_mode) {}

Tensor MaxPool2d::forward(const Tensor& x) {
  return F::max_pool_2d(x, kernel_size, stride, padding, dilation, ceil_mode);
}

AvgPool2d::AvgPool2d(Pair kernel_size, Pair stride, Pair padding, bool ceil_mode, bool count_include_pad)
    : kernel_size(kernel_size), stride(stride == Pair{0, 0} ? kernel_size : stride), padding(padding),
      ceil_mode(ceil_mode), count_include_pad(count_include_pad) {}

Tensor AvgPool2d::forward(const Tensor& x) {
  return F::avg_pool_2d(x, kernel_size, stride, padding, ceil_mode, count_include_pad);
}

Tensor AdaptiveAvgPool2d::forward(const Tensor& x) { return F::adaptive_avg_pool2d(x, output_size); }

Linear::Linear(int64_t in_features, int64_t out_features, bool with_bias, Generator& gen) {
  weight = register_parameter("weight", Tensor({out_features, in_features}));
  if (with_bias) bias = register_parameter("bias", Tensor({out_features}));
  torch_default_init(weight, bias, gen);
}

Tensor Linear::forward(const Tensor& x) { return F::linear(x, weight, bias); }

Tensor Flatten::forward(const Tensor& x) { return F::flatten(x, start_dim, end_dim); }

Dropout::Dropout(double p, Generator& gen) : p(p), gen_(&gen) {
  FLOWONNX_REQUIRE(p >= 0 && p < 1, "Dropout: p must be in [0, 1), got {}", p);
}

Tensor Dropout::forward(const Tensor& x) {
  if (!is_training() || p == 0) return x;
  Tensor mask(x.shape());
  float* m = mask.data<float>();
  for (int64_t i = 0, n = mask.num_elements(); i < n; ++i)
    m[i] = gen_->uniform() < p ? 0.0f : static_cast<float>(1.0 / (1.0 - p));
  return F::broadcast_mul(x, mask);
}

Sequential::Sequential(std::vector<std::shared_ptr<Module>> modules) {
  for (auto& module : modules) push_back(std::move(module));
}

void Sequential::push_back(std::shared_ptr<Module> module) {
  push_back(std::to_string(modules_.size()), std::move(module));
}

void Sequential::push_back(const std::string& name, std::shared_ptr<Module> module) {
  modules_.push_back(register_module(name, std::move(module)));
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor y = x;
  for (auto& module : modules_) y = module->forward(y);
  return y;
}

}  // namespace flowonnx::nn
