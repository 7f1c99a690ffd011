#include "models/resnet.h"

#include "flow/functional.h"

namespace flowonnx::models {
namespace {

using nn::BatchNorm2d;
using nn::Conv2d;
using nn::Conv2dOptions;

std::shared_ptr<Conv2d> conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups,
                             Generator& gen) {
  Conv2dOptions options;
  options.stride = {stride, stride};
  options.padding = {kernel / 2, kernel / 2};
  options.groups = groups;
  options.bias = false;
  auto module = std::make_shared<Conv2d>(in, out, nn::Pair{kernel, kernel}, options, gen);
  kaiming_normal_(module->weight, FanMode::FanOut, 0, gen);
  return module;
}

// One residual block; BasicBlock has conv1/conv2 (3x3), Bottleneck conv1 (1x1), conv2 (3x3,
// grouped), conv3 (1x1, expansion 4). The stride sits on the 3x3 conv (torchvision v1.5).
class Block : public nn::Module {
 public:
  Block(bool bottleneck, int64_t inplanes, int64_t planes, int64_t stride, int64_t groups,
        int64_t base_width, std::shared_ptr<nn::Module> downsample, Generator& gen)
      : downsample_(downsample) {
    if (!bottleneck) {
      convs_.push_back(register_module("conv1", conv(inplanes, planes, 3, stride, 1, gen)));
      bns_.push_back(register_module("bn1", std::make_shared<BatchNorm2d>(planes)));
      convs_.push_back(register_module("conv2", conv(planes, planes, 3, 1, 1, gen)));
      bns_.push_back(register_module("bn2", std::make_shared<BatchNorm2d>(planes)));
    } else {
      int64_t width = planes * base_width / 64 * groups;
      convs_.push_back(register_module("conv1", conv(inplanes, width, 1, 1, 1, gen)));
      bns_.push_back(register_module("bn1", std::make_shared<BatchNorm2d>(width)));
      convs_.push_back(register_module("conv2", conv(width, width, 3, stride, groups, gen)));
      bns_.push_back(register_module("bn2", std::make_shared<BatchNorm2d>(width)));
      convs_.push_back(register_module("conv3", conv(width, planes * 4, 1, 1, 1, gen)));
      bns_.push_back(register_module("bn3", std::make_shared<BatchNorm2d>(planes * 4)));
    }
    relu_ = register_module("relu", std::make_shared<nn::ReLU>());
    if (downsample_) register_module("downsample", downsample_);
  }

  Tensor forward(const Tensor& x) override {
    Tensor out = x;
    for (size_t i = 0; i < convs_.size(); ++i) {
      out = bns_[i]->forward(convs_[i]->forward(out));
      if (i + 1 < convs_.size()) out = relu_->forward(out);
    }
    Tensor identity = downsample_ ? downsample_->forward(x) : x;
    return relu_->forward(functional::add_n({out, identity}));
  }
  std::string type_name() const override { return "Block"; }

 private:
  std::vector<std::shared_ptr<Conv2d>> convs_;
  std::vector<std::shared_ptr<BatchNorm2d>> bns_;
  std::shared_ptr<nn::ReLU> relu_;
  std::shared_ptr<nn::Module> downsample_;
};

}  // namespace

ResNet::ResNet(const ResNetConfig& config, Generator& gen) : config_(config) {
  conv1_ = register_module("conv1", conv(3, 64, 7, 2, 1, gen));
  bn1_ = register_module("bn1", std::make_shared<BatchNorm2d>(64));
  relu_ = register_module("relu", std::make_shared<nn::ReLU>());
  maxpool_ = register_module("maxpool", std::make_shared<nn::MaxPool2d>(nn::Pair{3, 3}, nn::Pair{2, 2}, nn::Pair{1, 1}));
  const int64_t planes[4] = {64, 128, 256, 512};
  for (int i = 0; i < 4; ++i)
    layers_[i] = register_module("layer" + std::to_string(i + 1),
                                 make_layer(planes[i], config.layers[i], i == 0 ? 1 : 2, gen));
  avgpool_ = register_module("avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(nn::Pair{1, 1}));
  int64_t expansion = config.bottleneck ? 4 : 1;
  fc_ = register_module("fc", std::make_shared<nn::Linear>(512 * expansion, config.num_classes, true, gen));
}

std::shared_ptr<nn::Sequential> ResNet::make_layer(int64_t planes, int blocks, int64_t stride, Generator& gen) {
  int64_t expansion = config_.bottleneck ? 4 : 1;
  std::shared_ptr<nn::Module> downsample;
  if (stride != 1 || inplanes_ != planes * expansion) {
    downsample = std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
        conv(inplanes_, planes * expansion, 1, stride, 1, gen),
        std::make_shared<BatchNorm2d>(planes * expansion)});
  }
  auto layer = std::make_shared<nn::Sequential>();
  for (int i = 0; i < blocks; ++i) {
    layer->push_back(std::make_shared<Block>(config_.bottleneck, inplanes_, planes, i == 0 ? stride : 1,
                                             config_.groups, config_.width_per_group,
                                             i == 0 ? downsample : nullptr, gen));
    inplanes_ = planes * expansion;
  }
  return layer;
}

Tensor ResNet::forward(const Tensor& x) {
  Tensor y = maxpool_->forward(relu_->forward(bn1_->forward(conv1_->forward(x))));
  for (auto& layer : layers_) y = layer->forward(y);
  y = functional::flatten(avgpool_->forward(y), 1);
  return fc_->forward(y);
}

namespace {
std::shared_ptr<ResNet> make(bool bottleneck, std::array<int, 4> layers, int64_t groups,
                             int64_t width_per_group, Generator& gen) {
  ResNetConfig config;
  config.bottleneck = bottleneck;
  config.layers = layers;
  config.groups = groups;
  config.width_per_group = width_per_group;
  return std::make_shared<ResNet>(config, gen);
}
}  // namespace

std::shared_ptr<ResNet> resnet18(Generator& gen) { return make(false, {2, 2, 2, 2}, 1, 64, gen); }
std::shared_ptr<ResNet> resnet34(Generator& gen) { return make(false, {3, 4, 6, 3}, 1, 64, gen); }
std::shared_ptr<ResNet> resnet50(Generator& gen) { return make(true, {3, 4, 6, 3}, 1, 64, gen); }
std::shared_ptr<ResNet> resnet101(Generator& gen) { return make(true, {3, 4, 23, 3}, 1, 64, gen); }
std::shared_ptr<ResNet> resnet152(Generator& gen) { return make(true, {3, 8, 36, 3}, 1, 64, gen); }
std::shared_ptr<ResNet> resnext50_32x4d(Generator& gen) { return make(true, {3, 4, 6, 3}, 32, 4, gen); }
std::shared_ptr<ResNet> wide_resnet50_2(Generator& gen) { return make(true, {3, 4, 6, 3}, 1, 128, gen); }

}  // namespace flowonnx::models
