#include "kernels/cpu/attention.h"

#include <cmath>

#include "test_util.h"

namespace flowonnx::kernels {
namespace {

using flowonnx::testing::all_close;
using flowonnx::testing::expect_error;

struct Case {
  int64_t batch, q_heads, kv_heads, q_len, kv_len, head, v_head;
  Shape bias;  // empty: no bias
  AttentionParams params;
  std::vector<int64_t> kv_lengths;
};

void expect_matches_reference(const Case& c, Generator& gen) {
  const Tensor q = randn({c.batch, c.q_heads, c.q_len, c.head}, gen);
  const Tensor k = randn({c.batch, c.kv_heads, c.kv_len, c.head}, gen);
  const Tensor v = randn({c.batch, c.kv_heads, c.kv_len, c.v_head}, gen);
  Tensor bias = c.bias.empty() ? Tensor() : randn(c.bias, gen);
  if (bias.defined())  // some masked keys, as a boolean mask becomes
    for (int64_t i = 0; i < bias.num_elements(); i += 5) bias.data<float>()[i] = -INFINITY;
  const Shape y_shape = {c.batch, c.q_heads, c.q_len, c.v_head};
  const Shape s_shape = {c.batch, c.q_heads, c.q_len, c.kv_len};
  Tensor y(y_shape), expected_y(y_shape), scores(s_shape), expected_scores(s_shape);
  attention(q, k, v, bias, c.kv_lengths, c.params, y, &scores);
  attention_reference(q, k, v, bias, c.kv_lengths, c.params, expected_y, &expected_scores);
  EXPECT_TRUE(all_close(y, expected_y, 1e-4, 1e-5));
  EXPECT_TRUE(all_close(scores, expected_scores, 1e-4, 1e-5));
  Tensor y_alone(y_shape);  // without the scores output
  attention(q, k, v, bias, c.kv_lengths, c.params, y_alone, nullptr);
  EXPECT_TRUE(all_close(y_alone, expected_y, 1e-4, 1e-5));
}

AttentionParams params(double scale, double softcap, bool causal, int64_t past,
                       AttentionScores mode) {
  AttentionParams p;
  p.scale = scale;
  p.softcap = softcap;
  p.is_causal = causal;
  p.past_length = past;
  p.scores_mode = mode;
  return p;
}

TEST(Attention, MatchesReferenceOnEveryVariant) {
  Generator gen(7);
  using S = AttentionScores;
  const std::vector<Case> cases = {
      {2, 3, 3, 4, 6, 8, 8, {}, params(0.35, 0, false, 0, S::MatMul), {}},
      {1, 4, 4, 1, 1, 16, 16, {}, params(0.25, 0, false, 0, S::Softmax), {}},
      {2, 6, 2, 5, 7, 8, 10, {}, params(0.3, 0, false, 0, S::Softmax), {}},          // GQA
      {2, 4, 1, 3, 9, 8, 8, {1, 1, 3, 9}, params(0.3, 0, false, 0, S::Masked), {}},  // MQA
      {2, 3, 3, 4, 6, 8, 8, {2, 1, 4, 6}, params(0.5, 2.0, false, 0, S::Softcapped), {}},
      {2, 3, 3, 4, 6, 8, 8, {2, 3, 4, 6}, params(0.5, 0, true, 0, S::Masked), {}},
      {2, 3, 3, 4, 10, 8, 8, {1, 1, 4, 10}, params(0.4, 0, true, 6, S::Masked), {}},  // KV cache
      {2, 3, 3, 4, 6, 8, 10, {1, 1, 1, 6}, params(0.4, 1.5, false, 0, S::Masked), {6, 3}},
      {3, 2, 2, 33, 70, 64, 32, {3, 1, 33, 70}, params(0.125, 0, true, 37, S::Softmax), {}},
      // Row blocks of one head whose later keys are all masked (causal, padding): the products
      // stop early; the saved scores still cover every key.
      {1, 2, 2, 300, 300, 32, 24, {}, params(0.2, 0, true, 0, S::Softmax), {}},
      {2, 2, 1, 250, 400, 16, 16, {2, 1, 250, 400}, params(0.2, 0, true, 0, S::Masked), {300, 9}},
      {1, 1, 1, 300, 300, 8, 8, {}, params(0.2, 0, false, 0, S::Softmax), {0}},
      // Large enough for several score chunks and a parallel row pass.
      {2, 8, 2, 128, 300, 64, 64, {}, params(0.125, 30.0, true, 172, S::Masked), {300, 250}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << "batch " << c.batch << " heads " << c.q_heads << "/"
                                      << c.kv_heads << " seq " << c.q_len << "x" << c.kv_len);
    expect_matches_reference(c, gen);
  }
}

// Softmax over only masked keys is 0/0: NaN in the fast path and the reference alike.
TEST(Attention, FullyMaskedQueryIsNaN) {
  Generator gen(3);
  const Tensor q = randn({1, 1, 2, 4}, gen), k = randn({1, 1, 3, 4}, gen),
               v = randn({1, 1, 3, 4}, gen);
  Tensor y({1, 1, 2, 4});
  attention(q, k, v, Tensor(), {0}, AttentionParams{}, y, nullptr);
  for (int64_t i = 0; i < y.num_elements(); ++i) EXPECT_TRUE(std::isnan(y.data<float>()[i]));
}

// Hand-computed: one query, two keys with dot products 0 and 2 (scale 0.5 -> 0 and 1).
TEST(Attention, HandComputed) {
  const Tensor q = Tensor::from_vector<float>({1, 1, 1, 2}, {1, 1});
  const Tensor k = Tensor::from_vector<float>({1, 1, 2, 2}, {0, 0, 1, 1});
  const Tensor v = Tensor::from_vector<float>({1, 1, 2, 1}, {10, 20});
  AttentionParams p;
  p.scale = 0.5;
  Tensor y({1, 1, 1, 1});
  attention(q, k, v, Tensor(), {}, p, y, nullptr);
  const double w1 = std::exp(1.0) / (1.0 + std::exp(1.0));
  EXPECT_NEAR(y.data<float>()[0], 10 * (1 - w1) + 20 * w1, 1e-5);
}

TEST(Attention, RejectsMismatchedInputs) {
  const Tensor q({1, 3, 2, 4}), k({1, 2, 5, 4}), v({1, 2, 5, 4});
  Tensor y({1, 3, 2, 4});
  expect_error([&] { attention(q, k, v, Tensor(), {}, AttentionParams{}, y, nullptr); },
               ErrorCode::InvalidArgument, "not a multiple");
  const Tensor k2({1, 3, 5, 4}), v2({1, 3, 5, 4});
  expect_error(
      [&] {
        attention(q, k2, v2, Tensor({1, 1, 2, 4}), {}, AttentionParams{}, y, nullptr);
      },
      ErrorCode::InvalidArgument, "does not broadcast");
  expect_error(
      [&] {
        attention(q, k2, v2, Tensor(), {1, 2}, AttentionParams{}, y, nullptr);
      },
      ErrorCode::InvalidArgument, "key lengths");
  const Tensor k3({1, 3, 5, 3});
  expect_error([&] { attention(q, k3, v2, Tensor(), {}, AttentionParams{}, y, nullptr); },
               ErrorCode::InvalidArgument, "do not agree");
}

}  // namespace
}  // namespace flowonnx::kernels
