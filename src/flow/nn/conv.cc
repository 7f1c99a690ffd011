#include "flow/nn/conv.h"

#include <cmath>

#include "flow/functional.h"
#include "flow/nn_functional.h"

namespace flowonnx::nn {

namespace F = functional;


Conv1d::Conv1d(int64_t in_channels, int64_t out_channels, int64_t kernel_size, Conv1dOptions options, Generator& gen)
    : options(options) {
  require_groups("Conv1d", in_channels, out_channels, options.groups);
  weight = register_parameter("weight", Tensor({out_channels, in_channels / options.groups, kernel_size}));
  if (options.bias) bias = register_parameter("bias", Tensor({out_channels}));
  torch_default_init(weight, bias, gen);
}

Tensor Conv1d::forward(const Tensor& x) {
  Tensor y = F::conv1d(x, weight, options.stride, options.padding, options.dilation, options.groups);
  return bias.defined() ? F::bias_add(y, bias, 1) : y;
}

ConvTranspose2d::ConvTranspose2d(int64_t in_channels, int64_t out_channels, Pair kernel_size,
                                 ConvTranspose2dOptions options, Generator& gen)
    : options(options) {
  require_groups("ConvTranspose2d", in_channels, out_channels, options.groups);
  weight = register_parameter("weight",
                              Tensor({in_channels, out_channels / options.groups, kernel_size[0], kernel_size[1]}));
  if (options.bias) bias = register_parameter("bias", Tensor({out_channels}));
  torch_default_init(weight, bias, gen);
}

Tensor ConvTranspose2d::forward(const Tensor& x) {
  Tensor y = F::deconv2d(x, weight, options.stride, options.padding, options.output_padding, options.dilation,
                         options.groups);
  return bias.defined() ? F::bias_add(y, bias, 1) : y;
}

}  // namespace flowonnx::nn
