#include "models/zoo.h"

#include <fmt/format.h>

#include <cmath>
#include <span>

#include "models/resnet.h"
#include "models/transformer.h"
#include "models/vision.h"

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
      {"vgg11", "VGG-11, 132.9M params", kImage, "VGG11Graph", vgg11},
      {"vgg13", "VGG-13, 133.0M params", kImage, "VGG13Graph", vgg13},
      {"vgg16", "VGG-16, 138.4M params", kImage, "VGG16Graph", vgg16},
      {"vgg19", "VGG-19, 143.7M params", kImage, "VGG19Graph", vgg19},
      {"vgg11_bn", "VGG-11 with batch norm, 132.9M params", kImage, "VGG11BNGraph", vgg11_bn},
      {"vgg13_bn", "VGG-13 with batch norm, 133.1M params", kImage, "VGG13BNGraph", vgg13_bn},
      {"vgg16_bn", "VGG-16 with batch norm, 138.4M params", kImage, "VGG16BNGraph", vgg16_bn},
      {"vgg19_bn", "VGG-19 with batch norm, 143.7M params", kImage, "VGG19BNGraph", vgg19_bn},
      {"alexnet", "AlexNet, 61.1M params", kImage, "AlexNetGraph", alexnet},
      {"squeezenet1_1", "SqueezeNet 1.1 (Fire modules), 1.2M params", kImage, "SqueezeNetGraph", squeezenet1_1},
      {"mobilenet_v2", "MobileNet v2 (inverted residuals, ReLU6), 3.5M params", kImage, "MobileNetV2Graph", mobilenet_v2},
      {"mobilenet_v3_large", "MobileNet v3 large (SE, hardswish), 5.5M params", kImage, "MobileNetV3Graph", mobilenet_v3_large},
      {"mobilenet_v3_small", "MobileNet v3 small (SE, hardswish), 2.5M params", kImage, "MobileNetV3Graph", mobilenet_v3_small},
      {"densenet121", "DenseNet-121 (growth 32, blocks 6/12/24/16), 8.0M params", kImage, "DenseNet121Graph", densenet121},
      {"shufflenet_v2_x1_0", "ShuffleNet v2 x1.0 (channel split/shuffle), 2.3M params", kImage, "ShuffleNetV2Graph", shufflenet_v2_x1_0},
      {"efficientnet_lite0", "EfficientNet-Lite0 (MBConv, ReLU6, TF SAME padding; efficientnet_pytorch names), 4.7M params", kImage,
       "EfficientNetLite0Graph", efficientnet_lite0},
      {"vit_tiny", "ViT-Tiny/16 (timm vit_tiny_patch16_224: dim 192, depth 12, 3 heads), 5.7M params", kImage, "ViTTinyGraph", vit_tiny},
      {"vit_micro", "ViT for tests (image 32, patch 8, dim 64, depth 2, 2 heads, 10 classes), 0.1M params", Shape{1, 3, 32, 32},
       "ViTMicroGraph", vit_micro},
      {"bert_tiny", "BERT encoder (2 layers, hidden 128, 2 heads, 128 positions, vocab 1000), int64 token ids, 0.6M params",
       Shape{1, 16}, "BertTinyGraph", bert_tiny, DType::Int64, BertConfig{}.vocab_size, {1}},
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

Tensor sample_input(const ModelInfo& info, const Shape& shape, Generator& gen) {
  if (info.input_dtype == DType::Float32) return randn(shape, gen);
  FLOWONNX_REQUIRE(info.input_index_bound > 0, "model '{}': {} inputs need an index bound", info.name,
                   dtype_name(info.input_dtype));
  Tensor ids(shape, DType::Float64);
  uniform_(ids, 0.0, static_cast<double>(info.input_index_bound), gen);
  for (double& value : std::span(ids.data<double>(), static_cast<size_t>(ids.num_elements()))) value = std::floor(value);
  return ids.to(info.input_dtype);
}

std::shared_ptr<nn::Module> create_model(const std::string& name, uint64_t seed) {
  const ModelInfo& info = find_model(name);
  Generator gen(seed);
  return info.create(gen);
}

void set_batch_norm_like_trained(nn::Module& model, uint64_t seed, double scale) {
  Generator gen(seed);
  StateDict state = model.state_dict();
  for (auto& [key, tensor] : state) {
    // A batch norm's tensors are the ones beside a running_mean.
    std::string layer = key.substr(0, key.rfind('.') + 1);
    if (tensor.rank() != 1 || tensor.dtype() != DType::Float32 || !state.count(layer + "running_mean")) continue;
    bool branch_end = key.ends_with("bn2.weight") || key.ends_with("bn3.weight");
    Tensor values = tensor;  // shares storage: fills the model's tensor
    if (key.ends_with("running_var")) uniform_(values, 0.5, 1.5, gen);
    else if (branch_end) uniform_(values, 0.1 * scale, 0.3 * scale, gen);
    else if (key.ends_with(".weight")) uniform_(values, 0.5 * scale, 1.5 * scale, gen);
    else uniform_(values, -0.1, 0.1, gen);
  }
}

std::shared_ptr<nn::Module> create_seeded_model(const std::string& name, uint64_t seed) {
  auto model = create_model(name, seed);
  set_batch_norm_like_trained(*model, seed);
  return model;
}

}  // namespace flowonnx::models
