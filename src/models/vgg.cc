// VGG 11/13/16/19 with and without batch norm (torchvision.models.vgg): features.N,
// avgpool (7x7 adaptive), classifier.{0,3,6}.
#include <vector>

#include "flow/functional.h"
#include "models/blocks.h"
#include "models/vision.h"

namespace flowonnx::models {
namespace {

constexpr int64_t kPool = -1;  // "M" in torchvision's cfgs

class VGG : public nn::Module {
 public:
  VGG(const std::vector<int64_t>& cfg, bool batch_norm, Generator& gen) {
    features_ = register_module("features", std::make_shared<nn::Sequential>());
    int64_t channels = 3;
    for (int64_t v : cfg) {
      if (v == kPool) {
        features_->push_back(std::make_shared<nn::MaxPool2d>(nn::Pair{2, 2}, nn::Pair{2, 2}));
        continue;
      }
      nn::Conv2dOptions options;
      options.padding = {1, 1};
      features_->push_back(std::make_shared<nn::Conv2d>(channels, v, nn::Pair{3, 3}, options, gen));
      if (batch_norm) features_->push_back(std::make_shared<nn::BatchNorm2d>(v));
      features_->push_back(std::make_shared<nn::ReLU>());
      channels = v;
    }
    avgpool_ = register_module("avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(nn::Pair{7, 7}));
    classifier_ = register_module("classifier", std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
        std::make_shared<nn::Linear>(512 * 7 * 7, 4096, true, gen), std::make_shared<nn::ReLU>(),
        std::make_shared<nn::Dropout>(0.5), std::make_shared<nn::Linear>(4096, 4096, true, gen),
        std::make_shared<nn::ReLU>(), std::make_shared<nn::Dropout>(0.5),
        std::make_shared<nn::Linear>(4096, 1000, true, gen)}));
    init_classifier_weights(*this, 0.01, gen);
  }
  Tensor forward(const Tensor& x) override {
    return classifier_->forward(functional::flatten(avgpool_->forward(features_->forward(x)), 1));
  }
  std::string type_name() const override { return "VGG"; }

 private:
  std::shared_ptr<nn::Sequential> features_, classifier_;
  std::shared_ptr<nn::AdaptiveAvgPool2d> avgpool_;
};

const std::vector<int64_t> kCfgA{64, kPool, 128, kPool, 256, 256, kPool, 512, 512, kPool, 512, 512, kPool};
const std::vector<int64_t> kCfgB{64, 64, kPool, 128, 128, kPool, 256, 256, kPool, 512, 512, kPool, 512, 512, kPool};
const std::vector<int64_t> kCfgD{64,  64,  kPool, 128, 128, kPool, 256, 256, 256,  kPool,
                                 512, 512, 512,   kPool, 512, 512, 512, kPool};
const std::vector<int64_t> kCfgE{64,  64,  kPool, 128, 128, kPool, 256, 256, 256, 256, kPool,
                                 512, 512, 512,   512, kPool, 512, 512, 512, 512, kPool};

}  // namespace

ModulePtr vgg11(Generator& gen) { return std::make_shared<VGG>(kCfgA, false, gen); }
ModulePtr vgg13(Generator& gen) { return std::make_shared<VGG>(kCfgB, false, gen); }
ModulePtr vgg16(Generator& gen) { return std::make_shared<VGG>(kCfgD, false, gen); }
ModulePtr vgg19(Generator& gen) { return std::make_shared<VGG>(kCfgE, false, gen); }
ModulePtr vgg11_bn(Generator& gen) { return std::make_shared<VGG>(kCfgA, true, gen); }
ModulePtr vgg13_bn(Generator& gen) { return std::make_shared<VGG>(kCfgB, true, gen); }
ModulePtr vgg16_bn(Generator& gen) { return std::make_shared<VGG>(kCfgD, true, gen); }
ModulePtr vgg19_bn(Generator& gen) { return std::make_shared<VGG>(kCfgE, true, gen); }

}  // namespace flowonnx::models
