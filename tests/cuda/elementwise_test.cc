// The CUDA provider's element-wise ops against the CPU provider: every unary op and attribute
// variant, Clip's bound forms, broadcasting binary ops (fast and strided index paths, zero-size,
// a grid larger than 65535 * 256 threads), variadic ops and nodes the GPU must refuse.
#include "cuda/cuda_claims.h"
#include "cuda/cuda_test_util.h"

namespace flowonnx::testing {
namespace {

onnx_io::Model unary_model(const std::string& op, const Shape& shape, ir::Attributes attrs = {}) {
  GraphBuilder g(14);  // HardSwish is new in opset 14
  g.input("x", DType::Float32, shape).node(op, {"x"}, {"y"}, std::move(attrs)).output("y");
  return g.build();
}

struct UnaryCase {
  std::string op;
  ir::Attributes attrs;
  float low = -3.f, high = 3.f;
};

std::vector<UnaryCase> unary_cases() {
  return {
      {"Relu", {}},
      {"LeakyRelu", {}},
      {"LeakyRelu", {{"alpha", 0.3}}},
      {"Sigmoid", {}, -20.f, 20.f},
      {"Tanh", {}},
      {"Exp", {}},
      {"Log", {}, 0.01f, 10.f},
      {"Sqrt", {}, 0.f, 10.f},
      {"Reciprocal", {}, 0.1f, 3.f},
      {"Neg", {}},
      {"Abs", {}},
      {"Erf", {}},
      {"Floor", {}},
      {"Ceil", {}},
      {"Round", {}},
      {"Sin", {}, -10.f, 10.f},
      {"Cos", {}, -10.f, 10.f},
      {"Elu", {}},
      {"Elu", {{"alpha", 0.7}}},
      {"Selu", {}},
      {"Selu", {{"alpha", 1.5}, {"gamma", 2.0}}},
      {"Softplus", {}, -20.f, 20.f},
      {"Softsign", {}},
      {"HardSigmoid", {}},
      {"HardSigmoid", {{"alpha", 0.1}, {"beta", 0.4}}},
      {"HardSwish", {}, -5.f, 5.f},
  };
}

TEST(CudaElementwise, UnaryOpsMatchCpu) {
  SKIP_WITHOUT_CUDA();
  uint32_t seed = 1;
  for (const auto& c : unary_cases()) {
    for (const Shape& shape : {Shape{7}, Shape{3, 5, 17}, Shape{2, 3, 4, 5, 6}, Shape{}, Shape{0, 4}}) {
      SCOPED_TRACE(c.op + " " + shape_to_string(shape));
      Tensor x = random_tensor(shape, seed++, c.low, c.high);
      EXPECT_NO_THROW(expect_cuda_matches_cpu(unary_model(c.op, shape, c.attrs), {{"x", x}}));
    }
  }
}

TEST(CudaElementwise, RoundsHalfToEven) {
  SKIP_WITHOUT_CUDA();
  Tensor x = Tensor::from_vector<float>({8}, {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 3.49f, -3.51f});
  expect_cuda_matches_cpu(unary_model("Round", {8}), {{"x", x}}, 0.0);
}

// More than 65535 * 256 elements: more blocks than a 65535-block grid holds (grid_for allows
// 65535 * 32 blocks; the grid-stride loops cover anything beyond that).
TEST(CudaElementwise, LargeTensorsUseTheGridStrideLoop) {
  SKIP_WITHOUT_CUDA();
  Shape shape{65535LL * 256 + 3};
  expect_cuda_matches_cpu(unary_model("Sigmoid", shape), {{"x", random_tensor(shape, 5)}});
  GraphBuilder g(13);
  g.input("a", DType::Float32, shape).input("b", DType::Float32, Shape{1}).node("Add", {"a", "b"}, {"y"}).output("y");
  expect_cuda_matches_cpu(g.build(), {{"a", random_tensor(shape, 6)}, {"b", random_tensor({1}, 7)}});
}

// ---- Clip --------------------------------------------------------------------------------

TEST(CudaElementwise, ClipWithConstantBoundsOrNone) {
  SKIP_WITHOUT_CUDA();
  Shape shape{4, 9};
  Tensor x = random_tensor(shape, 11, -3.f, 3.f);
  struct Bounds {
    std::string min, max;
  };
  for (const auto& b : {Bounds{"lo", "hi"}, Bounds{"lo", ""}, Bounds{"", "hi"}, Bounds{"", ""}}) {
    SCOPED_TRACE("min '" + b.min + "' max '" + b.max + "'");
    GraphBuilder g(13);
    g.input("x", DType::Float32, shape)
        .initializer("lo", Tensor::scalar<float>(-0.5f))
        .initializer("hi", Tensor::scalar<float>(1.25f));
    std::vector<std::string> inputs = {"x", b.min, b.max};
    while (inputs.back().empty() && inputs.size() > 1) inputs.pop_back();
    g.node("Clip", inputs, {"y"}).output("y");
    expect_cuda_matches_cpu(g.build(), {{"x", x}}, 0.0);
  }
}

// Opset 10 (Clip-6): min/max are attributes; import turns them into constant inputs.
TEST(CudaElementwise, ClipWithOldOpsetAttributes) {
  SKIP_WITHOUT_CUDA();
  Shape shape{3, 7};
  for (ir::Attributes attrs : {ir::Attributes{{"min", -0.25}, {"max", 0.5}}, ir::Attributes{{"max", 0.5}},
                               ir::Attributes{}}) {
    GraphBuilder g(10);
    g.input("x", DType::Float32, shape).node("Clip", {"x"}, {"y"}, attrs).output("y");
    expect_cuda_matches_cpu(g.build(), {{"x", random_tensor(shape, 12)}}, 0.0);
  }
}

TEST(CudaElementwise, ClipWithRuntimeBoundsStaysOnCpu) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{5}).input("lo", DType::Float32, Shape{});
  g.node("Clip", {"x", "lo"}, {"y"}).output("y");
  CudaComparison result = expect_cuda_matches_cpu(
      g.build(), {{"x", random_tensor({5}, 13)}, {"lo", Tensor::scalar<float>(0.1f)}}, 0.0, false);
  EXPECT_EQ(result.nodes_on_gpu, 0);
}

// ---- binary ------------------------------------------------------------------------------

struct ShapePair {
  Shape a, b;
};

// True when `from` broadcasts to `to` without growing it (numpy rules, aligned at the right).
bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  for (size_t i = 0; i < from.size(); ++i) {
    int64_t f = from[from.size() - 1 - i], t = to[to.size() - 1 - i];
    if (f != 1 && f != t) return false;
  }
  return true;
}

std::vector<ShapePair> broadcast_pairs() {
  return {
      {{3, 4, 5}, {3, 4, 5}},        // same shape
      {{3, 4, 5}, {}},               // scalar
      {{}, {3, 4, 5}},               // scalar first
      {{3, 4, 5}, {5}},              // trailing vector (bias)
      {{4, 5}, {3, 4, 5}},           // trailing block first
      {{2, 3, 4, 5}, {3, 1, 1}},     // per-channel: strided path
      {{3, 1, 5}, {4, 1}},           // both broadcast
      {{2, 1, 4, 1}, {3, 1, 6}},     // both broadcast, rank 4
      {{2, 1, 3, 1, 2, 1}, {1, 2, 1, 3, 1, 2}},  // rank 6
      {{1, 1, 2, 1, 3, 1, 2, 3}, {2, 1, 2, 1, 1, 1, 3}},  // rank 8
      {{0, 3}, {3}},                 // zero-size
      {{7}, {1}},
      {{1}, {7}},
  };
}

TEST(CudaElementwise, BinaryOpsBroadcastLikeTheCpu) {
  SKIP_WITHOUT_CUDA();
  uint32_t seed = 100;
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow", "PRelu"}) {
    for (const auto& [sa, sb] : broadcast_pairs()) {
      // PRelu's slope broadcasts one way only: to the shape of X.
      if (std::string(op) == "PRelu" && !broadcasts_to(sb, sa)) continue;
      SCOPED_TRACE(std::string(op) + " " + shape_to_string(sa) + " " + shape_to_string(sb));
      GraphBuilder g(13);
      g.input("a", DType::Float32, sa).input("b", DType::Float32, sb).node(op, {"a", "b"}, {"y"}).output("y");
      std::string name = op;
      // Div away from 0; Pow of positive bases.
      Tensor a = name == "Pow" ? random_tensor(sa, seed++, 0.1f, 2.f) : random_tensor(sa, seed++);
      Tensor b = name == "Div" ? random_tensor(sb, seed++, 0.5f, 2.f) : random_tensor(sb, seed++, -2.f, 2.f);
      EXPECT_NO_THROW(expect_cuda_matches_cpu(g.build(), {{"a", a}, {"b", b}}));
    }
  }
}

TEST(CudaElementwise, PReluWithPerChannelSlope) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{2, 3, 4, 5})
      .initializer("slope", random_tensor({3, 1, 1}, 21))
      .node("PRelu", {"x", "slope"}, {"y"})
      .output("y");
  expect_cuda_matches_cpu(g.build(), {{"x", random_tensor({2, 3, 4, 5}, 22)}});
}

TEST(CudaElementwise, Int64AddStaysOnCpu) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(13);
  g.input("a", DType::Int64, Shape{3}).input("b", DType::Int64, Shape{3}).node("Add", {"a", "b"}, {"y"}).output("y");
  CudaComparison result = expect_cuda_matches_cpu(
      g.build(),
      {{"a", Tensor::from_vector<int64_t>({3}, {1, 2, 3})}, {"b", Tensor::from_vector<int64_t>({3}, {4, 5, 6})}},
      0.0, false);
  EXPECT_EQ(result.nodes_on_gpu, 0);
}

// ---- variadic ----------------------------------------------------------------------------

TEST(CudaElementwise, VariadicOpsWithOneToFourInputs) {
  SKIP_WITHOUT_CUDA();
  const std::vector<Shape> shapes = {{2, 3, 4}, {4}, {3, 1}, {2, 1, 1}};
  uint32_t seed = 200;
  for (const char* op : {"Max", "Min", "Sum", "Mean"}) {
    for (size_t count = 1; count <= shapes.size(); ++count) {
      SCOPED_TRACE(std::string(op) + " x" + std::to_string(count));
      GraphBuilder g(13);
      std::vector<std::string> names;
      std::map<std::string, Tensor> feeds;
      for (size_t k = 0; k < count; ++k) {
        names.push_back("x" + std::to_string(k));
        g.input(names.back(), DType::Float32, shapes[k]);
        feeds[names.back()] = random_tensor(shapes[k], seed++);
      }
      g.node(op, names, {"y"}).output("y");
      expect_cuda_matches_cpu(g.build(), feeds);
    }
  }
}

// The final shape comes from the later inputs: the first step already broadcasts to it.
TEST(CudaElementwise, VariadicBroadcastGrowsWithLaterInputs) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(13);
  g.input("a", DType::Float32, Shape{3}).input("b", DType::Float32, Shape{1}).input("c", DType::Float32, Shape{2, 1, 3});
  g.node("Sum", {"a", "b", "c"}, {"y"}).output("y");
  expect_cuda_matches_cpu(g.build(), {{"a", random_tensor({3}, 31)}, {"b", random_tensor({1}, 32)},
                                      {"c", random_tensor({2, 1, 3}, 33)}});
}

TEST(CudaElementwise, ChainsStayOnTheGpu) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{2, 8, 16}).initializer("w", random_tensor({16}, 41));
  g.node("Mul", {"x", "w"}, {"m"}).node("Sigmoid", {"m"}, {"s"}).node("Mul", {"m", "s"}, {"silu"})
      .node("Sub", {"silu", "x"}, {"y"}).output("y");
  CudaComparison result = expect_cuda_matches_cpu(g.build(), {{"x", random_tensor({2, 8, 16}, 42)}});
  EXPECT_EQ(result.nodes_on_gpu, 4);
}


// ---- claim rules (run without a GPU) -----------------------------------------------------

onnx_io::Model binary_model(const std::string& op, DType a, DType b) {
  GraphBuilder g(13);
  g.input("a", a, Shape{2, 3}).input("b", b, Shape{3}).node(op, {"a", "b"}, {"y"}).output("y");
  return g.build();
}

TEST(CudaElementwiseClaims, Float32OnlyAndConstantClipBounds) {
  SKIP_WITHOUT_CUDA_BUILD();
  for (const auto& c : unary_cases()) EXPECT_TRUE(cuda_claims(unary_model(c.op, {2, 3}, c.attrs), c.op)) << c.op;
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow", "PRelu", "Max", "Min", "Sum", "Mean"})
    EXPECT_TRUE(cuda_claims(binary_model(op, DType::Float32, DType::Float32), op)) << op;
  EXPECT_FALSE(cuda_claims(binary_model("Add", DType::Int64, DType::Int64), "Add"));
  EXPECT_FALSE(cuda_claims(binary_model("Pow", DType::Float32, DType::Int64), "Pow"));  // integer exponent
  {
    GraphBuilder g(10);  // Clip-6: attributes become constant inputs
    g.input("x", DType::Float32, Shape{4}).node("Clip", {"x"}, {"y"}, {{"min", -1.0}, {"max", 1.0}}).output("y");
    EXPECT_TRUE(cuda_claims(g.build(), "Clip"));
  }
  {
    GraphBuilder g(13);
    g.input("x", DType::Float32, Shape{4}).initializer("hi", Tensor::scalar<float>(1.f));
    g.node("Clip", {"x", "", "hi"}, {"y"}).output("y");
    EXPECT_TRUE(cuda_claims(g.build(), "Clip"));
  }
  {
    GraphBuilder g(13);
    g.input("x", DType::Float32, Shape{4}).input("lo", DType::Float32, Shape{});
    g.node("Clip", {"x", "lo"}, {"y"}).output("y");
    EXPECT_FALSE(cuda_claims(g.build(), "Clip"));
  }
  {
    GraphBuilder g(13);  // an initializer that is also a graph input: a feed may override it
    g.input("x", DType::Float32, Shape{4}).input("hi", DType::Float32, Shape{}).initializer("hi", Tensor::scalar<float>(1.f));
    g.node("Clip", {"x", "", "hi"}, {"y"}).output("y");
    EXPECT_FALSE(cuda_claims(g.build(), "Clip"));
  }
}

}  // namespace
}  // namespace flowonnx::testing
