// MobileNet v2 and v3 (torchvision.models.mobilenetv2 / mobilenetv3): inverted residual blocks
// of Conv2dNormActivation, v3 with squeeze-excitation and hardswish.
#include <vector>

#include "flow/functional.h"
#include "flow/nn/activation.h"
#include "models/blocks.h"
#include "models/vision.h"

namespace flowonnx::models {
namespace {

namespace F = functional;

// torchvision's _make_divisible: round to the nearest multiple of 8, never down by over 10%.
int64_t make_divisible(double value, int64_t divisor = 8) {
  int64_t rounded = std::max<int64_t>(divisor, static_cast<int64_t>(value + divisor / 2.0) / divisor * divisor);
  if (rounded < 0.9 * value) rounded += divisor;
  return rounded;
}

// "block" (v3) or "conv" (v2): a Sequential, with a residual add when shapes allow.
class InvertedResidual : public nn::Module {
 public:
  InvertedResidual(const std::string& name, std::shared_ptr<nn::Sequential> body, bool residual)
      : body_(register_module(name, std::move(body))), residual_(residual) {}
  Tensor forward(const Tensor& x) override {
    Tensor y = body_->forward(x);
    return residual_ ? F::add_n({x, y}) : y;
  }
  std::string type_name() const override { return "InvertedResidual"; }

 private:
  std::shared_ptr<nn::Sequential> body_;
  bool residual_;
};

class MobileNetV2 : public nn::Module {
 public:
  explicit MobileNetV2(Generator& gen) {
    features_ = register_module("features", std::make_shared<nn::Sequential>());
    features_->push_back(conv_bn_act(3, 32, 3, 2, 1, Activation::ReLU6, gen));
    const int64_t settings[7][4] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                                    {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    int64_t in = 32;
    for (const auto& [t, c, n, s] : settings)
      for (int64_t i = 0; i < n; ++i) {
        int64_t stride = i == 0 ? s : 1, hidden = in * t;
        auto body = std::make_shared<nn::Sequential>();
        if (t != 1) body->push_back(conv_bn_act(in, hidden, 1, 1, 1, Activation::ReLU6, gen));
        body->push_back(conv_bn_act(hidden, hidden, 3, stride, hidden, Activation::ReLU6, gen));
        nn::Conv2dOptions linear;
        linear.bias = false;
        body->push_back(std::make_shared<nn::Conv2d>(hidden, c, nn::Pair{1, 1}, linear, gen));
        body->push_back(std::make_shared<nn::BatchNorm2d>(c));
        features_->push_back(std::make_shared<InvertedResidual>("conv", body, stride == 1 && in == c));
        in = c;
      }
    features_->push_back(conv_bn_act(in, 1280, 1, 1, 1, Activation::ReLU6, gen));
    classifier_ = register_module("classifier", std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
        std::make_shared<nn::Dropout>(0.2), std::make_shared<nn::Linear>(1280, 1000, true, gen)}));
    init_classifier_weights(*this, 0.01, gen);
  }
  Tensor forward(const Tensor& x) override {
    return classifier_->forward(F::flatten(F::adaptive_avg_pool2d(features_->forward(x), {1, 1}), 1));
  }
  std::string type_name() const override { return "MobileNetV2"; }

 private:
  std::shared_ptr<nn::Sequential> features_, classifier_;
};

// x * hardsigmoid(fc2(relu(fc1(avgpool(x))))), torchvision.ops.SqueezeExcitation.
class SqueezeExcitation : public nn::Module {
 public:
  SqueezeExcitation(int64_t channels, int64_t squeeze, Generator& gen) {
    fc1_ = register_module("fc1", std::make_shared<nn::Conv2d>(channels, squeeze, nn::Pair{1, 1}, nn::Conv2dOptions{}, gen));
    fc2_ = register_module("fc2", std::make_shared<nn::Conv2d>(squeeze, channels, nn::Pair{1, 1}, nn::Conv2dOptions{}, gen));
    relu_ = register_module("activation", std::make_shared<nn::ReLU>());
    gate_ = register_module("scale_activation", std::make_shared<nn::Hardsigmoid>());
  }
  Tensor forward(const Tensor& x) override {
    Tensor scale = gate_->forward(fc2_->forward(relu_->forward(fc1_->forward(F::adaptive_avg_pool2d(x, {1, 1})))));
    return F::broadcast_mul(x, scale);
  }
  std::string type_name() const override { return "SqueezeExcitation"; }

 private:
  std::shared_ptr<nn::Conv2d> fc1_, fc2_;
  std::shared_ptr<nn::Module> relu_, gate_;
};

struct BlockConfig {
  int64_t in, kernel, expanded, out;
  bool se, hardswish;
  int64_t stride;
};

class MobileNetV3 : public nn::Module {
 public:
  MobileNetV3(const std::vector<BlockConfig>& blocks, int64_t last_channel, Generator& gen) {
    constexpr double kEps = 0.001;
    features_ = register_module("features", std::make_shared<nn::Sequential>());
    features_->push_back(conv_bn_act(3, blocks.front().in, 3, 2, 1, Activation::Hardswish, gen, kEps));
    for (const BlockConfig& b : blocks) {
      Activation act = b.hardswish ? Activation::Hardswish : Activation::ReLU;
      auto body = std::make_shared<nn::Sequential>();
      if (b.expanded != b.in) body->push_back(conv_bn_act(b.in, b.expanded, 1, 1, 1, act, gen, kEps));
      body->push_back(conv_bn_act(b.expanded, b.expanded, b.kernel, b.stride, b.expanded, act, gen, kEps));
      if (b.se) body->push_back(std::make_shared<SqueezeExcitation>(b.expanded, make_divisible(b.expanded / 4), gen));
      body->push_back(conv_bn_act(b.expanded, b.out, 1, 1, 1, Activation::None, gen, kEps));
      features_->push_back(std::make_shared<InvertedResidual>("block", body, b.stride == 1 && b.in == b.out));
    }
    int64_t last_in = blocks.back().out, last_out = 6 * last_in;
    features_->push_back(conv_bn_act(last_in, last_out, 1, 1, 1, Activation::Hardswish, gen, kEps));
    classifier_ = register_module("classifier", std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
        std::make_shared<nn::Linear>(last_out, last_channel, true, gen), std::make_shared<nn::Hardswish>(),
        std::make_shared<nn::Dropout>(0.2), std::make_shared<nn::Linear>(last_channel, 1000, true, gen)}));
    init_classifier_weights(*this, 0.01, gen);
  }
  Tensor forward(const Tensor& x) override {
    return classifier_->forward(F::flatten(F::adaptive_avg_pool2d(features_->forward(x), {1, 1}), 1));
  }
  std::string type_name() const override { return "MobileNetV3"; }

 private:
  std::shared_ptr<nn::Sequential> features_, classifier_;
};

}  // namespace

ModulePtr mobilenet_v2(Generator& gen) { return std::make_shared<MobileNetV2>(gen); }

ModulePtr mobilenet_v3_large(Generator& gen) {
  return std::make_shared<MobileNetV3>(
      std::vector<BlockConfig>{{16, 3, 16, 16, false, false, 1},    {16, 3, 64, 24, false, false, 2},
                               {24, 3, 72, 24, false, false, 1},    {24, 5, 72, 40, true, false, 2},
                               {40, 5, 120, 40, true, false, 1},    {40, 5, 120, 40, true, false, 1},
                               {40, 3, 240, 80, false, true, 2},    {80, 3, 200, 80, false, true, 1},
                               {80, 3, 184, 80, false, true, 1},    {80, 3, 184, 80, false, true, 1},
                               {80, 3, 480, 112, true, true, 1},    {112, 3, 672, 112, true, true, 1},
                               {112, 5, 672, 160, true, true, 2},   {160, 5, 960, 160, true, true, 1},
                               {160, 5, 960, 160, true, true, 1}},
      1280, gen);
}

ModulePtr mobilenet_v3_small(Generator& gen) {
  return std::make_shared<MobileNetV3>(
      std::vector<BlockConfig>{{16, 3, 16, 16, true, false, 2},   {16, 3, 72, 24, false, false, 2},
                               {24, 3, 88, 24, false, false, 1},  {24, 5, 96, 40, true, true, 2},
                               {40, 5, 240, 40, true, true, 1},   {40, 5, 240, 40, true, true, 1},
                               {40, 5, 120, 48, true, true, 1},   {48, 5, 144, 48, true, true, 1},
                               {48, 5, 288, 96, true, true, 2},   {96, 5, 576, 96, true, true, 1},
                               {96, 5, 576, 96, true, true, 1}},
      1024, gen);
}

}  // namespace flowonnx::models
