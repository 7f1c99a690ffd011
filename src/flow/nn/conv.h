// Convolution modules beyond Conv2d (layers.h): Conv1d and ConvTranspose2d, with torch.nn's
// parameter names, shapes and default initialisation.
#pragma once

#include "flow/nn/layers.h"

namespace flowonnx::nn {

struct Conv1dOptions {
  int64_t stride = 1, padding = 0, dilation = 1, groups = 1;
  bool bias = true;
};

// weight [out, in/groups, k] (+ bias [out]).
class Conv1d : public Module {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, Conv1dOptions options = {},
         Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Conv1d"; }
  Tensor weight, bias;
  Conv1dOptions options;
};

struct ConvTranspose2dOptions {
  Pair stride{1, 1};
  Pair padding{0, 0};
  Pair output_padding{0, 0};
  Pair dilation{1, 1};
  int64_t groups = 1;
  bool bias = true;
};

// weight [in, out/groups, kh, kw] (+ bias [out]); torch's init (fan_in from weight dim 1).
class ConvTranspose2d : public Module {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, Pair kernel_size, ConvTranspose2dOptions options = {},
                  Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ConvTranspose2d"; }
  Tensor weight, bias;
  ConvTranspose2dOptions options;
};

}  // namespace flowonnx::nn
