// The passes never break a subgraph's reads of enclosing values, and an If on a constant
// condition is folded into the branch it takes.
#include "ir/subgraph.h"
#include "passes/pass_test_util.h"

namespace flowonnx::testing {
namespace {

using ir::Dim;

ir::GraphPtr branch(GraphBuilder& builder, const std::string& name) {
  auto graph = std::make_shared<ir::Graph>(builder.build().graph);
  graph->name = name;
  return graph;
}

// y = If(cond) { x + bias } else { x * w }, bias = Relu(Identity(b)) computed in the main graph,
// w an initializer read only inside else; plus a dead node and a duplicate Relu.
onnx_io::Model model(const std::string& cond_value = "cond") {
  GraphBuilder then_b;
  then_b.node("Add", {"x", "bias"}, {"t"}).output("t", DType::Float32, {Dim::of(3)});
  GraphBuilder else_b;
  else_b.node("Mul", {"x", "w"}, {"e"})
      .node("Add", {"e", "bias_twin"}, {"e2"})
      .output("e2", DType::Float32, {Dim::of(3)});
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{3})
      .input("b", DType::Float32, Shape{3})
      .initializer("w", Tensor::from_vector<float>({3}, {2, 3, 4}))
      .initializer("always", Tensor::scalar<bool>(true))
      .initializer("never", Tensor::scalar<bool>(false))
      .node("Identity", {"b"}, {"b_copy"})
      .node("Relu", {"b_copy"}, {"bias"})
      .node("Relu", {"b_copy"}, {"bias_twin"})
      .node("Exp", {"x"}, {"dead"})
      .node("ReduceSum", {"x"}, {"sx"}, {{"keepdims", int64_t{0}}})
      .node("ReduceSum", {"b"}, {"sb"}, {{"keepdims", int64_t{0}}})
      .node("Greater", {"sx", "sb"}, {"gt_any"})
      .node("Cast", {"x"}, {"x_int"}, {{"to", int64_t{7}}})
      .node("If", {cond_value}, {"y"},
            {{"then_branch", branch(then_b, "then")}, {"else_branch", branch(else_b, "else")}})
      .output("y", DType::Float32, {Dim::of(3)});
  return b.build();
}

const ir::Node* find_op(const ir::Graph& graph, const std::string& op) {
  for (const auto& node : graph.nodes())
    if (node->op_type == op) return node.get();
  return nullptr;
}

void expect_equivalent(const onnx_io::Model& a, const onnx_io::Model& b) {
  passes::EquivalenceOptions options;
  options.runs = 3;
  options.seed = 7;
  passes::EquivalenceResult result = passes::check_equivalence(a, b, options);
  EXPECT_TRUE(result.ok) << result.message;
}

TEST(ControlFlowPasses, EliminationKeepsWhatSubgraphsRead) {
  onnx_io::Model original = model("always");
  onnx_io::Model out = run_passes(original, {"eliminate_deadend", "eliminate_unused_initializer",
                                             "eliminate_identity"});
  const ir::Graph& g = out.graph;
  EXPECT_EQ(find_op(g, "Exp"), nullptr);  // really dead
  EXPECT_EQ(find_op(g, "Cast"), nullptr);
  EXPECT_NE(find_op(g, "Relu"), nullptr);  // read only inside the branches
  EXPECT_TRUE(g.is_initializer("w"));      // read only inside else
  EXPECT_EQ(find_op(g, "Identity"), nullptr);
  const ir::Node* node = find_op(g, "If");
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(node->inputs, std::vector<std::string>{"always"});  // detached again
  EXPECT_EQ(node->implicit_inputs, 0);
  g.verify();
  expect_equivalent(original, out);
}

TEST(ControlFlowPasses, CommonSubexpressionRenamesInsideSubgraphs) {
  onnx_io::Model original = model("always");
  onnx_io::Model out = run_passes(original, {"eliminate_common_subexpression"});
  const ir::Graph& g = out.graph;
  int relus = 0;
  for (const auto& node : g.nodes()) relus += node->op_type == "Relu";
  EXPECT_EQ(relus, 1);
  std::vector<std::string> reads = ir::outer_scope_reads(*find_op(g, "If"));
  EXPECT_EQ(std::count(reads.begin(), reads.end(), "bias_twin") +
                std::count(reads.begin(), reads.end(), "bias"),
            1);
  g.verify();
  // the original model's branch is untouched (copy on write)
  EXPECT_EQ(find_op(original.graph, "If")->attrs.get_graph("else_branch")->nodes()[1]->inputs[1],
            "bias_twin");
  expect_equivalent(original, out);
}

TEST(ControlFlowPasses, IfOnAConstantConditionIsInlined) {
  for (const char* cond : {"always", "never"}) {
    onnx_io::Model original = model(cond);
    onnx_io::Model out = run_passes(original, {"fold_constants", "eliminate_identity",
                                               "eliminate_deadend"});
    EXPECT_EQ(find_op(out.graph, "If"), nullptr) << cond;
    EXPECT_NE(find_op(out.graph, std::string(cond) == "always" ? "Add" : "Mul"), nullptr) << cond;
    out.graph.verify();
    expect_equivalent(original, out);
  }
}

// The inlined branch holds a Loop whose body reads a value the branch defines ("step", renamed
// when inlined) and one of the main graph ("x"): the body must follow the rename.
TEST(ControlFlowPasses, InlinedBranchRenamesReadsOfNestedSubgraphs) {
  GraphBuilder body;
  body.input("i", DType::Int64, Shape{})
      .input("c", DType::Bool, Shape{})
      .input("acc", DType::Float32, Shape{3})
      .node("Add", {"acc", "step"}, {"acc_step"})
      .node("Add", {"acc_step", "x"}, {"acc_out"})
      .node("Identity", {"c"}, {"c_out"})
      .output("c_out", DType::Bool, {})
      .output("acc_out", DType::Float32, {Dim::of(3)});
  GraphBuilder then_b;
  then_b.initializer("trips", Tensor::scalar<int64_t>(3))
      .node("Neg", {"x"}, {"step"})
      .node("Loop", {"trips", "", "x"}, {"t"}, {{"body", branch(body, "body")}})
      .output("t", DType::Float32, {Dim::of(3)});
  GraphBuilder else_b;
  else_b.node("Identity", {"x"}, {"e"}).output("e", DType::Float32, {Dim::of(3)});
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{3})
      .initializer("always", Tensor::scalar<bool>(true))
      .node("Relu", {"x"}, {"step"})  // the same name in the main graph: must not be captured
      .node("If", {"always"}, {"y"},
            {{"then_branch", branch(then_b, "then")}, {"else_branch", branch(else_b, "else")}})
      .node("Add", {"y", "step"}, {"z"})
      .output("z", DType::Float32, {Dim::of(3)});
  onnx_io::Model original = b.build();
  onnx_io::Model out = run_passes(original, {"fold_constants"});
  EXPECT_EQ(find_op(out.graph, "If"), nullptr);
  const ir::Node* loop = find_op(out.graph, "Loop");
  ASSERT_NE(loop, nullptr);
  std::vector<std::string> reads = ir::outer_scope_reads(*loop);
  EXPECT_EQ(reads.size(), 2u);
  EXPECT_EQ(std::count(reads.begin(), reads.end(), "step"), 0);  // renamed, not the Relu's
  out.graph.verify();
  expect_equivalent(original, out);
}

TEST(ControlFlowPasses, IfOnAComputedConditionIsKept) {
  onnx_io::Model original = model("gt_any");
  onnx_io::Model out = run_passes(original, {"fold_constants", "eliminate_deadend"});
  EXPECT_NE(find_op(out.graph, "If"), nullptr);
  expect_equivalent(original, out);
}

}  // namespace
}  // namespace flowonnx::testing
