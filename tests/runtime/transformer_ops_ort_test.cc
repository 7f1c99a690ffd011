// The transformer ops of opsets 20-24 (Attention, RotaryEmbedding, TensorScatter,
// RMSNormalization, GroupNormalization, Gelu) against ONNX Runtime on shapes larger than the node
// tests', plus hostile inputs that must give clear errors.
#include <gtest/gtest.h>

#include "ort_check.h"

namespace flowonnx {
namespace {

using testing::expect_error_mentions;
using testing::expect_same_as_onnxruntime;
using testing::Feeds;
using testing::GraphBuilder;
using testing::run_error;
using Ints = std::vector<int64_t>;

Tensor random(const Shape& shape, DType dtype = DType::Float32) {
  static Generator gen(2024);
  Tensor t = randn(shape, gen);
  return dtype == DType::Float32 ? t : t.to(dtype);
}

Tensor random_bool(const Shape& shape) {
  Tensor t(shape, DType::Bool);
  for (int64_t i = 0; i < t.num_elements(); ++i)
    t.data<bool>()[i] = i % 3 == 0 || testing::uniform_int(0, 3) != 0;
  return t;
}

struct AttentionCase {
  std::string name;
  bool three_d, past, bool_mask, causal;
  int64_t q_heads, kv_heads, mode;  // mode < 0: no qk_matmul_output
  double softcap;
  DType dtype = DType::Float32;
};

// B 2, Sq 5, new keys 6, past 7, head 16, value head 12.
TEST(TransformerOpsOrt, AttentionVariantsMatchOnnxRuntime) {
  const std::vector<AttentionCase> cases = {
      {"mha_4d", false, false, false, false, 4, 4, -1, 0},
      {"gqa_4d_causal_past", false, true, false, true, 8, 2, 0, 0},
      {"gqa_3d_bool_mask_past", true, true, true, false, 6, 3, 3, 0},
      {"mqa_3d_float_mask_softcap", true, false, false, false, 4, 1, 1, 20.0},
      {"mha_4d_mask_causal_softcap", false, true, false, true, 2, 2, 1, 5.0},
      // Mode 2 without causal masking: ONNX Runtime writes -FLT_MAX where the causal mask is
      // -inf in the spec (node tests ..._bias_3d_mask_causal, which it fails, cover that).
      {"mha_4d_masked_scores", false, true, false, false, 2, 2, 2, 5.0},
      {"gqa_4d_fp16", false, true, true, true, 4, 2, -1, 0, DType::Float16},
  };
  const int64_t batch = 2, q_len = 5, kv_len = 6, past_len = 7, head = 16, v_head = 12;
  for (const AttentionCase& c : cases) {
    SCOPED_TRACE(c.name);
    const int64_t total = kv_len + (c.past ? past_len : 0);
    GraphBuilder g(23);
    Shape q =
        c.three_d ? Shape{batch, q_len, c.q_heads * head} : Shape{batch, c.q_heads, q_len, head};
    Shape k = c.three_d ? Shape{batch, kv_len, c.kv_heads * head}
                        : Shape{batch, c.kv_heads, kv_len, head};
    Shape v = c.three_d ? Shape{batch, kv_len, c.kv_heads * v_head}
                        : Shape{batch, c.kv_heads, kv_len, v_head};
    Shape mask = {batch, 1, q_len, total};
    Feeds feeds = {{"q", random(q, c.dtype)}, {"k", random(k, c.dtype)}, {"v", random(v, c.dtype)}};
    feeds["mask"] = c.bool_mask ? random_bool(mask) : random(mask, c.dtype);
    g.input("q", c.dtype, q).input("k", c.dtype, k).input("v", c.dtype, v);
    g.input("mask", c.bool_mask ? DType::Bool : c.dtype, mask);
    std::vector<std::string> inputs = {"q", "k", "v", "mask"};
    std::vector<std::string> outputs = {"y"};
    if (c.past) {
      Shape pk = {batch, c.kv_heads, past_len, head}, pv = {batch, c.kv_heads, past_len, v_head};
      g.input("past_k", c.dtype, pk).input("past_v", c.dtype, pv);
      feeds["past_k"] = random(pk, c.dtype);
      feeds["past_v"] = random(pv, c.dtype);
      inputs.insert(inputs.end(), {"past_k", "past_v"});
      outputs.insert(outputs.end(), {"present_k", "present_v"});
    }
    ir::Attributes attrs{{"is_causal", int64_t{c.causal}}};
    if (c.three_d) {
      attrs.set("q_num_heads", c.q_heads);
      attrs.set("kv_num_heads", c.kv_heads);
    }
    if (c.softcap > 0) attrs.set("softcap", c.softcap);
    if (c.mode >= 0) {
      attrs.set("qk_matmul_output_mode", c.mode);
      if (!c.past) outputs.insert(outputs.end(), {"", ""});
      outputs.push_back("qk");
    }
    g.node("Attention", inputs, outputs, attrs);
    for (const std::string& name : outputs)
      if (!name.empty()) g.output(name);
    const double tol = c.dtype == DType::Float16 ? 2e-3 : 1e-4;
    expect_same_as_onnxruntime(g.build(), "attention_" + c.name, {feeds}, tol, tol);
  }
}

TEST(TransformerOpsOrt, RotaryEmbeddingMatchesOnnxRuntime) {
  for (bool interleaved : {false, true})
    for (bool three_d : {false, true}) {
      const int64_t batch = 2, heads = 3, seq = 7, head = 16, rotary = 10, max_pos = 20;
      Shape x = three_d ? Shape{batch, seq, heads * head} : Shape{batch, heads, seq, head};
      Tensor ids({batch, seq}, DType::Int64);
      for (int64_t i = 0; i < ids.num_elements(); ++i)
        ids.data<int64_t>()[i] = testing::uniform_int(0, max_pos - 1);
      ir::Attributes attrs{{"interleaved", int64_t{interleaved}}, {"rotary_embedding_dim", rotary}};
      if (three_d) attrs.set("num_heads", heads);
      GraphBuilder g(23);
      g.input("x", DType::Float32, x)
          .initializer("cos", random({max_pos, rotary / 2}))
          .initializer("sin", random({max_pos, rotary / 2}))
          .input("ids", DType::Int64, Shape{batch, seq})
          .node("RotaryEmbedding", {"x", "cos", "sin", "ids"}, {"y"}, attrs)
          .output("y");
      expect_same_as_onnxruntime(g.build(), "rotary", {{{"x", random(x)}, {"ids", ids}}});
    }
}

TEST(TransformerOpsOrt, NormalizationsAndGeluMatchOnnxRuntime) {
  {
    GraphBuilder g(23);
    g.input("x", DType::Float32, Shape{4, 6, 33})
        .initializer("w", random({6, 33}))
        .node("RMSNormalization", {"x", "w"}, {"y"}, {{"axis", int64_t{1}}, {"epsilon", 1e-3}})
        .output("y");
    expect_same_as_onnxruntime(g.build(), "rms_norm", {{{"x", random({4, 6, 33})}}});
  }
  {
    GraphBuilder g(21);
    g.input("x", DType::Float32, Shape{2, 12, 5, 7})
        .initializer("s", random({12}))
        .initializer("b", random({12}))
        .node("GroupNormalization", {"x", "s", "b"}, {"y"}, {{"num_groups", int64_t{4}}})
        .output("y");
    expect_same_as_onnxruntime(g.build(), "group_norm", {{{"x", random({2, 12, 5, 7})}}});
  }
  for (const char* approximate : {"none", "tanh"}) {
    GraphBuilder g(20);
    g.input("x", DType::Float32, Shape{3, 1000})
        .node("Gelu", {"x"}, {"y"}, {{"approximate", std::string(approximate)}})
        .output("y");
    expect_same_as_onnxruntime(g.build(), "gelu", {{{"x", random({3, 1000})}}});
  }
}

TEST(TransformerOpsOrt, TensorScatterMatchesOnnxRuntime) {
  for (const char* mode : {"linear", "circular"}) {
    GraphBuilder g(24);
    g.input("past", DType::Float32, Shape{3, 2, 9, 8})
        .input("update", DType::Float32, Shape{3, 2, 4, 8})
        .initializer(
            "at", Tensor::from_vector<int64_t>({3}, {0, 5, std::string(mode) == "linear" ? 2 : 7}))
        .node("TensorScatter", {"past", "update", "at"}, {"present"}, {{"mode", std::string(mode)}})
        .output("present");
    expect_same_as_onnxruntime(
        g.build(), std::string("tensor_scatter_") + mode,
        {{{"past", random({3, 2, 9, 8})}, {"update", random({3, 2, 4, 8})}}});
  }
}

// A mask narrower than the keys: opset 23 broadcasts a last dim of 1 (its schema: "broadcastable
// to"), opset 24 pads it with -inf. ONNX Runtime 1.31 refuses both, so the oracle is the same
// model with the mask written out in full.
TEST(TransformerOpsOrt, NarrowMaskBroadcastsAtOpset23AndIsPaddedAtOpset24) {
  const Tensor q = random({1, 2, 3, 4}), k = random({1, 2, 5, 4}), v = random({1, 2, 5, 4});
  const Tensor narrow = random({3, 1});
  auto run = [&](int64_t opset, const Tensor& mask) {
    GraphBuilder g(opset);
    g.input("q", DType::Float32, Shape{1, 2, 3, 4}).input("k", DType::Float32, Shape{1, 2, 5, 4});
    g.input("v", DType::Float32, Shape{1, 2, 5, 4}).input("m", DType::Float32, mask.shape());
    g.node("Attention", {"q", "k", "v", "m"}, {"y"}).output("y");
    InferenceSession session(g.build());
    return session.run({}, {{"q", q}, {"k", k}, {"v", v}, {"m", mask}})[0];
  };
  Tensor repeated({3, 5}), padded = Tensor::full({3, 5}, -INFINITY);
  for (int64_t r = 0; r < 3; ++r)
    for (int64_t t = 0; t < 5; ++t) {
      repeated.data<float>()[r * 5 + t] = narrow.data<float>()[r];
      if (t == 0) padded.data<float>()[r * 5] = narrow.data<float>()[r];
    }
  EXPECT_TRUE(testing::compare_tensors(run(23, narrow), run(23, repeated), 1e-6, 1e-6).ok());
  EXPECT_TRUE(testing::compare_tensors(run(24, narrow), run(24, padded), 1e-6, 1e-6).ok());
  const Tensor two_wide = random({3, 2});  // neither full nor 1 wide: an error at opset 23
  expect_error_mentions(run_error(
                            [&] {
                              GraphBuilder g(23);
                              g.input("q", DType::Float32, Shape{1, 2, 3, 4});
                              g.input("k", DType::Float32, Shape{1, 2, 5, 4});
                              g.input("v", DType::Float32, Shape{1, 2, 5, 4});
                              g.input("m", DType::Float32, Shape{3, 2});
                              g.node("Attention", {"q", "k", "v", "m"}, {"y"}).output("y");
                              return g.build();
                            }(),
                            {{"q", q}, {"k", k}, {"v", v}, {"m", two_wide}}),
                        {"attn_mask", "opset 23"});
}

TEST(TransformerOpsOrt, HostileAttentionInputsAreClearErrors) {
  {  // 3-d inputs without the head counts
    GraphBuilder g(23);
    g.input("q", DType::Float32, Shape{1, 2, 8}).input("k", DType::Float32, Shape{1, 3, 8});
    g.input("v", DType::Float32, Shape{1, 3, 8}).node("Attention", {"q", "k", "v"}, {"y"});
    g.output("y");
    expect_error_mentions(
        run_error(g.build(),
                  {{"q", random({1, 2, 8})}, {"k", random({1, 3, 8})}, {"v", random({1, 3, 8})}}),
        {"Attention", "q_num_heads"});
  }
  {  // a mask longer than the keys
    GraphBuilder g(23);
    g.input("q", DType::Float32, Shape{1, 2, 3, 4}).input("k", DType::Float32, Shape{1, 2, 5, 4});
    g.input("v", DType::Float32, Shape{1, 2, 5, 4}).input("m", DType::Float32, Shape{3, 6});
    g.node("Attention", {"q", "k", "v", "m"}, {"y"}).output("y");
    expect_error_mentions(run_error(g.build(), {{"q", random({1, 2, 3, 4})},
                                                {"k", random({1, 2, 5, 4})},
                                                {"v", random({1, 2, 5, 4})},
                                                {"m", random({3, 6})}}),
                          {"Attention", "attn_mask", "more than the 5 keys"});
  }
  {  // query heads not a multiple of the key heads
    GraphBuilder g(23);
    g.input("q", DType::Float32, Shape{1, 3, 3, 4}).input("k", DType::Float32, Shape{1, 2, 5, 4});
    g.input("v", DType::Float32, Shape{1, 2, 5, 4});
    g.node("Attention", {"q", "k", "v"}, {"y"}).output("y");
    expect_error_mentions(run_error(g.build(), {{"q", random({1, 3, 3, 4})},
                                                {"k", random({1, 2, 5, 4})},
                                                {"v", random({1, 2, 5, 4})}}),
                          {"attention", "not a multiple"});
  }
}

// Ops that take float16 through float32 (float16_adapter) still refuse a float16/float32 mix.
TEST(TransformerOpsOrt, Float16MixedWithFloat32IsRefused) {
  GraphBuilder g(13);
  g.input("a", DType::Float16, Shape{3}).input("b", DType::Float32, Shape{3});
  g.node("Max", {"a", "b"}, {"y"}).output("y");
  expect_error_mentions(
      run_error(g.build(), {{"a", random({3}, DType::Float16)}, {"b", random({3})}}),
      {"Max", "float16 inputs mixed with float32[3]"});
}

}  // namespace
}  // namespace flowonnx
