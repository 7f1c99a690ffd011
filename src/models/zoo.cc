#include "models/zoo.h"

#include <fmt/format.h>

#include "models/resnet.h"

namespace flowonnx::models {

const std::vector<ModelInfo>& model_zoo() {
  static const Shape kImage{1, 3, 224, 224};
  static const std::vector<ModelInfo> zoo = {
      {"resnet18", "ResNet-18 (BasicBlock [2,2,2,2]), 11.7M params", kImage, "ResNet18Graph", resnet18},
      {"resnet34", "ResNet-34 (BasicBlock [3,4,6,3]), 21.8M params", kImage, "ResNet34Graph", resnet34},
      {"resnet50", "ResNet-50 (Bottleneck [3,4,6,3]), 25.6M params", kImage, "ResNet50Graph", resnet50},
      {"resnet101", "ResNet-101 (Bottleneck [3,4,23,3]), 44.5M params", kImage, "ResNet101Graph", resnet101},
      {"resnet152", "ResNet-152 (Bottleneck [3,8,36,3]), 60.2M params", kImage, "ResNet152Graph", resnet152},
      {"resnext50_32x4d", "ResNeXt-50 32x4d (grouped Bottleneck), 25.0M params", kImage, "ResNeXt50Graph", resnext50_32x4d},
      {"wide_resnet50_2", "Wide ResNet-50-2 (Bottleneck, width x2), 68.9M params", kImage, "WideResNet50Graph", wide_resnet50_2},
  };
  return zoo;
}

const ModelInfo& find_model(const std::string& name) {
  std::string known;
  for (const ModelInfo& info : model_zoo()) {
    if (info.name == name) return info;
    known += (known.empty() ? "" : ", ") + info.name;
  }
  fail(ErrorCode::InvalidArgument, "unknown model '{}' (known: {})", name, known);
}

std::shared_ptr<nn::Module> create_model(const std::string& name, uint64_t seed) {
  const ModelInfo& info = find_model(name);
  Generator gen(seed);
  return info.create(gen);
}

}  // namespace flowonnx::models
