// Classification CNNs of the zoo beyond ResNet, with torchvision's (= FlowVision's) structure,
// parameter names and initialisation: VGG, AlexNet, SqueezeNet, MobileNet v2/v3, DenseNet and
// ShuffleNet v2, and EfficientNet-Lite0 (named like efficientnet_pytorch). Every factory takes the
// generator its weights are drawn from.
#pragma once

#include <memory>

#include "flow/nn/module.h"
#include "tensor/random.h"

namespace flowonnx::models {

using ModulePtr = std::shared_ptr<nn::Module>;

ModulePtr vgg11(Generator& gen = default_generator());
ModulePtr vgg13(Generator& gen = default_generator());
ModulePtr vgg16(Generator& gen = default_generator());
ModulePtr vgg19(Generator& gen = default_generator());
ModulePtr vgg11_bn(Generator& gen = default_generator());
ModulePtr vgg13_bn(Generator& gen = default_generator());
ModulePtr vgg16_bn(Generator& gen = default_generator());
ModulePtr vgg19_bn(Generator& gen = default_generator());
ModulePtr alexnet(Generator& gen = default_generator());
ModulePtr squeezenet1_1(Generator& gen = default_generator());
ModulePtr mobilenet_v2(Generator& gen = default_generator());
ModulePtr mobilenet_v3_large(Generator& gen = default_generator());
ModulePtr mobilenet_v3_small(Generator& gen = default_generator());
ModulePtr densenet121(Generator& gen = default_generator());
ModulePtr shufflenet_v2_x1_0(Generator& gen = default_generator());
// EfficientNet-Lite0 in efficientnet_pytorch's parameter names (efficientnet.cc).
ModulePtr efficientnet_lite0(Generator& gen = default_generator());

}  // namespace flowonnx::models
