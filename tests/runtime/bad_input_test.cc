// Bad models and bad feeds give a clear flowonnx::Error, never a crash.
#include <gtest/gtest.h>

#include "runtime/expect_error.h"
#include "runtime/graph_builder.h"
#include "runtime/session.h"

namespace flowonnx {
namespace {

using testing::GraphBuilder;

using testing::expect_error;

onnx_io::Model relu_model() {
  GraphBuilder g(13);
  g.input("x", DType::Float32, {ir::Dim::named("N"), ir::Dim::of(4)}).node("Relu", {"x"}, {"y"}).output("y");
  return g.build();
}

TEST(BadModel, CycleIsRefused) {
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{2}).node("Add", {"x", "b"}, {"a"}).node("Relu", {"a"}, {"b"}).output("b");
  expect_error([&] { InferenceSession s(g.build()); }, ErrorCode::InvalidModel, {"cycle"});
}

TEST(BadModel, UndefinedInputIsRefused) {
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{2}).node("Add", {"x", "ghost"}, {"y"}).output("y");
  expect_error([&] { InferenceSession s(g.build()); }, ErrorCode::InvalidModel, {"ghost"});
}

TEST(BadModel, EveryUnsupportedOpIsListedAtOnce) {
  GraphBuilder h(13);
  h.input("x", DType::Float32, Shape{2})
      .node("Foo", {"x"}, {"a"}, {}, "com.x")
      .node("Foo", {"a"}, {"b"}, {}, "com.x")
      .node("Bar", {"b"}, {"c"})
      .output("c");
  onnx_io::Model model = h.build();
  model.graph.opset_imports["com.x"] = 2;
  expect_error([&] { InferenceSession s(std::move(model)); }, ErrorCode::NotImplemented,
               {"unsupported ops", "Foo (domain com.x, opset 2) x2", "Bar (domain ai.onnx, opset 13)"});
}

TEST(BadModel, WrongAttributeTypeNamesNodeAndAttribute) {
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{2, 3})
      .node("Softmax", {"x"}, {"y"}, {{"axis", std::string("last")}})
      .output("y");
  expect_error([&] { InferenceSession s(g.build()); }, ErrorCode::InvalidModel, {"Softmax", "axis"});
}

TEST(BadFeed, UnknownName) {
  InferenceSession s(relu_model());
  expect_error([&] { s.run({}, {{"x", Tensor::zeros({1, 4})}, {"z", Tensor::zeros({1})}}); },
               ErrorCode::InvalidArgument, {"'z'", "x"});
}

TEST(BadFeed, Missing) {
  InferenceSession s(relu_model());
  expect_error([&] { s.run({}, {}); }, ErrorCode::InvalidArgument, {"missing", "'x'"});
}

TEST(BadFeed, WrongDtype) {
  InferenceSession s(relu_model());
  expect_error([&] { s.run({}, {{"x", Tensor::zeros({1, 4}, DType::Int64)}}); },
               ErrorCode::InvalidArgument, {"'x'", "float32", "int64"});
}

TEST(BadFeed, WrongRank) {
  InferenceSession s(relu_model());
  expect_error([&] { s.run({}, {{"x", Tensor::zeros({4})}}); }, ErrorCode::InvalidArgument,
               {"'x'", "rank 2", "rank 1"});
}

TEST(BadFeed, ContradictsStaticDim) {
  InferenceSession s(relu_model());
  expect_error([&] { s.run({}, {{"x", Tensor::zeros({2, 5})}}); }, ErrorCode::InvalidArgument,
               {"'x'", "dim 1 must be 4", "[2,5]"});
}

TEST(BadFeed, UnknownOutputName) {
  InferenceSession s(relu_model());
  expect_error([&] { s.run({"nope"}, {{"x", Tensor::zeros({2, 4})}}); }, ErrorCode::InvalidArgument,
               {"'nope'"});
}

TEST(BadFeed, RuntimeShapeErrorNamesTheNode) {
  GraphBuilder g(13);
  g.input("a", DType::Float32, {ir::Dim::named("N")}).input("b", DType::Float32, {ir::Dim::named("M")})
      .node("Add", {"a", "b"}, {"y"}).output("y");
  InferenceSession s(g.build());
  expect_error([&] { s.run({}, {{"a", Tensor::zeros({3})}, {"b", Tensor::zeros({4})}}); },
               ErrorCode::InvalidArgument, {"Add node", "[3]", "[4]"});
}

}  // namespace
}  // namespace flowonnx

namespace flowonnx {
namespace {

TEST(BadInput, OpsetNewerThanSupportedIsRefused) {
  testing::GraphBuilder g(10000);
  g.input("x", DType::Float32, Shape{2}).node("Relu", {"x"}, {"y"}).output("y");
  try {
    InferenceSession session(g.build());
    FAIL() << "opset 10000 accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidModel);
    EXPECT_NE(std::string(e.what()).find("opset 10000; supported opsets are up to 27"), std::string::npos) << e.what();
  }
}

TEST(BadInput, OpMissingFromTheModelsOpsetIsRefusedLikeOnnxRuntimeDoes) {
  testing::GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{2}).node("HardSwish", {"x"}, {"y"}).output("y");
  try {
    InferenceSession session(g.build());
    FAIL() << "HardSwish needs opset 14";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::InvalidModel);
    EXPECT_NE(std::string(e.what()).find("opset 13, which has no HardSwish (first in opset 14)"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace flowonnx
