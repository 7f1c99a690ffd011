// InferenceSession on graphs built in code: a ResNet-style block checked against the reference
// kernels, dynamic batch, symbolic shapes in NodeArgs, concurrent runs, and old opset forms.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "kernels/cpu/batch_norm.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/matmul.h"
#include "kernels/cpu/pool.h"
#include "kernels/cpu/softmax.h"
#include "runtime/graph_builder.h"
#include "runtime/session.h"
#include "tensor/random.h"

namespace flowonnx {
namespace {

using testing::GraphBuilder;

void expect_close(const Tensor& actual, const Tensor& expected, double tol = 1e-4) {
  ASSERT_EQ(actual.shape(), expected.shape());
  auto a = actual.to_double_vector(), e = expected.to_double_vector();
  for (size_t i = 0; i < a.size(); ++i) ASSERT_NEAR(a[i], e[i], tol * (1 + std::abs(e[i]))) << "at " << i;
}

struct ResNetBlock {
  Tensor w1 = randn({8, 3, 3, 3}), b1 = randn({8});
  Tensor scale = rand_uniform({8}, 0.5, 1.5), bias = randn({8}), mean = randn({8}),
         var = rand_uniform({8}, 0.5, 2.0);
  Tensor w2 = randn({8, 8, 3, 3});
  Tensor fc = randn({10, 8}), fc_bias = randn({10});

  onnx_io::Model model() {
    GraphBuilder g(13);
    g.input("x", DType::Float32, {ir::Dim::named("N"), ir::Dim::of(3), ir::Dim::of(16), ir::Dim::of(16)})
        .initializer("w1", w1).initializer("b1", b1).initializer("scale", scale)
        .initializer("bias", bias).initializer("mean", mean).initializer("var", var)
        .initializer("w2", w2).initializer("fc", fc).initializer("fc_bias", fc_bias)
        .node("Conv", {"x", "w1", "b1"}, {"c1"}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"kernel_shape", std::vector<int64_t>{3, 3}}})
        .node("BatchNormalization", {"c1", "scale", "bias", "mean", "var"}, {"bn1"}, {{"epsilon", 1e-5}})
        .node("Relu", {"bn1"}, {"r1"})
        .node("MaxPool", {"r1"}, {"p1"}, {{"kernel_shape", std::vector<int64_t>{3, 3}}, {"strides", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}})
        .node("Conv", {"p1", "w2"}, {"c2"}, {{"auto_pad", std::string("SAME_UPPER")}})
        .node("Add", {"c2", "p1"}, {"sum"})
        .node("Relu", {"sum"}, {"r2"})
        .node("GlobalAveragePool", {"r2"}, {"gap"})
        .node("Flatten", {"gap"}, {"flat"})
        .node("Gemm", {"flat", "fc", "fc_bias"}, {"logits"}, {{"transB", int64_t{1}}})
        .node("Softmax", {"logits"}, {"prob"}, {{"axis", int64_t{1}}})
        .output("prob", DType::Float32, {ir::Dim::named("N"), ir::Dim::of(10)});
    return g.build();
  }

  Tensor reference(const Tensor& x) {
    using namespace kernels;
    Conv2dParams p1;
    p1.pads_begin = p1.pads_end = {1, 1};
    Tensor c1(conv2d_output_shape(x.shape(), w1.shape(), p1));
    conv2d_reference(x, w1, b1, p1, c1);
    Tensor bn(c1.shape());
    batch_norm_inference_reference(c1, scale, bias, mean, var, 1e-5, bn);
    Tensor r1(bn.shape());
    unary_reference(UnaryOp::Relu, bn, r1);
    Pool2dParams pp;
    pp.kernel = {3, 3};
    pp.strides = {2, 2};
    pp.pads_begin = pp.pads_end = {1, 1};
    Tensor p(pool2d_output_shape(r1.shape(), pp));
    pool2d_reference(PoolKind::Max, r1, pp, p);
    Tensor c2(p.shape());
    Conv2dParams p2;
    p2.pads_begin = p2.pads_end = {1, 1};
    conv2d_reference(p, w2, Tensor(), p2, c2);
    Tensor s(c2.shape()), r2(c2.shape());
    binary_reference(BinaryOp::Add, c2, p, s);
    unary_reference(UnaryOp::Relu, s, r2);
    Tensor gap({x.dim(0), 8, 1, 1});
    adaptive_avg_pool2d_reference(r2, gap);
    Tensor logits({x.dim(0), 10});
    linear(gap.reshape({x.dim(0), 8}), fc, fc_bias, logits);
    Tensor prob(logits.shape());
    softmax_reference(logits, 1, prob);
    return prob;
  }
};

TEST(Session, ResNetBlockMatchesReferenceKernels) {
  manual_seed(7);
  ResNetBlock block;
  InferenceSession session(block.model());
  ASSERT_EQ(session.get_inputs().size(), 1u);
  const NodeArg& in = session.get_inputs()[0];
  EXPECT_EQ(in.name, "x");
  EXPECT_EQ(in.type, "tensor(float)");
  ASSERT_EQ(in.shape.size(), 4u);
  EXPECT_EQ(std::get<std::string>(in.shape[0]), "N");
  EXPECT_EQ(std::get<int64_t>(in.shape[1]), 3);
  EXPECT_EQ(session.get_outputs()[0].name, "prob");
  EXPECT_EQ(session.get_providers(), std::vector<std::string>{"CPUExecutionProvider"});
  for (int64_t batch : {1, 3}) {
    Tensor x = randn({batch, 3, 16, 16});
    std::vector<Tensor> out = session.run({}, {{"x", x}});
    ASSERT_EQ(out.size(), 1u);
    expect_close(out[0], block.reference(x));
  }
}

TEST(Session, ConcurrentRunsGiveTheSameResults) {
  manual_seed(8);
  ResNetBlock block;
  InferenceSession session(block.model());
  std::vector<Tensor> inputs, expected;
  for (int i = 0; i < 4; ++i) {
    inputs.push_back(randn({2, 3, 16, 16}));
    expected.push_back(block.reference(inputs.back()));
  }
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int r = 0; r < 5; ++r) {
        Tensor out = session.run({"prob"}, {{"x", inputs[t]}})[0];
        auto a = out.to_double_vector(), e = expected[t].to_double_vector();
        for (size_t i = 0; i < a.size(); ++i)
          if (std::abs(a[i] - e[i]) > 1e-4) ++failures[t];
      }
    });
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(failures[t], 0) << "thread " << t;
}

TEST(Session, AcceptsUnavailableProvidersAndRejectsUnknownOnes) {
  manual_seed(9);
  ResNetBlock block;
  InferenceSession session(block.model(), {"TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"});
  // TensorRT is never available; CUDA only with a CUDA build and a usable GPU.
  std::vector<std::string> expected = {"CPUExecutionProvider"};
  if (cuda_unavailable_reason().empty()) expected.insert(expected.begin(), "CUDAExecutionProvider");
  EXPECT_EQ(session.get_providers(), expected);
  EXPECT_THROW(InferenceSession(block.model(), {"FooExecutionProvider"}), Error);
}

// Shape -> Gather -> Unsqueeze -> Concat -> Reshape with a dynamic batch, as PyTorch exports
// x.view(x.size(0), -1).
TEST(Session, DynamicBatchShapeChain) {
  GraphBuilder g(13);
  g.input("x", DType::Float32, {ir::Dim::named("batch"), ir::Dim::of(2), ir::Dim::of(3)})
      .initializer("zero", Tensor::scalar<int64_t>(0))
      .initializer("axes0", Tensor::from_vector<int64_t>({1}, {0}))
      .initializer("minus1", Tensor::from_vector<int64_t>({1}, {-1}))
      .node("Shape", {"x"}, {"shape"})
      .node("Gather", {"shape", "zero"}, {"n"}, {{"axis", int64_t{0}}})
      .node("Unsqueeze", {"n", "axes0"}, {"n1"})
      .node("Concat", {"n1", "minus1"}, {"target"}, {{"axis", int64_t{0}}})
      .node("Reshape", {"x", "target"}, {"y"})
      .output("y");
  InferenceSession session(g.build());
  for (int64_t batch : {1, 4}) {
    Tensor x = randn({batch, 2, 3});
    Tensor y = session.run({}, {{"x", x}})[0];
    EXPECT_EQ(y.shape(), (Shape{batch, 6}));
    EXPECT_EQ(y.to_double_vector(), x.to_double_vector());
  }
}

// LayerNormalization spelled out as older exporters do: ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add.
TEST(Session, LayerNormSpelledOutMatchesLayerNormalization) {
  Tensor gamma = randn({8}), beta = randn({8});
  GraphBuilder spelled(11);
  spelled.input("x", DType::Float32, {ir::Dim::named("N"), ir::Dim::of(4), ir::Dim::of(8)})
      .initializer("two", Tensor::scalar<float>(2.0f)).initializer("eps", Tensor::scalar<float>(1e-5f))
      .initializer("gamma", gamma).initializer("beta", beta)
      .node("ReduceMean", {"x"}, {"mean"}, {{"axes", std::vector<int64_t>{-1}}})
      .node("Sub", {"x", "mean"}, {"d"})
      .node("Pow", {"d", "two"}, {"d2"})
      .node("ReduceMean", {"d2"}, {"var"}, {{"axes", std::vector<int64_t>{-1}}})
      .node("Add", {"var", "eps"}, {"ve"})
      .node("Sqrt", {"ve"}, {"std"})
      .node("Div", {"d", "std"}, {"norm"})
      .node("Mul", {"norm", "gamma"}, {"scaled"})
      .node("Add", {"scaled", "beta"}, {"y"})
      .output("y");
  GraphBuilder fused(17);
  fused.input("x", DType::Float32, {ir::Dim::named("N"), ir::Dim::of(4), ir::Dim::of(8)})
      .initializer("gamma", gamma).initializer("beta", beta)
      .node("LayerNormalization", {"x", "gamma", "beta"}, {"y"}, {{"axis", int64_t{-1}}, {"epsilon", 1e-5}})
      .output("y");
  InferenceSession a(spelled.build()), b(fused.build());
  Tensor x = randn({3, 4, 8});
  expect_close(a.run({}, {{"x", x}})[0], b.run({}, {{"x", x}})[0]);
}

TEST(Session, OldOpsetFormsAreNormalised) {
  GraphBuilder g(9);
  g.input("x", DType::Float32, Shape{1, 3, 1, 4})
      .node("Squeeze", {"x"}, {"s"}, {{"axes", std::vector<int64_t>{0, 2}}})
      .node("Clip", {"s"}, {"c"}, {{"min", -0.5}, {"max", 0.5}})
      .node("Unsqueeze", {"c"}, {"u"}, {{"axes", std::vector<int64_t>{0}}})
      .node("Upsample", {"u", "scales"}, {"y"}, {{"mode", std::string("nearest")}})
      .initializer("scales", Tensor::from_vector<float>({3}, {1, 1, 2}))
      .output("y");
  InferenceSession session(g.build());
  Tensor x = Tensor::from_vector<float>({1, 3, 1, 4}, {-1, -0.25f, 0.25f, 1, 0, 0, 0, 0, 2, 2, 2, 2});
  Tensor y = session.run({}, {{"x", x}})[0];
  EXPECT_EQ(y.shape(), (Shape{1, 3, 8}));
  EXPECT_FLOAT_EQ(y.data<float>()[0], -0.5f);
  EXPECT_FLOAT_EQ(y.data<float>()[1], -0.5f);
  EXPECT_FLOAT_EQ(y.data<float>()[2], -0.25f);
  EXPECT_FLOAT_EQ(y.data<float>()[23], 0.5f);
}

// A long chain where every intermediate has one consumer: buffers get reused and results stay
// right.
TEST(Session, MemoryReuseKeepsResultsCorrect) {
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{64}).initializer("one", Tensor::full({64}, 1.0));
  std::string last = "x";
  for (int i = 0; i < 20; ++i) {
    std::string next = "v" + std::to_string(i);
    g.node("Add", {last, "one"}, {next});
    last = next;
  }
  g.node("Identity", {"v10"}, {"mid"}).output(last).output("mid");
  InferenceSession session(g.build());
  Tensor x = Tensor::zeros({64});
  std::vector<Tensor> out = session.run({}, {{"x", x}});
  EXPECT_EQ(out[0].to_double_vector(), std::vector<double>(64, 20.0));
  EXPECT_EQ(out[1].to_double_vector(), std::vector<double>(64, 11.0));
}

TEST(Session, LoadsAModelFileWrittenBySaveModel) {
  manual_seed(11);
  ResNetBlock block;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "flowonnx_runtime_session_test";
  std::filesystem::create_directories(dir);
  onnx_io::SaveOptions options;
  options.external_data = true;
  onnx_io::save_model(block.model(), dir / "block.onnx", options);
  InferenceSession session(dir / "block.onnx");
  Tensor x = randn({2, 3, 16, 16});
  expect_close(session.run({}, {{session.get_inputs()[0].name, x}})[0], block.reference(x));
  std::filesystem::remove_all(dir);
}

TEST(Session, LpPoolAndOneDimensionalConv) {
  GraphBuilder g(13);
  Tensor w = randn({2, 1, 3});
  g.input("x", DType::Float32, Shape{1, 1, 2, 2}).input("s", DType::Float32, Shape{1, 1, 6})
      .initializer("w", w)
      .node("LpPool", {"x"}, {"lp"}, {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"p", int64_t{2}}})
      .node("Conv", {"s", "w"}, {"c"}, {{"pads", std::vector<int64_t>{1, 1}}})
      .output("lp").output("c");
  InferenceSession session(g.build());
  Tensor s = randn({1, 1, 6});
  std::vector<Tensor> out =
      session.run({}, {{"x", Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 2, 4})}, {"s", s}});
  EXPECT_EQ(out[0].shape(), (Shape{1, 1, 1, 1}));
  EXPECT_NEAR(out[0].data<float>()[0], 5.0f, 1e-5);
  kernels::Conv2dParams p;
  p.pads_begin = {0, 1};
  p.pads_end = {0, 1};
  Tensor expected({1, 2, 1, 6});
  kernels::conv2d_reference(s.reshape({1, 1, 1, 6}), w.reshape({2, 1, 1, 3}), Tensor(), p, expected);
  expect_close(out[1], expected.reshape({1, 2, 6}));
}

}  // namespace
}  // namespace flowonnx
