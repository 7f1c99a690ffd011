// If / Loop / Scan: subgraphs planned once, outer-scope values (two levels deep too), loop-carried
// values, scan outputs, early exit, and the hostile cases (each a clear error, never a crash or
// a hang).
#include <gtest/gtest.h>

#include <limits>

#include "ir/subgraph.h"
#include "onnx/model_io.h"
#include "runtime/expect_error.h"
#include "runtime/graph_builder.h"
#include "runtime/session.h"

namespace flowonnx {
namespace {

using ir::Dim;
using testing::GraphBuilder;

using testing::expect_error;

ir::GraphPtr graph_of(GraphBuilder& builder, const std::string& name) {
  auto graph = std::make_shared<ir::Graph>(builder.build().graph);
  graph->name = name;
  return graph;
}

Tensor floats(const Shape& shape, std::vector<float> values) {
  return Tensor::from_vector<float>(shape, values);
}

std::vector<float> values_of(const Tensor& t) {
  std::vector<float> v(t.data<float>(), t.data<float>() + t.num_elements());
  return v;
}

// y = cond ? x + bias : x - bias, where bias is computed in the main graph (Relu of an input)
// and read only inside the branches: its lifetime must cover the If.
onnx_io::Model if_model() {
  GraphBuilder then_b;
  then_b.node("Add", {"x", "bias"}, {"t"}).output("t", DType::Float32, {Dim::of(3)});
  GraphBuilder else_b;
  else_b.node("Sub", {"x", "bias"}, {"e"}).output("e", DType::Float32, {Dim::of(3)});
  GraphBuilder b;
  b.input("cond", DType::Bool, Shape{})
      .input("x", DType::Float32, Shape{3})
      .input("b", DType::Float32, Shape{3})
      .node("Relu", {"b"}, {"bias"})
      .node("If", {"cond"}, {"y"},
            {{"then_branch", graph_of(then_b, "then")}, {"else_branch", graph_of(else_b, "else")}})
      .output("y", DType::Float32, {Dim::of(3)});
  return b.build();
}

TEST(ControlFlow, IfReadsOuterValuesComputedInTheMainGraph) {
  InferenceSession session(if_model());
  Tensor x = floats({3}, {1, 2, 3}), b = floats({3}, {10, -5, 20});
  auto yes = session.run({}, {{"cond", Tensor::scalar<bool>(true)}, {"x", x}, {"b", b}});
  EXPECT_EQ(values_of(yes[0]), (std::vector<float>{11, 2, 23}));
  auto no = session.run({}, {{"cond", Tensor::scalar<bool>(false)}, {"x", x}, {"b", b}});
  EXPECT_EQ(values_of(no[0]), (std::vector<float>{-9, 2, -17}));
}

TEST(ControlFlow, IfSurvivesSaveAndLoad) {
  onnx_io::Model model = if_model();
  onnx_io::Model back = onnx_io::parse_model(onnx_io::serialize_model(model), "", "if.onnx");
  ASSERT_EQ(back.graph.nodes().size(), 2u);
  const ir::Node& node = *back.graph.nodes()[1];
  ASSERT_EQ(node.op_type, "If");
  EXPECT_EQ(node.inputs, std::vector<std::string>{"cond"});  // no implicit input written
  EXPECT_EQ(node.attrs.get_graph("then_branch")->to_text(),
            model.graph.nodes()[1]->attrs.get_graph("then_branch")->to_text());
  EXPECT_EQ(back.graph.nodes()[1]->attrs.get_graph("else_branch")->opset_imports,
            model.graph.opset_imports);
  InferenceSession session(std::move(back));
  auto y = session.run({}, {{"cond", Tensor::scalar<bool>(true)},
                            {"x", floats({3}, {1, 1, 1})},
                            {"b", floats({3}, {1, 2, 3})}});
  EXPECT_EQ(values_of(y[0]), (std::vector<float>{2, 3, 4}));
}

TEST(ControlFlow, IfBranchesThatDisagreeAreRefused) {
  GraphBuilder then_b;
  then_b.node("Identity", {"x"}, {"t"}).output("t", DType::Float32, {Dim::of(3)});
  GraphBuilder else_b;
  else_b.node("Identity", {"x"}, {"e1"})
      .node("Identity", {"x"}, {"e2"})
      .output("e1", DType::Float32, {Dim::of(3)})
      .output("e2", DType::Float32, {Dim::of(3)});
  GraphBuilder b;
  b.input("cond", DType::Bool, Shape{})
      .input("x", DType::Float32, Shape{3})
      .node("If", {"cond"}, {"y"},
            {{"then_branch", graph_of(then_b, "then")}, {"else_branch", graph_of(else_b, "else")}})
      .output("y", DType::Float32, {Dim::of(3)});
  expect_error([&] { InferenceSession s(b.build()); }, ErrorCode::InvalidModel,
               {"If node", "else_branch", "2 outputs, the node has 1"});

  GraphBuilder then_c;
  then_c.node("Identity", {"x"}, {"t"}).output("t", DType::Float32, {Dim::of(3)});
  GraphBuilder else_c;
  else_c.node("Cast", {"x"}, {"e"}, {{"to", int64_t{7}}}).output("e", DType::Int64, {Dim::of(3)});
  GraphBuilder c;
  c.input("cond", DType::Bool, Shape{})
      .input("x", DType::Float32, Shape{3})
      .node("If", {"cond"}, {"y"},
            {{"then_branch", graph_of(then_c, "then")}, {"else_branch", graph_of(else_c, "else")}})
      .output("y", DType::Float32, {Dim::of(3)});
  expect_error([&] { InferenceSession s(c.build()); }, ErrorCode::InvalidModel,
               {"output 0", "float32", "int64"});
}

TEST(ControlFlow, SubgraphReadingAnUndefinedValueIsRefused) {
  GraphBuilder then_b;
  then_b.node("Add", {"x", "nowhere"}, {"t"}).output("t", DType::Float32, {Dim::of(3)});
  GraphBuilder else_b;
  else_b.node("Identity", {"x"}, {"e"}).output("e", DType::Float32, {Dim::of(3)});
  GraphBuilder b;
  b.input("cond", DType::Bool, Shape{})
      .input("x", DType::Float32, Shape{3})
      .node("If", {"cond"}, {"y"},
            {{"then_branch", graph_of(then_b, "then")}, {"else_branch", graph_of(else_b, "else")}})
      .output("y", DType::Float32, {Dim::of(3)});
  expect_error([&] { InferenceSession s(b.build()); }, ErrorCode::InvalidModel,
               {"subgraph 'then'", "reads 'nowhere'", "enclosing graph"});
}

// Loop body: (i, cond, sum) -> (i < limit - 1, sum + x * scale, sum + x): `x` comes from the
// main graph, `scale` too; the body holds an If on (i is even) whose branches read `x` (two
// levels up) and the body's own `doubled`.
onnx_io::Model loop_model(bool early_exit) {
  GraphBuilder even;
  even.node("Add", {"doubled", "x"}, {"ev"}).output("ev", DType::Float32, {Dim::of(2)});
  GraphBuilder odd;
  odd.node("Sub", {"doubled", "x"}, {"od"}).output("od", DType::Float32, {Dim::of(2)});
  GraphBuilder body;
  body.input("i", DType::Int64, Shape{})
      .input("cond_in", DType::Bool, Shape{})
      .input("sum_in", DType::Float32, Shape{2})
      .initializer("two", Tensor::scalar<int64_t>(2))
      .initializer("zero", Tensor::scalar<int64_t>(0))
      .initializer("limit", Tensor::scalar<int64_t>(4))
      .node("Mul", {"x", "scale"}, {"doubled"})
      .node("Mod", {"i", "two"}, {"rem"})
      .node("Equal", {"rem", "zero"}, {"is_even"})
      .node("If", {"is_even"}, {"step"},
            {{"then_branch", graph_of(even, "even")}, {"else_branch", graph_of(odd, "odd")}})
      .node("Add", {"sum_in", "step"}, {"sum_out"})
      .node("Identity", {"sum_out"}, {"scan"})
      .node("Add", {"i", "limit"}, {"unused"})
      .node("Less", {"i", early_exit ? "limit" : "two"}, {"cond_out"})
      .output("cond_out", DType::Bool, {})
      .output("sum_out", DType::Float32, {Dim::of(2)})
      .output("scan", DType::Float32, {Dim::of(2)});
  GraphBuilder b;
  b.input("M", DType::Int64, Shape{})
      .input("x", DType::Float32, Shape{2})
      .initializer("scale", floats({}, {2}))
      .initializer("cond", Tensor::scalar<bool>(true))
      .initializer("zeros", floats({2}, {0, 0}))
      .node("Loop", {"M", early_exit ? "cond" : "", "zeros"}, {"sum", "scans"},
            {{"body", graph_of(body, "body")}})
      .output("sum", DType::Float32, {Dim::of(2)})
      .output("scans", DType::Float32, {Dim{}, Dim::of(2)});
  return b.build();
}

TEST(ControlFlow, LoopWithNestedIfReadingValuesTwoLevelsUp) {
  InferenceSession session(loop_model(false));
  Tensor x = floats({2}, {1, 10});
  auto out = session.run({}, {{"M", Tensor::scalar<int64_t>(3)}, {"x", x}});
  // steps: i=0 even: 2x + x = 3x; i=1 odd: x; i=2 even: 3x -> sums 3x, 4x, 7x
  EXPECT_EQ(values_of(out[0]), (std::vector<float>{7, 70}));
  EXPECT_EQ(out[1].shape(), (Shape{3, 2}));
  EXPECT_EQ(values_of(out[1]), (std::vector<float>{3, 30, 4, 40, 7, 70}));
}

TEST(ControlFlow, LoopStopsOnItsConditionWithAHugeTripCount) {
  InferenceSession session(loop_model(true));
  auto out = session.run({}, {{"M", Tensor::scalar<int64_t>(std::numeric_limits<int64_t>::max())},
                              {"x", floats({2}, {1, 1})}});
  // cond_out = i < 4: iterations 0..4 run (5), sums 3, 4, 7, 8, 11
  EXPECT_EQ(out[1].shape(), (Shape{5, 2}));
  EXPECT_EQ(values_of(out[0]), (std::vector<float>{11, 11}));
}

TEST(ControlFlow, LoopWithNegativeOrZeroTripCountRunsNoIteration) {
  InferenceSession session(loop_model(false));
  for (int64_t m : {int64_t{0}, int64_t{-5}}) {
    auto out = session.run({}, {{"M", Tensor::scalar<int64_t>(m)}, {"x", floats({2}, {1, 1})}});
    EXPECT_EQ(values_of(out[0]), (std::vector<float>{0, 0})) << m;
    EXPECT_EQ(out[1].shape(), (Shape{0, 2})) << m;
  }
}

TEST(ControlFlow, LoopWhoseScanOutputsCannotFitFailsCleanly) {
  GraphBuilder body;
  body.input("i", DType::Int64, Shape{})
      .input("c", DType::Bool, Shape{})
      .initializer("shape", Tensor::from_vector<int64_t>({1}, {1 << 20}))
      .node("ConstantOfShape", {"shape"}, {"big"})
      .node("Identity", {"c"}, {"c_out"})
      .output("c_out", DType::Bool, {})
      .output("big", DType::Float32, {Dim::of(1 << 20)});
  GraphBuilder b;
  b.input("M", DType::Int64, Shape{})
      .node("Loop", {"M", ""}, {"stacked"}, {{"body", graph_of(body, "body")}})
      .output("stacked", DType::Float32, {Dim{}, Dim::of(1 << 20)});
  InferenceSession session(b.build());
  expect_error([&] { session.run({}, {{"M", Tensor::scalar<int64_t>(int64_t{1} << 40)}}); },
               ErrorCode::InvalidArgument, {"Loop node", "exceed half this machine's memory"});
  auto small = session.run({}, {{"M", Tensor::scalar<int64_t>(2)}});
  EXPECT_EQ(small[0].shape(), (Shape{2, 1 << 20}));
}

TEST(ControlFlow, LoopHostileShapesAreClearErrors) {
  // Neither M nor cond: would never end.
  onnx_io::Model model = loop_model(false);
  const_cast<ir::Node&>(*model.graph.nodes()[0]).inputs[0] = "";
  expect_error([&] { InferenceSession s(std::move(model)); }, ErrorCode::InvalidModel,
               {"Loop node", "never end"});
  // A body with the wrong number of inputs.
  GraphBuilder body;
  body.input("i", DType::Int64, Shape{})
      .input("c", DType::Bool, Shape{})
      .node("Identity", {"c"}, {"c_out"})
      .output("c_out", DType::Bool, {});
  GraphBuilder b;
  b.input("M", DType::Int64, Shape{})
      .input("v", DType::Float32, Shape{2})
      .node("Loop", {"M", "", "v"}, {"v_out"}, {{"body", graph_of(body, "body")}})
      .output("v_out", DType::Float32, {Dim::of(2)});
  expect_error([&] { InferenceSession s(b.build()); }, ErrorCode::InvalidModel,
               {"Loop node", "body 'body' has 2 inputs, expected 2 + 1"});
  // A body that does not give its condition as one bool.
  GraphBuilder bad_cond;
  bad_cond.input("i", DType::Int64, Shape{})
      .input("c", DType::Bool, Shape{})
      .input("v", DType::Float32, Shape{2})
      .node("Identity", {"i"}, {"c_out"})
      .node("Identity", {"v"}, {"v_out"})
      .output("c_out", DType::Int64, {})
      .output("v_out", DType::Float32, {Dim::of(2)});
  GraphBuilder d;
  d.input("M", DType::Int64, Shape{})
      .input("c", DType::Bool, Shape{})
      .input("v", DType::Float32, Shape{2})
      .node("Loop", {"M", "c", "v"}, {"v_final"}, {{"body", graph_of(bad_cond, "body")}})
      .output("v_final", DType::Float32, {Dim::of(2)});
  InferenceSession ds(d.build());
  expect_error([&] {
    ds.run({}, {{"M", Tensor::scalar<int64_t>(3)}, {"c", Tensor::scalar<bool>(true)},
                {"v", floats({2}, {1, 2})}});
  }, ErrorCode::InvalidArgument, {"Loop node", "condition output must be one bool"});
}

// Scan 9: running sum over axis 1 of x [2, 3], read in reverse; outputs stacked on axis 1 too.
TEST(ControlFlow, ScanWithAxesAndDirections) {
  GraphBuilder body;
  body.input("s", DType::Float32, Shape{2})
      .input("col", DType::Float32, Shape{2})
      .node("Add", {"s", "col"}, {"s_out"})
      .node("Mul", {"s_out", "k"}, {"scaled"})
      .output("s_out", DType::Float32, {Dim::of(2)})
      .output("scaled", DType::Float32, {Dim::of(2)});
  GraphBuilder b;
  b.input("init", DType::Float32, Shape{2})
      .input("x", DType::Float32, Shape{2, 3})
      .initializer("k", floats({}, {10}))
      .node("Scan", {"init", "x"}, {"final", "ys"},
            {{"body", graph_of(body, "body")},
             {"num_scan_inputs", int64_t{1}},
             {"scan_input_axes", std::vector<int64_t>{1}},
             {"scan_input_directions", std::vector<int64_t>{1}},
             {"scan_output_axes", std::vector<int64_t>{-1}}})
      .output("final", DType::Float32, {Dim::of(2)})
      .output("ys", DType::Float32, {Dim::of(2), Dim::of(3)});
  InferenceSession session(b.build());
  auto out = session.run({}, {{"init", floats({2}, {0, 100})},
                              {"x", floats({2, 3}, {1, 2, 3, 4, 5, 6})}});
  EXPECT_EQ(values_of(out[0]), (std::vector<float>{6, 115}));
  // reverse: columns 2, 1, 0 -> sums [3, 106], [5, 111], [6, 115], stacked along the last axis
  EXPECT_EQ(values_of(out[1]), (std::vector<float>{30, 50, 60, 1060, 1110, 1150}));
}

TEST(ControlFlow, IfConditionMustBeOneBool) {
  onnx_io::Model model = if_model();
  model.graph.set_type("cond", ir::ValueType{DType::Bool, std::vector<Dim>{Dim::of(2)}});
  InferenceSession session(std::move(model));
  expect_error([&] {
    session.run({}, {{"cond", Tensor::from_vector<bool>({2}, {true, false})},
                     {"x", floats({3}, {1, 2, 3})},
                     {"b", floats({3}, {1, 2, 3})}});
  }, ErrorCode::InvalidArgument, {"If node", "If condition must be one bool"});
}

TEST(ControlFlow, ScanBodyArityAndAttributesAreChecked) {
  GraphBuilder body;
  body.input("s", DType::Float32, Shape{2})
      .node("Identity", {"s"}, {"s_out"})
      .output("s_out", DType::Float32, {Dim::of(2)});
  GraphBuilder b;
  b.input("init", DType::Float32, Shape{2})
      .input("x", DType::Float32, Shape{2, 3})
      .node("Scan", {"init", "x"}, {"final"},
            {{"body", graph_of(body, "body")}, {"num_scan_inputs", int64_t{1}}})
      .output("final", DType::Float32, {Dim::of(2)});
  expect_error([&] { InferenceSession s(b.build()); }, ErrorCode::InvalidModel,
               {"Scan node", "1 inputs, expected 1 states + 1 scan inputs"});

  auto body2 = [] {
    GraphBuilder g;
    g.input("s", DType::Float32, Shape{2})
        .input("col", DType::Float32, Shape{2})
        .node("Add", {"s", "col"}, {"s_out"})
        .output("s_out", DType::Float32, {Dim::of(2)});
    return graph_of(g, "body");
  };
  GraphBuilder c;
  c.input("init", DType::Float32, Shape{2})
      .input("x", DType::Float32, Shape{2, 3})
      .node("Scan", {"init", "x"}, {"final"},
            {{"body", body2()},
             {"num_scan_inputs", int64_t{1}},
             {"scan_input_axes", std::vector<int64_t>{0, 1}}})
      .output("final", DType::Float32, {Dim::of(2)});
  expect_error([&] { InferenceSession s(c.build()); }, ErrorCode::InvalidModel,
               {"Scan node", "scan_input_axes has 2 entries"});
  GraphBuilder d;
  d.input("init", DType::Float32, Shape{2})
      .input("x", DType::Float32, Shape{2, 3})
      .node("Scan", {"init", "x"}, {"final"},
            {{"body", body2()},
             {"num_scan_inputs", int64_t{1}},
             {"scan_input_axes", std::vector<int64_t>{5}}})
      .output("final", DType::Float32, {Dim::of(2)});
  InferenceSession session(d.build());
  expect_error([&] {
    session.run({}, {{"init", floats({2}, {0, 0})}, {"x", floats({2, 3}, {1, 2, 3, 4, 5, 6})}});
  }, ErrorCode::InvalidArgument, {"Scan node", "axis 5 out of range"});
}

TEST(ControlFlow, LoopSurvivesSaveAndLoadAndRunsTheSame) {
  onnx_io::Model model = loop_model(false);
  InferenceSession direct(loop_model(false));
  InferenceSession loaded(onnx_io::parse_model(onnx_io::serialize_model(model), "", "loop.onnx"));
  std::map<std::string, Tensor> feeds = {{"M", Tensor::scalar<int64_t>(4)},
                                         {"x", floats({2}, {0.5f, -2})}};
  auto a = direct.run({}, feeds), b = loaded.run({}, feeds);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(values_of(a[i]), values_of(b[i]));
}

TEST(ControlFlow, ImplicitInputsAttachAndDetachFollowingRenames) {
  onnx_io::Model model = if_model();
  ir::Graph& graph = model.graph;
  ir::attach_implicit_inputs(graph);
  ir::Node& node = *graph.nodes()[1];
  EXPECT_EQ(node.inputs, (std::vector<std::string>{"cond", "bias", "x"}));
  EXPECT_EQ(node.implicit_inputs, 2);
  node.inputs[1] = "bias_renamed";
  graph.nodes()[0]->outputs[0] = "bias_renamed";
  ir::GraphPtr before = node.attrs.get_graph("then_branch");
  ir::detach_implicit_inputs(graph);
  EXPECT_EQ(node.inputs, std::vector<std::string>{"cond"});
  EXPECT_EQ(node.attrs.get_graph("then_branch")->nodes()[0]->inputs,
            (std::vector<std::string>{"x", "bias_renamed"}));
  // copy on write: the subgraph the node had before is unchanged
  EXPECT_EQ(before->nodes()[0]->inputs, (std::vector<std::string>{"x", "bias"}));
  graph.verify();
}

}  // namespace
}  // namespace flowonnx
