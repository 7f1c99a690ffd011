// BERT-style text encoder with HuggingFace's structure and parameter names (transformers'
// BertModel): embeddings.{word_embeddings, position_embeddings, token_type_embeddings,
// LayerNorm}, post-LN layers encoder.layer.<i>.{attention.self.{query,key,value},
// attention.output.{dense,LayerNorm}, intermediate.dense, output.{dense,LayerNorm}} with exact
// GELU, and pooler.dense (tanh) on the first token. Position ids come from the input itself
// (cumsum of ones along the sequence, minus 1), never from a traced length, so one traced graph
// serves every batch size and sequence length.
#include "flow/dispatch.h"
#include "flow/functional.h"
#include "flow/nn/embedding.h"
#include "flow/nn/layers.h"
#include "flow/nn/normalization.h"
#include "models/transformer.h"

namespace flowonnx::models {
namespace {

namespace F = functional;

// HuggingFace's _init_weights: N(0, 0.02) for linear and embedding weights, zero biases.
std::shared_ptr<nn::Linear> dense(int64_t in, int64_t out, Generator& gen) {
  auto layer = std::make_shared<nn::Linear>(in, out, true, gen);
  normal_(layer->weight, 0.0, 0.02, gen);
  // Small random biases instead of zeros, so a numerical check exercises every bias.
  normal_(layer->bias, 0.0, 0.02, gen);
  return layer;
}

std::shared_ptr<nn::Embedding> embedding(int64_t count, int64_t dim, Generator& gen) {
  auto table = std::make_shared<nn::Embedding>(count, dim, gen);
  normal_(table->weight, 0.0, 0.02, gen);
  return table;
}

std::shared_ptr<nn::LayerNorm> layer_norm(const BertConfig& c) {
  return std::make_shared<nn::LayerNorm>(std::vector<int64_t>{c.hidden_size}, c.layer_norm_eps);
}

// A module holding children only (HuggingFace's BertSelfAttention, BertOutput, ...); its owner
// calls the children, so forward is never used.
class Container : public nn::Module {
 public:
  explicit Container(std::string type) : type_(std::move(type)) {}
  template <typename M>
  std::shared_ptr<M> add(const std::string& name, std::shared_ptr<M> module) { return register_module(name, module); }
  Tensor forward(const Tensor&) override { fail(ErrorCode::Internal, "{} is called through its owner", type_); }
  std::string type_name() const override { return type_; }

 private:
  std::string type_;
};

class BertEmbeddings : public nn::Module {
 public:
  BertEmbeddings(const BertConfig& c, Generator& gen) : max_positions_(c.max_position_embeddings) {
    word_ = register_module("word_embeddings", embedding(c.vocab_size, c.hidden_size, gen));
    position_ = register_module("position_embeddings", embedding(c.max_position_embeddings, c.hidden_size, gen));
    token_type_ = register_module("token_type_embeddings", embedding(c.type_vocab_size, c.hidden_size, gen));
    norm_ = register_module("LayerNorm", layer_norm(c));
  }
  Tensor forward(const Tensor& ids) override {
    FLOWONNX_REQUIRE(ids.rank() == 2 && ids.dtype() == DType::Int64, "BertEmbeddings: input_ids must be int64 [N, S], got {}",
                     ids.describe());
    FLOWONNX_REQUIRE(ids.dim(1) <= max_positions_, "BertEmbeddings: sequence length {} exceeds max_position_embeddings {}",
                     ids.dim(1), max_positions_);
    // position_ids[n, s] = s, computed from the input so it follows any sequence length.
    Tensor ones = F::fill(ids, 1.0);
    Tensor positions = F::scalar_add(flow::call_op("cumsum", {ones}, {{"dim", int64_t{1}}})[0], -1.0);
    // token_type_ids default to 0: row 0 of the table, broadcast over [N, S].
    Tensor token_type = F::narrow(token_type_->weight, 0, 0, 1);
    Tensor sum = F::broadcast_add(F::broadcast_add(word_->forward(ids), position_->forward(positions)), token_type);
    return norm_->forward(sum);
  }
  std::string type_name() const override { return "BertEmbeddings"; }

 private:
  int64_t max_positions_;
  std::shared_ptr<nn::Embedding> word_, position_, token_type_;
  std::shared_ptr<nn::LayerNorm> norm_;
};

class BertLayer : public nn::Module {
 public:
  BertLayer(const BertConfig& c, Generator& gen) : heads_(c.num_attention_heads) {
    auto attention = register_module("attention", std::make_shared<Container>("BertAttention"));
    auto self = attention->add("self", std::make_shared<Container>("BertSelfAttention"));
    query_ = self->add("query", dense(c.hidden_size, c.hidden_size, gen));
    key_ = self->add("key", dense(c.hidden_size, c.hidden_size, gen));
    value_ = self->add("value", dense(c.hidden_size, c.hidden_size, gen));
    auto attention_output = attention->add("output", std::make_shared<Container>("BertSelfOutput"));
    attention_dense_ = attention_output->add("dense", dense(c.hidden_size, c.hidden_size, gen));
    attention_norm_ = attention_output->add("LayerNorm", layer_norm(c));
    auto intermediate = register_module("intermediate", std::make_shared<Container>("BertIntermediate"));
    intermediate_dense_ = intermediate->add("dense", dense(c.hidden_size, c.intermediate_size, gen));
    auto output = register_module("output", std::make_shared<Container>("BertOutput"));
    output_dense_ = output->add("dense", dense(c.intermediate_size, c.hidden_size, gen));
    output_norm_ = output->add("LayerNorm", layer_norm(c));
  }
  Tensor forward(const Tensor& x) override {
    Tensor context = multi_head_attention(query_->forward(x), key_->forward(x), value_->forward(x), heads_);
    Tensor attended = attention_norm_->forward(F::broadcast_add(attention_dense_->forward(context), x));
    Tensor hidden = F::gelu(intermediate_dense_->forward(attended));
    return output_norm_->forward(F::broadcast_add(output_dense_->forward(hidden), attended));
  }
  std::string type_name() const override { return "BertLayer"; }

 private:
  int64_t heads_;
  std::shared_ptr<nn::Linear> query_, key_, value_, attention_dense_, intermediate_dense_, output_dense_;
  std::shared_ptr<nn::LayerNorm> attention_norm_, output_norm_;
};

class Bert : public BertModel {
 public:
  Bert(const BertConfig& c, Generator& gen) {
    FLOWONNX_REQUIRE(c.num_attention_heads > 0 && c.hidden_size % c.num_attention_heads == 0,
                     "BertModel: hidden size {} is not divisible by {} heads", c.hidden_size, c.num_attention_heads);
    embeddings_ = register_module("embeddings", std::make_shared<BertEmbeddings>(c, gen));
    auto encoder = register_module("encoder", std::make_shared<Container>("BertEncoder"));
    layers_ = encoder->add("layer", std::make_shared<nn::Sequential>());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) layers_->push_back(std::make_shared<BertLayer>(c, gen));
    if (c.add_pooling_layer) {
      auto pooler = register_module("pooler", std::make_shared<Container>("BertPooler"));
      pooler_dense_ = pooler->add("dense", dense(c.hidden_size, c.hidden_size, gen));
    }
  }
  Tensor forward(const Tensor& input_ids) override { return layers_->forward(embeddings_->forward(input_ids)); }
  std::vector<Tensor> encode(const Tensor& input_ids) override {
    Tensor sequence = forward(input_ids);
    if (!pooler_dense_) return {sequence};
    Tensor first = F::squeeze(F::narrow(sequence, 1, 0, 1), {1});
    return {sequence, F::tanh(pooler_dense_->forward(first))};
  }
  std::string type_name() const override { return "BertModel"; }

 private:
  std::shared_ptr<BertEmbeddings> embeddings_;
  std::shared_ptr<nn::Sequential> layers_;
  std::shared_ptr<nn::Linear> pooler_dense_;
};

}  // namespace

std::shared_ptr<BertModel> bert_model(const BertConfig& config, Generator& gen) {
  return std::make_shared<Bert>(config, gen);
}

std::shared_ptr<nn::Module> bert_tiny(Generator& gen) { return bert_model({}, gen); }

}  // namespace flowonnx::models
