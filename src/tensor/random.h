// Seeded random tensors. The generator and the distributions are our own (mt19937_64 bits,
// Box-Muller normals) so a seed gives the same numbers with every standard library.
#pragma once

#include <cstdint>
#include <random>

#include "tensor/tensor.h"

namespace flowonnx {

class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : engine_(seed) {}
  void seed(uint64_t seed) { engine_.seed(seed); has_spare_ = false; }
  double uniform();  // [0, 1)
  double normal();   // N(0, 1)

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

// The process-wide generator used when none is passed (like flow.manual_seed).
Generator& default_generator();
void manual_seed(uint64_t seed);

Tensor randn(const Shape& shape, Generator& gen = default_generator(), DType dtype = DType::Float32);
Tensor rand_uniform(const Shape& shape, double low, double high,
                    Generator& gen = default_generator(), DType dtype = DType::Float32);

// In-place initialisers with torch.nn.init semantics. fan_in/fan_out of a weight [out, in, k...]
// are in*prod(k) and out*prod(k).
enum class FanMode { FanIn, FanOut };
void normal_(Tensor& tensor, double mean, double std, Generator& gen = default_generator());
void uniform_(Tensor& tensor, double low, double high, Generator& gen = default_generator());
void kaiming_normal_(Tensor& weight, FanMode mode = FanMode::FanIn, double negative_slope = 0,
                     Generator& gen = default_generator());
void kaiming_uniform_(Tensor& weight, double negative_slope = 0, FanMode mode = FanMode::FanIn,
                      Generator& gen = default_generator());
int64_t fan(const Tensor& weight, FanMode mode);

}  // namespace flowonnx
