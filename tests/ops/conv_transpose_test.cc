// The oneDNN transposed convolution (PreparedConvTranspose) against the reference scatter loop
// on random geometries: 1-d to 3-d, groups, strides, dilations, pads, output_padding, with and
// without bias; the geometries oneDNN cannot express (negative pads) fall back to the reference.
#include <gtest/gtest.h>

#include <random>

#include "kernels/cpu/conv_transpose.h"
#include "kernels/cpu/conv_transpose_prepared.h"
#include "ops/test_util.h"

namespace flowonnx::kernels {
namespace {

struct Case {
  Shape x, w;
  ConvTransposeParams params;
  bool bias = false;
  std::string describe() const {
    return fmt::format("x {} w {} {} bias {}", shape_to_string(x), shape_to_string(w),
                       params.to_string(), bias);
  }
};

// A random geometry: `negative_pads` lets pads go below zero (the auto_pad SAME case with a
// kernel smaller than the stride).
Case random_case(std::mt19937& rng, size_t spatial, bool negative_pads) {
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  Case c;
  c.params = ConvTransposeParams::defaults(spatial);
  c.params.groups = pick(1, 3);
  const int64_t in_per_group = pick(1, 4), out_per_group = pick(1, 5);
  c.x = {pick(1, 2), in_per_group * c.params.groups};
  c.w = {in_per_group * c.params.groups, out_per_group};
  for (size_t d = 0; d < spatial; ++d) {
    const int64_t k = pick(1, spatial == 3 ? 3 : 4);
    int64_t &stride = c.params.strides[d], &dilation = c.params.dilations[d];
    stride = pick(1, 3);
    dilation = pick(1, 2);
    c.x.push_back(pick(1, spatial == 3 ? 5 : 8));
    c.w.push_back(k);
    c.params.output_padding[d] = pick(0, std::max(stride, dilation) - 1);
    const int64_t span = (k - 1) * dilation + 1;
    c.params.pads_begin[d] = pick(negative_pads ? -2 : 0, span - 1);
    c.params.pads_end[d] = pick(negative_pads ? -2 : 0, span - 1);
    // Keep the output non-empty.
    const int64_t full = (c.x.back() - 1) * stride + span + c.params.output_padding[d];
    while (full - c.params.pads_begin[d] - c.params.pads_end[d] < 1) --c.params.pads_end[d];
  }
  c.bias = pick(0, 1) == 1;
  return c;
}

void expect_matches_reference(const Case& c, bool expect_onednn) {
  Generator gen(11);
  const Tensor x = randn(c.x, gen), w = randn(c.w, gen);
  const Shape y_shape = conv_transpose_output_shape(c.x, c.w, c.params);
  const Tensor bias = c.bias ? randn({y_shape[1]}, gen) : Tensor();
  Tensor expected(y_shape), got(y_shape);
  conv_transpose_reference(x, w, bias, c.params, expected);
  const PreparedConvTranspose prepared(w, bias, c.params.groups);
  const std::string implementation = prepared.implementation(c.x, c.params);
  if (expect_onednn) {
    EXPECT_NE(implementation, "flowonnx:reference") << c.describe();
  }
  prepared.run(x, c.params, got);
  EXPECT_TRUE(testing::all_close(got, expected, 1e-4, 1e-4))
      << c.describe() << " via " << implementation;
  // The one-shot entry point takes the same path.
  Tensor once(y_shape);
  conv_transpose(x, w, bias, c.params, once);
  EXPECT_TRUE(testing::all_close(once, expected, 1e-4, 1e-4)) << c.describe();
}

TEST(ConvTransposeOneDnn, MatchesReferenceOnRandomGeometries) {
  std::mt19937 rng(2024);
  for (size_t spatial : {1, 2, 3})
    for (int i = 0; i < 40; ++i) {
      const Case c = random_case(rng, spatial, /*negative_pads=*/false);
      // oneDNN's right padding is pads_end - output_padding; it takes every non-negative one.
      bool plain = true;
      for (size_t d = 0; d < spatial; ++d) plain &= c.params.pads_end[d] >= c.params.output_padding[d];
      expect_matches_reference(c, plain);
    }
}

TEST(ConvTransposeOneDnn, NegativePadsMatchReference) {
  std::mt19937 rng(99);
  for (size_t spatial : {1, 2, 3})
    for (int i = 0; i < 15; ++i) expect_matches_reference(random_case(rng, spatial, true), false);
}

// A DCGAN layer and a U-Net up-sampling layer: the common shapes take oneDNN's path.
TEST(ConvTransposeOneDnn, CommonLayersUseOneDnn) {
  Case dcgan{{2, 64, 8, 8}, {64, 32, 4, 4}, ConvTransposeParams::defaults(2), true};
  dcgan.params.strides = {2, 2};
  dcgan.params.pads_begin = dcgan.params.pads_end = {1, 1};
  expect_matches_reference(dcgan, true);
  Case unet{{1, 32, 16, 16}, {32, 16, 2, 2}, ConvTransposeParams::defaults(2), true};
  unet.params.strides = {2, 2};
  expect_matches_reference(unet, true);
  Case volume{{1, 8, 4, 5, 6}, {8, 4, 3, 3, 3}, ConvTransposeParams::defaults(3), false};
  volume.params.strides = {2, 1, 2};
  volume.params.output_padding = {1, 0, 1};
  volume.params.pads_begin = volume.params.pads_end = {1, 1, 1};
  expect_matches_reference(volume, true);
}

// A 1x1 input with a 2x2 kernel: each output is the input times one weight, plus the bias.
TEST(ConvTransposeReference, HandComputed1d2d3d) {
  for (size_t spatial : {1, 2, 3}) {
    Shape x_shape = {1, 1}, w_shape = {1, 1};
    for (size_t d = 0; d < spatial; ++d) {
      x_shape.push_back(1);
      w_shape.push_back(2);
    }
    const Tensor x = Tensor::full(x_shape, 2.0), w = rand_uniform(w_shape, -1, 1);
    const Tensor bias = Tensor::from_vector<float>({1}, {0.5f});
    ConvTransposeParams p = ConvTransposeParams::defaults(spatial);
    Tensor y(conv_transpose_output_shape(x_shape, w_shape, p));
    conv_transpose_reference(x, w, bias, p, y);
    for (int64_t i = 0; i < y.num_elements(); ++i)
      EXPECT_FLOAT_EQ(y.data<float>()[i], 2 * w.data<float>()[i] + 0.5f);
    // A negative begin pad shifts the result right; the new first position holds only the bias.
    p.pads_begin[spatial - 1] = -1;
    Tensor shifted(conv_transpose_output_shape(x_shape, w_shape, p));
    conv_transpose_reference(x, w, bias, p, shifted);
    EXPECT_FLOAT_EQ(shifted.data<float>()[0], 0.5f);
    EXPECT_FLOAT_EQ(shifted.data<float>()[1], 2 * w.data<float>()[0] + 0.5f);
  }
}

TEST(ConvTransposeReference, RejectsBadShapes) {
  const ConvTransposeParams p = ConvTransposeParams::defaults(2);
  auto expect_bad = [&](const Shape& x, const Shape& w, ConvTransposeParams params, const char* fragment) {
    testing::expect_error([&] { conv_transpose_output_shape(x, w, params); }, ErrorCode::InvalidArgument,
                          fragment);
  };
  expect_bad({1, 4, 5, 5}, {3, 2, 3, 3}, p, "channels");        // C_in mismatch
  ConvTransposeParams grouped = p;
  grouped.groups = 2;
  expect_bad({1, 3, 5, 5}, {3, 2, 3, 3}, grouped, "not divisible by group 2");
  expect_bad({1, 4, 5}, {4, 2, 3, 3}, p, "rank");               // rank mismatch
  expect_bad({1, 4, 5, 5, 5, 5}, {4, 2, 3, 3, 3, 3}, p, "k = 1..3");
  ConvTransposeParams adj = p;
  adj.output_padding = {2, 0};
  expect_bad({1, 4, 5, 5}, {4, 2, 3, 3}, adj, "output_padding");  // >= stride and dilation
  ConvTransposeParams short_strides = p;
  short_strides.strides = {1};
  expect_bad({1, 4, 5, 5}, {4, 2, 3, 3}, short_strides, "spatial dims");
  ConvTransposeParams huge_pads = p;
  huge_pads.pads_begin = {5, 5};
  expect_bad({1, 4, 2, 2}, {4, 2, 3, 3}, huge_pads, "gives output dim");
  // A bias of the wrong length.
  const Tensor x = randn({1, 4, 3, 3}), w = randn({4, 2, 3, 3});
  Tensor y(conv_transpose_output_shape(x.shape(), w.shape(), p));
  testing::expect_error([&] { conv_transpose_reference(x, w, randn({3}), p, y); },
                        ErrorCode::InvalidArgument, "bias");
  testing::expect_error([&] { PreparedConvTranspose(w, randn({3}), 1); }, ErrorCode::InvalidArgument,
                        "bias");
}

}  // namespace
}  // namespace flowonnx::kernels
