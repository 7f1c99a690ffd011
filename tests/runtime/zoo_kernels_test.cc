// Every image model of the zoo, run by the session: no node runs on oneDNN's reference code
// ("ref:any", 100-1000x slower than its JIT kernels; MobileNet v2's 24-channel convs did on
// AVX-512 CPUs), and the outputs match the eager model. The implementations are the ones the
// kernels prepared at load (NodeTiming::implementation); ctest runs this binary again with
// ONEDNN_MAX_CPU_ISA=AVX2, so an AVX-512 machine checks both ISAs' layout decisions, for every
// channel count the zoo has (24, 40, 58, 72, 116, 120, 200, ...).
#include <gtest/gtest.h>

#include "flow/nn/graph.h"
#include "models/zoo.h"
#include "onnx/export/exporter.h"
#include "runtime/graph_builder.h"
#include "runtime/session.h"

namespace flowonnx {
namespace {

std::vector<std::string> image_models() {
  std::vector<std::string> names;
  for (const auto& info : models::model_zoo())
    if (info.input_dtype == DType::Float32 && info.input_shape.size() == 4)
      names.push_back(info.name);
  return names;
}

class ZooKernelsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ZooKernelsTest, NoReferenceImplementationsAndMatchesEager) {
  const models::ModelInfo& info = models::find_model(GetParam());
  auto model = models::create_model(info.name, 51);
  models::set_batch_norm_like_trained(*model, 52, info.name == "densenet121" ? 0.4 : 1.0);
  model->eval();
  // 64x64 keeps the test quick; the vision transformers need their own size (position
  // embeddings).
  Shape shape = info.input_shape;
  if (!info.name.starts_with("vit")) shape = {1, shape[1], 64, 64};
  Generator gen(53);
  const Tensor x = randn(shape, gen);
  nn::ModuleGraph graph("ZooGraph", model);
  graph.compile({x});
  ExportOptions options;
  options.opset = 13;
  InferenceSession session(convert_to_onnx(graph, options));

  std::vector<NodeTiming> timings;
  std::vector<Tensor> got = session.run_profiled({}, {{session.get_inputs()[0].name, x}}, timings);
  int convs = 0;
  for (const NodeTiming& t : timings) {
    EXPECT_FALSE(t.implementation.starts_with("ref"))
        << t.node_name << " (" << t.op_type << ") runs on " << t.implementation;
    if (t.op_type == "FusedConv") {
      ++convs;
      EXPECT_FALSE(t.implementation.empty()) << t.node_name << " prepared nothing at load";
    }
  }
  EXPECT_GT(convs, 0);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_LT(testing::max_relative_error(got[0], model->forward(x)), 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooKernelsTest, ::testing::ValuesIn(image_models()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace flowonnx
