// nn::Graph: tracing, tutorial naming, eval-mode semantics and running the compiled graph.
#include <gtest/gtest.h>

#include "flow/functional.h"
#include "flow/nn/graph.h"
#include "flow/nn/layers.h"
#include "models/zoo.h"

namespace flowonnx::nn {
namespace {

TEST(GraphTest, ResNetTraceUsesTutorialNamesAndRunsLikeEager) {
  auto model = models::create_model("resnet18", 4);
  model->eval();
  ModuleGraph graph("ResNet18TraceGraph", model);
  Tensor x = randn({1, 3, 64, 64});
  graph.compile({x});
  const ir::Graph& ir = graph.ir_graph();
  EXPECT_EQ(graph.name(), "ResNet18TraceGraph_0");
  EXPECT_EQ(ir.inputs, (std::vector<std::string>{"_ResNet18TraceGraph_0-input_0/out"}));
  EXPECT_EQ(ir.outputs, (std::vector<std::string>{"_ResNet18TraceGraph_0-output_0/out"}));
  EXPECT_TRUE(ir.is_initializer("model.conv1.weight/out"));
  EXPECT_TRUE(ir.is_initializer("model.layer4.1.bn2.running_var/out"));
  EXPECT_FALSE(ir.is_initializer("model.layer1.0.bn1.num_batches_tracked/out"));  // unused
  std::map<std::string, int> ops;
  for (const auto& node : ir.nodes()) ++ops[node->op_type];
  EXPECT_EQ(ops["conv2d"], 20);
  EXPECT_EQ(ops["normalization"], 20);
  EXPECT_EQ(ops["add_n"], 8);
  EXPECT_EQ(ops["matmul"], 1);
  EXPECT_EQ(ops["bias_add"], 1);
  std::string text = ir.to_text();
  EXPECT_NE(text.find("%conv2d-0/out_0:f32[1,64,32,32] = flow.conv2d(%_ResNet18TraceGraph_0-input_0/out, "
                      "%model.conv1.weight/out)"), std::string::npos) << text.substr(0, 2000);

  for (int64_t batch : {1, 3}) {
    Tensor input = randn({batch, 3, 64, 64});
    EXPECT_EQ(graph.run({input})[0].to_double_vector(), model->forward(input).to_double_vector());
  }
}

TEST(GraphTest, InstanceCounterAndNameOverrides) {
  auto model = std::make_shared<ReLU>();
  ModuleGraph first("CounterGraph", model), second("CounterGraph", model);
  EXPECT_EQ(first.name(), "CounterGraph_0");
  EXPECT_EQ(second.name(), "CounterGraph_1");
  ModuleGraph named("NamedGraph", model, GraphOptions{{"image"}, {"logits"}});
  named.compile({randn({2, 3})});
  EXPECT_EQ(named.ir_graph().inputs, (std::vector<std::string>{"image"}));
  EXPECT_EQ(named.ir_graph().outputs, (std::vector<std::string>{"logits"}));
}

TEST(GraphTest, CompileTracesInEvalModeAndRestoresTheMode) {
  auto net = std::make_shared<Sequential>(std::vector<std::shared_ptr<Module>>{
      std::make_shared<BatchNorm2d>(3), std::make_shared<Dropout>(0.5)});
  ASSERT_TRUE(net->is_training());
  ModuleGraph graph("EvalGraph", net);
  graph.compile({randn({2, 3, 4, 4})});
  EXPECT_TRUE(net->is_training());
  const ir::Graph& ir = graph.ir_graph();
  ASSERT_EQ(ir.nodes().size(), 1u);  // dropout is gone
  EXPECT_EQ(ir.nodes()[0]->op_type, "normalization");
  EXPECT_EQ(ir.nodes()[0]->attrs.get_int("training"), 0);
}

TEST(GraphTest, OutputThatIsAnInputGetsAnIdentity) {
  ModuleGraph graph("IdentityGraph", std::make_shared<Identity>());
  graph.compile({randn({2})});
  const ir::Graph& ir = graph.ir_graph();
  ASSERT_EQ(ir.nodes().size(), 1u);
  EXPECT_EQ(ir.nodes()[0]->op_type, "identity");
  EXPECT_EQ(ir.outputs[0], "_IdentityGraph_0-output_0/out");
}

TEST(GraphTest, RunChecksInputsAndNeedsCompile) {
  ModuleGraph graph("CheckGraph", std::make_shared<ReLU>());
  EXPECT_THROW(graph.run({randn({2})}), Error);
  graph.compile({randn({2, 2})});
  EXPECT_THROW(graph.run({randn({2})}), Error);                       // rank
  EXPECT_THROW(graph.run({Tensor::zeros({2, 2}, DType::Int64)}), Error);  // dtype
  EXPECT_EQ(graph.run({Tensor::full({3, 1}, -1.0)})[0].to_double_vector(), std::vector<double>(3, 0.0));
}

}  // namespace
}  // namespace flowonnx::nn

namespace flowonnx::nn {
namespace {

TEST(GraphTest, ViewMadeOutsideTheOpsIsRefusedNotFrozen) {
  struct Sneaky : Module {
    Tensor forward(const Tensor& x) override { return functional::relu(x.reshape({-1})); }
    std::string type_name() const override { return "Sneaky"; }
  };
  ModuleGraph graph("SneakyGraph", std::make_shared<Sneaky>());
  try {
    graph.compile({randn({2, 3})});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("use functional::reshape"), std::string::npos) << e.what();
  }
}

// Reshapes record the sizes they were traced with; run at another batch (what a dynamic-batch
// check does), the dims they kept in place follow the input, as the exported Reshape's 0s do.
TEST(GraphTest, RunAtAnotherBatchFollowsTheBatchThroughReshapes) {
  struct ChannelShuffle : Module {  // ShuffleNet's: [N,C,H,W] -> [N,2,C/2,H,W] -> T -> [N,C,H,W]
    Tensor forward(const Tensor& x) override {
      const Shape& s = x.shape();
      Tensor grouped = functional::reshape(x, {s[0], 2, s[1] / 2, s[2], s[3]});
      return functional::reshape(functional::transpose(grouped, {0, 2, 1, 3, 4}), s);
    }
    std::string type_name() const override { return "ChannelShuffle"; }
  };
  auto shuffle = std::make_shared<ChannelShuffle>();
  ModuleGraph graph("ShuffleGraph", shuffle);
  graph.compile({randn({1, 4, 3, 3})});
  for (int64_t batch : {1, 3}) {
    Tensor input = randn({batch, 4, 3, 3});
    Tensor output = graph.run({input})[0];
    EXPECT_EQ(output.shape(), input.shape());
    EXPECT_EQ(output.to_double_vector(), shuffle->forward(input).to_double_vector());
  }
}

}  // namespace
}  // namespace flowonnx::nn
