// Shared helpers of the `cuda` suite: skip without a GPU, and run one model on the CPU and on the
// CUDA provider and compare (the CPU provider is the reference; it is itself checked against
// naive kernels, the ONNX node tests and ONNX Runtime in the other suites).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>
#include <random>
#include <string>
#include <vector>

#include "runtime/session.h"
#include "runtime/graph_builder.h"

namespace flowonnx::testing {

// Skips the calling test with "no CUDA device: <why>" on a machine (or build) without one.
#define SKIP_WITHOUT_CUDA()                                                       \
  do {                                                                            \
    std::string why_no_cuda = ::flowonnx::cuda_unavailable_reason();              \
    if (!why_no_cuda.empty()) GTEST_SKIP() << "no CUDA device (" << why_no_cuda << ")";  \
  } while (0)

// Uniform values in [low, high) from a fixed seed (std::mt19937 is portable).
inline Tensor random_tensor(const Shape& shape, uint32_t seed, float low = -1.f, float high = 1.f) {
  Tensor t(shape, DType::Float32);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(low, high);
  float* p = t.data<float>();
  for (int64_t i = 0; i < t.num_elements(); ++i) p[i] = dist(gen);
  return t;
}

struct CudaComparison {
  double max_error = 0;  // max |cuda - cpu| / (1 + |cpu|) over all outputs
  int nodes_on_gpu = 0, nodes_on_cpu = 0;
};

// Runs `model` with `feeds` on CPUExecutionProvider and on {CUDA, CPU}; every output must have the
// CPU's shape, dtype and values within `tolerance` (max_relative_error). With `all_on_gpu`, every
// node of the session's graph must have been placed on the CUDA provider (so a kernel that
// silently fell back to the CPU fails the test).
inline CudaComparison expect_cuda_matches_cpu(const onnx_io::Model& model,
                                              const std::map<std::string, Tensor>& feeds,
                                              double tolerance = 1e-4, bool all_on_gpu = true) {
  CudaComparison result;
  const std::string bytes = onnx_io::serialize_model(model);  // a session takes its own copy
  InferenceSession cpu(onnx_io::parse_model(bytes, {}, "test model"), {"CPUExecutionProvider"});
  InferenceSession gpu(onnx_io::parse_model(bytes, {}, "test model"), {"CUDAExecutionProvider", "CPUExecutionProvider"});
  EXPECT_EQ(gpu.get_providers().front(), "CUDAExecutionProvider");
  for (const auto& [node, provider] : gpu.get_node_providers()) {
    if (provider == "CUDAExecutionProvider") ++result.nodes_on_gpu;
    else ++result.nodes_on_cpu;
    if (all_on_gpu) {
      EXPECT_EQ(provider, "CUDAExecutionProvider") << "node " << node << " ran on the CPU";
    }
  }
  std::vector<Tensor> expected = cpu.run({}, feeds);
  std::vector<Tensor> actual = gpu.run({}, feeds);
  EXPECT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size() && i < expected.size(); ++i) {
    EXPECT_EQ(actual[i].dtype(), expected[i].dtype()) << "output " << i;
    EXPECT_EQ(actual[i].shape(), expected[i].shape()) << "output " << i;
    if (actual[i].shape() != expected[i].shape() || actual[i].dtype() != expected[i].dtype()) continue;
    double error = max_relative_error(actual[i], expected[i]);
    EXPECT_LE(error, tolerance) << "output " << i << " " << actual[i].describe();
    result.max_error = std::max(result.max_error, error);
  }
  return result;
}

}  // namespace flowonnx::testing
