#include "models/blocks.h"

#include "flow/nn/activation.h"

namespace flowonnx::models {

std::shared_ptr<nn::Module> make_activation(Activation activation) {
  switch (activation) {
    case Activation::ReLU: return std::make_shared<nn::ReLU>();
    case Activation::ReLU6: return std::make_shared<nn::ReLU6>();
    case Activation::Hardswish: return std::make_shared<nn::Hardswish>();
    case Activation::None: break;
  }
  return nullptr;
}

std::shared_ptr<nn::Sequential> conv_bn_act(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups,
                                            Activation activation, Generator& gen,
                                            double bn_eps) {
  nn::Conv2dOptions options;
  options.stride = {stride, stride};
  options.padding = {(kernel - 1) / 2, (kernel - 1) / 2};
  options.groups = groups;
  options.bias = false;
  auto block = std::make_shared<nn::Sequential>();
  block->push_back(std::make_shared<nn::Conv2d>(in, out, nn::Pair{kernel, kernel}, options, gen));
  block->push_back(std::make_shared<nn::BatchNorm2d>(out, bn_eps));
  if (activation != Activation::None) block->push_back(make_activation(activation));
  return block;
}

namespace {
void init_module(nn::Module& module, double linear_std, Generator& gen) {
  if (auto* conv = dynamic_cast<nn::Conv2d*>(&module)) {
    kaiming_normal_(conv->weight, FanMode::FanOut, 0, gen);
    if (conv->bias.defined()) conv->bias.copy_from(Tensor::zeros(conv->bias.shape()));
  } else if (auto* linear = dynamic_cast<nn::Linear*>(&module); linear && linear_std > 0) {
    normal_(linear->weight, 0.0, linear_std, gen);
    if (linear->bias.defined()) linear->bias.copy_from(Tensor::zeros(linear->bias.shape()));
  }
  for (auto& [name, child] : module.named_children()) init_module(*child, linear_std, gen);
}
}  // namespace

void init_classifier_weights(nn::Module& model, double linear_std, Generator& gen) {
  init_module(model, linear_std, gen);  // norms are built with weight 1 / bias 0 already
}

}  // namespace flowonnx::models
