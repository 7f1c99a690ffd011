#include "kernels/cpu/matmul.h"

#include <cmath>

#include "test_util.h"

namespace flowonnx::kernels {
namespace {

using flowonnx::testing::all_close;
using flowonnx::testing::expect_error;

TEST(MatMul, HandComputed2x2) {
  const Tensor a = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor b = Tensor::from_vector<float>({3, 2}, {7, 8, 9, 10, 11, 12});
  Tensor y({2, 2});
  matmul(a, b, {}, y);
  EXPECT_TRUE(all_close(y, Tensor::from_vector<float>({2, 2}, {58, 64, 139, 154})));
  MatMulParams scaled;
  scaled.alpha = 0.5;
  matmul(a, b, scaled, y);
  EXPECT_TRUE(all_close(y, Tensor::from_vector<float>({2, 2}, {29, 32, 69.5f, 77})));
}

struct MatMulCase {
  Shape a, b;
  bool transpose_a = false, transpose_b = false;
  double alpha = 1.0;
  Shape expected_y;
};

TEST(MatMul, MatchesReferenceWithBroadcastingAndTransposes) {
  const std::vector<MatMulCase> cases = {
      {{3, 4}, {4, 5}, false, false, 1.0, {3, 5}},
      {{4}, {4, 5}, false, false, 1.0, {5}},
      {{3, 4}, {4}, false, false, 1.0, {3}},
      {{4}, {4}, false, false, 1.0, {}},
      {{7}, {2, 7, 3}, false, false, 1.0, {2, 3}},
      {{2, 3, 7}, {7}, false, false, 1.0, {2, 3}},
      {{2, 3, 4}, {4, 5}, false, false, 1.0, {2, 3, 5}},
      {{3, 4}, {2, 4, 5}, false, false, 1.0, {2, 3, 5}},
      {{2, 1, 3, 4}, {1, 5, 4, 6}, false, false, 1.0, {2, 5, 3, 6}},
      {{5, 2, 3, 4}, {2, 4, 6}, false, false, 0.25, {5, 2, 3, 6}},
      {{2, 1, 3, 1, 5, 4}, {1, 3, 1, 2, 4, 2}, false, false, 1.0, {2, 3, 3, 2, 5, 2}},
      {{4, 3}, {4, 5}, true, false, 1.0, {3, 5}},
      {{3, 4}, {5, 4}, false, true, 2.0, {3, 5}},
      {{2, 4, 3}, {1, 5, 4}, true, true, -1.5, {2, 3, 5}},
      {{13, 17}, {17, 11}, false, false, 1.0, {13, 11}},
      {{3, 33, 65}, {3, 65, 31}, false, false, 1.0, {3, 33, 31}},
      {{1, 1, 9}, {9, 1}, false, false, 1.0, {1, 1, 1}},
  };
  Generator gen(21);
  for (const MatMulCase& c : cases) {
    MatMulParams params;
    params.transpose_a = c.transpose_a;
    params.transpose_b = c.transpose_b;
    params.alpha = c.alpha;
    SCOPED_TRACE(fmt::format("a {} b {} ta={} tb={} alpha={}", shape_to_string(c.a),
                             shape_to_string(c.b), c.transpose_a, c.transpose_b, c.alpha));
    const Shape y_shape = matmul_output_shape(c.a, c.b, params);
    ASSERT_EQ(y_shape, c.expected_y);
    const Tensor a = randn(c.a, gen), b = randn(c.b, gen);
    Tensor fast(y_shape), expected(y_shape);
    matmul(a, b, params, fast);
    matmul_reference(a, b, params, expected);
    const int64_t k = c.transpose_a ? c.a[c.a.size() - 2] : c.a.back();
    EXPECT_TRUE(all_close(fast, expected, 1e-4, 1e-5 * k));
  }
}

TEST(MatMul, EmptyInnerDimGivesZeros) {
  Tensor y({2, 3});
  matmul(Tensor({2, 0}), Tensor({0, 3}), {}, y);
  EXPECT_TRUE(all_close(y, Tensor::zeros({2, 3})));
}

TEST(MatMul, RejectsBadShapes) {
  Tensor y({3, 5});
  expect_error(
      [&] {
        matmul(Tensor::zeros({3, 4}), Tensor::zeros({5, 5}), {}, y);
      },
      ErrorCode::InvalidArgument,
      "matmul: inner dims disagree: a [3,4] gives K=4 but b [5,5] gives K=5");
  Tensor y3({2, 3, 5});
  expect_error(
      [&] {
        matmul(Tensor::zeros({2, 3, 4}), Tensor::zeros({3, 4, 5}), {}, y3);
      },
      ErrorCode::InvalidArgument, "batch dims of a [2,3,4] and b [3,4,5] do not broadcast");
  Tensor wrong({5, 3});
  expect_error(
      [&] {
        matmul(Tensor::zeros({3, 4}), Tensor::zeros({4, 5}), {}, wrong);
      },
      ErrorCode::InvalidArgument, "output y is float32[5,3] but the inputs give float32[3,5]");
  expect_error(
      [&] {
        matmul(Tensor::zeros({}), Tensor::zeros({4, 5}), {}, y);
      },
      ErrorCode::InvalidArgument, "rank >= 1");
  expect_error(
      [&] {
        matmul(Tensor::zeros({3, 4}, DType::Int32), Tensor::zeros({4, 5}), {}, y);
      },
      ErrorCode::InvalidArgument, "must be float32");
}

// matmul_bias = matmul_reference plus the bias on every row (then the activation): with and
// without alpha (oneDNN's bias, or ours after the scaled product), transposed b, batches, [N] and
// [1,1,N] biases.
TEST(MatMul, BiasIsAddedToEveryRow) {
  struct Case {
    Shape a, b;
    bool transpose_b;
    double alpha;
    Shape bias;
  };
  const std::vector<Case> cases = {
      {{1, 197, 192}, {192, 64}, false, 1.0, {64}},
      {{2, 5, 7}, {7, 9}, false, 1.0, {1, 1, 9}},
      {{3, 5, 7}, {3, 9, 7}, true, 0.125, {9}},
      {{4, 6}, {6, 3}, false, 2.0, {1, 3}},
      {{6}, {6, 3}, false, 1.0, {3}},  // 1-D a: the output is [N]
  };
  Generator gen(41);
  for (const Case& c : cases) {
    MatMulParams params;
    params.transpose_b = c.transpose_b;
    params.alpha = c.alpha;
    const Tensor a = randn(c.a, gen), b = randn(c.b, gen), bias = randn(c.bias, gen);
    const Shape y_shape = matmul_output_shape(c.a, c.b, params);
    Tensor y(y_shape), expected(y_shape);
    matmul_bias(a, b, bias, params, y);
    matmul_reference(a, b, params, expected);
    const int64_t n = y_shape.back();
    for (int64_t i = 0; i < expected.num_elements(); ++i)
      expected.data<float>()[i] += bias.data<float>()[i % n];
    EXPECT_TRUE(all_close(y, expected, 1e-4, 1e-4))
        << shape_to_string(c.a) << " x " << shape_to_string(c.b);
  }
  // The Gelu activation last: in oneDNN's post-op (alpha 1 or no bias) or after our bias rows.
  for (const Case& c : cases) {
    for (bool with_bias : {true, false}) {
      MatMulParams params;
      params.transpose_b = c.transpose_b;
      params.alpha = c.alpha;
      params.activation = MatMulActivation::Gelu;
      const Tensor a = randn(c.a, gen), b = randn(c.b, gen);
      const Tensor bias = with_bias ? randn(c.bias, gen) : Tensor();
      const Shape y_shape = matmul_output_shape(c.a, c.b, params);
      Tensor y(y_shape), expected(y_shape);
      matmul_bias(a, b, bias, params, y);
      MatMulParams plain = params;
      plain.activation = MatMulActivation::None;
      matmul_reference(a, b, plain, expected);
      const int64_t n = y_shape.back();
      for (int64_t i = 0; i < expected.num_elements(); ++i) {
        const double v = expected.data<float>()[i] + (with_bias ? bias.data<float>()[i % n] : 0.0);
        expected.data<float>()[i] = float(0.5 * v * (1 + std::erf(v / std::sqrt(2.0))));
      }
      EXPECT_TRUE(all_close(y, expected, 1e-4, 1e-4))
          << "gelu " << shape_to_string(c.a) << " x " << shape_to_string(c.b) << " bias "
          << with_bias;
    }
  }
  Tensor empty_k({2, 3});  // an empty sum leaves the bias
  matmul_bias(Tensor({2, 0}), Tensor({0, 3}), Tensor::from_vector<float>({3}, {1, 2, 3}), {},
              empty_k);
  EXPECT_TRUE(all_close(empty_k, Tensor::from_vector<float>({2, 3}, {1, 2, 3, 1, 2, 3})));
  Tensor y({2, 3});
  expect_error(
      [&] {
        matmul_bias(randn({2, 4}, gen), randn({4, 3}, gen), randn({2, 3}, gen), {}, y);
      },
      ErrorCode::InvalidArgument, "bias");
}

TEST(Linear, MatchesMatMulPlusBias) {
  Generator gen(8);
  for (const Shape& x_shape : std::vector<Shape>{{7}, {3, 7}, {2, 3, 7}, {1, 512}}) {
    const int64_t in = x_shape.back(), out = in == 512 ? 1000 : 5;
    const Tensor x = randn(x_shape, gen), w = randn({out, in}, gen), bias = randn({out}, gen);
    Shape y_shape = x_shape;
    y_shape.back() = out;
    MatMulParams transposed;
    transposed.transpose_b = true;
    Tensor expected(y_shape);
    matmul_reference(x, w, transposed, expected);
    Tensor no_bias(y_shape);
    linear(x, w, Tensor(), no_bias);
    EXPECT_TRUE(all_close(no_bias, expected, 1e-4, 1e-5 * in)) << shape_to_string(x_shape);
    float* e = expected.data<float>();
    for (int64_t i = 0; i < expected.num_elements(); ++i) e[i] += bias.data<float>()[i % out];
    Tensor with_bias(y_shape);
    linear(x, w, bias, with_bias);
    EXPECT_TRUE(all_close(with_bias, expected, 1e-4, 1e-5 * in)) << shape_to_string(x_shape);
  }
}

TEST(Linear, RejectsBadShapes) {
  Tensor y({2, 5});
  expect_error(
      [&] {
        linear(Tensor::zeros({2, 7}), Tensor::zeros({5, 6}), Tensor(), y);
      },
      ErrorCode::InvalidArgument, "linear: input [2,7] and weight [5,6] do not match");
  expect_error(
      [&] {
        linear(Tensor::zeros({2, 7}), Tensor::zeros({5, 7}), Tensor::zeros({4}), y);
      },
      ErrorCode::InvalidArgument, "bias [4] must be [5]");
}

}  // namespace
}  // namespace flowonnx::kernels
