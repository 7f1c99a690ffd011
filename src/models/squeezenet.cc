// SqueezeNet 1.1 (torchvision.models.squeezenet1_1): features with Fire modules (squeeze,
// expand1x1, expand3x3, concatenated), classifier = dropout, 1x1 conv, ReLU, global pool.
#include <cmath>

#include "flow/functional.h"
#include "models/blocks.h"
#include "models/vision.h"

namespace flowonnx::models {
namespace {

std::shared_ptr<nn::Conv2d> conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad, Generator& gen) {
  nn::Conv2dOptions options;
  options.stride = {stride, stride};
  options.padding = {pad, pad};
  auto module = std::make_shared<nn::Conv2d>(in, out, nn::Pair{k, k}, options, gen);
  kaiming_uniform_(module->weight, 0, FanMode::FanIn, gen);  // torchvision: kaiming_uniform_, bias 0
  module->bias.copy_from(Tensor::zeros({out}));
  return module;
}

class Fire : public nn::Module {
 public:
  Fire(int64_t in, int64_t squeeze, int64_t expand1x1, int64_t expand3x3, Generator& gen) {
    squeeze_ = register_module("squeeze", conv(in, squeeze, 1, 1, 0, gen));
    relu_ = register_module("squeeze_activation", std::make_shared<nn::ReLU>());
    expand1x1_ = register_module("expand1x1", conv(squeeze, expand1x1, 1, 1, 0, gen));
    register_module("expand1x1_activation", relu_);
    expand3x3_ = register_module("expand3x3", conv(squeeze, expand3x3, 3, 1, 1, gen));
    register_module("expand3x3_activation", relu_);
  }
  Tensor forward(const Tensor& x) override {
    Tensor s = relu_->forward(squeeze_->forward(x));
    return functional::concat({relu_->forward(expand1x1_->forward(s)), relu_->forward(expand3x3_->forward(s))}, 1);
  }
  std::string type_name() const override { return "Fire"; }

 private:
  std::shared_ptr<nn::Conv2d> squeeze_, expand1x1_, expand3x3_;
  std::shared_ptr<nn::ReLU> relu_;
};

class SqueezeNet : public nn::Module {
 public:
  explicit SqueezeNet(Generator& gen) {
    auto pool = [] { return std::make_shared<nn::MaxPool2d>(nn::Pair{3, 3}, nn::Pair{2, 2}, nn::Pair{0, 0}, nn::Pair{1, 1}, true); };
    auto fire = [&](int64_t in, int64_t s, int64_t e) { return std::make_shared<Fire>(in, s, e, e, gen); };
    features_ = register_module("features", std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
        conv(3, 64, 3, 2, 0, gen), std::make_shared<nn::ReLU>(), pool(), fire(64, 16, 64), fire(128, 16, 64), pool(),
        fire(128, 32, 128), fire(256, 32, 128), pool(), fire(256, 48, 192), fire(384, 48, 192), fire(384, 64, 256),
        fire(512, 64, 256)}));
    auto final_conv = conv(512, 1000, 1, 1, 0, gen);
    normal_(final_conv->weight, 0.0, 0.01, gen);
    classifier_ = register_module("classifier", std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
        std::make_shared<nn::Dropout>(0.5), final_conv, std::make_shared<nn::ReLU>(),
        std::make_shared<nn::AdaptiveAvgPool2d>(nn::Pair{1, 1})}));
  }
  Tensor forward(const Tensor& x) override {
    return functional::flatten(classifier_->forward(features_->forward(x)), 1);
  }
  std::string type_name() const override { return "SqueezeNet"; }

 private:
  std::shared_ptr<nn::Sequential> features_, classifier_;
};

}  // namespace

ModulePtr squeezenet1_1(Generator& gen) { return std::make_shared<SqueezeNet>(gen); }

}  // namespace flowonnx::models
