// Whole exported zoo models on {CUDA, CPU} against the CPU provider alone: ResNet-18/34/50 (every
// node on the GPU), the transformer encoders vit_micro and bert_tiny (most nodes on the GPU; shape
// arithmetic may stay on the CPU), and one CUDA session run at two batch sizes (dynamic batch:
// kernels that cache shapes, descriptors or workspaces must follow the input).
//
// Tolerance 1e-3 (max |a-b| / (1+|b|)), not the op tests' 1e-4: ~50-150 layers of cuDNN / cuBLASLt
// fp32 sums in another order than oneDNN's accumulate rounding differences layer after layer.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>

#include "cuda/cuda_test_util.h"
#include "flow/nn/graph.h"
#include "models/zoo.h"
#include "onnx/model_io.h"
#include "verify/export.h"

namespace flowonnx::testing {
namespace {

namespace fs = std::filesystem;

constexpr double kModelTolerance = 1e-3;

// Zoo model `name` with seeded weights and trained-like batch norms (eval mode), exported at
// `opset` with a dynamic batch (traced at `input_shape`) into a temporary folder, loaded back.
onnx_io::Model export_zoo_model(const std::string& name, const Shape& input_shape, int opset) {
  const models::ModelInfo& info = models::find_model(name);
  auto model = models::create_seeded_model(name, 7);
  model->eval();
  nn::ModuleGraph graph(info.graph_name, model);
  Generator gen(8);
  graph.compile({models::sample_input(info, input_shape, gen)});
  const fs::path dir = fs::temp_directory_path() / ("flowonnx_cuda_models_" + std::to_string(::getpid()) + "_" + name);
  fs::remove_all(dir);
  ExportOptions options;
  options.opset = opset;
  options.dynamic_batch_size = true;
  options.onnx_model_path = dir.string();
  onnx_io::Model exported = onnx_io::load_model(export_onnx_model(graph, options));
  fs::remove_all(dir);
  return exported;
}

// A session takes its model by value and ir::Graph does not copy: a copy through the bytes.
onnx_io::Model copy_of(const onnx_io::Model& model) {
  return onnx_io::parse_model(onnx_io::serialize_model(model), {}, "exported zoo model");
}

// The model's single input at `shape`: N(0,1) images or token ids, seeded.
std::map<std::string, Tensor> model_feeds(const onnx_io::Model& model, const std::string& name, const Shape& shape,
                                          uint64_t seed) {
  Generator gen(seed);
  return {{model.graph.inputs.at(0), models::sample_input(models::find_model(name), shape, gen)}};
}

// Prints the op types of the nodes the CUDA provider left to the CPU (a diagnosis for the log;
// fused CPU nodes of the optimised graph that are not in the exported model show as "?").
void print_cpu_nodes(const onnx_io::Model& model) {
  std::map<std::string, std::string> op_of;
  for (const ir::Node* node : model.graph.topological_order()) op_of[node->name] = node->op_type;
  InferenceSession gpu(copy_of(model), {"CUDAExecutionProvider", "CPUExecutionProvider"});
  std::map<std::string, int> cpu_ops;
  for (const auto& [node, provider] : gpu.get_node_providers())
    if (provider != "CUDAExecutionProvider") ++cpu_ops[op_of.count(node) ? op_of[node] : "?"];
  std::cout << "  nodes on the CPU by op type:";
  for (const auto& [op, count] : cpu_ops) std::cout << " " << op << " x" << count;
  std::cout << "\n";
}

class CudaResNet : public ::testing::TestWithParam<std::string> {};

TEST_P(CudaResNet, MatchesCpuWithEveryNodeOnTheGpu) {
  SKIP_WITHOUT_CUDA();
  const std::string name = GetParam();
  onnx_io::Model model = export_zoo_model(name, {2, 3, 224, 224}, 13);
  CudaComparison result = expect_cuda_matches_cpu(model, model_feeds(model, name, {2, 3, 224, 224}, 9), kModelTolerance,
                                                  /*all_on_gpu=*/true);
  std::cout << "  " << name << ": max error " << result.max_error << ", nodes on GPU " << result.nodes_on_gpu
            << ", on CPU " << result.nodes_on_cpu << "\n";
  if (result.nodes_on_cpu > 0) print_cpu_nodes(model);
}

INSTANTIATE_TEST_SUITE_P(Zoo, CudaResNet, ::testing::Values("resnet18", "resnet34", "resnet50"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

struct TransformerCase {
  std::string model;
  Shape shape;  // batch 2
  int opset;
};
void PrintTo(const TransformerCase& c, std::ostream* os) { *os << c.model << " opset " << c.opset; }

class CudaTransformer : public ::testing::TestWithParam<TransformerCase> {};

TEST_P(CudaTransformer, MatchesCpuWithMostNodesOnTheGpu) {
  SKIP_WITHOUT_CUDA();
  const TransformerCase& c = GetParam();
  onnx_io::Model model = export_zoo_model(c.model, c.shape, c.opset);
  CudaComparison result = expect_cuda_matches_cpu(model, model_feeds(model, c.model, c.shape, 9), kModelTolerance,
                                                  /*all_on_gpu=*/false);
  std::cout << "  " << c.model << ": max error " << result.max_error << ", nodes on GPU " << result.nodes_on_gpu
            << ", on CPU " << result.nodes_on_cpu << "\n";
  EXPECT_GT(result.nodes_on_gpu, result.nodes_on_cpu) << "MatMul, Softmax, LayerNorm, ... should run on the GPU";
  if (result.nodes_on_cpu > 0) print_cpu_nodes(model);
}

INSTANTIATE_TEST_SUITE_P(Zoo, CudaTransformer,
                         ::testing::Values(TransformerCase{"vit_micro", {2, 3, 32, 32}, 17},
                                           TransformerCase{"bert_tiny", {2, 16}, 13}),
                         [](const ::testing::TestParamInfo<TransformerCase>& info) { return info.param.model; });

// Every other zoo model (VGG, MobileNet v2/v3 with depthwise convs and HardSwish, DenseNet's
// concats, ShuffleNet's channel shuffle, SqueezeNet, ResNeXt, the deeper ResNets, vit_tiny) at its
// own input size with batch 2: three runs on one CUDA session (step by step, captured, replayed
// CUDA graph), each within 1e-3 of the CPU.
class CudaZoo : public ::testing::TestWithParam<std::string> {};

TEST_P(CudaZoo, MatchesCpuOnEveryRun) {
  SKIP_WITHOUT_CUDA();
  const models::ModelInfo& info = models::find_model(GetParam());
  Shape shape = info.input_shape;
  shape[0] = 2;
  onnx_io::Model model = export_zoo_model(info.name, shape, 13);
  InferenceSession cpu(copy_of(model), {"CPUExecutionProvider"});
  InferenceSession gpu(copy_of(model), {"CUDAExecutionProvider", "CPUExecutionProvider"});
  int on_gpu = 0, on_cpu = 0;
  for (const auto& [node, provider] : gpu.get_node_providers()) ++(provider == "CUDAExecutionProvider" ? on_gpu : on_cpu);
  const auto feeds = model_feeds(model, info.name, shape, 11);
  std::vector<Tensor> expected = cpu.run({}, feeds);
  double worst = 0;
  for (int run = 0; run < 3; ++run) {
    std::vector<Tensor> actual = gpu.run({}, feeds);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t i = 0; i < actual.size(); ++i) {
      ASSERT_EQ(actual[i].shape(), expected[i].shape()) << "run " << run << " output " << i;
      worst = std::max(worst, max_relative_error(actual[i], expected[i]));
    }
  }
  EXPECT_LE(worst, kModelTolerance);
  EXPECT_GT(on_gpu, on_cpu);
  std::cout << "  " << info.name << ": max error " << worst << ", nodes on GPU " << on_gpu << ", on CPU " << on_cpu
            << "\n";
  if (on_cpu > 0) print_cpu_nodes(model);
}

std::vector<std::string> other_zoo_models() {
  std::vector<std::string> names;
  for (const models::ModelInfo& info : models::model_zoo())
    if (info.name != "resnet18" && info.name != "resnet34" && info.name != "resnet50" && info.name != "vit_micro" &&
        info.name != "bert_tiny")
      names.push_back(info.name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Zoo, CudaZoo, ::testing::ValuesIn(other_zoo_models()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// One CUDA session, batch 1 then 3 then 1 again: each run matches a CPU session at that batch.
TEST(CudaModels, ResNet18FollowsTheBatchOnOneSession) {
  SKIP_WITHOUT_CUDA();
  onnx_io::Model model = export_zoo_model("resnet18", {1, 3, 224, 224}, 13);
  InferenceSession cpu(copy_of(model), {"CPUExecutionProvider"});
  InferenceSession gpu(copy_of(model), {"CUDAExecutionProvider", "CPUExecutionProvider"});
  ASSERT_EQ(gpu.get_providers().front(), "CUDAExecutionProvider");
  uint64_t seed = 20;
  for (int64_t batch : {1, 3, 1}) {
    const auto feeds = model_feeds(model, "resnet18", {batch, 3, 224, 224}, seed++);
    std::vector<Tensor> expected = cpu.run({}, feeds), actual = gpu.run({}, feeds);
    ASSERT_EQ(actual.size(), 1u);
    ASSERT_EQ(actual[0].shape(), expected[0].shape()) << "batch " << batch;
    EXPECT_LE(max_relative_error(actual[0], expected[0]), kModelTolerance) << "batch " << batch;
  }
}

}  // namespace
}  // namespace flowonnx::testing
