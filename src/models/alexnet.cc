// AlexNet (torchvision.models.alexnet, the one-GPU variant): features.{0,3,6,8,10},
// avgpool (6x6 adaptive), classifier.{1,4,6}.
#include "flow/functional.h"
#include "models/blocks.h"
#include "models/vision.h"

namespace flowonnx::models {
namespace {

class AlexNet : public nn::Module {
 public:
  explicit AlexNet(Generator& gen) {
    auto conv = [&](int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad) {
      nn::Conv2dOptions options;
      options.stride = {stride, stride};
      options.padding = {pad, pad};
      return std::make_shared<nn::Conv2d>(in, out, nn::Pair{k, k}, options, gen);
    };
    auto relu = [] { return std::make_shared<nn::ReLU>(); };
    auto pool = [] { return std::make_shared<nn::MaxPool2d>(nn::Pair{3, 3}, nn::Pair{2, 2}); };
    features_ = register_module("features", std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
        conv(3, 64, 11, 4, 2), relu(), pool(), conv(64, 192, 5, 1, 2), relu(), pool(), conv(192, 384, 3, 1, 1),
        relu(), conv(384, 256, 3, 1, 1), relu(), conv(256, 256, 3, 1, 1), relu(), pool()}));
    avgpool_ = register_module("avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(nn::Pair{6, 6}));
    classifier_ = register_module("classifier", std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
        std::make_shared<nn::Dropout>(0.5), std::make_shared<nn::Linear>(256 * 6 * 6, 4096, true, gen), relu(),
        std::make_shared<nn::Dropout>(0.5), std::make_shared<nn::Linear>(4096, 4096, true, gen), relu(),
        std::make_shared<nn::Linear>(4096, 1000, true, gen)}));
  }
  Tensor forward(const Tensor& x) override {
    return classifier_->forward(functional::flatten(avgpool_->forward(features_->forward(x)), 1));
  }
  std::string type_name() const override { return "AlexNet"; }

 private:
  std::shared_ptr<nn::Sequential> features_, classifier_;
  std::shared_ptr<nn::AdaptiveAvgPool2d> avgpool_;
};

}  // namespace

ModulePtr alexnet(Generator& gen) { return std::make_shared<AlexNet>(gen); }

}  // namespace flowonnx::models
