// Golden + numeric tests of the fuse_* passes.
#include "passes/pass_test_util.h"

namespace flowonnx::testing {
namespace {

using ir::Dim;

Tensor positive(const Shape& shape, uint64_t seed) { return random_tensor(shape, seed, 0.5, 1.5); }

// Conv (optionally without bias, optionally grouped) -> BatchNormalization.
onnx_io::Model conv_bn(bool with_bias, int64_t groups) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{1, 4, 5, 5})
      .initializer("w", random_tensor({6, 4 / groups, 3, 3}, 1))
      .initializer("scale", positive({6}, 2))
      .initializer("shift", random_tensor({6}, 3))
      .initializer("mean", random_tensor({6}, 4))
      .initializer("var", positive({6}, 5));
  std::vector<std::string> conv_inputs = {"x", "w"};
  if (with_bias) {
    b.initializer("bias", random_tensor({6}, 6));
    conv_inputs.push_back("bias");
  }
  b.node("Conv", conv_inputs, {"c"}, {{"group", groups}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}})
      .node("BatchNormalization", {"c", "scale", "shift", "mean", "var"}, {"y"}, {{"epsilon", 1e-3}})
      .output("y", DType::Float32, {Dim::of(1), Dim::of(6), Dim::of(5), Dim::of(5)});
  return b.build();
}

TEST(FuseTest, BatchNormIntoConvWithBias) {
  expect_pass_result(conv_bn(true, 1), {"fuse_bn_into_conv", "eliminate_unused_initializer"},
                     "input %x:f32[1,4,5,5]\n"
                     "initializer %Conv_0.bias_bn_fused:f32[6]\n"
                     "initializer %Conv_0.weight_bn_fused:f32[6,4,3,3]\n"
                     "%y:f32[1,6,5,5] = onnx.Conv(%x, %Conv_0.weight_bn_fused, %Conv_0.bias_bn_fused) {group=1, pads=[1,1,1,1]}\n"
                     "output %y:f32[1,6,5,5]\n");
}

TEST(FuseTest, BatchNormIntoGroupedConvWithoutBias) {
  expect_pass_result(conv_bn(false, 2), {"fuse_bn_into_conv", "eliminate_unused_initializer"},
                     "input %x:f32[1,4,5,5]\n"
                     "initializer %Conv_0.bias_bn_fused:f32[6]\n"
                     "initializer %Conv_0.weight_bn_fused:f32[6,2,3,3]\n"
                     "%y:f32[1,6,5,5] = onnx.Conv(%x, %Conv_0.weight_bn_fused, %Conv_0.bias_bn_fused) {group=2, pads=[1,1,1,1]}\n"
                     "output %y:f32[1,6,5,5]\n");
}

TEST(FuseTest, BatchNormNotFusedWhenConvOutputHasAnotherReader) {
  onnx_io::Model model = conv_bn(true, 1);
  model.graph.add_node(ir::Node{"extra", "", "Relu", {"c"}, {"r"}, {}});
  model.graph.outputs.push_back("r");
  model.graph.set_type("r", ir::ValueType{DType::Float32, std::vector<Dim>{Dim::of(1), Dim::of(6), Dim::of(5), Dim::of(5)}});
  EXPECT_EQ(run_passes(model, {"fuse_bn_into_conv"}).graph.nodes().size(), 3u);
}

TEST(FuseTest, AddBiasIntoConv) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{1, 2, 4, 4})
      .initializer("w", random_tensor({3, 2, 1, 1}, 1))
      .initializer("b", random_tensor({3, 1, 1}, 2))
      .node("Conv", {"x", "w"}, {"c"})
      .node("Add", {"c", "b"}, {"y"})
      .output("y", DType::Float32, {Dim::of(1), Dim::of(3), Dim::of(4), Dim::of(4)});
  expect_pass_result(b.build(), {"fuse_add_bias_into_conv", "eliminate_unused_initializer"},
                     "input %x:f32[1,2,4,4]\n"
                     "initializer %Conv_0.bias_add_fused:f32[3]\n"
                     "initializer %w:f32[3,2,1,1]\n"
                     "%y:f32[1,3,4,4] = onnx.Conv(%x, %w, %Conv_0.bias_add_fused)\n"
                     "output %y:f32[1,3,4,4]\n");
}

TEST(FuseTest, PadIntoConvAndAveragePool) {
  GraphBuilder b(13);
  b.input("x", DType::Float32, Shape{1, 2, 4, 4})
      .initializer("w", random_tensor({3, 2, 3, 3}, 1))
      .initializer("pads", Tensor::from_vector<int64_t>({8}, {0, 0, 1, 2, 0, 0, 1, 0}))
      .initializer("pool_pads", Tensor::from_vector<int64_t>({8}, {0, 0, 1, 1, 0, 0, 1, 1}))
      .node("Pad", {"x", "pads"}, {"p"})
      .node("Conv", {"p", "w"}, {"c"}, {{"pads", std::vector<int64_t>{1, 0, 0, 0}}})
      .node("Pad", {"c", "pool_pads"}, {"q"})
      .node("AveragePool", {"q"}, {"y"}, {{"kernel_shape", std::vector<int64_t>{2, 2}}})
      .output("y", DType::Float32, {Dim::of(1), Dim::of(3), Dim::of(6), Dim::of(5)});
  expect_pass_result(b.build(), {"fuse_pad_into_conv", "fuse_pad_into_pool", "eliminate_unused_initializer"},
                     "input %x:f32[1,2,4,4]\n"
                     "initializer %w:f32[3,2,3,3]\n"
                     "%c = onnx.Conv(%x, %w) {pads=[2,2,1,0]}\n"
                     "%y:f32[1,3,6,5] = onnx.AveragePool(%c) {count_include_pad=1, kernel_shape=[2,2], pads=[1,1,1,1]}\n"
                     "output %y:f32[1,3,6,5]\n");
}

TEST(FuseTest, ZeroPadIsNotFusedIntoMaxPool) {
  GraphBuilder b(13);
  b.input("x", DType::Float32, Shape{1, 1, 4, 4})
      .initializer("pads", Tensor::from_vector<int64_t>({8}, {0, 0, 1, 1, 0, 0, 1, 1}))
      .node("Pad", {"x", "pads"}, {"p"})
      .node("MaxPool", {"p"}, {"y"}, {{"kernel_shape", std::vector<int64_t>{2, 2}}})
      .output("y", DType::Float32, {Dim::of(1), Dim::of(1), Dim::of(5), Dim::of(5)});
  EXPECT_EQ(run_passes(b.build(), {"fuse_pad_into_pool"}).graph.nodes().size(), 2u);
}

TEST(FuseTest, ConsecutiveTransposesAndTransposeIntoGemm) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{2, 3, 4})
      .input("a", DType::Float32, Shape{5, 4})
      .initializer("w", random_tensor({5, 6}, 1))
      .node("Transpose", {"x"}, {"t1"}, {{"perm", std::vector<int64_t>{1, 2, 0}}})
      .node("Transpose", {"t1"}, {"y"}, {{"perm", std::vector<int64_t>{2, 0, 1}}})
      .node("Transpose", {"a"}, {"at"}, {{"perm", std::vector<int64_t>{1, 0}}})
      .node("Gemm", {"at", "w"}, {"z"})
      .output("y", DType::Float32, {Dim::of(2), Dim::of(3), Dim::of(4)})
      .output("z", DType::Float32, {Dim::of(4), Dim::of(6)});
  expect_pass_result(b.build(), {"fuse_consecutive_transposes", "fuse_transpose_into_gemm", "eliminate_nop_transpose", "eliminate_deadend"},
                     "input %x:f32[2,3,4]\n"
                     "input %a:f32[5,4]\n"
                     "initializer %w:f32[5,6]\n"
                     "%y:f32[2,3,4] = onnx.Transpose(%x) {perm=[0,1,2]}\n"
                     "%z:f32[4,6] = onnx.Gemm(%a, %w) {transA=1}\n"
                     "output %y:f32[2,3,4]\n"
                     "output %z:f32[4,6]\n");
}

TEST(FuseTest, MatMulAddBiasIntoGemmOnlyFor2D) {
  GraphBuilder b;
  b.input("x", DType::Float32, {Dim::named("N"), Dim::of(4)})
      .input("x3", DType::Float32, Shape{2, 3, 4})
      .initializer("w", random_tensor({4, 5}, 1))
      .initializer("bias", random_tensor({5}, 2))
      .node("MatMul", {"x", "w"}, {"m"})
      .node("Add", {"m", "bias"}, {"y"})
      .node("MatMul", {"x3", "w"}, {"m3"})
      .node("Add", {"bias", "m3"}, {"y3"})
      .output("y", DType::Float32, {Dim::named("N"), Dim::of(5)})
      .output("y3", DType::Float32, {Dim::of(2), Dim::of(3), Dim::of(5)});
  expect_pass_result(b.build(), {"fuse_matmul_add_bias_into_gemm"},
                     "input %x:f32[N,4]\n"
                     "input %x3:f32[2,3,4]\n"
                     "initializer %bias:f32[5]\n"
                     "initializer %w:f32[4,5]\n"
                     "%y:f32[N,5] = onnx.Gemm(%x, %w, %bias)\n"
                     "%m3 = onnx.MatMul(%x3, %w)\n"
                     "%y3:f32[2,3,5] = onnx.Add(%bias, %m3)\n"
                     "output %y:f32[N,5]\n"
                     "output %y3:f32[2,3,5]\n");
}

TEST(FuseTest, GemmWithoutBiasTakesTheFollowingAdd) {
  GraphBuilder b;
  b.input("x", DType::Float32, {Dim::named("N"), Dim::of(4)})
      .initializer("w", random_tensor({5, 4}, 1))
      .initializer("bias", random_tensor({5}, 2))
      .node("Gemm", {"x", "w"}, {"g"}, {{"transB", int64_t{1}}, {"alpha", 0.5}})
      .node("Add", {"g", "bias"}, {"y"})
      .output("y", DType::Float32, {Dim::named("N"), Dim::of(5)});
  expect_pass_result(b.build(), {"fuse_matmul_add_bias_into_gemm"},
                     "input %x:f32[N,4]\n"
                     "initializer %bias:f32[5]\n"
                     "initializer %w:f32[5,4]\n"
                     "%y:f32[N,5] = onnx.Gemm(%x, %w, %bias) {alpha=0.5, beta=1, transB=1}\n"
                     "output %y:f32[N,5]\n");
}

TEST(FuseTest, ConsecutiveSqueezesOpset13) {
  GraphBuilder b(13);
  b.input("x", DType::Float32, Shape{1, 3, 1, 4, 1})
      .initializer("a1", Tensor::from_vector<int64_t>({1}, {2}))
      .initializer("a2", Tensor::from_vector<int64_t>({2}, {0, -1}))
      .node("Squeeze", {"x", "a1"}, {"s"})
      .node("Squeeze", {"s", "a2"}, {"y"})
      .output("y", DType::Float32, {Dim::of(3), Dim::of(4)});
  expect_pass_result(b.build(), {"fuse_consecutive_squeezes", "eliminate_deadend", "eliminate_unused_initializer"},
                     "input %x:f32[1,3,1,4,1]\n"
                     "initializer %Squeeze_1/axes:i64[3]\n"
                     "%y:f32[3,4] = onnx.Squeeze(%x, %Squeeze_1/axes)\n"
                     "output %y:f32[3,4]\n");
}

TEST(FuseTest, ConsecutiveUnsqueezesOpset11) {
  GraphBuilder b(11);
  b.input("x", DType::Float32, Shape{3, 4})
      .node("Unsqueeze", {"x"}, {"u"}, {{"axes", std::vector<int64_t>{0, 2}}})
      .node("Unsqueeze", {"u"}, {"y"}, {{"axes", std::vector<int64_t>{1, 5}}})
      .output("y", DType::Float32, {Dim::of(1), Dim::of(1), Dim::of(3), Dim::of(1), Dim::of(4), Dim::of(1)});
  expect_pass_result(b.build(), {"fuse_consecutive_unsqueezes", "eliminate_deadend"},
                     "input %x:f32[3,4]\n"
                     "%y:f32[1,1,3,1,4,1] = onnx.Unsqueeze(%x) {axes=[0,1,3,5]}\n"
                     "output %y:f32[1,1,3,1,4,1]\n");
}

TEST(FuseTest, ConsecutiveConcats) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{2, 1})
      .input("z", DType::Float32, Shape{2, 2})
      .node("Concat", {"x", "x"}, {"c"}, {{"axis", int64_t{1}}})
      .node("Concat", {"z", "c", "x"}, {"y"}, {{"axis", int64_t{1}}})
      .output("y", DType::Float32, {Dim::of(2), Dim::of(5)});
  expect_pass_result(b.build(), {"fuse_consecutive_concats"},
                     "input %x:f32[2,1]\n"
                     "input %z:f32[2,2]\n"
                     "%y:f32[2,5] = onnx.Concat(%z, %x, %x, %x) {axis=1}\n"
                     "output %y:f32[2,5]\n");
}

TEST(FuseTest, ConsecutiveSlicesOnDisjointAxes) {
  GraphBuilder b(13);
  b.input("x", DType::Float32, Shape{6, 8})
      .initializer("s1", Tensor::from_vector<int64_t>({1}, {1}))
      .initializer("e1", Tensor::from_vector<int64_t>({1}, {5}))
      .initializer("ax0", Tensor::from_vector<int64_t>({1}, {0}))
      .initializer("s2", Tensor::from_vector<int64_t>({1}, {-1}))
      .initializer("e2", Tensor::from_vector<int64_t>({1}, {0}))
      .initializer("ax1", Tensor::from_vector<int64_t>({1}, {-1}))
      .initializer("st2", Tensor::from_vector<int64_t>({1}, {-2}))
      .node("Slice", {"x", "s1", "e1", "ax0"}, {"a"})
      .node("Slice", {"a", "s2", "e2", "ax1", "st2"}, {"y"})
      .output("y", DType::Float32, {Dim::of(4), Dim::of(4)});
  expect_pass_result(b.build(), {"fuse_consecutive_slices", "eliminate_deadend", "eliminate_unused_initializer"},
                     "input %x:f32[6,8]\n"
                     "initializer %Slice_1/axes:i64[2]\n"
                     "initializer %Slice_1/ends:i64[2]\n"
                     "initializer %Slice_1/starts:i64[2]\n"
                     "initializer %Slice_1/steps:i64[2]\n"
                     "%y:f32[4,4] = onnx.Slice(%x, %Slice_1/starts, %Slice_1/ends, %Slice_1/axes, %Slice_1/steps)\n"
                     "output %y:f32[4,4]\n");
}

}  // namespace
}  // namespace flowonnx::testing
