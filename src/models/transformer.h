// Transformer models of the zoo: a Vision Transformer with torchvision's structure and parameter
// names (torchvision.models.vision_transformer: conv_proj, class_token, encoder.pos_embedding,
// encoder.layers.encoder_layer_<i>.{ln_1, self_attention, ln_2, mlp}, encoder.ln, heads.head)
// and a BERT-style text encoder with HuggingFace's names (embeddings.word_embeddings,
// encoder.layer.<i>.attention.self.query, ..., pooler.dense). Both trace into graphs that hold
// no batch or sequence size: every shape comes from the input at run time (see
// multi_head_attention), so they export with dynamic batch and sequence axes.
#pragma once

#include <memory>

#include "flow/nn/module.h"
#include "tensor/random.h"

namespace flowonnx::models {

struct VisionTransformerConfig {
  int64_t image_size = 224;
  int64_t patch_size = 16;
  int64_t in_channels = 3;
  int64_t hidden_dim = 192;
  int64_t depth = 12;
  int64_t num_heads = 3;
  int64_t mlp_dim = 768;
  int64_t num_classes = 1000;
  double layer_norm_eps = 1e-6;  // torchvision's partial(nn.LayerNorm, eps=1e-6)
};

// Input [N, in_channels, image_size, image_size] -> logits [N, num_classes].
std::shared_ptr<nn::Module> vision_transformer(const VisionTransformerConfig& config,
                                               Generator& gen = default_generator());
// timm's vit_tiny_patch16_224: image 224, patch 16, dim 192, depth 12, 3 heads, mlp 768,
// 1000 classes; 5,717,416 parameters.
std::shared_ptr<nn::Module> vit_tiny(Generator& gen = default_generator());
// A small ViT for fast tests: image 32, patch 8, dim 64, depth 2, 2 heads, mlp 128, 10 classes.
std::shared_ptr<nn::Module> vit_micro(Generator& gen = default_generator());

struct BertConfig {
  int64_t vocab_size = 1000;
  int64_t hidden_size = 128;
  int64_t num_hidden_layers = 2;
  int64_t num_attention_heads = 2;
  int64_t intermediate_size = 512;
  int64_t max_position_embeddings = 128;
  int64_t type_vocab_size = 2;
  double layer_norm_eps = 1e-12;  // HuggingFace BertConfig default
  bool add_pooling_layer = true;
};

// BertModel: forward(input_ids int64 [N, S]) -> last hidden state [N, S, hidden_size]; S must
// not exceed max_position_embeddings. Token types are all 0 and there is no attention mask
// (every token attends to every token), as BertModel does when given input_ids alone.
class BertModel : public nn::Module {
 public:
  virtual std::vector<Tensor> encode(const Tensor& input_ids) = 0;  // {last hidden state, pooled [N, H]}
};
std::shared_ptr<BertModel> bert_model(const BertConfig& config, Generator& gen = default_generator());
// The zoo's bert_tiny: the layout of google/bert_uncased_L-2_H-128_A-2 (2 layers, hidden 128,
// 2 heads, intermediate 512, 128 positions) with the vocabulary cut to 1000 ids.
std::shared_ptr<nn::Module> bert_tiny(Generator& gen = default_generator());

// Scaled dot-product attention of q, k, v [N, S, E] split into `num_heads` heads along E ->
// [N, S, E]. Heads are taken with narrow on E and put back with concat, never with a reshape to
// [N, S, heads, E/heads]: a traced reshape would hold the compile-time N and S and the graph
// would be valid for those sizes only.
Tensor multi_head_attention(const Tensor& q, const Tensor& k, const Tensor& v, int64_t num_heads);

}  // namespace flowonnx::models
