// The CUDA provider as the session sees it: provider lists, fallback, placement, partitioning
// around CPU-only nodes. Runs everywhere; the parts that need a GPU skip without one.
#include <fstream>
#include <iostream>

#include "cuda/cuda_test_util.h"

namespace flowonnx::testing {
namespace {

onnx_io::Model relu_add_model() {
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{2, 3}).input("y", DType::Float32, Shape{2, 3});
  g.node("Relu", {"x"}, {"r"}).node("Add", {"r", "y"}, {"z"}).output("z");
  return g.build();
}

TEST(CudaProvider, AvailableProvidersListTheBuild) {
  std::vector<std::string> expected = {"CPUExecutionProvider"};
#if FLOWONNX_WITH_CUDA
  expected.insert(expected.begin(), "CUDAExecutionProvider");  // built in, GPU or not
#endif
  EXPECT_EQ(get_available_providers(), expected);
}

// cuBLASLt (540 MB) is opened only when the CUDA provider is used: linking it made every
// process, CPU-only ones too, ~150 MB larger.
TEST(CudaProvider, CpuSessionsDoNotLoadCublasLt) {
  if (cuda_unavailable_reason().empty()) GTEST_SKIP() << "other tests of this process use the GPU";
  InferenceSession session(relu_add_model(), {"CPUExecutionProvider"});
  session.run({}, {{"x", Tensor::full({2, 3}, 1.0)}, {"y", Tensor::full({2, 3}, 1.0)}});
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) EXPECT_EQ(line.find("libcublasLt"), std::string::npos) << line;
}

TEST(CudaProvider, FallsBackToCpuWithoutADevice) {
  std::string why = cuda_unavailable_reason();
  if (why.empty()) GTEST_SKIP() << "a CUDA device is present";
  InferenceSession session(relu_add_model(), {"CUDAExecutionProvider", "CPUExecutionProvider"});
  EXPECT_EQ(session.get_providers(), std::vector<std::string>{"CPUExecutionProvider"});
  for (const auto& [node, provider] : session.get_node_providers()) EXPECT_EQ(provider, "CPUExecutionProvider");
  Tensor x = Tensor::from_vector<float>({2, 3}, {-1, 2, -3, 4, -5, 6});
  Tensor y = Tensor::full({2, 3}, 1.0);
  EXPECT_EQ(session.run({}, {{"x", x}, {"y", y}})[0].to_double_vector(), (std::vector<double>{1, 3, 1, 5, 1, 7}));
}

TEST(CudaProvider, RunsNodesOnTheGpu) {
  SKIP_WITHOUT_CUDA();
  InferenceSession session(relu_add_model(), {"CUDAExecutionProvider", "CPUExecutionProvider"});
  EXPECT_EQ(session.get_providers(), (std::vector<std::string>{"CUDAExecutionProvider", "CPUExecutionProvider"}));
  Tensor x = Tensor::from_vector<float>({2, 3}, {-1, 2, -3, 4, -5, 6});
  Tensor y = Tensor::full({2, 3}, 1.0);
  EXPECT_EQ(session.run({}, {{"x", x}, {"y", y}})[0].to_double_vector(), (std::vector<double>{1, 3, 1, 5, 1, 7}));
  expect_cuda_matches_cpu(relu_add_model(), {{"x", x}, {"y", y}});
}

TEST(CudaProvider, CpuFirstInTheListTakesEverything) {
  SKIP_WITHOUT_CUDA();
  InferenceSession session(relu_add_model(), {"CPUExecutionProvider", "CUDAExecutionProvider"});
  for (const auto& [node, provider] : session.get_node_providers()) EXPECT_EQ(provider, "CPUExecutionProvider");
}

// A node the GPU does not take (ArgMax returns int64) splits the graph: GPU, CPU, GPU.
TEST(CudaProvider, SplitsAroundCpuOnlyNodes) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{4, 5});
  g.node("Relu", {"x"}, {"r"})
      .node("ArgMax", {"r"}, {"i"}, {{"axis", int64_t{1}}, {"keepdims", int64_t{1}}})
      .node("Cast", {"i"}, {"f"}, {{"to", int64_t{1}}})
      .node("Add", {"r", "f"}, {"z"})
      .output("z");
  Tensor x = random_tensor({4, 5}, 1);
  CudaComparison result = expect_cuda_matches_cpu(g.build(), {{"x", x}}, 1e-6, false);
  EXPECT_GE(result.nodes_on_gpu, 2);
  EXPECT_GE(result.nodes_on_cpu, 1);
}

TEST(CudaProvider, ConcurrentRunsAgree) {
  SKIP_WITHOUT_CUDA();
  InferenceSession session(relu_add_model(), {"CUDAExecutionProvider"});
  Tensor x = random_tensor({2, 3}, 2), y = random_tensor({2, 3}, 3);
  std::vector<double> expected = session.run({}, {{"x", x}, {"y", y}})[0].to_double_vector();
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i)
        if (session.run({}, {{"x", x}, {"y", y}})[0].to_double_vector() != expected) ++mismatches;
    });
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// Runs 1 and 2 with a shape go step by step (the second is captured), later ones replay the CUDA
// graph; changing the batch starts over for the new shape. Replays must give exactly what the
// step-by-step run gives (same kernels, same algorithms) and match the CPU.
TEST(CudaProvider, CudaGraphReplayMatchesStepByStepRuns) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(13);
  g.input("x", DType::Float32, {ir::Dim::named("N"), ir::Dim::of(3), ir::Dim::of(16), ir::Dim::of(16)})
      .initializer("w", random_tensor({8, 3, 3, 3}, 11))
      .initializer("b", random_tensor({8}, 12))
      .initializer("fc", random_tensor({8, 5}, 13))
      .node("Conv", {"x", "w", "b"}, {"c"}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}})
      .node("Relu", {"c"}, {"r"})
      .node("GlobalAveragePool", {"r"}, {"p"})
      .node("Flatten", {"p"}, {"f"})
      .node("MatMul", {"f", "fc"}, {"y"})
      .output("y");
  const std::string bytes = onnx_io::serialize_model(g.build());
  auto load = [&] { return onnx_io::parse_model(bytes, {}, "graph test"); };
  SessionOptions plain_options;
  plain_options.cuda_graphs = false;
  InferenceSession cpu(load(), {"CPUExecutionProvider"});
  InferenceSession with_graphs(load(), {"CUDAExecutionProvider"});
  InferenceSession step_by_step(load(), {"CUDAExecutionProvider"}, plain_options);
  uint32_t seed = 20;
  for (int64_t batch : {2, 2, 2, 2, 1, 1, 1, 2, 3}) {
    SCOPED_TRACE("batch " + std::to_string(batch));
    std::map<std::string, Tensor> feeds = {{"x", random_tensor({batch, 3, 16, 16}, seed++)}};
    Tensor expected = cpu.run({}, feeds)[0];
    Tensor replayed = with_graphs.run({}, feeds)[0];
    Tensor stepped = step_by_step.run({}, feeds)[0];
    EXPECT_LE(max_relative_error(replayed, expected), 1e-4);
    EXPECT_EQ(replayed.to_double_vector(), stepped.to_double_vector());
  }
}

// TF32 and fp16 tensor cores (opt-in) round the conv and matmul inputs to 10-bit mantissas:
// results move by ~1e-3 relative, so the check is looser than the fp32 default's 1e-4.
TEST(CudaProvider, ReducedPrecisionMathIsOptInAndClose) {
  SKIP_WITHOUT_CUDA();
  GraphBuilder g(13);
  g.input("x", DType::Float32, Shape{2, 64, 14, 14})
      .initializer("w", random_tensor({64, 64, 3, 3}, 31, -0.05f, 0.05f))
      .initializer("fc", random_tensor({196, 32}, 32, -0.1f, 0.1f))
      .node("Conv", {"x", "w"}, {"c"}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}})
      .node("Reshape", {"c", "shape"}, {"r"})
      .initializer("shape", Tensor::from_vector<int64_t>({2}, {128, 196}))
      .node("MatMul", {"r", "fc"}, {"y"})
      .output("y");
  const std::string bytes = onnx_io::serialize_model(g.build());
  std::map<std::string, Tensor> feeds = {{"x", random_tensor({2, 64, 14, 14}, 33)}};
  InferenceSession cpu(onnx_io::parse_model(bytes, {}, "math test"), {"CPUExecutionProvider"});
  const Tensor expected = cpu.run({}, feeds)[0];
  for (const char* mode : {"tf32", "fp16"}) {
    SessionOptions options;
    options.cuda_allow_tf32 = std::string(mode) == "tf32";
    options.cuda_allow_fp16 = std::string(mode) == "fp16";
    InferenceSession gpu(onnx_io::parse_model(bytes, {}, "math test"), {"CUDAExecutionProvider"}, options);
    double error = max_relative_error(gpu.run({}, feeds)[0], expected);
    EXPECT_LE(error, 1e-2) << mode;
    std::cout << mode << " max relative error vs fp32 CPU: " << error << "\n";
  }
}

}  // namespace
}  // namespace flowonnx::testing
