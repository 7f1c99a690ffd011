// Einsum's batched-matmul path against its naive loop (einsum_reference) on random shapes, and
// the naive loop against hand-computed results.
#include "kernels/cpu/einsum.h"

#include "ops/test_util.h"

namespace flowonnx::kernels {
namespace {

using testing::all_close;

Tensor run(const std::string& equation, const std::vector<Tensor>& operands, bool reference) {
  std::vector<const Tensor*> inputs;
  for (const Tensor& t : operands) inputs.push_back(&t);
  Tensor y(einsum_output_shape(equation, inputs), operands[0].dtype());
  if (reference)
    einsum_reference(equation, inputs, y);
  else
    einsum(equation, inputs, y);
  return y;
}

TEST(Einsum, MatmulPathMatchesNaiveLoop) {
  Generator gen(3);
  struct Case {
    std::string equation;
    std::vector<Shape> shapes;
  };
  const std::vector<Case> cases = {
      {"ij,jk->ik", {{5, 7}, {7, 3}}},
      {"bhqd,bhkd->bhqk", {{2, 3, 4, 8}, {2, 3, 6, 8}}},
      {"bhqk,bhkd->bqhd", {{2, 3, 4, 6}, {2, 3, 6, 8}}},
      {"ij,kj->ki", {{4, 5}, {3, 5}}},
      {"i,j->ji", {{4}, {5}}},
      {"...ij,...jk->...ik", {{2, 1, 3, 4}, {5, 4, 2}}},
      {"iij,jk->ik", {{3, 3, 4}, {4, 2}}},  // diagonal of the first operand
      {"ab,ab->a", {{6, 7}, {6, 7}}},
      {"ab,ab->", {{6, 7}, {6, 7}}},
      {"bn,anm,bm->ba", {{2, 3}, {4, 3, 5}, {2, 5}}},  // three operands: naive only
      {"ij,j->", {{3, 4}, {4}}},
      {"ij,jk->ik", {{0, 4}, {4, 3}}},
      {"ij,jk->ik", {{2, 0}, {0, 3}}},
  };
  for (const Case& c : cases) {
    std::vector<Tensor> operands;
    for (const Shape& s : c.shapes) operands.push_back(randn(s, gen));
    EXPECT_TRUE(
        all_close(run(c.equation, operands, false), run(c.equation, operands, true), 1e-5, 1e-5))
        << c.equation;
  }
}

TEST(Einsum, NaiveLoopMatchesHandResults) {
  const Tensor m = Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4});
  EXPECT_TRUE(all_close(run("ii", {m}, true), Tensor::scalar<float>(5)));
  EXPECT_TRUE(all_close(run("ii->i", {m}, true), Tensor::from_vector<float>({2}, {1, 4})));
  EXPECT_TRUE(
      all_close(run("ij->ji", {m}, true), Tensor::from_vector<float>({2, 2}, {1, 3, 2, 4})));
  EXPECT_TRUE(
      all_close(run("ij,jk", {m, m}, false), Tensor::from_vector<float>({2, 2}, {7, 10, 15, 22})));
  const Tensor v = Tensor::from_vector<int64_t>({3}, {1, 2, 3});
  EXPECT_TRUE(all_close(run("i,i", {v, v}, false), Tensor::scalar<int64_t>(14)));
}

TEST(Einsum, BadEquationsThrow) {
  const Tensor m = Tensor::zeros({2, 3});
  std::vector<const Tensor*> one = {&m};
  testing::expect_error([&] { einsum_output_shape("ij,jk->ik", one); }, ErrorCode::InvalidArgument,
                        "2 operand terms for 1 inputs");
  testing::expect_error([&] { einsum_output_shape("ii", one); }, ErrorCode::InvalidArgument,
                        "axis 'i' is 3");
  testing::expect_error([&] { einsum_output_shape("i$", one); }, ErrorCode::InvalidArgument, "'$'");
  testing::expect_error([&] { einsum_output_shape("ij->j->i", one); }, ErrorCode::InvalidArgument,
                        "more than one '->'");
}

}  // namespace
}  // namespace flowonnx::kernels
