// Normalisation modules beyond batch norm (layers.h): LayerNorm, GroupNorm and RMSNorm, with
// torch.nn's parameter names and initialisation (weight 1, bias 0).
#pragma once

#include <vector>

#include "flow/nn/module.h"

namespace flowonnx::nn {

// Normalises the trailing dims `normalized_shape`; weight/bias have that shape when affine.
class LayerNorm : public Module {
 public:
  explicit LayerNorm(std::vector<int64_t> normalized_shape, double eps = 1e-5, bool elementwise_affine = true);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "LayerNorm"; }
  Tensor weight, bias;
  std::vector<int64_t> normalized_shape;
  double eps;
};

// x [N, C, ...] in num_groups groups; weight/bias [C] when affine.
class GroupNorm : public Module {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "GroupNorm"; }
  Tensor weight, bias;
  int64_t num_groups;
  double eps;
};

// torch.nn.RMSNorm: x / rms(x over normalized_shape) * weight.
class RMSNorm : public Module {
 public:
  explicit RMSNorm(std::vector<int64_t> normalized_shape, double eps = 1e-6, bool elementwise_affine = true);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "RMSNorm"; }
  Tensor weight;
  std::vector<int64_t> normalized_shape;
  double eps;
};

}  // namespace flowonnx::nn
