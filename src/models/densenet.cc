// DenseNet-121 (torchvision.models.densenet121): features.{conv0, norm0, relu0, pool0,
// denseblockK.denselayerJ.{norm1, relu1, conv1, norm2, relu2, conv2}, transitionK, norm5},
// classifier. Each dense layer sees the concatenation of every earlier feature map.
#include <vector>

#include "flow/functional.h"
#include "models/blocks.h"
#include "models/vision.h"

namespace flowonnx::models {
namespace {

namespace F = functional;

std::shared_ptr<nn::Conv2d> conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad, Generator& gen) {
  nn::Conv2dOptions options;
  options.stride = {stride, stride};
  options.padding = {pad, pad};
  options.bias = false;
  return std::make_shared<nn::Conv2d>(in, out, nn::Pair{k, k}, options, gen);
}

class DenseBlock : public nn::Module {
 public:
  DenseBlock(int layers, int64_t in, int64_t bn_size, int64_t growth, Generator& gen) {
    for (int i = 0; i < layers; ++i) {
      auto layer = std::make_shared<nn::Sequential>();
      int64_t channels = in + i * growth;
      layer->push_back("norm1", std::make_shared<nn::BatchNorm2d>(channels));
      layer->push_back("relu1", std::make_shared<nn::ReLU>());
      layer->push_back("conv1", conv(channels, bn_size * growth, 1, 1, 0, gen));
      layer->push_back("norm2", std::make_shared<nn::BatchNorm2d>(bn_size * growth));
      layer->push_back("relu2", std::make_shared<nn::ReLU>());
      layer->push_back("conv2", conv(bn_size * growth, growth, 3, 1, 1, gen));
      layers_.push_back(register_module("denselayer" + std::to_string(i + 1), layer));
    }
  }
  Tensor forward(const Tensor& x) override {
    std::vector<Tensor> features{x};
    for (auto& layer : layers_) features.push_back(layer->forward(F::concat(features, 1)));
    return F::concat(features, 1);
  }
  std::string type_name() const override { return "DenseBlock"; }

 private:
  std::vector<std::shared_ptr<nn::Sequential>> layers_;
};

class DenseNet : public nn::Module {
 public:
  DenseNet(int64_t growth, std::vector<int> blocks, int64_t init_features, Generator& gen) {
    features_ = register_module("features", std::make_shared<nn::Sequential>());
    features_->push_back("conv0", conv(3, init_features, 7, 2, 3, gen));
    features_->push_back("norm0", std::make_shared<nn::BatchNorm2d>(init_features));
    features_->push_back("relu0", std::make_shared<nn::ReLU>());
    features_->push_back("pool0", std::make_shared<nn::MaxPool2d>(nn::Pair{3, 3}, nn::Pair{2, 2}, nn::Pair{1, 1}));
    int64_t channels = init_features;
    for (size_t i = 0; i < blocks.size(); ++i) {
      features_->push_back("denseblock" + std::to_string(i + 1),
                           std::make_shared<DenseBlock>(blocks[i], channels, 4, growth, gen));
      channels += blocks[i] * growth;
      if (i + 1 == blocks.size()) break;
      auto transition = std::make_shared<nn::Sequential>();
      transition->push_back("norm", std::make_shared<nn::BatchNorm2d>(channels));
      transition->push_back("relu", std::make_shared<nn::ReLU>());
      transition->push_back("conv", conv(channels, channels / 2, 1, 1, 0, gen));
      transition->push_back("pool", std::make_shared<nn::AvgPool2d>(nn::Pair{2, 2}));
      features_->push_back("transition" + std::to_string(i + 1), transition);
      channels /= 2;
    }
    features_->push_back("norm5", std::make_shared<nn::BatchNorm2d>(channels));
    classifier_ = register_module("classifier", std::make_shared<nn::Linear>(channels, 1000, true, gen));
    init_classifier_weights(*this, 0, gen);
    classifier_->bias.copy_from(Tensor::zeros({1000}));
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = F::relu(features_->forward(x));
    return classifier_->forward(F::flatten(F::adaptive_avg_pool2d(y, {1, 1}), 1));
  }
  std::string type_name() const override { return "DenseNet"; }

 private:
  std::shared_ptr<nn::Sequential> features_;
  std::shared_ptr<nn::Linear> classifier_;
};

}  // namespace

ModulePtr densenet121(Generator& gen) { return std::make_shared<DenseNet>(32, std::vector<int>{6, 12, 24, 16}, 64, gen); }

}  // namespace flowonnx::models
