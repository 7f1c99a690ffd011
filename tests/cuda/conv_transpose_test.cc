// ConvTranspose on CUDA (cuDNN backward data) against the CPU provider (oneDNN / the reference):
// the direct path (symmetric pads, output_padding under the stride) and the crop path
// (asymmetric pads, output_shape, output_padding past the stride, negative pads from auto_pad),
// 1-d to 3-d, groups, dilations, bias, weights fed at run time. Skipped without a GPU.
#include "cuda/cuda_test_util.h"

namespace flowonnx::testing {
namespace {

using Ints = std::vector<int64_t>;

void check_conv_transpose(const Shape& x, const Shape& w, bool bias, ir::Attributes attrs,
                          bool weights_as_input = false) {
  SCOPED_TRACE(shape_to_string(x) + " * " + shape_to_string(w));
  const int64_t group = attrs.has("group") ? attrs.get_int("group") : 1;
  const float bound = 1.f / std::sqrt(static_cast<float>(w[0]));
  GraphBuilder g(17);
  g.input("x", DType::Float32, x);
  std::map<std::string, Tensor> feeds = {{"x", random_tensor(x, 1)}};
  if (weights_as_input) {
    g.input("w", DType::Float32, w);
    feeds["w"] = random_tensor(w, 2, -bound, bound);
  } else {
    g.initializer("w", random_tensor(w, 2, -bound, bound));
  }
  std::vector<std::string> inputs = {"x", "w"};
  if (bias) {
    g.initializer("b", random_tensor({w[1] * group}, 3));
    inputs.push_back("b");
  }
  g.node("ConvTranspose", inputs, {"y"}, std::move(attrs)).output("y");
  expect_cuda_matches_cpu(g.build(), feeds);
}

TEST(CudaConvTranspose, DirectPath) {
  SKIP_WITHOUT_CUDA();
  check_conv_transpose({2, 64, 8, 8}, {64, 32, 4, 4}, false, {{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  check_conv_transpose({1, 100, 1, 1}, {100, 64, 4, 4}, false, {});
  check_conv_transpose({1, 32, 16, 16}, {32, 16, 2, 2}, true, {{"strides", Ints{2, 2}}});
  check_conv_transpose({2, 8, 7, 9}, {8, 3, 3, 3}, true,
                       {{"group", int64_t{2}}, {"strides", Ints{2, 3}}, {"pads", Ints{1, 1, 1, 1}},
                        {"output_padding", Ints{1, 2}}});
  check_conv_transpose({1, 4, 6, 5}, {4, 4, 3, 2}, true, {{"dilations", Ints{2, 1}}, {"pads", Ints{2, 0, 2, 0}}});
}

TEST(CudaConvTranspose, CropPath) {
  SKIP_WITHOUT_CUDA();
  check_conv_transpose({1, 4, 6, 7}, {4, 3, 3, 3}, true,
                       {{"strides", Ints{2, 2}}, {"pads", Ints{0, 1, 2, 0}}});
  check_conv_transpose({2, 2, 5, 6}, {2, 2, 3, 3}, true, {{"strides", Ints{2, 2}}, {"output_shape", Ints{10, 12}}});
  // output_padding 1 with stride 1 (allowed by dilation 2): past what cuDNN sizes.
  check_conv_transpose({1, 3, 5, 5}, {3, 2, 3, 3}, true, {{"dilations", Ints{2, 2}}, {"output_padding", Ints{1, 1}}});
  // SAME_UPPER with a kernel smaller than the stride: negative pads extend the output.
  check_conv_transpose({1, 3, 4, 4}, {3, 2, 1, 1}, true, {{"strides", Ints{2, 2}}, {"auto_pad", std::string("SAME_UPPER")}});
}

TEST(CudaConvTranspose, OneAndThreeDimensional) {
  SKIP_WITHOUT_CUDA();
  check_conv_transpose({2, 5, 30}, {5, 7, 3}, true, {{"pads", Ints{1, 1}}, {"strides", Ints{2}}});
  check_conv_transpose({1, 6, 17}, {6, 2, 4}, false, {{"group", int64_t{3}}, {"auto_pad", std::string("SAME_LOWER")}, {"strides", Ints{3}}});
  check_conv_transpose({1, 4, 3, 4, 5}, {4, 2, 3, 3, 3}, true,
                       {{"group", int64_t{2}}, {"strides", Ints{2, 1, 2}}, {"pads", Ints{1, 1, 1, 1, 1, 1}},
                        {"output_padding", Ints{1, 0, 1}}});
  check_conv_transpose({1, 2, 3, 3, 3}, {2, 3, 2, 3, 3}, false,
                       {{"strides", Ints{2, 2, 2}}, {"pads", Ints{0, 1, 1, 1, 0, 1}}});
}

TEST(CudaConvTranspose, WeightsAsGraphInput) {
  SKIP_WITHOUT_CUDA();
  check_conv_transpose({2, 6, 5, 4}, {6, 3, 3, 3}, true, {{"strides", Ints{1, 2}}}, true);
}

}  // namespace
}  // namespace flowonnx::testing
