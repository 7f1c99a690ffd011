// The CUDA provider's compute-heavy ops against the CPU provider: Conv (cuDNN), FusedConv as the
// session creates it from Conv -> BatchNormalization -> (Add) -> Relu/Clip, MaxPool/AveragePool,
// MatMul and Gemm (cuBLASLt). Shapes follow ResNet-18/50 and transformer blocks plus odd sizes,
// asymmetric pads and broadcasting. TF32 is off, so 1e-4 holds with FMA math.
#include "cuda/cuda_test_util.h"

namespace flowonnx::testing {
namespace {

using Ints = std::vector<int64_t>;

// Note: the session turns every 2-D Conv with constant weights into FusedConv (fuse_conv.cc), so
// the Conv tests with initializer weights run the FusedConv kernel without activations; 1-D convs
// and weights fed as inputs run the Conv kernel.

// Weights scaled by 1/sqrt(fan-in) keep outputs O(1), so 1e-4 is a relative bound.
Tensor weights(const Shape& shape, uint32_t seed) {
  int64_t fan_in = 1;
  for (size_t d = 1; d < shape.size(); ++d) fan_in *= shape[d];
  float bound = 1.f / std::sqrt(static_cast<float>(std::max<int64_t>(fan_in, 1)));
  return random_tensor(shape, seed, -bound, bound);
}

onnx_io::Model conv_model(const Shape& x, const Shape& w, bool bias, ir::Attributes attrs) {
  GraphBuilder g(13);
  g.input("x", DType::Float32, x).initializer("w", weights(w, 2));
  std::vector<std::string> inputs = {"x", "w"};
  if (bias) {
    g.initializer("b", random_tensor({w[0]}, 3));
    inputs.push_back("b");
  }
  g.node("Conv", inputs, {"y"}, std::move(attrs)).output("y");
  return g.build();
}

void check_conv(const Shape& x, const Shape& w, bool bias, ir::Attributes attrs) {
  SCOPED_TRACE(shape_to_string(x) + " * " + shape_to_string(w));
  expect_cuda_matches_cpu(conv_model(x, w, bias, std::move(attrs)), {{"x", random_tensor(x, 1)}});
}

TEST(CudaConv, ResNetShapes) {
  SKIP_WITHOUT_CUDA();
  check_conv({1, 3, 224, 224}, {64, 3, 7, 7}, true, {{"strides", Ints{2, 2}}, {"pads", Ints{3, 3, 3, 3}}});
  check_conv({1, 64, 56, 56}, {64, 64, 3, 3}, true, {{"pads", Ints{1, 1, 1, 1}}});
  check_conv({2, 64, 56, 56}, {128, 64, 3, 3}, false,
             {{"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}, {"kernel_shape", Ints{3, 3}}});
  check_conv({1, 512, 7, 7}, {512, 512, 1, 1}, true, {});
  check_conv({1, 256, 14, 14}, {1024, 256, 1, 1}, false, {});
  check_conv({3, 1024, 14, 14}, {2048, 1024, 1, 1}, true, {{"strides", Ints{2, 2}}});
}

TEST(CudaConv, GroupedDepthwiseDilatedOddSizes) {
  SKIP_WITHOUT_CUDA();
  check_conv({2, 32, 15, 17}, {64, 8, 3, 3}, true, {{"group", int64_t{4}}, {"pads", Ints{1, 1, 1, 1}}});
  check_conv({1, 32, 20, 20}, {32, 1, 3, 3}, true,
             {{"group", int64_t{32}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  check_conv({1, 16, 19, 23}, {8, 16, 3, 3}, false, {{"dilations", Ints{2, 2}}, {"pads", Ints{2, 2, 2, 2}}});
  check_conv({2, 5, 9, 11}, {7, 5, 2, 4}, true, {{"strides", Ints{1, 3}}, {"dilations", Ints{2, 1}}});
}

TEST(CudaConv, AsymmetricPadsAndAutoPad) {
  SKIP_WITHOUT_CUDA();
  check_conv({1, 8, 11, 13}, {4, 8, 3, 3}, true, {{"pads", Ints{0, 1, 2, 0}}});
  check_conv({2, 4, 10, 9}, {6, 4, 4, 4}, true, {{"auto_pad", std::string("SAME_UPPER")}, {"strides", Ints{2, 2}}});
  check_conv({2, 4, 10, 9}, {6, 4, 4, 4}, false, {{"auto_pad", std::string("SAME_LOWER")}});
  check_conv({1, 4, 10, 9}, {6, 4, 3, 2}, true, {{"auto_pad", std::string("VALID")}, {"strides", Ints{2, 1}}});
}

TEST(CudaConv, OneDimensional) {
  SKIP_WITHOUT_CUDA();
  check_conv({2, 5, 30}, {7, 5, 3}, true, {{"pads", Ints{1, 2}}, {"strides", Ints{2}}});
  check_conv({1, 6, 17}, {6, 2, 5}, false, {{"group", int64_t{3}}, {"dilations", Ints{2}}});
}

// A 2-D Conv with constant weights becomes FusedConv in the session; weights fed at run time keep
// the plain Conv node (and its bias input) on the GPU.
TEST(CudaConv, WeightsAsGraphInput) {
  SKIP_WITHOUT_CUDA();
  for (bool bias : {false, true}) {
    SCOPED_TRACE(bias ? "bias" : "no bias");
    const Shape x = {2, 6, 13, 12}, w = {8, 3, 3, 3};
    GraphBuilder g(13);
    g.input("x", DType::Float32, x).input("w", DType::Float32, w);
    std::vector<std::string> inputs = {"x", "w"};
    std::map<std::string, Tensor> feeds = {{"x", random_tensor(x, 1)}, {"w", weights(w, 2)}};
    if (bias) {
      g.input("b", DType::Float32, Shape{8});
      inputs.push_back("b");
      feeds["b"] = random_tensor({8}, 3);
    }
    g.node("Conv", inputs, {"y"}, {{"group", int64_t{2}}, {"pads", Ints{1, 0, 2, 1}}, {"strides", Ints{2, 1}}})
        .output("y");
    expect_cuda_matches_cpu(g.build(), feeds);
  }
}

// Conv -> BatchNormalization -> [Relu|Clip] -> [Add residual] -> [Relu|Clip]: the session folds
// the BN and fuses the rest into one FusedConv, which must run on the GPU.
struct FusedCase {
  bool bias;
  std::string pre, post;  // "" | "Relu" | "Clip"
  bool residual;
  int64_t stride;
};

void add_activation(GraphBuilder& g, const std::string& kind, const std::string& in, const std::string& out) {
  if (kind == "Relu") g.node("Relu", {in}, {out});
  else g.node("Clip", {in, "lo", "hi"}, {out});
}

void check_fused(const FusedCase& c, const Shape& x, int64_t out_channels) {
  SCOPED_TRACE("pre=" + c.pre + " post=" + c.post + (c.residual ? " residual" : "") +
               (c.bias ? " bias" : ""));
  const int64_t out_hw = (x[2] - 1) / c.stride + 1;
  const Shape out = {x[0], out_channels, out_hw, out_hw};
  GraphBuilder g(13);
  g.input("x", DType::Float32, x).initializer("w", weights({out_channels, x[1], 3, 3}, 2));
  g.initializer("scale", random_tensor({out_channels}, 4, 0.5f, 1.5f))
      .initializer("shift", random_tensor({out_channels}, 5))
      .initializer("mean", random_tensor({out_channels}, 6))
      .initializer("var", random_tensor({out_channels}, 7, 0.5f, 2.f));
  if (c.pre == "Clip" || c.post == "Clip")
    g.initializer("lo", Tensor::scalar<float>(-0.25f)).initializer("hi", Tensor::scalar<float>(0.75f));
  std::vector<std::string> conv_inputs = {"x", "w"};
  if (c.bias) {
    g.initializer("b", random_tensor({out_channels}, 3));
    conv_inputs.push_back("b");
  }
  g.node("Conv", conv_inputs, {"c"},
         {{"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{c.stride, c.stride}}, {"kernel_shape", Ints{3, 3}}});
  // The chain's values are c -> bn -> pre -> sum -> post; the last one is the graph output "y".
  const bool pre = !c.pre.empty(), post = !c.post.empty();
  const std::string bn = pre || c.residual || post ? "bn" : "y";
  const std::string pre_out = c.residual || post ? "pre" : "y";
  const std::string sum_out = post ? "sum" : "y";
  g.node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {bn}, {{"epsilon", 1e-5}});
  std::string value = bn;
  if (pre) {
    add_activation(g, c.pre, value, pre_out);
    value = pre_out;
  }
  std::map<std::string, Tensor> feeds = {{"x", random_tensor(x, 1)}};
  if (c.residual) {
    g.input("r", DType::Float32, out);
    g.node("Add", {value, "r"}, {sum_out});
    value = sum_out;
    feeds["r"] = random_tensor(out, 9);
  }
  if (post) add_activation(g, c.post, value, "y");
  g.output("y");
  onnx_io::Model model = g.build();
  InferenceSession probe(onnx_io::parse_model(onnx_io::serialize_model(model), {}, "test model"),
                         {"CUDAExecutionProvider", "CPUExecutionProvider"});
  // (On the CPU the layout pass adds To*Layout reorders around it; on the GPU it is the only node.)
  for (const auto& [node, provider] : probe.get_node_providers()) {
    EXPECT_EQ(node.rfind("Conv", 0) == 0 || node.find("Layout") != std::string::npos, true)
        << "node " << node << " was not fused into the FusedConv";
  }
  expect_cuda_matches_cpu(model, feeds);
}

TEST(CudaFusedConv, ResNetBlockPatterns) {
  SKIP_WITHOUT_CUDA();
  const Shape x = {1, 16, 14, 14};
  for (const FusedCase& c : {FusedCase{false, "", "", false, 1},        // bias only (epilogue)
                             FusedCase{false, "Relu", "", false, 1},    // cuDNN bias + relu
                             FusedCase{true, "", "Relu", true, 1},      // cuDNN bias + z + relu
                             FusedCase{true, "", "", true, 2},          // sum, no activation
                             FusedCase{false, "Relu", "Relu", true, 1}, // relu before the sum
                             FusedCase{false, "Clip", "", false, 2},
                             FusedCase{true, "Relu", "Clip", true, 1},
                             FusedCase{false, "", "Clip", true, 1}})
    check_fused(c, x, c.residual && c.stride == 1 ? 32 : 24);
  check_fused(FusedCase{true, "", "Relu", true, 1}, {2, 64, 56, 56}, 64);
}

// ---- pools ----

onnx_io::Model pool_model(const std::string& op, const Shape& x, ir::Attributes attrs, int64_t opset = 13) {
  GraphBuilder g(opset);
  g.input("x", DType::Float32, x).node(op, {"x"}, {"y"}, std::move(attrs)).output("y");
  return g.build();
}

void check_pool(const std::string& op, const Shape& x, ir::Attributes attrs, int64_t opset = 13) {
  SCOPED_TRACE(op + " " + shape_to_string(x));
  expect_cuda_matches_cpu(pool_model(op, x, std::move(attrs), opset), {{"x", random_tensor(x, 1)}}, 1e-5);
}

TEST(CudaPool, MaxPoolVariants) {
  SKIP_WITHOUT_CUDA();
  check_pool("MaxPool", {1, 64, 112, 112},
             {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}}});
  check_pool("MaxPool", {2, 3, 13, 13}, {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"ceil_mode", int64_t{1}}});
  check_pool("MaxPool", {2, 3, 14, 15},
             {{"kernel_shape", Ints{3, 2}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 0, 1, 1}}, {"ceil_mode", int64_t{1}}});
  check_pool("MaxPool", {1, 4, 17, 16}, {{"kernel_shape", Ints{3, 3}}, {"dilations", Ints{2, 2}}, {"pads", Ints{1, 1, 2, 2}}});
  check_pool("MaxPool", {1, 4, 10, 11}, {{"kernel_shape", Ints{2, 3}}, {"strides", Ints{2, 2}}, {"auto_pad", std::string("SAME_UPPER")}});
  check_pool("MaxPool", {1, 4, 10, 11}, {{"kernel_shape", Ints{4, 3}}, {"auto_pad", std::string("SAME_LOWER")}});
  check_pool("MaxPool", {2, 3, 20}, {{"kernel_shape", Ints{3}}, {"strides", Ints{2}}, {"pads", Ints{1, 1}}});
  check_pool("MaxPool", {1, 2, 6, 7, 8}, {{"kernel_shape", Ints{2, 2, 3}}, {"strides", Ints{2, 2, 2}}});
}

TEST(CudaPool, AveragePoolVariants) {
  SKIP_WITHOUT_CUDA();
  for (int64_t include : {0, 1}) {
    SCOPED_TRACE("count_include_pad=" + std::to_string(include));
    check_pool("AveragePool", {1, 8, 28, 28},
               {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}},
                {"count_include_pad", include}});
    // ceil_mode windows that start inside the padding and run past the end padding.
    check_pool("AveragePool", {2, 3, 14, 15},
               {{"kernel_shape", Ints{3, 3}}, {"strides", Ints{2, 2}}, {"pads", Ints{1, 1, 1, 1}},
                {"ceil_mode", int64_t{1}}, {"count_include_pad", include}});
    check_pool("AveragePool", {1, 3, 9, 10},
               {{"kernel_shape", Ints{2, 3}}, {"pads", Ints{0, 2, 1, 0}}, {"count_include_pad", include}});
    check_pool("AveragePool", {2, 3, 21}, {{"kernel_shape", Ints{4}}, {"strides", Ints{3}}, {"pads", Ints{2, 1}},
                                           {"ceil_mode", int64_t{1}}, {"count_include_pad", include}});
    check_pool("AveragePool", {1, 2, 6, 7, 8},
               {{"kernel_shape", Ints{2, 3, 3}}, {"strides", Ints{2, 2, 2}}, {"pads", Ints{1, 1, 1, 0, 1, 1}},
                {"count_include_pad", include}});
  }
  check_pool("AveragePool", {1, 4, 10, 11}, {{"kernel_shape", Ints{3, 3}}, {"auto_pad", std::string("SAME_UPPER")}});
  check_pool("AveragePool", {1, 4, 10, 11}, {{"kernel_shape", Ints{3, 2}}, {"auto_pad", std::string("VALID")}, {"strides", Ints{2, 2}}});
}

TEST(CudaPool, MaxPoolWithIndicesStaysOnTheCpu) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{1, 3, 8, 8})
      .node("Relu", {"x"}, {"r"})
      .node("MaxPool", {"r"}, {"y", "i"}, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}})
      .output("y")
      .output("i");
  CudaComparison result = expect_cuda_matches_cpu(g.build(), {{"x", random_tensor({1, 3, 8, 8}, 1)}}, 1e-6, false);
  EXPECT_EQ(result.nodes_on_cpu, 1);
}

// ---- MatMul / Gemm ----

void check_matmul(const Shape& a, const Shape& b) {
  SCOPED_TRACE(shape_to_string(a) + " x " + shape_to_string(b));
  GraphBuilder g(13);
  g.input("a", DType::Float32, a).input("b", DType::Float32, b).node("MatMul", {"a", "b"}, {"y"}).output("y");
  expect_cuda_matches_cpu(g.build(), {{"a", random_tensor(a, 1)}, {"b", random_tensor(b, 2)}});
}

TEST(CudaMatMul, NumpyShapes) {
  SKIP_WITHOUT_CUDA();
  check_matmul({2, 3, 4, 5}, {5, 6});
  check_matmul({4, 5}, {2, 5, 3});
  check_matmul({7}, {7, 3});
  check_matmul({3, 7}, {7});
  check_matmul({7}, {7});
  check_matmul({1, 64, 128}, {128, 512});
  check_matmul({3, 4, 5}, {3, 5, 6});
  check_matmul({2, 1, 4, 5}, {1, 3, 5, 2});
  check_matmul({2, 3, 4, 5}, {3, 5, 6});
  check_matmul({1, 12, 64, 33}, {1, 12, 33, 64});
  check_matmul({513, 257}, {257, 129});
  check_matmul({0, 5}, {5, 3});
}

TEST(CudaMatMul, WeightInitializer) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(13);
  g.input("a", DType::Float32, Shape{2, 9, 768}).initializer("w", weights({768, 3072}, 3));
  g.node("MatMul", {"a", "w"}, {"y"}).output("y");
  expect_cuda_matches_cpu(g.build(), {{"a", random_tensor({2, 9, 768}, 1)}});
}

TEST(CudaGemm, TransposesAlphaBetaAndC) {
  SKIP_WITHOUT_CUDA();
  const int64_t m = 5, k = 7, n = 6;
  for (int64_t ta : {0, 1})
    for (int64_t tb : {0, 1})
      for (const Shape& c : {Shape{}, Shape{n}, Shape{m, n}, Shape{m, 1}, Shape{1, n}, Shape{1}})
        for (bool with_c : {false, true}) {
          if (!with_c && !c.empty()) continue;
          SCOPED_TRACE("transA=" + std::to_string(ta) + " transB=" + std::to_string(tb) +
                       (with_c ? " C" + shape_to_string(c) : " no C"));
          const Shape a = ta ? Shape{k, m} : Shape{m, k};
          const Shape b = tb ? Shape{n, k} : Shape{k, n};
          GraphBuilder g(13);
          g.input("a", DType::Float32, a).input("b", DType::Float32, b);
          std::vector<std::string> inputs = {"a", "b"};
          std::map<std::string, Tensor> feeds = {{"a", random_tensor(a, 1)}, {"b", random_tensor(b, 2)}};
          if (with_c) {
            g.input("c", DType::Float32, c);
            inputs.push_back("c");
            feeds["c"] = random_tensor(c, 3);
          }
          g.node("Gemm", inputs, {"y"},
                 {{"transA", ta}, {"transB", tb}, {"alpha", 0.5}, {"beta", with_c ? 2.0 : 1.0}})
              .output("y");
          expect_cuda_matches_cpu(g.build(), feeds);
        }
}

TEST(CudaGemm, ClassifierHead) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{4, 2048}).initializer("w", weights({1000, 2048}, 2));
  g.initializer("bias", random_tensor({1000}, 3));
  g.node("Gemm", {"x", "w", "bias"}, {"y"}, {{"transB", int64_t{1}}}).output("y");
  expect_cuda_matches_cpu(g.build(), {{"x", random_tensor({4, 2048}, 1)}});
}

}  // namespace
}  // namespace flowonnx::testing
