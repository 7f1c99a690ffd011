// ShuffleNet v2 x1.0 (torchvision.models.shufflenet_v2_x1_0): conv1, maxpool, stage2..4 of
// InvertedResidual (branch1 / branch2, channel split and shuffle), conv5, fc.
#include <vector>

#include "flow/dispatch.h"
#include "flow/functional.h"
#include "models/blocks.h"
#include "models/vision.h"

namespace flowonnx::models {
namespace {

namespace F = functional;

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  return flow::call_op("narrow", {x}, {{"dim", dim}, {"start", start}, {"length", length}})[0];
}

// [B, C, H, W] -> [B, 2, C/2, H, W] -> swap 1 and 2 -> [B, C, H, W].
Tensor channel_shuffle(const Tensor& x) {
  int64_t b = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
  Tensor grouped = F::transpose(F::reshape(x, {b, 2, c / 2, h, w}), {0, 2, 1, 3, 4});
  return F::reshape(grouped, {b, c, h, w});
}

class ShuffleBlock : public nn::Module {
 public:
  ShuffleBlock(int64_t in, int64_t out, int64_t stride, Generator& gen) : stride_(stride) {
    int64_t branch = out / 2;
    if (stride > 1) {
      auto b1 = std::make_shared<nn::Sequential>();
      auto dw = conv_bn_act(in, in, 3, stride, in, Activation::None, gen);
      for (auto& [name, child] : dw->named_children()) b1->push_back(child);
      auto pw = conv_bn_act(in, branch, 1, 1, 1, Activation::ReLU, gen);
      for (auto& [name, child] : pw->named_children()) b1->push_back(child);
      branch1_ = register_module("branch1", b1);
    }
    auto b2 = std::make_shared<nn::Sequential>();
    for (auto part : {conv_bn_act(stride > 1 ? in : branch, branch, 1, 1, 1, Activation::ReLU, gen),
                      conv_bn_act(branch, branch, 3, stride, branch, Activation::None, gen),
                      conv_bn_act(branch, branch, 1, 1, 1, Activation::ReLU, gen)})
      for (auto& [name, child] : part->named_children()) b2->push_back(child);
    branch2_ = register_module("branch2", b2);
  }
  Tensor forward(const Tensor& x) override {
    Tensor out;
    if (stride_ == 1) {
      int64_t half = x.dim(1) / 2;
      out = F::concat({narrow(x, 1, 0, half), branch2_->forward(narrow(x, 1, half, half))}, 1);
    } else {
      out = F::concat({branch1_->forward(x), branch2_->forward(x)}, 1);
    }
    return channel_shuffle(out);
  }
  std::string type_name() const override { return "InvertedResidual"; }

 private:
  int64_t stride_;
  std::shared_ptr<nn::Sequential> branch1_, branch2_;
};

class ShuffleNetV2 : public nn::Module {
 public:
  ShuffleNetV2(std::vector<int> repeats, std::vector<int64_t> channels, Generator& gen) {
    conv1_ = register_module("conv1", conv_bn_act(3, channels[0], 3, 2, 1, Activation::ReLU, gen));
    maxpool_ = register_module("maxpool", std::make_shared<nn::MaxPool2d>(nn::Pair{3, 3}, nn::Pair{2, 2}, nn::Pair{1, 1}));
    int64_t in = channels[0];
    for (size_t s = 0; s < repeats.size(); ++s) {
      auto stage = std::make_shared<nn::Sequential>();
      for (int i = 0; i < repeats[s]; ++i) stage->push_back(std::make_shared<ShuffleBlock>(i == 0 ? in : channels[s + 1], channels[s + 1], i == 0 ? 2 : 1, gen));
      stages_.push_back(register_module("stage" + std::to_string(s + 2), stage));
      in = channels[s + 1];
    }
    conv5_ = register_module("conv5", conv_bn_act(in, channels.back(), 1, 1, 1, Activation::ReLU, gen));
    fc_ = register_module("fc", std::make_shared<nn::Linear>(channels.back(), 1000, true, gen));
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = maxpool_->forward(conv1_->forward(x));
    for (auto& stage : stages_) y = stage->forward(y);
    y = F::flatten(F::adaptive_avg_pool2d(conv5_->forward(y), {1, 1}), 1);  // x.mean([2, 3])
    return fc_->forward(y);
  }
  std::string type_name() const override { return "ShuffleNetV2"; }

 private:
  std::shared_ptr<nn::Sequential> conv1_, conv5_;
  std::shared_ptr<nn::MaxPool2d> maxpool_;
  std::vector<std::shared_ptr<nn::Sequential>> stages_;
  std::shared_ptr<nn::Linear> fc_;
};

}  // namespace

ModulePtr shufflenet_v2_x1_0(Generator& gen) {
  return std::make_shared<ShuffleNetV2>(std::vector<int>{4, 8, 4}, std::vector<int64_t>{24, 116, 232, 464, 1024}, gen);
}

}  // namespace flowonnx::models
