// Vision Transformer with torchvision's structure and parameter names
// (torchvision.models.vision_transformer.VisionTransformer): a patch convolution "conv_proj",
// a "class_token" [1, 1, D] put in front of the patch sequence, "encoder.pos_embedding"
// [1, patches + 1, D], pre-LN encoder blocks encoder.layers.encoder_layer_<i> with ln_1,
// self_attention (nn.MultiheadAttention: in_proj_weight/in_proj_bias/out_proj), ln_2 and mlp
// (mlp.0 Linear, GELU, mlp.3 Linear), a final encoder.ln and heads.head on the class token.
#include <cmath>

#include "flow/functional.h"
#include "flow/nn/activation.h"
#include "flow/nn/attention.h"
#include "flow/nn/normalization.h"
#include "models/transformer.h"

namespace flowonnx::models {
namespace {

namespace F = functional;

// nn.MultiheadAttention's parameters (torchvision's self_attention) applied through
// multi_head_attention, so no traced op holds the batch or sequence size.
class SelfAttention : public nn::MultiheadAttention {
 public:
  SelfAttention(int64_t dim, int64_t heads, Generator& gen) : nn::MultiheadAttention(dim, heads, true, gen) {}
  Tensor forward(const Tensor& x) override {
    auto project = [&](int64_t index) {
      Tensor weight = F::narrow(in_proj_weight, 0, index * embed_dim, embed_dim);
      Tensor bias = F::narrow(in_proj_bias, 0, index * embed_dim, embed_dim);
      return F::linear(x, weight, bias);
    };
    return out_proj->forward(multi_head_attention(project(0), project(1), project(2), num_heads));
  }
};

// torchvision's MLPBlock: Linear, GELU, Dropout, Linear, Dropout (names mlp.0 and mlp.3), with
// xavier_uniform weights and N(0, 1e-6) biases.
std::shared_ptr<nn::Sequential> mlp_block(int64_t dim, int64_t mlp_dim, Generator& gen) {
  auto linear = [&](int64_t in, int64_t out) {
    auto layer = std::make_shared<nn::Linear>(in, out, true, gen);
    double bound = std::sqrt(6.0 / static_cast<double>(in + out));
    uniform_(layer->weight, -bound, bound, gen);
    normal_(layer->bias, 0.0, 1e-6, gen);
    return layer;
  };
  return std::make_shared<nn::Sequential>(std::vector<std::shared_ptr<nn::Module>>{
      linear(dim, mlp_dim), std::make_shared<nn::GELU>(), std::make_shared<nn::Dropout>(0.0),
      linear(mlp_dim, dim), std::make_shared<nn::Dropout>(0.0)});
}

class EncoderBlock : public nn::Module {
 public:
  EncoderBlock(const VisionTransformerConfig& c, Generator& gen) {
    ln_1_ = register_module("ln_1", std::make_shared<nn::LayerNorm>(std::vector<int64_t>{c.hidden_dim}, c.layer_norm_eps));
    attention_ = register_module("self_attention", std::make_shared<SelfAttention>(c.hidden_dim, c.num_heads, gen));
    ln_2_ = register_module("ln_2", std::make_shared<nn::LayerNorm>(std::vector<int64_t>{c.hidden_dim}, c.layer_norm_eps));
    mlp_ = register_module("mlp", mlp_block(c.hidden_dim, c.mlp_dim, gen));
  }
  Tensor forward(const Tensor& input) override {
    Tensor x = F::broadcast_add(attention_->forward(ln_1_->forward(input)), input);
    return F::broadcast_add(x, mlp_->forward(ln_2_->forward(x)));
  }
  std::string type_name() const override { return "EncoderBlock"; }

 private:
  std::shared_ptr<nn::LayerNorm> ln_1_, ln_2_;
  std::shared_ptr<SelfAttention> attention_;
  std::shared_ptr<nn::Sequential> mlp_;
};

class Encoder : public nn::Module {
 public:
  Encoder(const VisionTransformerConfig& c, int64_t sequence_length, Generator& gen) {
    pos_embedding = register_parameter("pos_embedding", Tensor({1, sequence_length, c.hidden_dim}));
    normal_(pos_embedding, 0.0, 0.02, gen);
    layers_ = register_module("layers", std::make_shared<nn::Sequential>());
    for (int64_t i = 0; i < c.depth; ++i)
      layers_->push_back("encoder_layer_" + std::to_string(i), std::make_shared<EncoderBlock>(c, gen));
    ln_ = register_module("ln", std::make_shared<nn::LayerNorm>(std::vector<int64_t>{c.hidden_dim}, c.layer_norm_eps));
  }
  Tensor forward(const Tensor& x) override {
    return ln_->forward(layers_->forward(F::broadcast_add(x, pos_embedding)));
  }
  std::string type_name() const override { return "Encoder"; }
  Tensor pos_embedding;

 private:
  std::shared_ptr<nn::Sequential> layers_;
  std::shared_ptr<nn::LayerNorm> ln_;
};

class VisionTransformer : public nn::Module {
 public:
  VisionTransformer(const VisionTransformerConfig& c, Generator& gen) : config_(c) {
    FLOWONNX_REQUIRE(c.patch_size > 0 && c.image_size % c.patch_size == 0,
                     "VisionTransformer: image size {} is not a multiple of patch size {}", c.image_size, c.patch_size);
    nn::Conv2dOptions options;
    options.stride = {c.patch_size, c.patch_size};
    conv_proj_ = register_module("conv_proj", std::make_shared<nn::Conv2d>(c.in_channels, c.hidden_dim,
                                                                           nn::Pair{c.patch_size, c.patch_size}, options, gen));
    // torchvision: trunc_normal(std = sqrt(1 / fan_in)) on conv_proj, zero bias.
    normal_(conv_proj_->weight, 0.0, std::sqrt(1.0 / static_cast<double>(c.in_channels * c.patch_size * c.patch_size)), gen);
    conv_proj_->bias.copy_from(Tensor::zeros({c.hidden_dim}));
    class_token = register_parameter("class_token", Tensor::zeros({1, 1, c.hidden_dim}));
    int64_t patches = (c.image_size / c.patch_size) * (c.image_size / c.patch_size);
    encoder_ = register_module("encoder", std::make_shared<Encoder>(c, patches + 1, gen));
    heads_ = register_module("heads", std::make_shared<nn::Sequential>());
    auto head = std::make_shared<nn::Linear>(c.hidden_dim, c.num_classes, true, gen);
    heads_->push_back("head", head);
    // torchvision zero-initialises the head and the class token; small random values instead keep
    // the seeded stand-in weights meaningful for numerical checks (every path contributes).
    normal_(class_token, 0.0, 0.02, gen);
  }

  Tensor forward(const Tensor& x) override {
    FLOWONNX_REQUIRE(x.rank() == 4 && x.dim(1) == config_.in_channels && x.dim(2) == config_.image_size &&
                         x.dim(3) == config_.image_size,
                     "VisionTransformer: expected [N, {}, {}, {}], got {}", config_.in_channels, config_.image_size,
                     config_.image_size, x.describe());
    // [N, D, h, w] -> [N, D, h*w] -> [N, h*w, D]: flatten keeps N symbolic (no traced sizes).
    Tensor patches = F::transpose(F::flatten(conv_proj_->forward(x), 2), {0, 2, 1});
    // class_token.expand(N, -1, -1) without a traced N: the token added to zeros shaped like the
    // first patch row [N, 1, D] (fill_ exports as Expand to the runtime shape).
    Tensor like_batch = F::fill(F::narrow(patches, 1, 0, 1), 0.0);
    Tensor tokens = F::concat({F::broadcast_add(like_batch, class_token), patches}, 1);
    Tensor encoded = encoder_->forward(tokens);
    return heads_->forward(F::squeeze(F::narrow(encoded, 1, 0, 1), {1}));  // the class token
  }
  std::string type_name() const override { return "VisionTransformer"; }
  Tensor class_token;

 private:
  VisionTransformerConfig config_;
  std::shared_ptr<nn::Conv2d> conv_proj_;
  std::shared_ptr<Encoder> encoder_;
  std::shared_ptr<nn::Sequential> heads_;
};

}  // namespace

std::shared_ptr<nn::Module> vision_transformer(const VisionTransformerConfig& config, Generator& gen) {
  return std::make_shared<VisionTransformer>(config, gen);
}

std::shared_ptr<nn::Module> vit_tiny(Generator& gen) { return vision_transformer({}, gen); }

std::shared_ptr<nn::Module> vit_micro(Generator& gen) {
  VisionTransformerConfig config;
  config.image_size = 32;
  config.patch_size = 8;
  config.hidden_dim = 64;
  config.depth = 2;
  config.num_heads = 2;
  config.mlp_dim = 128;
  config.num_classes = 10;
  return vision_transformer(config, gen);
}

}  // namespace flowonnx::models
