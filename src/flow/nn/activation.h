// Activation modules (torch.nn / oneflow.nn names): ReLU6, GELU, SiLU, Hardswish, Hardsigmoid,
// Sigmoid, Tanh, LeakyReLU, Softmax and PReLU. Each parameter-free one is the same mechanism
// (one element-wise framework op with fixed attributes); only PReLU holds a parameter.
#pragma once

#include <string>

#include "flow/nn/module.h"
#include "ir/attribute.h"

namespace flowonnx::nn {

// Runs framework op `op` on x with `attrs`; `type` is the module's type name.
class ElementwiseActivation : public Module {
 public:
  ElementwiseActivation(std::string op, std::string type, ir::Attributes attrs = {})
      : op_(std::move(op)), type_(std::move(type)), attrs_(std::move(attrs)) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return type_; }

 private:
  std::string op_, type_;
  ir::Attributes attrs_;
};

// relu6 = hardtanh(0, 6), as torch exports it (Clip).
struct ReLU6 : ElementwiseActivation {
  ReLU6() : ElementwiseActivation("hardtanh", "ReLU6", {{"min_val", 0.0}, {"max_val", 6.0}}) {}
};
// approximate "none" (erf) or "tanh" (OneFlow's fast_gelu).
struct GELU : ElementwiseActivation {
  explicit GELU(const std::string& approximate = "none")
      : ElementwiseActivation(approximate == "tanh" ? "fast_gelu" : "gelu", "GELU") {}
};
struct SiLU : ElementwiseActivation {
  SiLU() : ElementwiseActivation("silu", "SiLU") {}
};
struct Hardswish : ElementwiseActivation {
  Hardswish() : ElementwiseActivation("hardswish", "Hardswish") {}
};
struct Hardsigmoid : ElementwiseActivation {
  Hardsigmoid() : ElementwiseActivation("hardsigmoid", "Hardsigmoid") {}
};
struct Sigmoid : ElementwiseActivation {
  Sigmoid() : ElementwiseActivation("sigmoid", "Sigmoid") {}
};
struct Tanh : ElementwiseActivation {
  Tanh() : ElementwiseActivation("tanh", "Tanh") {}
};
struct LeakyReLU : ElementwiseActivation {
  explicit LeakyReLU(double negative_slope = 0.01)
      : ElementwiseActivation("leaky_relu", "LeakyReLU", {{"alpha", negative_slope}}) {}
};
struct Softmax : ElementwiseActivation {
  explicit Softmax(int64_t dim = -1) : ElementwiseActivation("softmax", "Softmax", {{"axis", dim}}) {}
};

// weight [num_parameters] initialised to `init` (torch: 0.25); 1 shares it over channels.
class PReLU : public Module {
 public:
  explicit PReLU(int64_t num_parameters = 1, double init = 0.25);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "PReLU"; }
  Tensor weight;
};

}  // namespace flowonnx::nn
