// The ResNet family with FlowVision's (= torchvision's) structure and parameter names:
// resnet18/34/50/101/152, resnext50_32x4d, wide_resnet50_2.
#pragma once

#include <memory>

#include "flow/nn/layers.h"

namespace flowonnx::models {

struct ResNetConfig {
  bool bottleneck = false;           // BasicBlock (18/34) or Bottleneck (50+)
  std::array<int, 4> layers{2, 2, 2, 2};
  int64_t groups = 1;
  int64_t width_per_group = 64;
  int64_t num_classes = 1000;
};

class ResNet : public nn::Module {
 public:
  // Weights initialised as torchvision does (kaiming_normal fan_out for convs, BN 1/0,
  // Linear default) from `gen`, so a seed gives the same model everywhere.
  explicit ResNet(const ResNetConfig& config, Generator& gen = default_generator());
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ResNet"; }

 private:
  std::shared_ptr<nn::Sequential> make_layer(int64_t planes, int blocks, int64_t stride, Generator& gen);

  ResNetConfig config_;
  int64_t inplanes_ = 64;
  std::shared_ptr<nn::Conv2d> conv1_;
  std::shared_ptr<nn::BatchNorm2d> bn1_;
  std::shared_ptr<nn::ReLU> relu_;
  std::shared_ptr<nn::MaxPool2d> maxpool_;
  std::shared_ptr<nn::Sequential> layers_[4];
  std::shared_ptr<nn::AdaptiveAvgPool2d> avgpool_;
  std::shared_ptr<nn::Linear> fc_;
};

std::shared_ptr<ResNet> resnet18(Generator& gen = default_generator());
std::shared_ptr<ResNet> resnet34(Generator& gen = default_generator());
std::shared_ptr<ResNet> resnet50(Generator& gen = default_generator());
std::shared_ptr<ResNet> resnet101(Generator& gen = default_generator());
std::shared_ptr<ResNet> resnet152(Generator& gen = default_generator());
std::shared_ptr<ResNet> resnext50_32x4d(Generator& gen = default_generator());
std::shared_ptr<ResNet> wide_resnet50_2(Generator& gen = default_generator());

}  // namespace flowonnx::models
