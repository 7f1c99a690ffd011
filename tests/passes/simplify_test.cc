// Simplify as a whole: constant and shape folding (with a symbolic batch), the size threshold,
// the pass manager's fixed point, and exporter-style graphs that must keep running at any batch.
#include <set>

#include "passes/pass_test_util.h"
#include "runtime/session.h"

namespace flowonnx::testing {
namespace {

using ir::Dim;

std::map<std::string, int> op_counts(const ir::Graph& graph) {
  std::map<std::string, int> counts;
  for (const auto& node : graph.nodes()) ++counts[node->op_type];
  return counts;
}

TEST(FoldConstantsTest, ConstantSubgraphBecomesOneInitializer) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{3})
      .initializer("a", Tensor::from_vector<float>({3}, {1, 4, 9}))
      .node("Sqrt", {"a"}, {"s"})
      .node("Neg", {"s"}, {"n"})
      .node("Add", {"x", "n"}, {"y"})
      .output("y", DType::Float32, {Dim::of(3)});
  onnx_io::Model model = b.build();
  expect_pass_result(model, {"fold_constants", "eliminate_unused_initializer"},
                     "input %x:f32[3]\n"
                     "initializer %n:f32[3]\n"
                     "%y:f32[3] = onnx.Add(%x, %n)\n"
                     "output %y:f32[3]\n");
  onnx_io::Model folded = run_passes(model, {"fold_constants"});
  EXPECT_EQ(folded.graph.initializer("n").to_double_vector(), (std::vector<double>{-1, -2, -3}));
}

TEST(FoldConstantsTest, LargeConstantOfShapeIsKeptWithANote) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{1})
      .initializer("shape", Tensor::from_vector<int64_t>({2}, {1000, 1000}))
      .node("ConstantOfShape", {"shape"}, {"big"})
      .node("Add", {"x", "big"}, {"y"})
      .output("y", DType::Float32, {Dim::of(1000), Dim::of(1000)});
  onnx_io::Model model = b.build();
  passes::PassContext context;
  context.tensor_size_threshold = 1000;  // bytes
  onnx_io::Model copy = passes::clone_model(model);
  EXPECT_FALSE(passes::fold_constants(copy.graph, context));
  ASSERT_EQ(context.notes.size(), 1u);
  EXPECT_NE(context.notes[0].find("kept node ConstantOfShape_0 (ConstantOfShape)"), std::string::npos)
      << context.notes[0];
  context.tensor_size_threshold = int64_t{1} << 30;
  EXPECT_TRUE(passes::fold_constants(copy.graph, context));
  EXPECT_TRUE(copy.graph.is_initializer("big"));
}

TEST(FoldConstantsTest, RandomNodesAreNeverFolded) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{2})
      .initializer("c", Tensor::from_vector<float>({2}, {1, 2}))
      .node("RandomUniformLike", {"c"}, {"r"})
      .node("Add", {"x", "r"}, {"y"})
      .output("y", DType::Float32, {Dim::of(2)});
  onnx_io::Model model = b.build();
  passes::PassContext context;
  onnx_io::Model copy = passes::clone_model(model);
  EXPECT_FALSE(passes::fold_constants(copy.graph, context));
  EXPECT_TRUE(context.notes.empty());
}

TEST(FoldConstantsTest, FailingFoldIsReportedNotSilent) {
  GraphBuilder b;
  b.input("x", DType::Float32, Shape{2})
      .initializer("a", Tensor::from_vector<float>({2}, {1, 2}))
      .initializer("shape", Tensor::from_vector<int64_t>({1}, {3}))  // 2 elements into 3: invalid
      .node("Reshape", {"a", "shape"}, {"r"})
      .node("Add", {"x", "r"}, {"y"})
      .output("y", DType::Float32, {Dim::of(2)});
  onnx_io::Model copy = b.build();
  passes::PassContext context;
  EXPECT_FALSE(passes::fold_constants(copy.graph, context));
  ASSERT_EQ(context.notes.size(), 1u);
  EXPECT_NE(context.notes[0].find("kept node Reshape_0 (Reshape): constant folding failed"), std::string::npos)
      << context.notes[0];
}

// The chain other exporters (torch.onnx) write for flatten-like reshapes with a dynamic batch.
onnx_io::Model exporter_style_model() {
  GraphBuilder b(13);
  b.input("x", DType::Float32, {Dim::named("N"), Dim::of(3), Dim::of(4), Dim::of(4)})
      .initializer("w", random_tensor({8, 3, 3, 3}, 1))
      .initializer("i0", Tensor::scalar<int64_t>(0))
      .initializer("i1", Tensor::scalar<int64_t>(1))
      .initializer("i2", Tensor::scalar<int64_t>(2))
      .initializer("i3", Tensor::scalar<int64_t>(3))
      .initializer("axes0", Tensor::from_vector<int64_t>({1}, {0}))
      .node("Conv", {"x", "w"}, {"c"}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}})
      .node("Shape", {"c"}, {"s"})
      .node("Gather", {"s", "i0"}, {"g0"})
      .node("Gather", {"s", "i1"}, {"g1"})
      .node("Gather", {"s", "i2"}, {"g2"})
      .node("Gather", {"s", "i3"}, {"g3"})
      .node("Mul", {"g2", "g3"}, {"hw"})
      .node("Unsqueeze", {"g0", "axes0"}, {"u0"})
      .node("Unsqueeze", {"g1", "axes0"}, {"u1"})
      .node("Unsqueeze", {"hw", "axes0"}, {"u2"})
      .node("Concat", {"u0", "u1", "u2"}, {"target"}, {{"axis", int64_t{0}}})
      .node("Reshape", {"c", "target"}, {"r"})
      .node("Identity", {"r"}, {"y"})
      .output("y", DType::Float32, {Dim::named("N"), Dim::of(8), Dim::of(16)});
  return b.build();
}

TEST(FoldShapesTest, ExporterChainKeepsOnlyTheBatchPartAndRunsAtTwoBatchSizes) {
  onnx_io::Model model = exporter_style_model();
  onnx_io::Model simplified = passes::clone_model(model);
  passes::SimplifyOptions options;
  options.verify_after_each_pass = true;
  passes::simplify(simplified, options);
  std::map<std::string, int> expected = {{"Concat", 1}, {"Conv", 1}, {"Gather", 1},
                                         {"Reshape", 1}, {"Shape", 1}, {"Unsqueeze", 1}};
  EXPECT_EQ(op_counts(simplified.graph), expected) << simplified.graph.to_text();
  for (int64_t batch : {1, 3}) {
    passes::EquivalenceOptions check;
    check.runs = 2;
    check.dim_values["N"] = batch;
    passes::EquivalenceResult result = passes::check_equivalence(model, simplified, check);
    EXPECT_TRUE(result.ok) << "batch " << batch << ": " << result.message;
  }
  InferenceSession session(passes::clone_model(simplified));
  EXPECT_EQ(session.run({}, {{"x", random_tensor({5, 3, 4, 4}, 2)}})[0].shape(), (Shape{5, 8, 16}));
}

TEST(FoldShapesTest, StaticInputShapeCollapsesTheWholeChain) {
  onnx_io::Model model = exporter_style_model();
  onnx_io::Model simplified = passes::clone_model(model);
  passes::SimplifyOptions options;
  options.overwrite_input_shapes["x"] = {2, 3, 4, 4};
  passes::simplify(simplified, options);
  std::map<std::string, int> expected = {{"Conv", 1}, {"Reshape", 1}};
  EXPECT_EQ(op_counts(simplified.graph), expected) << simplified.graph.to_text();
  EXPECT_EQ(simplified.graph.type("x").to_string(), "f32[2,3,4,4]");
  passes::EquivalenceOptions check;
  check.dim_values["N"] = 2;
  EXPECT_TRUE(passes::check_equivalence(model, simplified, check).ok);
}

TEST(FoldShapesTest, OverwriteOfUnknownInputIsAnError) {
  onnx_io::Model model = exporter_style_model();
  passes::SimplifyOptions options;
  options.overwrite_input_shapes["nope"] = {1};
  EXPECT_THROW(passes::simplify(model, options), Error);
  EXPECT_EQ(passes::parse_input_shape_override("a:b:1,-1,3").first, "a:b");
  EXPECT_EQ(passes::parse_input_shape_override("a:b:1,-1,3").second, (std::vector<int64_t>{1, -1, 3}));
  EXPECT_THROW(passes::parse_input_shape_override("x:1,a"), Error);
}

TEST(InferShapesTest, ConvPoolShapesKeepTheSymbolicBatch) {
  onnx_io::Model model = exporter_style_model();
  passes::PassContext context;
  EXPECT_TRUE(passes::infer_shapes(model.graph, context));
  EXPECT_EQ(model.graph.type("c").to_string(), "f32[N,8,4,4]");
  EXPECT_FALSE(passes::infer_shapes(model.graph, context));  // a fixed point
}

TEST(PassManagerTest, PrintAfterDumpsAndUnknownPassesAreErrors) {
  onnx_io::Model model = exporter_style_model();
  std::string dumped;
  passes::PassManagerOptions options;
  options.print_after = {"eliminate_identity"};
  options.dump = [&](const std::string& text) { dumped += text; };
  passes::PassManager manager(options);
  manager.add("eliminate_identity");
  passes::PassContext context;
  passes::PassRunReport report = manager.run(model.graph, context);
  EXPECT_NE(dumped.find("--- after eliminate_identity (iteration 1) ---"), std::string::npos) << dumped;
  EXPECT_NE(dumped.find("= onnx.Reshape(%c, %target)"), std::string::npos) << dumped;
  EXPECT_EQ(report.iterations, 2);
  EXPECT_TRUE(report.reached_fixed_point);
  EXPECT_THROW(passes::PassManager().add("no_such_pass"), Error);
  EXPECT_EQ(passes::all_passes().size(), 25u);
}

TEST(PassManagerTest, IterationCapStopsWithAWarning) {
  onnx_io::Model model = exporter_style_model();
  passes::PassManagerOptions options;
  options.max_iterations = 1;
  passes::PassManager manager(options);
  manager.add(std::vector<std::string>{"infer_shapes", "fold_shapes", "fold_constants"});
  passes::PassContext context;
  passes::PassRunReport report = manager.run(model.graph, context);
  EXPECT_EQ(report.iterations, 1);
  EXPECT_FALSE(report.reached_fixed_point);
}

}  // namespace
}  // namespace flowonnx::testing
