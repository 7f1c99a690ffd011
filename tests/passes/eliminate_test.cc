// Golden + numeric tests of the eliminate_* and extract passes.
#include "passes/pass_test_util.h"

namespace flowonnx::testing {
namespace {

using ir::Dim;

TEST(EliminateTest, IdentityChainCollapsesAndOutputNameStays) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{2, 3})
      .node("Identity", {"x"}, {"a"})
      .node("Relu", {"a"}, {"r"})
      .node("Identity", {"r"}, {"y"})
      .output("y", DType::Float32, {Dim::of(2), Dim::of(3)});
  expect_pass_result(b.build(), {"eliminate_identity"},
                     "input %x:f32[2,3]\n"
                     "%y:f32[2,3] = onnx.Relu(%x)\n"
                     "output %y:f32[2,3]\n");
}

TEST(EliminateTest, IdentityFromInputToOutputIsKept) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{2}).node("Identity", {"x"}, {"y"}).output("y", DType::Float32, {Dim::of(2)});
  onnx_io::Model model = b.build();
  EXPECT_EQ(run_passes(model, {"eliminate_identity"}).graph.to_text(), model.graph.to_text());
}

TEST(EliminateTest, DropoutWithoutMaskGoesButTrainingDropoutStays) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{4})
      .initializer("ratio", Tensor::scalar<float>(0.5f))
      .node("Dropout", {"x", "ratio"}, {"d"})
      .node("Relu", {"d"}, {"y"})
      .output("y", DType::Float32, {Dim::of(4)});
  expect_pass_result(b.build(), {"eliminate_nop_dropout"},
                     "input %x:f32[4]\n"
                     "initializer %ratio:f32[]\n"
                     "%y:f32[4] = onnx.Relu(%x)\n"
                     "output %y:f32[4]\n");
  GraphBuilder t;
  t.input("x", DType::Float32, Shape{4})
      .input("training", DType::Bool, Shape{})
      .node("Dropout", {"x", "", "training"}, {"y"})
      .output("y", DType::Float32, {Dim::of(4)});
  onnx_io::Model training = t.build();
  EXPECT_EQ(run_passes(training, {"eliminate_nop_dropout"}).graph.nodes().size(), 1u);
}

TEST(EliminateTest, NopTransposePadReshapeCast) {
  GraphBuilder b(13);
  b.input("x", DType::Float32, {Dim::named("N"), Dim::of(3), Dim::of(4)})
      .initializer("pads", Tensor::from_vector<int64_t>({6}, {0, 0, 0, 0, 0, 0}))
      .initializer("shape", Tensor::from_vector<int64_t>({3}, {0, 3, -1}))
      .node("Transpose", {"x"}, {"t"}, {{"perm", std::vector<int64_t>{0, 1, 2}}})
      .node("Pad", {"t", "pads"}, {"p"})
      .node("Reshape", {"p", "shape"}, {"r"})
      .node("Cast", {"r"}, {"c"}, {{"to", int64_t{1}}})
      .node("Transpose", {"c"}, {"y"}, {{"perm", std::vector<int64_t>{0, 2, 1}}})
      .output("y", DType::Float32, {Dim::named("N"), Dim::of(4), Dim::of(3)});
  onnx_io::Model model = b.build();
  model.graph.set_type("t", ir::ValueType{DType::Float32, std::vector<Dim>{Dim::named("N"), Dim::of(3), Dim::of(4)}});
  model.graph.set_type("p", model.graph.type("t"));
  model.graph.set_type("r", model.graph.type("t"));
  expect_pass_result(model,
                     {"eliminate_nop_transpose", "eliminate_nop_pad", "eliminate_nop_reshape",
                      "eliminate_nop_cast"},
                     "input %x:f32[N,3,4]\n"
                     "initializer %pads:i64[6]\n"
                     "initializer %shape:i64[3]\n"
                     "%y:f32[N,4,3] = onnx.Transpose(%x) {perm=[0,2,1]}\n"
                     "output %y:f32[N,4,3]\n");
}

TEST(EliminateTest, ReshapeThatChangesTheShapeStays) {
  GraphBuilder b(13);
  b.input("x", DType::Float32, {Dim::named("N"), Dim::of(3), Dim::of(4)})
      .initializer("shape", Tensor::from_vector<int64_t>({3}, {0, 4, -1}))
      .node("Reshape", {"x", "shape"}, {"y"})
      .output("y", DType::Float32, {Dim::named("N"), Dim::of(4), Dim::of(3)});
  onnx_io::Model model = b.build();
  EXPECT_EQ(run_passes(model, {"eliminate_nop_reshape"}).graph.nodes().size(), 1u);
}

TEST(EliminateTest, DeadendAndUnusedAndDuplicateInitializers) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{3})
      .initializer("a", Tensor::from_vector<float>({3}, {1, 2, 3}))
      .initializer("b", Tensor::from_vector<float>({3}, {1, 2, 3}))
      .initializer("unused", Tensor::from_vector<float>({1}, {5}))
      .node("Add", {"x", "a"}, {"s"})
      .node("Mul", {"s", "b"}, {"y"})
      .node("Exp", {"x"}, {"dead1"})
      .node("Neg", {"dead1"}, {"dead2"})
      .output("y", DType::Float32, {Dim::of(3)});
  expect_pass_result(b.build(),
                     {"eliminate_deadend", "eliminate_duplicate_initializer", "eliminate_unused_initializer"},
                     "input %x:f32[3]\n"
                     "initializer %a:f32[3]\n"
                     "%s = onnx.Add(%x, %a)\n"
                     "%y:f32[3] = onnx.Mul(%s, %a)\n"
                     "output %y:f32[3]\n");
}

TEST(EliminateTest, CommonSubexpressionsMergeButDifferentAttributesDoNot) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{2, 3})
      .node("Relu", {"x"}, {"r1"})
      .node("Relu", {"x"}, {"r2"})
      .node("Softmax", {"r1"}, {"s1"}, {{"axis", int64_t{1}}})
      .node("Softmax", {"r2"}, {"s2"}, {{"axis", int64_t{0}}})
      .node("Add", {"s1", "s2"}, {"y"})
      .output("y", DType::Float32, {Dim::of(2), Dim::of(3)});
  expect_pass_result(b.build(), {"eliminate_common_subexpression"},
                     "input %x:f32[2,3]\n"
                     "%r1 = onnx.Relu(%x)\n"
                     "%s1 = onnx.Softmax(%r1) {axis=1}\n"
                     "%s2 = onnx.Softmax(%r1) {axis=0}\n"
                     "%y:f32[2,3] = onnx.Add(%s1, %s2)\n"
                     "output %y:f32[2,3]\n");
}

TEST(EliminateTest, ConstantNodesBecomeInitializers) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{2})
      .node("Constant", {}, {"c"}, {{"value", Tensor::from_vector<float>({2}, {1.5f, -2})}})
      .node("Constant", {}, {"k"}, {{"value_float", 3.0}})
      .node("Mul", {"x", "c"}, {"m"})
      .node("Add", {"m", "k"}, {"y"})
      .output("y", DType::Float32, {Dim::of(2)});
  expect_pass_result(b.build(), {"extract_constant_to_initializer"},
                     "input %x:f32[2]\n"
                     "initializer %c:f32[2]\n"
                     "initializer %k:f32[]\n"
                     "%m = onnx.Mul(%x, %c)\n"
                     "%y:f32[2] = onnx.Add(%m, %k)\n"
                     "output %y:f32[2]\n");
}

}  // namespace
}  // namespace flowonnx::testing
