// The CUDA provider's reductions and normalisations against the CPU provider: every ReduceX over
// trailing (row path), middle and scattered (strided path) axes, keepdims, empty axes, long rows
// (block-per-row), zero-size inputs; global pools; Softmax/LogSoftmax on every axis and both
// opset forms; LayerNormalization, InstanceNormalization, BatchNormalization; refused nodes.
#include "cuda/cuda_claims.h"
#include "cuda/cuda_test_util.h"

namespace flowonnx::testing {
namespace {

// ReduceSum from opset 13 takes axes as an input; the others an attribute (until opset 18).
onnx_io::Model reduce_model(const std::string& op, const Shape& shape, const std::vector<int64_t>* axes,
                            int64_t keepdims, int64_t noop_with_empty_axes = 0) {
  GraphBuilder g(13);
  g.input("x", DType::Float32, shape);
  ir::Attributes attrs{{"keepdims", keepdims}};
  std::vector<std::string> inputs = {"x"};
  if (op == "ReduceSum") {
    attrs.set("noop_with_empty_axes", noop_with_empty_axes);
    if (axes) {
      g.initializer("axes", Tensor::from_vector<int64_t>({static_cast<int64_t>(axes->size())}, *axes));
      inputs.push_back("axes");
    }
  } else if (axes) {
    attrs.set("axes", *axes);
  }
  g.node(op, inputs, {"y"}, attrs).output("y");
  return g.build();
}

const char* kReduceOps[] = {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd",
                            "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp"};

// Values whose products and exponentials stay well inside float range.
Tensor reduce_input(const std::string& op, const Shape& shape, uint32_t seed) {
  if (op == "ReduceProd") return random_tensor(shape, seed, 0.8f, 1.2f);
  if (op == "ReduceLogSum") return random_tensor(shape, seed, 0.1f, 2.f);  // a positive sum
  if (op == "ReduceLogSumExp") return random_tensor(shape, seed, -30.f, 30.f);
  return random_tensor(shape, seed, -2.f, 2.f);
}

TEST(CudaReduce, EveryOpOverEveryAxisPattern) {
  SKIP_WITHOUT_CUDA();
  const Shape shape{2, 3, 4, 5};
  const std::vector<std::vector<int64_t>> axis_sets = {{-1}, {3}, {2, 3}, {1, 2, 3}, {0, 1, 2, 3}, {1},
                                                       {0},  {0, 2}, {1, 3}, {0, 3}, {-3, -2}};
  uint32_t seed = 1;
  for (const char* op : kReduceOps) {
    for (const auto& axes : axis_sets) {
      for (int64_t keepdims : {0, 1}) {
        SCOPED_TRACE(std::string(op) + " axes " + shape_to_string(axes) + " keepdims " + std::to_string(keepdims));
        expect_cuda_matches_cpu(reduce_model(op, shape, &axes, keepdims), {{"x", reduce_input(op, shape, seed++)}});
      }
    }
    SCOPED_TRACE(std::string(op) + " without axes (all)");
    expect_cuda_matches_cpu(reduce_model(op, shape, nullptr, 0), {{"x", reduce_input(op, shape, seed++)}});
    expect_cuda_matches_cpu(reduce_model(op, shape, nullptr, 1), {{"x", reduce_input(op, shape, seed++)}});
  }
}

TEST(CudaReduce, RanksOneToFiveAndSizeOneDims) {
  SKIP_WITHOUT_CUDA();
  uint32_t seed = 300;
  struct Case {
    Shape shape;
    std::vector<int64_t> axes;
  };
  for (const auto& c : {Case{{9}, {0}}, Case{{1}, {0}}, Case{{5, 1, 7}, {1}}, Case{{5, 1, 7}, {0, 2}},
                        Case{{1, 6, 1, 3}, {0, 2}}, Case{{2, 3, 1, 4, 5}, {1, 3}}, Case{{2, 3, 1, 4, 5}, {2, 4}},
                        Case{{3, 1, 2, 1, 4}, {1, 3}}}) {
    for (const char* op : {"ReduceSum", "ReduceMax", "ReduceMean", "ReduceLogSumExp"}) {
      SCOPED_TRACE(std::string(op) + " " + shape_to_string(c.shape) + " axes " + shape_to_string(c.axes));
      expect_cuda_matches_cpu(reduce_model(op, c.shape, &c.axes, 1), {{"x", reduce_input(op, c.shape, seed++)}});
    }
  }
}

// Rows of >= 1024 elements take the block-per-row kernel; a long strided reduction the
// thread-per-output one; the single 20000-row reduction one block.
TEST(CudaReduce, LongRowsAndLongStridedReductions) {
  SKIP_WITHOUT_CUDA();
  uint32_t seed = 400;
  for (const char* op : {"ReduceSum", "ReduceMean", "ReduceMax", "ReduceL2", "ReduceLogSumExp"}) {
    SCOPED_TRACE(op);
    std::vector<int64_t> last = {-1}, middle = {1}, all = {0};
    expect_cuda_matches_cpu(reduce_model(op, {3, 10000}, &last, 1), {{"x", reduce_input(op, {3, 10000}, seed++)}});
    expect_cuda_matches_cpu(reduce_model(op, {5, 1023}, &last, 0), {{"x", reduce_input(op, {5, 1023}, seed++)}});
    expect_cuda_matches_cpu(reduce_model(op, {5, 1024}, &last, 0), {{"x", reduce_input(op, {5, 1024}, seed++)}});
    expect_cuda_matches_cpu(reduce_model(op, {20000}, &all, 0), {{"x", reduce_input(op, {20000}, seed++)}});
    expect_cuda_matches_cpu(reduce_model(op, {7, 5000, 3}, &middle, 0),
                            {{"x", reduce_input(op, {7, 5000, 3}, seed++)}});
  }
}

TEST(CudaReduce, ZeroSizeInputs) {
  SKIP_WITHOUT_CUDA();
  std::vector<int64_t> middle = {1}, first = {0};
  for (const char* op : {"ReduceSum", "ReduceProd", "ReduceSumSquare", "ReduceL1"}) {
    SCOPED_TRACE(op);
    // Reducing an empty axis gives the op's identity; an empty kept axis gives an empty output.
    expect_cuda_matches_cpu(reduce_model(op, {2, 0, 3}, &middle, 1), {{"x", Tensor({2, 0, 3}, DType::Float32)}});
    expect_cuda_matches_cpu(reduce_model(op, {2, 0, 3}, &first, 0), {{"x", Tensor({2, 0, 3}, DType::Float32)}});
  }
}

TEST(CudaReduce, ReduceSumEmptyAxesAndNoop) {
  SKIP_WITHOUT_CUDA();
  std::vector<int64_t> none;
  Tensor x = random_tensor({3, 4}, 500);
  expect_cuda_matches_cpu(reduce_model("ReduceSum", {3, 4}, &none, 1, 1), {{"x", x}}, 0.0);  // identity
  expect_cuda_matches_cpu(reduce_model("ReduceSum", {3, 4}, &none, 0, 0), {{"x", x}});        // all
  expect_cuda_matches_cpu(reduce_model("ReduceSum", {3, 4}, nullptr, 1, 1), {{"x", x}}, 0.0);
}

TEST(CudaReduce, RuntimeAxesStayOnCpu) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{3, 4}).input("axes", DType::Int64, Shape{1});
  g.node("ReduceSum", {"x", "axes"}, {"y"}).output("y");
  CudaComparison result = expect_cuda_matches_cpu(
      g.build(), {{"x", random_tensor({3, 4}, 501)}, {"axes", Tensor::from_vector<int64_t>({1}, {1})}}, 1e-4, false);
  EXPECT_EQ(result.nodes_on_gpu, 0);
}

// ---- global pools ------------------------------------------------------------------------

TEST(CudaReduce, GlobalPools) {
  SKIP_WITHOUT_CUDA();
  uint32_t seed = 600;
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool"}) {
    for (const Shape& shape : {Shape{2, 3, 7, 9}, Shape{1, 64, 56, 56}, Shape{2, 3, 70, 70}, Shape{2, 5, 11},
                               Shape{1, 2, 3, 4, 5}, Shape{2, 3, 1, 1}}) {
      SCOPED_TRACE(std::string(op) + " " + shape_to_string(shape));
      GraphBuilder g(13);
      g.input("x", DType::Float32, shape).node(op, {"x"}, {"y"}).output("y");
      expect_cuda_matches_cpu(g.build(), {{"x", random_tensor(shape, seed++)}});
    }
  }
}

// ---- softmax -----------------------------------------------------------------------------

onnx_io::Model softmax_model(const std::string& op, int64_t opset, const Shape& shape, std::optional<int64_t> axis) {
  GraphBuilder g(opset);
  ir::Attributes attrs;
  if (axis) attrs.set("axis", *axis);
  g.input("x", DType::Float32, shape).node(op, {"x"}, {"y"}, attrs).output("y");
  return g.build();
}

TEST(CudaReduce, SoftmaxAlongEveryAxis) {
  SKIP_WITHOUT_CUDA();
  uint32_t seed = 700;
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    const Shape shape{2, 3, 4, 5};
    for (std::optional<int64_t> axis : {std::optional<int64_t>{}, std::optional<int64_t>{-1},
                                        std::optional<int64_t>{0}, std::optional<int64_t>{1},
                                        std::optional<int64_t>{2}, std::optional<int64_t>{-3}}) {
      SCOPED_TRACE(std::string(op) + " axis " + (axis ? std::to_string(*axis) : "default"));
      expect_cuda_matches_cpu(softmax_model(op, 13, shape, axis), {{"x", random_tensor(shape, seed++, -10.f, 10.f)}});
    }
    for (const Shape& s : {Shape{7}, Shape{3, 5000}, Shape{2, 33}, Shape{2, 1023}, Shape{2, 1024}, Shape{0, 4}}) {
      SCOPED_TRACE(std::string(op) + " " + shape_to_string(s));
      expect_cuda_matches_cpu(softmax_model(op, 13, s, -1), {{"x", random_tensor(s, seed++, -10.f, 10.f)}});
    }
  }
}

// Opset < 13 coerces to 2-D at `axis` (default 1): import rewrites it to Flatten -> op -> Reshape
// (the Shape/Flatten/Reshape nodes may run on either provider).
TEST(CudaReduce, SoftmaxOldOpsetCoercesTo2D) {
  SKIP_WITHOUT_CUDA();
  uint32_t seed = 800;
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    for (std::optional<int64_t> axis : {std::optional<int64_t>{}, std::optional<int64_t>{2},
                                        std::optional<int64_t>{3}, std::optional<int64_t>{0}}) {
      SCOPED_TRACE(std::string(op) + " opset 11 axis " + (axis ? std::to_string(*axis) : "default"));
      Shape shape{2, 3, 4, 5};
      CudaComparison result = expect_cuda_matches_cpu(softmax_model(op, 11, shape, axis),
                                                      {{"x", random_tensor(shape, seed++, -5.f, 5.f)}}, 1e-4, false);
      EXPECT_GE(result.nodes_on_gpu, 1);
    }
  }
}

// ---- normalisation -----------------------------------------------------------------------

TEST(CudaReduce, LayerNormalization) {
  SKIP_WITHOUT_CUDA();
  uint32_t seed = 900;
  struct Case {
    Shape shape;
    int64_t axis;
    Shape scale_shape;
    bool bias;
  };
  for (const auto& c : {Case{{2, 3, 4, 5}, -1, {5}, true}, Case{{2, 3, 4, 5}, -1, {5}, false},
                        Case{{2, 3, 4, 5}, 1, {3, 4, 5}, true}, Case{{2, 3, 4, 5}, -2, {4, 5}, true},
                        Case{{2, 3, 4, 5}, -2, {5}, true},  // scale broadcast over the block
                        Case{{2, 3, 4, 5}, 0, {2, 3, 4, 5}, true}, Case{{4, 6000}, -1, {6000}, true},
                        Case{{17}, 0, {17}, true}}) {
    SCOPED_TRACE(shape_to_string(c.shape) + " axis " + std::to_string(c.axis));
    Tensor scale = random_tensor(c.scale_shape, seed++, 0.5f, 1.5f);
    Tensor bias = random_tensor(c.scale_shape, seed++);
    GraphBuilder g(17);
    g.input("x", DType::Float32, c.shape).initializer("scale", scale).initializer("bias", bias);
    std::vector<std::string> inputs = {"x", "scale"};
    if (c.bias) inputs.push_back("bias");
    g.node("LayerNormalization", inputs, {"y"}, {{"axis", c.axis}, {"epsilon", 1e-3}}).output("y");
    expect_cuda_matches_cpu(g.build(), {{"x", random_tensor(c.shape, seed++, -3.f, 3.f)}});
  }
}

TEST(CudaReduce, LayerNormalizationWithStatisticsStaysOnCpu) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(17);
  g.input("x", DType::Float32, Shape{3, 8}).initializer("scale", random_tensor({8}, 950));
  g.node("LayerNormalization", {"x", "scale"}, {"y", "mean"}).output("y").output("mean");
  CudaComparison result = expect_cuda_matches_cpu(g.build(), {{"x", random_tensor({3, 8}, 951)}}, 1e-4, false);
  EXPECT_EQ(result.nodes_on_gpu, 0);
}

TEST(CudaReduce, InstanceNormalization) {
  SKIP_WITHOUT_CUDA();
  uint32_t seed = 1000;
  for (const Shape& shape : {Shape{2, 3, 5, 7}, Shape{1, 4, 10000}, Shape{3, 2, 2, 3, 4}}) {
    SCOPED_TRACE(shape_to_string(shape));
    Tensor scale = random_tensor({shape[1]}, seed++, 0.5f, 1.5f);
    Tensor bias = random_tensor({shape[1]}, seed++);
    GraphBuilder g(13);
    g.input("x", DType::Float32, shape).initializer("scale", scale).initializer("bias", bias);
    g.node("InstanceNormalization", {"x", "scale", "bias"}, {"y"}, {{"epsilon", 1e-4}}).output("y");
    expect_cuda_matches_cpu(g.build(), {{"x", random_tensor(shape, seed++, -3.f, 3.f)}});
  }
}

TEST(CudaReduce, BatchNormalizationInference) {
  SKIP_WITHOUT_CUDA();
  uint32_t seed = 1100;
  for (int64_t opset : {9, 15}) {
    for (const Shape& shape : {Shape{2, 3, 4, 5}, Shape{4, 3}, Shape{2, 3, 5, 6, 7}, Shape{1, 16, 1, 1}}) {
      SCOPED_TRACE("opset " + std::to_string(opset) + " " + shape_to_string(shape));
      const int64_t c = shape[1];
      GraphBuilder g(opset);
      g.input("x", DType::Float32, shape);
      g.initializer("scale", random_tensor({c}, seed++, 0.5f, 1.5f));
      g.initializer("B", random_tensor({c}, seed++));
      g.initializer("mean", random_tensor({c}, seed++));
      g.initializer("var", random_tensor({c}, seed++, 0.1f, 2.f));
      g.node("BatchNormalization", {"x", "scale", "B", "mean", "var"}, {"y"}, {{"epsilon", 1e-3}}).output("y");
      expect_cuda_matches_cpu(g.build(), {{"x", random_tensor(shape, seed++, -3.f, 3.f)}});
    }
  }
}

// Parameters computed at run time (not initializers) are read on the device.
TEST(CudaReduce, BatchNormalizationWithRuntimeParameters) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(15);
  g.input("x", DType::Float32, Shape{2, 4, 3, 3});
  for (const char* name : {"scale", "B", "mean", "var"}) g.input(name, DType::Float32, Shape{4});
  g.node("BatchNormalization", {"x", "scale", "B", "mean", "var"}, {"y"}).output("y");
  expect_cuda_matches_cpu(g.build(), {{"x", random_tensor({2, 4, 3, 3}, 1200)},
                                      {"scale", random_tensor({4}, 1201)},
                                      {"B", random_tensor({4}, 1202)},
                                      {"mean", random_tensor({4}, 1203)},
                                      {"var", random_tensor({4}, 1204, 0.1f, 1.f)}});
}


// ---- claim rules (run without a GPU) -----------------------------------------------------

TEST(CudaReduceClaims, ConstantAxesAndInferenceFormsOnly) {
  SKIP_WITHOUT_CUDA_BUILD();
  std::vector<int64_t> axes = {1};
  for (const char* op : kReduceOps) {
    EXPECT_TRUE(cuda_claims(reduce_model(op, {2, 3, 4}, &axes, 1), op)) << op;
    EXPECT_TRUE(cuda_claims(reduce_model(op, {2, 3, 4}, nullptr, 0), op)) << op;
  }
  {
    GraphBuilder g(13);
    g.input("x", DType::Float32, Shape{3, 4}).input("axes", DType::Int64, Shape{1});
    g.node("ReduceSum", {"x", "axes"}, {"y"}).output("y");
    EXPECT_FALSE(cuda_claims(g.build(), "ReduceSum"));
  }
  {
    GraphBuilder g(13);
    g.input("x", DType::Int64, Shape{3, 4}).node("ReduceMax", {"x"}, {"y"}).output("y");
    EXPECT_FALSE(cuda_claims(g.build(), "ReduceMax"));
  }
  for (const char* op : {"GlobalAveragePool", "GlobalMaxPool"}) {
    GraphBuilder g(13);
    g.input("x", DType::Float32, Shape{1, 2, 3, 3}).node(op, {"x"}, {"y"}).output("y");
    EXPECT_TRUE(cuda_claims(g.build(), op)) << op;
  }
  for (const char* op : {"Softmax", "LogSoftmax"}) {
    EXPECT_TRUE(cuda_claims(softmax_model(op, 13, {2, 3, 4}, 1), op)) << op;
    EXPECT_TRUE(cuda_claims(softmax_model(op, 11, {2, 3, 4}, 1), op)) << op;  // after Flatten
  }
  {
    GraphBuilder g(17);
    g.input("x", DType::Float32, Shape{3, 8}).initializer("scale", random_tensor({8}, 1));
    g.node("LayerNormalization", {"x", "scale"}, {"y"}).output("y");
    EXPECT_TRUE(cuda_claims(g.build(), "LayerNormalization"));
  }
  {
    GraphBuilder g(17);
    g.input("x", DType::Float32, Shape{3, 8}).initializer("scale", random_tensor({8}, 1));
    g.node("LayerNormalization", {"x", "scale"}, {"y", "", "inv_std"}).output("y").output("inv_std");
    EXPECT_FALSE(cuda_claims(g.build(), "LayerNormalization"));
  }
  auto batch_norm = [](ir::Attributes attrs, std::vector<std::string> outputs) {
    GraphBuilder g(15);
    g.input("x", DType::Float32, Shape{2, 4, 3});
    for (const char* name : {"scale", "B", "mean", "var"}) g.initializer(name, random_tensor({4}, 2, 0.1f, 1.f));
    g.node("BatchNormalization", {"x", "scale", "B", "mean", "var"}, outputs, attrs);
    for (const auto& name : outputs) g.output(name);
    return g.build();
  };
  EXPECT_TRUE(cuda_claims(batch_norm({}, {"y"}), "BatchNormalization"));
  EXPECT_FALSE(cuda_claims(batch_norm({{"training_mode", int64_t{1}}}, {"y"}), "BatchNormalization"));
  EXPECT_FALSE(cuda_claims(batch_norm({{"training_mode", int64_t{1}}}, {"y", "rm", "rv"}), "BatchNormalization"));
  {
    GraphBuilder g(13);
    g.input("x", DType::Float32, Shape{1, 2, 5})
        .initializer("s", random_tensor({2}, 3))
        .initializer("b", random_tensor({2}, 4));
    g.node("InstanceNormalization", {"x", "s", "b"}, {"y"}).output("y");
    EXPECT_TRUE(cuda_claims(g.build(), "InstanceNormalization"));
  }
}

}  // namespace
}  // namespace flowonnx::testing
