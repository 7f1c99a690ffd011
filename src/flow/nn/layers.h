// The nn modules of the ResNet family: Conv2d, BatchNorm1d/2d, ReLU, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d,
// Linear, Flatten, Dropout, Identity, Sequential. Parameter names and default initialisation
// follow torch.nn / oneflow.nn so checkpoints and seeded weights line up.
#pragma once

#include <array>
#include <string>
#include <memory>
#include <vector>

#include "flow/nn/module.h"
#include "tensor/random.h"

namespace flowonnx::nn {

using Pair = std::array<int64_t, 2>;

// torch's default initialisation of Conv*/Linear: kaiming_uniform_(a=sqrt(5)) on the weight,
// bias (if defined) uniform in +-1/sqrt(fan_in).
void torch_default_init(Tensor& weight, Tensor& bias, Generator& gen);
// Throws InvalidArgument naming `module` unless groups > 0 divides both channel counts.
void require_groups(const char* module, int64_t in_channels, int64_t out_channels, int64_t groups);

struct Conv2dOptions {
  Pair stride{1, 1};
  Pair padding{0, 0};
  Pair dilation{1, 1};
  int64_t groups = 1;
  bool bias = true;
};

// weight [out, in/groups, kh, kw] (+ bias [out]); kaiming_uniform(a=sqrt(5)) init like torch.
class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, Pair kernel_size, Conv2dOptions options = {},
         Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Conv2d"; }
  Tensor weight, bias;  // bias undefined when options.bias is false
  Conv2dOptions options;
};

// weight=1, bias=0, running_mean=0, running_var=1, num_batches_tracked=0 (int64).
// Training mode normalises with batch statistics and updates the running ones. One class for
// every input rank; BatchNorm1d/2d only fix which ranks they accept and their type name.
class BatchNorm : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return type_; }
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;
  double eps, momentum;

 protected:
  BatchNorm(std::string type, std::vector<int> ranks, int64_t num_features, double eps, double momentum);

 private:
  std::string type_;
  std::vector<int> ranks_;
};

// [N, C, H, W]
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1)
      : BatchNorm("BatchNorm2d", {4}, num_features, eps, momentum) {}
};

// [N, C] or [N, C, L]
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5, double momentum = 0.1)
      : BatchNorm("BatchNorm1d", {2, 3}, num_features, eps, momentum) {}
};

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ReLU"; }
};

class MaxPool2d : public Module {
 public:
  MaxPool2d(Pair kernel_size, Pair stride, Pair padding = {0, 0}, Pair dilation = {1, 1},
            bool ceil_mode = false);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "MaxPool2d"; }
  Pair kernel_size, stride, padding, dilation;
  bool ceil_mode;
};

// stride defaults to the kernel size (torch); count_include_pad as torch (true).
class AvgPool2d : public Module {
 public:
  AvgPool2d(Pair kernel_size, Pair stride = {0, 0}, Pair padding = {0, 0}, bool ceil_mode = false,
            bool count_include_pad = true);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AvgPool2d"; }
  Pair kernel_size, stride, padding;
  bool ceil_mode, count_include_pad;
};

class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Pair output_size) : output_size(output_size) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AdaptiveAvgPool2d"; }
  Pair output_size;
};

// y = x W^T + b, weight [out, in]; kaiming_uniform(a=sqrt(5)) / uniform(+-1/sqrt(in)) init.
class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true,
         Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Linear"; }
  Tensor weight, bias;
};

class Flatten : public Module {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Flatten"; }
  int64_t start_dim, end_dim;
};

// Identity in eval mode (and so absent from traced graphs); in training mode it zeroes
// elements with probability p and scales the rest by 1/(1-p).
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Dropout"; }
  double p;

 private:
  Generator* gen_;
};

class Identity : public Module {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string type_name() const override { return "Identity"; }
};

// Children run in order, named "0", "1", ... or by the name given (torchvision's OrderedDict
// containers, e.g. DenseNet's "features.denseblock1").
class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(std::vector<std::shared_ptr<Module>> modules);
  void push_back(std::shared_ptr<Module> module);
  void push_back(const std::string& name, std::shared_ptr<Module> module);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Sequential"; }
  size_t size() const { return modules_.size(); }

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

}  // namespace flowonnx::nn
