#include "tensor/random.h"

#include <cmath>

namespace flowonnx {

double Generator::uniform() {
  // 53 random bits -> [0, 1) exactly representable.
  return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0);
}

double Generator::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = 0;
  while (u1 <= 0) u1 = uniform();
  double u2 = uniform();
  double radius = std::sqrt(-2.0 * std::log(u1));
  double angle = 2.0 * M_PI * u2;
  spare_ = radius * std::sin(angle);
  has_spare_ = true;
  return radius * std::cos(angle);
}

Generator& default_generator() {
  static Generator generator(0);
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().seed(seed); }

namespace {
// Fills a tensor of any dtype from a double-valued sampler.
template <typename Sampler>
void fill(Tensor& tensor, Sampler&& sample) {
  Tensor values(tensor.shape(), DType::Float64);
  double* out = values.data<double>();
  for (int64_t i = 0, n = values.num_elements(); i < n; ++i) out[i] = sample();
  tensor.copy_from(values);
}
}  // namespace

void normal_(Tensor& tensor, double mean, double std, Generator& gen) {
  fill(tensor, [&] { return mean + std * gen.normal(); });
}

void uniform_(Tensor& tensor, double low, double high, Generator& gen) {
  fill(tensor, [&] { return low + (high - low) * gen.uniform(); });
}

Tensor randn(const Shape& shape, Generator& gen, DType dtype) {
  Tensor tensor(shape, dtype);
  normal_(tensor, 0, 1, gen);
  return tensor;
}

Tensor rand_uniform(const Shape& shape, double low, double high, Generator& gen, DType dtype) {
  Tensor tensor(shape, dtype);
  uniform_(tensor, low, high, gen);
  return tensor;
}

int64_t fan(const Tensor& weight, FanMode mode) {
  FLOWONNX_REQUIRE(weight.rank() >= 2, "fan of a weight needs rank >= 2, got {}", weight.describe());
  int64_t receptive = 1;
  for (int i = 2; i < weight.rank(); ++i) receptive *= weight.dim(i);
  return (mode == FanMode::FanIn ? weight.dim(1) : weight.dim(0)) * receptive;
}

void kaiming_normal_(Tensor& weight, FanMode mode, double negative_slope, Generator& gen) {
  double gain = std::sqrt(2.0 / (1 + negative_slope * negative_slope));
  normal_(weight, 0, gain / std::sqrt(static_cast<double>(fan(weight, mode))), gen);
}

void kaiming_uniform_(Tensor& weight, double negative_slope, FanMode mode, Generator& gen) {
  double gain = std::sqrt(2.0 / (1 + negative_slope * negative_slope));
  double bound = gain * std::sqrt(3.0 / static_cast<double>(fan(weight, mode)));
  uniform_(weight, -bound, bound, gen);
}

}  // namespace flowonnx
